/**
 * The fetch-stream host mutants (no ack timeout, a character split across reads), which the fetch
 * fixtures now catch through the suite's own HTTP server, are also shown directly: over a memory
 * transport, with a network backend of the test's own, the reference host meets the requirement and
 * the mutant does not. This also exercises
 * the stream-pump factory of createHost's `pieces`.
 */
import { describe, expect, it } from 'vitest'
import type { FetchLikeResponse, NetworkBackend } from '../src/host/backends.js'
import { VirtualClock } from '../src/host/clock.js'
import { createHost, type HostOptions } from '../src/host/host.js'
import { createMemoryPair } from '../src/transport/memory.js'
import { HOST_MUTANTS } from '../conformance/reference/host-mutants.js'

/** A network whose every response body is `reads`, one read each. */
function bodyOf(reads: readonly Uint8Array[]): NetworkBackend {
  return {
    fetch: (): Promise<FetchLikeResponse> =>
      Promise.resolve({
        status: 200,
        statusText: 'OK',
        ok: true,
        headers: { forEach: () => undefined },
        text: () => Promise.resolve(''),
        body: new ReadableStream<Uint8Array>({
          start(controller) {
            for (const r of reads) controller.enqueue(r)
            controller.close()
          },
        }),
      }),
  }
}

/** Lets every pending promise and I/O callback of the in-process host run (no timers: the clock is virtual). */
async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve))
}

type Chunk = { type: string; payload: { requestId: string; chunk: string; done: boolean; error?: string } }

/** A host (reference, or a mutant's options) with an active extension that has asked for a fetch stream; returns its chunks so far and the controls. */
async function streaming(options: Omit<HostOptions, 'clock'>, network: NetworkBackend) {
  const clock = new VirtualClock()
  const host = createHost({ ...options, clock, backends: { ...(options.backends ?? {}), network } })
  const [hostEnd, workerEnd] = createMemoryPair({ copy: 'json' })
  const seen: unknown[] = []
  workerEnd.onMessage((m) => seen.push(m))
  const loaded = host.load({ id: 'x', version: '1.0.0', permissions: ['network:*'] }, hostEnd)
  workerEnd.send({ type: 'ready' })
  await loaded
  workerEnd.send({ type: 'request', id: 'r1', method: 'network.fetch-stream', payload: { url: 'https://example.com/body', requestId: 'r1' } })
  await settle()
  const chunks = () => seen.filter((m): m is Chunk => (m as Chunk).type === 'streaming-fetch-chunk')
  const end = async () => {
    // The worker goes first: an unload would wait for its close, or for a grace period on a clock nobody moves.
    await workerEnd.close()
    await host.dispose()
  }
  return { end, clock, chunks, ack: () => workerEnd.send({ type: 'streaming-fetch-ack', payload: { requestId: 'r1' } }) }
}

const breakageOf = (name: string): Omit<HostOptions, 'clock'> => {
  const m = HOST_MUTANTS.find((x) => x.name === name)
  if (!m) throw new Error(`no host mutant ${name}`)
  const b = typeof m.breakage === 'function' ? m.breakage() : m.breakage
  return b.host ?? {}
}

describe('the fetch-stream host mutants, driven directly', () => {
  it('none is marked unseen any more: the fetch fixtures serve bodies from a network the suite controls (fixtures/host/fetch/)', () => {
    expect(HOST_MUTANTS.filter((m) => m.unseen !== undefined).map((m) => m.name)).toEqual([])
  })

  it('no-ack-timeout: the reference host stops a stream at the ack timeout and ignores a later ack; the mutant sends on (EXT-HOST-042)', async () => {
    const two = [new TextEncoder().encode('ab'), new TextEncoder().encode('cd')]
    const run = async (options: Omit<HostOptions, 'clock'>) => {
      const s = await streaming(options, bodyOf(two))
      expect(s.chunks().map((c) => c.payload.chunk)).toEqual(['ab'])
      s.clock.advance(30_000)
      await settle()
      s.ack()
      await settle()
      const sent = s.chunks().map((c) => c.payload.chunk)
      await s.end()
      return sent
    }
    expect(await run({})).toEqual(['ab'])
    expect(await run(breakageOf('no-ack-timeout'))).toEqual(['ab', 'cd'])
  })

  it('utf8-split-across-chunks: the reference host keeps a character whole; the mutant replaces it (EXT-HOST-043)', async () => {
    const body = [new TextEncoder().encode('\u00e9t\u00e9')]
    const run = async (options: Omit<HostOptions, 'clock'>) => {
      const s = await streaming(options, bodyOf(body))
      for (let i = 0; i < 10 && !s.chunks().some((c) => c.payload.done); i++) {
        s.ack()
        await settle()
      }
      const text = s.chunks().map((c) => c.payload.chunk).join('')
      await s.end()
      return text
    }
    expect(await run({})).toBe('\u00e9t\u00e9')
    expect(await run(breakageOf('utf8-split-across-chunks'))).toContain('\ufffd')
  })
})
