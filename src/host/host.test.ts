/**
 * createHost over the memory transport, against the reference runtime with the conformance extension
 * (both ends of the protocol in one process), and against a worker the test plays itself where the
 * reference runtime would never misbehave (no ready, a second ready, invalid messages, forged answers).
 */
import { afterEach, describe, expect, it } from 'vitest'
import { embeddedTarget } from '../../conformance/reference/target.js'
import { CONFORMANCE_PERMISSIONS } from '../../conformance/extension/permissions.js'
import { createMemoryPair } from '../transport/memory.js'
import type { Transport } from '../transport/types.js'
import { memoryStorage, type FetchLikeResponse, type NetworkBackend } from './backends.js'
import { VirtualClock } from './clock.js'
import { createHost, type Host, type HostEvent, type HostOptions } from './host.js'

const ACTIVATED = 'conformance extension activated'

/** Waits for a condition: first a few event-loop turns, then real time (the worker's own timers), up to a generous bound. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 20_000; i++) {
    if (condition()) return
    await new Promise<void>((resolve) => (i < 200 ? setImmediate(resolve) : setTimeout(resolve, 5)))
  }
  throw new Error(`never happened: ${what}`)
}

const turns = async (n = 30): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

interface Harness {
  readonly clock: VirtualClock
  readonly host: Host
  readonly events: HostEvent[]
  readonly transports: Transport[]
}

const open: Harness[] = []

afterEach(async () => {
  for (const h of open.splice(0)) {
    const done = h.host.dispose()
    h.clock.runAll()
    await done
    for (const t of h.transports) await t.close()
  }
})

function harness(options: HostOptions = {}): Harness {
  const clock = new VirtualClock()
  const host = createHost({ clock, ...options })
  const events: HostEvent[] = []
  host.onEvent((e) => events.push(e))
  const h = { clock, host, events, transports: [] }
  open.push(h)
  return h
}

/** Loads the conformance extension on the reference runtime and waits for its activation log. */
async function loadConformance(h: Harness, id = 'conformance', permissions: readonly string[] = CONFORMANCE_PERMISSIONS): Promise<void> {
  const transport = await embeddedTarget().connect({ features: [] })
  h.transports.push(transport)
  const view = await h.host.load({ id, version: '1.0.0', permissions }, transport)
  expect(view.state).toBe('active')
  await until(() => h.events.some((e) => e.type === 'log' && e.extensionId === id && e.message === ACTIVATED), `${id} activated`)
}

/** A worker the test plays: what the host sends, and a way to send as the worker. */
function playedWorker(h: Harness) {
  const [hostEnd, workerEnd] = createMemoryPair()
  h.transports.push(hostEnd, workerEnd)
  const received: Array<{ type: string; id?: string; payload?: Record<string, unknown> }> = []
  workerEnd.onMessage((m) => received.push(m as (typeof received)[number]))
  return { hostEnd, workerEnd, received, send: (m: unknown) => workerEnd.send(m) }
}

/** A host with extension `c` loaded on a worker the test plays, which has registered provider `p`. */
async function withProvider() {
  const h = harness()
  const w = playedWorker(h)
  const loading = h.host.load({ id: 'c', version: '1', permissions: ['provider.register'] }, w.hostEnd)
  w.send({ type: 'ready' })
  await loading
  w.send({ type: 'provider-registered', payload: { id: 'p', name: 'P' } })
  await until(() => h.host.extension('c')?.providers.length === 1, 'provider')
  return { h, w }
}

const taskEvents = (h: Harness, taskId: string) =>
  h.events.flatMap((e) => (e.type === 'task' && e.event.taskId === taskId ? [e.event] : []))

const textResponse = (text: string, status = 200, statusText = 'OK'): FetchLikeResponse => new Response(text, { status, statusText })

describe('createHost with the reference runtime over memory', { timeout: 60_000 }, () => {
  it('runs tools and actions, and keeps a result with success false apart from an error (EXT-HOST-075)', async () => {
    const h = harness()
    await loadConformance(h)
    const view = h.host.extension('conformance')
    expect(view?.tools.map((t) => t.id)).toContain('echo')
    expect(view?.actions.map((a) => a.id)).toEqual(['echo-action', 'fail-action'])
    expect(await h.host.executeTool('conformance', 'echo', { a: 1 }, 'u1')).toEqual({ success: true, data: { a: 1 } })
    expect(await h.host.executeTool('conformance', 'soft-fail', {})).toEqual({ success: false, error: 'soft failure' })
    await expect(h.host.executeTool('conformance', 'fail', { message: 'boom' })).rejects.toThrow('boom')
    expect(await h.host.executeTool('conformance', 'context', {}, 'u1')).toEqual({
      success: true,
      data: { userId: 'u1', extension: { id: 'conformance', version: '1.0.0', storagePath: 'extwire-storage/conformance' } },
    })
    expect(await h.host.executeAction('conformance', 'echo-action', { b: 2 })).toEqual({ success: true, data: { b: 2 } })
    await expect(h.host.executeAction('conformance', 'fail-action', {})).rejects.toThrow('action failed')
    await expect(h.host.executeTool('conformance', 'nope', {})).rejects.toThrow('Tool nope is not registered')
  })

  it('streams a chat, ends it on done, throws an error event, and lists models (EXT-HOST-075, 076)', async () => {
    const h = harness()
    await loadConformance(h)
    const events = []
    for await (const e of h.host.chat('conformance', 'echo', [{ role: 'user', content: 'hi' }], { settings: { mode: 'stream', count: 3 } })) events.push(e)
    expect(events).toEqual([
      { type: 'content', text: 'chunk-0' },
      { type: 'content', text: 'chunk-1' },
      { type: 'content', text: 'chunk-2' },
      { type: 'done' },
    ])
    const failing = h.host.chat('conformance', 'echo', [], { settings: { mode: 'error-event', message: 'provider down' } })
    await expect(failing.next()).rejects.toThrow('provider down')
    expect(await failing.next()).toEqual({ value: undefined, done: true })
    const afterDone = []
    for await (const e of h.host.chat('conformance', 'echo', [], { settings: { mode: 'after-done' } })) afterDone.push(e)
    expect(afterDone).toEqual([{ type: 'done' }])
    expect((await h.host.getModels('conformance', 'echo')).map((m) => m.id)).toEqual(['echo-1', 'echo-2'])
    await expect(h.host.getModels('conformance', 'echo', { settings: { fail: 'no models' } })).rejects.toThrow('no models')
    await expect(h.host.chat('conformance', 'missing', []).next()).rejects.toThrow('Provider missing is not registered')
  })

  it('answers storage, settings and events requests through its backends, per extension (EXT-HOST-026, 027, 028)', async () => {
    const storage = memoryStorage()
    const h = harness({ backends: { storage } })
    await loadConformance(h)
    const call = (api: string, fn: string, args: unknown[]) => h.host.executeTool('conformance', 'call', { api, fn, args })
    expect(await call('storage', 'set', ['k', { v: 1 }])).toEqual({ success: true, data: null })
    expect(await call('storage', 'setForUser', ['u1', 'k', 'mine'])).toEqual({ success: true, data: null })
    expect(await call('storage', 'get', ['k'])).toEqual({ success: true, data: { v: 1 } })
    expect(await call('storage', 'keys', [])).toEqual({ success: true, data: ['k'] })
    expect(await storage.get({ extensionId: 'conformance' }, 'k')).toEqual({ v: 1 })
    expect(await storage.get({ extensionId: 'conformance', userId: 'u1' }, 'k')).toBe('mine')
    expect(await storage.get({ extensionId: 'other' }, 'k')).toBeUndefined()
    expect(await call('storage', 'getForUser', ['a:b', 'k'])).toMatchObject({ success: false, error: expect.stringContaining('/payload/userId') })
    expect(await call('settings', 'set', ['theme', 'dark'])).toEqual({ success: true, data: null })
    expect(await call('settings', 'get', ['theme'])).toEqual({ success: true, data: 'dark' })
    expect(await call('events', 'emit', ['ping', { n: 1 }])).toEqual({ success: true, data: null })
    expect(h.events).toContainEqual({ type: 'extension-event', extensionId: 'conformance', name: 'ping', payload: { n: 1 } })
    expect(await call('database', 'execute', ['select 1'])).toMatchObject({ success: false })
  })

  it('fetches through the network backend, and refuses a URL its permissions do not allow (EXT-HOST-023, 031)', async () => {
    const urls: string[] = []
    const network: NetworkBackend = {
      fetch: async (url) => {
        urls.push(url)
        return textResponse('hello', 201, 'Created')
      },
    }
    const h = harness({ backends: { network } })
    await loadConformance(h, 'conformance', [...CONFORMANCE_PERMISSIONS.filter((p) => !p.startsWith('network:')), 'network:example.com'])
    const fetched = await h.host.executeTool('conformance', 'call', { api: 'network', fn: 'fetch', args: ['https://example.com/a'] })
    expect(fetched).toMatchObject({ success: true, data: { status: 201, statusText: 'Created', body: 'hello' } })
    const refused = await h.host.executeTool('conformance', 'call', { api: 'network', fn: 'fetch', args: ['https://api.example.com/a'] })
    expect(refused).toMatchObject({ success: false })
    expect(urls).toEqual(['https://example.com/a'])
  })

  it('serves a fetch stream chunk by chunk, with multi-byte characters split across reads (EXT-HOST-040, 041, 043)', async () => {
    const text = 'grüße 😀 end'
    const bytes = new TextEncoder().encode(text)
    const network: NetworkBackend = {
      fetch: async () =>
        new Response(
          new ReadableStream<Uint8Array>({
            start(controller) {
              for (const b of bytes) controller.enqueue(Uint8Array.of(b))
              controller.close()
            },
          }),
        ),
    }
    const h = harness({ backends: { network } })
    await loadConformance(h)
    const result = await h.host.executeTool('conformance', 'fetch-stream', { url: 'https://example.com/stream' })
    expect(result.success).toBe(true)
    const chunks = (result.data as { chunks: string[] }).chunks
    expect(chunks.join('')).toBe(text)
    expect(chunks.some((c) => c.includes('\uFFFD'))).toBe(false)
    const denied = await h.host.executeTool('conformance', 'fetch-stream', { url: 'file:///etc/passwd' })
    expect(denied.success).toBe(false)
  })

  it('fails a task under on-failure with backoff until exhausted, in virtual time (EXT-HOST-051..054)', async () => {
    const h = harness()
    await loadConformance(h)
    const events = () => taskEvents(h, 'on-failure-task')
    await until(() => events().some((e) => e.type === 'restarting'), 'first restart scheduled')
    expect(events().find((e) => e.type === 'restarting')).toMatchObject({ delayMs: 10, restartCount: 1 })
    h.clock.advance(10)
    await until(() => events().filter((e) => e.type === 'restarting').length === 2, 'second restart scheduled')
    expect(events().filter((e) => e.type === 'restarting').map((e) => (e.type === 'restarting' ? e.delayMs : 0))).toEqual([10, 20])
    h.clock.advance(20)
    await until(() => events().some((e) => e.type === 'exhausted'), 'exhausted')
    await turns()
    expect(events().filter((e) => e.type === 'exhausted')).toEqual([expect.objectContaining({ state: 'failed', restartCount: 2 })])
    expect(h.host.extension('conformance')?.tasks.find((t) => t.taskId === 'on-failure-task')).toMatchObject({ state: 'failed', exhausted: true })
    // never: a completed run stays stopped.
    await until(() => taskEvents(h, 'never-task').some((e) => e.type === 'stopped'), 'never-task stopped')
    h.clock.advance(60_000)
    await turns()
    expect(taskEvents(h, 'never-task').filter((e) => e.type === 'restarting')).toEqual([])
  })

  it('restarts an always task that completes and keeps it stopped when exhausted; a host stop is never undone (EXT-HOST-051, 054, 055)', async () => {
    const h = harness()
    await loadConformance(h)
    const config = { id: 'again', name: 'Again', userId: 'u1', restartPolicy: { type: 'always', maxRestarts: 1, initialDelayMs: 100 } }
    expect(await h.host.executeTool('conformance', 'background', { op: 'start', config, behaviour: 'complete' })).toEqual({ success: true })
    await until(() => taskEvents(h, 'again').some((e) => e.type === 'restarting'), 'restart scheduled')
    h.clock.advance(100)
    await until(() => taskEvents(h, 'again').some((e) => e.type === 'exhausted'), 'exhausted')
    expect(taskEvents(h, 'again').find((e) => e.type === 'exhausted')).toMatchObject({ state: 'stopped' })
    expect(h.host.extension('conformance')?.tasks.find((t) => t.taskId === 'again')?.state).toBe('stopped')

    await until(() => taskEvents(h, 'always-task').some((e) => e.type === 'started'), 'always-task running')
    h.host.stopTask('conformance', 'always-task')
    await turns()
    h.clock.advance(120_000)
    await turns()
    expect(taskEvents(h, 'always-task').filter((e) => e.type === 'restarting')).toEqual([])
    expect(h.host.extension('conformance')?.tasks.find((t) => t.taskId === 'always-task')).toMatchObject({ state: 'stopped', stopRequested: true })
    h.host.startTask('conformance', 'always-task')
    await until(() => taskEvents(h, 'always-task').filter((e) => e.type === 'started').length === 2, 'started again')
  })

  it('honours a stop the extension made: the restart goes unconfirmed and is never retried (EXT-HOST-056)', async () => {
    const h = harness()
    await loadConformance(h)
    await until(() => taskEvents(h, 'always-task').some((e) => e.type === 'started'), 'always-task running')
    expect(await h.host.executeTool('conformance', 'background', { op: 'stop', taskId: 'always-task' })).toEqual({ success: true })
    await until(() => taskEvents(h, 'always-task').some((e) => e.type === 'restarting'), 'restart scheduled after the stopped status')
    h.clock.advance(1000) // the restart's start goes out; the worker ignores it (EXT-BG-005)
    await turns()
    expect(h.host.extension('conformance')?.tasks.find((t) => t.taskId === 'always-task')?.state).toBe('starting')
    h.clock.advance(10_000)
    expect(taskEvents(h, 'always-task').map((e) => e.type).filter((t) => t !== 'health')).toEqual(['started', 'stopped', 'restarting', 'unconfirmed'])
    expect(h.host.extension('conformance')?.tasks.find((t) => t.taskId === 'always-task')).toMatchObject({ state: 'stopped', unconfirmed: true })
    h.clock.advance(600_000)
    await turns()
    expect(taskEvents(h, 'always-task').filter((e) => e.type === 'restarting')).toHaveLength(1)
  })

  it('settles the pending calls of the unloaded extension only, and reports no error for a deliberate unload (EXT-HOST-070, 071)', async () => {
    const h = harness()
    await loadConformance(h, 'one')
    await loadConformance(h, 'two')
    const tool = h.host.executeTool('one', 'slow', { delayMs: 60_000 })
    const chat = h.host.chat('one', 'echo', [], { settings: { mode: 'slow', delayMs: 60_000 } })
    const chatNext = chat.next()
    const models = h.host.getModels('one', 'echo')
    const other = h.host.executeTool('two', 'slow', { delayMs: 10 })
    const unloading = h.host.unload('one')
    await expect(tool).rejects.toThrow('Extension one was unloaded')
    await expect(chatNext).rejects.toThrow('Extension one was unloaded')
    await models.then(
      () => undefined,
      (e: Error) => expect(e.message).toContain('Extension one'),
    )
    expect(await other).toEqual({ success: true, data: { waited: 10 } })
    h.clock.advance(1000)
    await unloading
    expect(h.host.extension('one')).toBeUndefined()
    expect(h.events.filter((e) => e.type === 'extension-error')).toEqual([])
    expect(h.events).toContainEqual({ type: 'extension-unloaded', extensionId: 'one', requested: true })
    await expect(h.host.executeTool('one', 'echo', {})).rejects.toThrow('Extension one is not loaded')
  })

  it('marks an extension whose activation failed, and refuses calls to it (EXT-HOST-005)', async () => {
    const h = harness()
    const transport = await embeddedTarget().connect({ features: [] })
    h.transports.push(transport)
    await h.host.load({ id: 'fail-activate', version: '1', permissions: CONFORMANCE_PERMISSIONS }, transport)
    await until(() => h.host.extension('fail-activate')?.state === 'failed', 'failed')
    expect(h.events.filter((e) => e.type === 'extension-error')).toEqual([
      expect.objectContaining({ extensionId: 'fail-activate', error: expect.stringMatching(/^Failed to activate extension/) }),
    ])
    await expect(h.host.executeTool('fail-activate', 'echo', {})).rejects.toThrow('not active')
  })

  it('refuses registrations without their permission (EXT-HOST-006, 050)', async () => {
    const h = harness()
    await loadConformance(h, 'conformance', ['provider.register', 'actions.register'])
    // The reference runtime hides APIs without permission, so nothing is refused here; the tool list is empty.
    expect(h.host.extension('conformance')?.tools).toEqual([])
    const w = playedWorker(h)
    const loading = h.host.load({ id: 'played', version: '1', permissions: ['tools.register'] }, w.hostEnd)
    w.send({ type: 'ready' })
    await loading
    w.send({ type: 'provider-registered', payload: { id: 'p', name: 'P' } })
    w.send({ type: 'tool-registered', payload: { id: 't', name: 'T', description: 'd' } })
    w.send({ type: 'background-task-registered', payload: { taskId: 'bg', name: 'B', userId: 'u', restartPolicy: { type: 'always' } } })
    await until(() => h.events.filter((e) => e.type === 'registration-refused').length === 2, 'refusals')
    expect(h.events.filter((e) => e.type === 'registration-refused')).toEqual([
      { type: 'registration-refused', extensionId: 'played', kind: 'provider', id: 'p', permission: 'provider.register' },
      { type: 'registration-refused', extensionId: 'played', kind: 'background-task', id: 'bg', permission: 'background.workers' },
    ])
    expect(h.host.extension('played')).toMatchObject({ providers: [], tools: [{ id: 't' }], tasks: [] })
    expect(w.received.filter((m) => m.type === 'background-task-start')).toEqual([])
    await expect(h.host.executeTool('conformance', 'echo', {})).rejects.toThrow('not registered')
  })
})

describe('createHost with a worker the test plays', { timeout: 60_000 }, () => {
  it('ends a worker that never readies, fails the load, and activates nothing on a late ready (EXT-HOST-003)', async () => {
    const h = harness({ readyTimeoutMs: 5000 })
    const w = playedWorker(h)
    const loading = h.host.load({ id: 'silent', version: '1' }, w.hostEnd)
    const failed = loading.then(
      () => 'loaded',
      (e: Error) => e.message,
    )
    h.clock.advance(4999)
    await turns()
    expect(w.hostEnd.closed).toBe(false)
    h.clock.advance(1)
    expect(await failed).toMatch(/did not send ready within 5000 ms/)
    expect(w.hostEnd.closed).toBe(true)
    w.send({ type: 'ready' })
    await turns()
    expect(w.received).toEqual([])
    expect(h.host.extension('silent')).toBeUndefined()
    expect(h.events.filter((e) => e.type === 'extension-error')).toHaveLength(1)
  })

  it('sends activate once, with [] for a manifest without permissions and a real storage path (EXT-HOST-001, 002)', async () => {
    const h = harness({ storageRoot: '/srv/ext' })
    const w = playedWorker(h)
    const loading = h.host.load({ id: 'plain', version: '2.0.0', settings: { a: 1 } }, w.hostEnd)
    w.send({ type: 'ready' })
    await loading
    w.send({ type: 'ready' })
    await turns()
    const activates = w.received.filter((m) => m.type === 'activate')
    expect(activates).toHaveLength(1)
    expect(activates[0]?.payload).toEqual({ extensionId: 'plain', extensionVersion: '2.0.0', storagePath: '/srv/ext/plain', permissions: [], settings: { a: 1 } })
    expect(w.received).toHaveLength(1)
    await expect(h.host.load({ id: 'plain', version: '3' }, createMemoryPair()[0])).rejects.toThrow('already loaded')
    expect(h.host.extension('plain')?.state).toBe('active')
  })

  it('reports an invalid message, answers an invalid request once, and goes on (EXT-HOST-010, 011, 025)', async () => {
    const h = harness()
    const w = playedWorker(h)
    const loading = h.host.load({ id: 'bad', version: '1', permissions: ['tools.register', 'storage.local'] }, w.hostEnd)
    w.send({ type: 'ready' })
    await loading
    w.send({ type: 'tool-registered', payload: { id: 42 } })
    w.send({ type: 'stream-event' })
    w.send('not even an object')
    w.send({ type: 'request', id: 'r1', method: 'storage.getForUser', payload: { userId: 'a/b', key: 'k' } })
    w.send({ type: 'request', id: 'r2', method: 'storage.teleport', payload: {} })
    w.send({ type: 'tool-registered', payload: { id: 'ok', name: 'OK', description: 'fine' } })
    await until(() => h.host.extension('bad')?.tools.length === 1, 'valid tool after invalid messages')
    await until(() => w.received.filter((m) => m.type === 'response').length === 2, 'two responses')
    expect(h.events.filter((e) => e.type === 'invalid-message').map((e) => (e.type === 'invalid-message' ? e.messageType : ''))).toEqual([
      'tool-registered',
      'stream-event',
      undefined,
      'request',
      'request',
    ])
    const responses = w.received.filter((m) => m.type === 'response').map((m) => m.payload)
    expect(responses[0]).toMatchObject({ requestId: 'r1', success: false, error: expect.stringContaining('/payload/userId') })
    expect(responses[1]).toEqual({ requestId: 'r2', success: false, error: 'Unknown method: storage.teleport' })
    await turns()
    expect(w.received.filter((m) => m.type === 'response')).toHaveLength(2)
  })

  it('correlates answers per extension: another worker cannot settle a call (EXT-HOST-012, 015)', async () => {
    const h = harness()
    const a = playedWorker(h)
    const b = playedWorker(h)
    const loadA = h.host.load({ id: 'a', version: '1', permissions: ['tools.register'] }, a.hostEnd)
    const loadB = h.host.load({ id: 'b', version: '1', permissions: ['tools.register'] }, b.hostEnd)
    a.send({ type: 'ready' })
    b.send({ type: 'ready' })
    await Promise.all([loadA, loadB])
    a.send({ type: 'tool-registered', payload: { id: 't', name: 'T', description: 'd' } })
    await until(() => h.host.extension('a')?.tools.length === 1, 'tool of a')
    let settled: unknown
    const call = h.host.executeTool('a', 't', {}).then((r) => (settled = r))
    await until(() => a.received.some((m) => m.type === 'tool-execute-request'), 'request sent to a')
    const requestId = a.received.find((m) => m.type === 'tool-execute-request')?.id
    b.send({ type: 'tool-execute-response', payload: { requestId, result: { success: true, data: 'forged' } } })
    await turns()
    expect(settled).toBeUndefined()
    a.send({ type: 'tool-execute-response', payload: { requestId, result: { success: true, data: 'real' } } })
    await call
    expect(settled).toEqual({ success: true, data: 'real' })
    a.send({ type: 'tool-execute-response', payload: { requestId, result: { success: true, data: 'twice' } } })
    await turns()
    expect(h.events.some((e) => e.type === 'diagnostic' && e.text.includes('matches no pending call'))).toBe(true)
  })

  it('times out a tool call on the clock and drops its late answer (EXT-HOST-074)', async () => {
    const h = harness({ toolTimeoutMs: 1000 })
    const w = playedWorker(h)
    const loading = h.host.load({ id: 'x', version: '1', permissions: ['tools.register'] }, w.hostEnd)
    w.send({ type: 'ready' })
    await loading
    w.send({ type: 'tool-registered', payload: { id: 't', name: 'T', description: 'd' } })
    await until(() => h.host.extension('x')?.tools.length === 1, 'tool')
    const call = h.host.executeTool('x', 't', {})
    const outcome = call.then(
      () => 'resolved',
      (e: Error) => e.message,
    )
    h.clock.advance(999)
    await turns(5)
    h.clock.advance(1)
    expect(await outcome).toMatch(/timed out after 1000 ms/)
  })

  it('reports a worker that goes away once, and settles its calls (EXT-HOST-072)', async () => {
    const h = harness()
    const w = playedWorker(h)
    const loading = h.host.load({ id: 'crashy', version: '1', permissions: ['tools.register'] }, w.hostEnd)
    w.send({ type: 'ready' })
    await loading
    w.send({ type: 'tool-registered', payload: { id: 't', name: 'T', description: 'd' } })
    await until(() => h.host.extension('crashy')?.tools.length === 1, 'tool')
    const call = h.host.executeTool('crashy', 't', {})
    await w.workerEnd.close()
    await expect(call).rejects.toThrow('Extension crashy')
    await turns()
    expect(h.events.filter((e) => e.type === 'extension-error')).toEqual([expect.objectContaining({ extensionId: 'crashy' })])
    expect(h.host.extension('crashy')).toBeUndefined()
  })

  it('ends a flooding worker (EXT-HOST-101)', async () => {
    const h = harness({ maxMessagesPerSecond: 50 })
    const w = playedWorker(h)
    const loading = h.host.load({ id: 'flood', version: '1' }, w.hostEnd)
    w.send({ type: 'ready' })
    await loading
    for (let i = 0; i < 60; i++) w.send({ type: 'log', payload: { level: 'info', message: `m${i}` } })
    await until(() => w.hostEnd.closed, 'flooding worker ended')
    expect(h.events.filter((e) => e.type === 'extension-error')).toEqual([expect.objectContaining({ error: expect.stringContaining('EXT-HOST-101') })])
  })

  it('unloads: deactivate, then the grace period, then close (EXT-HOST-070)', async () => {
    const h = harness({ deactivateGraceMs: 500 })
    const w = playedWorker(h)
    const loading = h.host.load({ id: 'u', version: '1' }, w.hostEnd)
    w.send({ type: 'ready' })
    await loading
    const unloading = h.host.unload('u')
    await until(() => w.received.some((m) => m.type === 'deactivate'), 'deactivate')
    h.clock.advance(499)
    await turns()
    expect(w.hostEnd.closed).toBe(false)
    h.clock.advance(1)
    await unloading
    expect(w.hostEnd.closed).toBe(true)
    expect(h.events.filter((e) => e.type === 'extension-error')).toEqual([])
  })

  it('finishes an unload when the worker closes after deactivate, exit code 1 or not, with no error (EXT-HOST-070, upstream H4)', async () => {
    const h = harness()
    const w = playedWorker(h)
    const loading = h.host.load({ id: 'quits', version: '1' }, w.hostEnd)
    w.send({ type: 'ready' })
    await loading
    w.workerEnd.onMessage((m) => {
      if ((m as { type?: string }).type === 'deactivate') void w.workerEnd.close()
    })
    await h.host.unload('quits') // no clock advance: the close ends the wait
    expect(h.clock.pending).toBe(0)
    expect(h.events.filter((e) => e.type === 'extension-error')).toEqual([])
    expect(h.events.filter((e) => e.type === 'extension-unloaded')).toEqual([{ type: 'extension-unloaded', extensionId: 'quits', requested: true }])
  })

  it('changes a setting and fires a schedule on an active extension, and refuses both otherwise (EXT-HOST-073, 077, 078)', async () => {
    const h = harness()
    const w = playedWorker(h)
    const loading = h.host.load({ id: 's', version: '1', permissions: ['settings.register'], settings: { theme: 'light' } }, w.hostEnd)
    w.send({ type: 'ready' })
    await loading
    h.host.changeSetting('s', 'theme', 'dark')
    const payload = { id: 'job-1', scheduledFor: '2026-01-01T00:00:00.000Z', firedAt: '2026-01-01T00:00:01.000Z', delayMs: 1000, userId: 'u1', payload: { a: 1 } }
    h.host.fireSchedule('s', payload)
    await until(() => w.received.length === 3, 'settings-changed and scheduler-fire')
    expect(w.received.slice(1).map((m) => [m.type, m.payload])).toEqual([
      ['settings-changed', { key: 'theme', value: 'dark' }],
      ['scheduler-fire', payload],
    ])
    w.send({ type: 'request', id: 'g', method: 'settings.get', payload: { key: 'theme' } })
    await until(() => w.received.some((m) => m.type === 'response'), 'settings.get answered')
    expect(w.received.find((m) => m.type === 'response')?.payload).toEqual({ requestId: 'g', success: true, data: 'dark' })
    expect(() => h.host.changeSetting('nobody', 'k', 1)).toThrow('Extension nobody is not loaded')
    expect(() => h.host.fireSchedule('nobody', payload)).toThrow('Extension nobody is not loaded')
    expect(() => h.host.stopTask('s', 'no-task')).toThrow('Task no-task is not registered')
  })

  it('refuses host API arguments that would make an invalid message, naming the path, and sends nothing', async () => {
    const h = harness()
    const w = playedWorker(h)
    const loading = h.host.load({ id: 's', version: '1', permissions: ['tools.register'] }, w.hostEnd)
    w.send({ type: 'ready' })
    await loading
    w.send({ type: 'tool-registered', payload: { id: 't', name: 't', description: 't', parameters: {} } })
    await until(() => h.host.extension('s')?.tools.length === 1, 'the tool registered')
    const sent = w.received.length
    const noUser = { id: 'job-1', scheduledFor: '2026-01-01T00:00:00.000Z', firedAt: '2026-01-01T00:00:01.000Z', delayMs: 1000 }
    expect(() => h.host.fireSchedule('s', noUser as never)).toThrow(/scheduler-fire.*\/payload\/userId|\/payload\/userId.*scheduler-fire/s)
    await expect(h.host.executeTool('s', 't', 'not an object' as never)).rejects.toThrow(/\/payload\/params/)
    await turns()
    expect(w.received.length).toBe(sent)
  })

  it('drops the events of a chat whose consumer stopped early (EXT-HOST-076)', async () => {
    const { h, w } = await withProvider()
    const chat = h.host.chat('c', 'p', [{ role: 'user', content: 'hi' }])
    await until(() => w.received.some((m) => m.type === 'provider-chat-request'), 'chat request')
    const requestId = w.received.find((m) => m.type === 'provider-chat-request')?.id
    expect(w.received.find((m) => m.type === 'provider-chat-request')?.payload).toEqual({ providerId: 'p', messages: [{ role: 'user', content: 'hi' }], options: {} })
    w.send({ type: 'stream-event', payload: { requestId, event: { type: 'content', text: 'a' } } })
    expect(await chat.next()).toEqual({ value: { type: 'content', text: 'a' }, done: false })
    expect(await chat.return?.()).toEqual({ value: undefined, done: true })
    w.send({ type: 'stream-event', payload: { requestId, event: { type: 'content', text: 'b' } } })
    await until(() => h.events.some((e) => e.type === 'diagnostic' && e.text.includes('matches no open chat')), 'late event dropped')
    expect(await chat.next()).toEqual({ value: undefined, done: true })
  })

  it('settles a next() that waits when the chat is closed by return() (EXT-HOST-076)', async () => {
    const { h, w } = await withProvider()
    const chat = h.host.chat('c', 'p', [{ role: 'user', content: 'hi' }])
    const waiting = chat.next()
    await until(() => w.received.some((m) => m.type === 'provider-chat-request'), 'chat request')
    let settled = false
    void waiting.then(() => (settled = true))
    await chat.return?.()
    await until(() => settled, 'the waiting next() settled')
    expect(await waiting).toEqual({ value: undefined, done: true })
  })
})
