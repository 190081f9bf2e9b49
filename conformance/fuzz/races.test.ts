/**
 * Races, explored with fast-check's scheduler: deliveries in both directions are released in an
 * order the scheduler chooses. After each scenario every request has exactly one answer, every
 * chat one terminal event, every chunk one ack, and task statuses follow the state machine.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createConformanceExtension } from '../extension/extension.js'
import { checkInvariants } from '../invariants.js'
import { HostPeer } from '../../src/host/peer.js'
import { createRuntimeValidators, createWorkerRuntime } from '../../src/runtime/runtime.js'
import { createScheduledPair } from '../../src/transport/scheduled.js'

const validators = createRuntimeValidators()
const activate = { type: 'activate', id: 'a-1', payload: { extensionId: 'conformance', extensionVersion: '1', storagePath: '/s', permissions: ['tools.register', 'storage.local', 'network:*', 'background.workers', 'provider.register'], settings: {} } }

/** Runs `host` against a fresh runtime under scheduler `s`, until everything settles; returns the invariant violations. */
async function scenario(s: fc.Scheduler, host: (peer: HostPeer) => Promise<void>, requestTimeoutMs = 30_000): Promise<string[]> {
  const [hostEnd, workerEnd] = createScheduledPair(s)
  const peer = new HostPeer(hostEnd)
  const runtime = createWorkerRuntime({ transport: workerEnd, module: createConformanceExtension(), options: { validators, requestTimeoutMs } })
  const rejections: unknown[] = []
  const onRejection = (r: unknown) => rejections.push(r)
  process.on('unhandledRejection', onRejection)
  try {
    const script = host(peer)
    // Release deliveries until the script is done and nothing is left, letting real timers run between rounds.
    let finished = false
    void script.finally(() => (finished = true))
    for (let round = 0; round < 400 && !(finished && s.count() === 0); round++) {
      await s.waitAll()
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    await script
    await runtime.settled()
    await s.waitAll()
    expect(rejections).toEqual([])
    return checkInvariants(peer.timeline, { complete: true }).map((v) => `${v.requirement}: ${v.message}`)
  } finally {
    process.off('unhandledRejection', onRejection)
    runtime.dispose()
  }
}

const activated = (peer: HostPeer) => peer.waitFor((r) => (r.message as { payload?: { message?: string } }).payload?.message === 'conformance extension activated', 5000)

describe('races under fc.scheduler', () => {
  it('stop during start: one running, one terminal status, in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const violations = await scenario(s, async (peer) => {
          await peer.waitForType('ready', 5000)
          peer.send(activate)
          await activated(peer)
          peer.send({ type: 'background-task-start', id: 'b-1', payload: { taskId: 'always-task' } })
          peer.send({ type: 'background-task-stop', id: 'b-2', payload: { taskId: 'always-task' } })
          peer.send({ type: 'background-task-start', id: 'b-3', payload: { taskId: 'always-task' } })
          await peer.waitForType('background-task-status', 5000)
        })
        expect(violations).toEqual([])
      }),
      { numRuns: 25 },
    )
  }, 60_000)

  it('deactivate during a tool run: the tool request still gets exactly one answer', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 0, max: 20 }), async (s, delayMs) => {
        const violations = await scenario(s, async (peer) => {
          await peer.waitForType('ready', 5000)
          peer.send(activate)
          await activated(peer)
          peer.send({ type: 'tool-execute-request', id: 't-1', payload: { toolId: 'slow', params: { delayMs } } })
          peer.send({ type: 'tool-execute-request', id: 't-2', payload: { toolId: 'call', params: { api: 'storage', fn: 'get', args: ['k'] } } })
          peer.send({ type: 'deactivate', id: 'd-1' })
          peer.send({ type: 'tool-execute-request', id: 't-3', payload: { toolId: 'echo', params: {} } })
          await peer.waitForType('tool-execute-response', 5000, (m) => (m['payload'] as { requestId: string }).requestId === 't-3')
          await peer.waitForType('tool-execute-response', 5000, (m) => (m['payload'] as { requestId: string }).requestId === 't-1')
        })
        expect(violations).toEqual([])
      }),
      { numRuns: 25 },
    )
  }, 60_000)

  it('a response after its timeout: one answer, success or timeout, never both', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 0, max: 12 }), async (s, waitMs) => {
        const violations = await scenario(
          s,
          async (peer) => {
            await peer.waitForType('ready', 5000)
            peer.send(activate)
            await activated(peer)
            peer.send({ type: 'tool-execute-request', id: 't-1', payload: { toolId: 'call', params: { api: 'storage', fn: 'get', args: ['k'] } } })
            const request = (await peer.waitForType('request', 5000)).message as { id: string }
            await new Promise((resolve) => setTimeout(resolve, waitMs))
            peer.send({ type: 'response', id: 'h-1', payload: { requestId: request.id, success: true, data: 1 } })
            await peer.waitForType('tool-execute-response', 5000)
          },
          6,
        )
        expect(violations).toEqual([])
      }),
      { numRuns: 25 },
    )
  }, 60_000)

  it('chunks of two streams interleaved: every chunk acked once, each stream gets its own data', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.array(fc.constantFrom(0, 1), { minLength: 2, maxLength: 8 }), async (s, order) => {
        const violations = await scenario(s, async (peer) => {
          await peer.waitForType('ready', 5000)
          peer.send(activate)
          await activated(peer)
          peer.send({ type: 'tool-execute-request', id: 't-0', payload: { toolId: 'fetch-stream', params: { url: 'https://example.com/0' } } })
          peer.send({ type: 'tool-execute-request', id: 't-1', payload: { toolId: 'fetch-stream', params: { url: 'https://example.com/1' } } })
          const ids: string[] = []
          for (const url of ['https://example.com/0', 'https://example.com/1']) {
            const r = await peer.waitForType('request', 5000, (m) => (m['payload'] as { url: string }).url === url)
            ids.push((r.message as { id: string }).id)
          }
          const sent = [0, 0]
          for (const [i, which] of order.entries()) {
            const requestId = ids[which] as string
            const before = peer.ofType('streaming-fetch-ack').filter((m) => (m['payload'] as { requestId: string }).requestId === requestId).length
            // The window is one chunk per stream: wait for the previous ack of this stream.
            if ((sent[which] as number) > before) await peer.waitFor(() => peer.ofType('streaming-fetch-ack').filter((m) => (m['payload'] as { requestId: string }).requestId === requestId).length >= (sent[which] as number), 5000)
            peer.send({ type: 'streaming-fetch-chunk', id: `c-${i}`, payload: { requestId, chunk: `${which}:${i}`, done: false } })
            sent[which] = (sent[which] as number) + 1
          }
          for (const requestId of ids) peer.send({ type: 'streaming-fetch-chunk', id: `end-${requestId}`, payload: { requestId, chunk: '', done: true } })
          for (const id of ['t-0', 't-1']) {
            const r = await peer.waitForType('tool-execute-response', 5000, (m) => (m['payload'] as { requestId: string }).requestId === id)
            const chunks = ((r.message as { payload: { result: { data: { chunks: string[] } } } }).payload.result.data.chunks)
            // Exactly this stream's chunks, in the order sent (a list that may be empty is compared whole, never with every()).
            const which = Number(id.slice(2))
            expect(chunks).toEqual(order.flatMap((w, i) => (w === which ? [`${which}:${i}`] : [])))
          }
        })
        expect(violations).toEqual([])
      }),
      { numRuns: 25 },
    )
  }, 60_000)
})
