import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { methodExamples } from '../../test/helpers/examples.js'
import type { ResponseMessage } from '../protocol/messages/rpc.js'
import { METHODS } from '../protocol/methods.js'
import { validatorFor } from '../validate/index.js'
import type { FetchLikeResponse, HostBackends } from './backends.js'
import { memoryEvents, memorySettings } from './backends.js'
import { VirtualClock } from './clock.js'
import { createRequestDispatcher, DEFAULT_BACKEND_TIMEOUT_MS, type RequestContext } from './dispatcher.js'

const EXAMPLES = new Map(methodExamples().map((m) => [m.method, m]))
const validPayload = (method: string): unknown => EXAMPLES.get(method)?.payload.find((e) => e.valid)?.value
const validData = (method: string): unknown => EXAMPLES.get(method)?.response.find((e) => e.valid)?.value

function fetchResponse(over: Partial<FetchLikeResponse> & { headerPairs?: Array<[string, string]>; bodyText?: string } = {}): FetchLikeResponse {
  const pairs = over.headerPairs ?? [['Content-Type', 'text/plain']]
  return {
    status: over.status ?? 200,
    statusText: over.statusText ?? 'OK',
    ok: true,
    headers: { forEach: (cb) => pairs.forEach(([k, v]) => cb(v, k)) },
    body: null,
    text: async () => over.bodyText ?? 'hello',
  }
}

/** Backends that record every call and answer with each method's example data; `answer` overrides. */
function spyBackends(answer?: (call: string, args: unknown[]) => unknown) {
  const calls: Array<[string, unknown[]]> = []
  // Returns `never` so that one recorder fits every backend method; the answers are checked by the dispatcher.
  const rec = (name: string, fallback: unknown) =>
    ((...args: unknown[]) => {
      calls.push([name, args])
      return answer ? answer(name, args) : fallback
    }) as (...args: unknown[]) => never
  const backends: Omit<HostBackends, 'collections' | 'secrets' | 'tools'> = {
    settings: { getAll: rec('settings.getAll', validData('settings.getAll')), get: rec('settings.get', 'hi'), set: rec('settings.set', undefined) },
    storage: { get: rec('storage.get', 3), set: rec('storage.set', undefined), delete: rec('storage.delete', undefined), keys: rec('storage.keys', ['counter']) },
    scheduler: { schedule: rec('scheduler.schedule', undefined), cancel: rec('scheduler.cancel', undefined) },
    events: { emit: rec('events.emit', undefined) },
    chat: { appendInstruction: rec('chat.appendInstruction', undefined) },
    user: { getProfile: rec('user.getProfile', validData('user.getProfile')) },
    database: { execute: rec('database.execute', [{ id: 1 }]) },
    network: { fetch: rec('network.fetch', Promise.resolve(fetchResponse())) },
  }
  return { calls, backends }
}

const request = (method: string, payload: unknown, id = 'r-1') => ({ type: 'request', id, method, payload })
const ALL = ['network:*', ...new Set(METHODS.map((m) => m.workerGate).filter((g) => g !== 'network:'))]
const ctx = (permissions: readonly string[] = ALL, extensionId = 'ext-a'): RequestContext => ({ extensionId, permissions })
const errorOf = (r: ResponseMessage): string => (r.payload.success ? '' : (r.payload.error ?? ''))

/** The one response of a dispatch, checked to be a valid host message for its request. */
async function answer(promise: Promise<ResponseMessage>, requestId = 'r-1'): Promise<ResponseMessage> {
  const r = await promise
  expect(validatorFor({ mode: 'strict' }).validateHostToWorker(r)).toMatchObject({ ok: true })
  expect(r.payload.requestId).toBe(requestId)
  return r
}

describe('createRequestDispatcher: every method, derived from METHODS', () => {
  for (const m of METHODS) {
    it(`${m.method}: with ${m.workerGate} the backend is called once and its data answered; without it, no backend call`, async () => {
      const streams: unknown[] = []
      const { calls, backends } = spyBackends()
      const d = createRequestDispatcher({ backends, onFetchStream: (_c, p) => streams.push(p) })
      const payload = m.method === 'network.fetch-stream' ? { url: 'https://example.com/s', requestId: 'r-1' } : validPayload(m.method)
      const ok = await answer(d.dispatch(ctx(), request(m.method, payload)))
      expect(ok.payload.success, errorOf(ok)).toBe(true)
      expect(validatorFor({ mode: 'strict' }).validateResponse(m.method, ok.payload.data).ok).toBe(true)
      if (m.noData) expect('data' in ok.payload).toBe(false)
      if (m.method === 'network.fetch-stream') {
        expect(streams).toEqual([payload])
        expect(calls).toEqual([])
      } else {
        expect(calls.length).toBe(1)
      }

      const without = ALL.filter((p) => (m.workerGate === 'network:' ? !p.startsWith('network:') : p !== m.workerGate))
      const { calls: none, backends: b2 } = spyBackends()
      const refusedStreams: unknown[] = []
      const d2 = createRequestDispatcher({ backends: b2, onFetchStream: (_c, p) => refusedStreams.push(p) })
      const refused = await answer(d2.dispatch(ctx(without), request(m.method, payload)))
      expect(refused.payload.success).toBe(false)
      expect(errorOf(refused)).toMatch(new RegExp(`^Permission denied: ${m.method.replace('.', '\\.')} requires`))
      expect(none).toEqual([])
      expect(refusedStreams).toEqual([])
    })
  }

  it('settings.get and settings.getAll are gated like the worker gates them (B23 decided)', async () => {
    const d = createRequestDispatcher()
    for (const method of ['settings.get', 'settings.getAll']) {
      const r = await answer(d.dispatch(ctx(['storage.local']), request(method, validPayload(method))))
      expect(errorOf(r)).toBe(`Permission denied: ${method} requires the settings.register permission`)
    }
  })

  it('a wildcard grant counts through permissionGrants', async () => {
    const d = createRequestDispatcher({ backends: spyBackends().backends })
    const r = await answer(d.dispatch(ctx(['network:*']), request('network.fetch', { url: 'http://localhost:9/' })))
    expect(r.payload.success).toBe(true)
  })
})

describe('checks before the backend (EXT-HOST-021, 022, 025)', () => {
  it('an unknown method is answered with Unknown method: <method>, and no backend runs', async () => {
    const { calls, backends } = spyBackends()
    const d = createRequestDispatcher({ backends })
    const r = await answer(d.dispatch(ctx(), request('storage.drop', {})))
    expect(errorOf(r)).toBe('Unknown method: storage.drop')
    const proto = await answer(d.dispatch(ctx(), request('__proto__', {})))
    expect(errorOf(proto)).toBe('Unknown method: __proto__')
    const huge = await answer(d.dispatch(ctx(), request('x'.repeat(1_000_000), {})))
    expect(errorOf(huge).length).toBeLessThan(300)
    expect(calls).toEqual([])
  })

  it('a payload that breaks its schema is refused naming the path, expected and received', async () => {
    const { calls, backends } = spyBackends()
    const d = createRequestDispatcher({ backends })
    const cases: Array<[string, unknown, RegExp]> = [
      ['storage.get', { key: '' }, /\/payload\/key: expected a string of at least 1 character\(s\), received string ""/],
      ['storage.get', {}, /\/payload\/key: expected string, received absent/],
      ['storage.getForUser', { userId: 'a/b', key: 'k' }, /\/payload\/userId: expected a string matching .*received string "a\/b"/],
      ['storage.keysForUser', { userId: 'a:b' }, /\/payload\/userId/],
      ['storage.setForUser', { userId: 'a\\b', key: 'k', value: 1 }, /\/payload\/userId/],
      ['storage.keysForUser', { userId: '' }, /\/payload\/userId/],
      ['scheduler.schedule', { job: { id: 'j', schedule: { type: 'every' }, userId: 'u' } }, /\/payload\/job\/schedule/],
      ['scheduler.schedule', { job: { id: 'j', userId: 'u' } }, /\/payload\/job\/schedule: expected .* received absent/],
      ['scheduler.schedule', { job: { id: 'j', schedule: { type: 'at', at: 'x' }, userId: 'a:b' } }, /\/payload\/job\/userId: expected a user id without/],
      ['events.emit', { name: 'x', payload: [1] }, /\/payload\/payload/],
      ['database.execute', { sql: 5 }, /\/payload\/sql: expected string, received number 5/],
      ['network.fetch', { url: 42 }, /\/payload\/url: expected string/],
      ['chat.appendInstruction', { text: '' }, /\/payload\/text/],
      ['settings.set', 'not an object', /\/payload: expected object, received string/],
    ]
    for (const [method, payload, text] of cases) {
      const r = await answer(d.dispatch(ctx(), request(method, payload)))
      expect(r.payload.success, method).toBe(false)
      expect(errorOf(r), method).toMatch(/^Invalid request: /)
      expect(errorOf(r), method).toMatch(text)
    }
    expect(calls).toEqual([])
  })

  it('permission is checked before the payload: an unpermitted caller learns nothing of the schema', async () => {
    const d = createRequestDispatcher()
    const r = await answer(d.dispatch(ctx([]), request('storage.get', { key: 5 })))
    expect(errorOf(r)).toBe('Permission denied: storage.get requires the storage.local permission')
  })

  it('network URLs pass the URL rule before the network backend (EXT-HOST-023)', async () => {
    const { calls, backends } = spyBackends()
    const streams: unknown[] = []
    const d = createRequestDispatcher({ backends, onFetchStream: (_c, p) => streams.push(p) })
    const perms = ['network:example.com']
    const refused = await answer(d.dispatch(ctx(perms), request('network.fetch', { url: 'http://localhost:3000/' })))
    expect(errorOf(refused)).toBe('Network access to localhost:3000 not allowed. Required permission: network:localhost:3000')
    const scheme = await answer(d.dispatch(ctx(perms), request('network.fetch-stream', { url: 'file:///etc/passwd', requestId: 'r-1' })))
    expect(errorOf(scheme)).toMatch(/scheme "file:" is not allowed/)
    const invalid = await answer(d.dispatch(ctx(perms), request('network.fetch', { url: 'not a url' })))
    expect(errorOf(invalid)).toMatch(/^Invalid URL/)
    expect(calls).toEqual([])
    expect(streams).toEqual([])
    const ok = await answer(d.dispatch(ctx(perms), request('network.fetch', { url: 'https://example.com/x' })))
    expect(ok.payload.success).toBe(true)
    expect(calls.map((c) => c[1][0])).toEqual(['https://example.com/x'])
  })

  it('a fetch-stream whose payload.requestId is not its own id is refused, and no stream starts', async () => {
    const streams: unknown[] = []
    const d = createRequestDispatcher({ onFetchStream: (_c, p) => streams.push(p) })
    const r = await answer(d.dispatch(ctx(), request('network.fetch-stream', { url: 'https://example.com/', requestId: 'other' })))
    expect(errorOf(r)).toMatch(/\/payload\/requestId: expected the request's own id string "r-1", received string "other"/)
    expect(streams).toEqual([])
  })

  it('a request without a usable id cannot be answered: its response is marked with an empty requestId', async () => {
    const d = createRequestDispatcher({ backends: spyBackends().backends })
    for (const bad of [null, 42, { type: 'request', id: '', method: 'storage.keys', payload: {} }, { type: 'request', id: 5, method: 'storage.keys', payload: {} }, { type: 'log', id: 'x' }]) {
      const r = await d.dispatch(ctx(), bad)
      expect(r.payload.requestId).toBe('')
      expect(r.payload.success).toBe(false)
    }
  })

  it('hostile requests: throwing getters, revoked proxies, polluting keys, huge strings', async () => {
    const { calls, backends } = spyBackends()
    const d = createRequestDispatcher({ backends })
    const getter = Object.defineProperty({ type: 'request', id: 'r-1', method: 'storage.get' }, 'payload', {
      enumerable: true,
      get() {
        throw new Error('getter')
      },
    })
    const r1 = await answer(d.dispatch(ctx(), getter))
    expect(errorOf(r1)).toMatch(/^Invalid request: .*\/payload/)
    const { proxy, revoke } = Proxy.revocable({ type: 'request', id: 'r-1', method: 'storage.get', payload: { key: 'k' } }, {})
    revoke()
    const r2 = await d.dispatch(ctx(), proxy)
    expect(r2.payload.success).toBe(false)
    const polluting = JSON.parse('{"type":"request","id":"r-1","method":"storage.set","payload":{"key":"k","value":1,"__proto__":{"polluted":true}}}') as unknown
    const r3 = await answer(d.dispatch(ctx(), polluting))
    expect(r3.payload.success).toBe(true)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    const r4 = await answer(d.dispatch(ctx(), request('storage.get', { key: 5, junk: 'x'.repeat(10_000_000) })))
    expect(errorOf(r4).length).toBeLessThan(2000)
    expect(calls.map((c) => c[0])).toEqual(['storage.set'])
  })

  it('checks and uses one read of the request: a getter cannot pass the check with one value and reach the backend with another', async () => {
    const { calls, backends } = spyBackends()
    const d = createRequestDispatcher({ backends })
    let reads = 0
    const payload = Object.defineProperty({}, 'key', { enumerable: true, get: () => (++reads === 1 ? 'safe' : '../../other') })
    const r = await answer(d.dispatch(ctx(), request('storage.get', payload)))
    expect(r.payload.success).toBe(true)
    expect(reads).toBe(1)
    expect(calls).toEqual([['storage.get', [{ extensionId: 'ext-a' }, 'safe']]])
  })

  it('a value that is not plain data (a function) is refused, never stored', async () => {
    const { calls, backends } = spyBackends()
    const d = createRequestDispatcher({ backends })
    const r = await answer(d.dispatch(ctx(), request('storage.set', { key: 'k', value: () => 1 })))
    expect(errorOf(r)).toMatch(/^Invalid request: expected plain data, received a value that cannot be copied/)
    expect(calls).toEqual([])
  })

  it('property: any request value is answered exactly once, never with a thrown error', async () => {
    const d = createRequestDispatcher({ backends: spyBackends().backends })
    const methodName = fc.oneof(fc.constantFrom(...METHODS.map((m) => m.method)), fc.string())
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.anything(), fc.record({ type: fc.constant('request'), id: fc.string(), method: methodName, payload: fc.anything() })), fc.subarray(ALL), async (value, permissions) => {
        const r = await d.dispatch(ctx(permissions), value)
        expect(r.type).toBe('response')
        expect(typeof r.payload.success).toBe('boolean')
      }),
      { numRuns: 300 },
    )
  })
})

describe('exactly one response whatever the backend does (EXT-HOST-020, 029)', () => {
  it('a backend that throws, or rejects, answers success:false with its message', async () => {
    const d = createRequestDispatcher({
      backends: spyBackends((name) => {
        if (name === 'storage.get') throw new Error('disk on fire')
        if (name === 'storage.keys') return Promise.reject(new Error('later fire'))
        if (name === 'settings.get') throw 'a string' // eslint-disable-line no-throw-literal
        return undefined
      }).backends,
    })
    expect(errorOf(await answer(d.dispatch(ctx(), request('storage.get', { key: 'k' }))))).toBe('disk on fire')
    expect(errorOf(await answer(d.dispatch(ctx(), request('storage.keys', {}))))).toBe('later fire')
    expect(errorOf(await answer(d.dispatch(ctx(), request('settings.get', { key: 'k' }))))).toBe('a string')
  })

  it('a backend that hangs is answered at the timeout on the injected clock; its late result is dropped', async () => {
    const clock = new VirtualClock()
    let finish: (v: unknown) => void = () => undefined
    const d = createRequestDispatcher({ clock, backends: spyBackends(() => new Promise((resolve) => (finish = resolve))).backends })
    const answers: ResponseMessage[] = []
    const pending = d.dispatch(ctx(), request('storage.get', { key: 'k' })).then((r) => answers.push(r))
    expect(clock.pending).toBe(1)
    clock.advance(DEFAULT_BACKEND_TIMEOUT_MS - 1)
    await Promise.resolve()
    expect(answers).toEqual([])
    clock.advance(1)
    await pending
    expect(answers).toHaveLength(1)
    expect(errorOf(answers[0] as ResponseMessage)).toBe('storage.get timed out after 30000 ms in the host backend')
    finish('late')
    await new Promise((resolve) => setImmediate(resolve))
    expect(answers).toHaveLength(1)
  })

  it('the timeout is configurable, and a settled call leaves no timer behind', async () => {
    const clock = new VirtualClock()
    const d = createRequestDispatcher({ clock, backendTimeoutMs: 5, backends: spyBackends((name) => (name === 'storage.get' ? new Promise(() => undefined) : undefined)).backends })
    const hung = d.dispatch(ctx(), request('storage.get', { key: 'k' }))
    await answer(d.dispatch(ctx(), request('storage.set', { key: 'k', value: 1 })))
    expect(clock.pending).toBe(1)
    clock.advance(5)
    expect(errorOf(await hung)).toMatch(/timed out after 5 ms/)
    expect(clock.pending).toBe(0)
  })

  it('a thenable that settles twice, or whose then throws, still gives one answer', async () => {
    const twice = { then: (ok: (v: unknown) => void, fail: (e: unknown) => void) => (ok(1), ok(2), fail(new Error('x'))) }
    const throwing = Object.defineProperty({}, 'then', {
      get() {
        throw new Error('then getter')
      },
    })
    const d = createRequestDispatcher({ backends: spyBackends((name) => (name === 'storage.get' ? twice : throwing)).backends })
    const a = await answer(d.dispatch(ctx(), request('storage.get', { key: 'k' })))
    expect(a.payload).toMatchObject({ success: true, data: 1 })
    expect(errorOf(await answer(d.dispatch(ctx(), request('storage.keys', {}))))).toBe('then getter')
  })

  it('data of the wrong shape is success:false, never invalid data (EXT-HOST-029)', async () => {
    const wrong: Record<string, unknown> = {
      'storage.keys': ['a', 2],
      'settings.getAll': [1, 2],
      'user.getProfile': { firstName: 7 },
      'database.execute': 'rows',
      'network.fetch': Promise.resolve(fetchResponse({ status: 1000 })),
    }
    const d = createRequestDispatcher({ backends: spyBackends((name) => wrong[name]).backends })
    for (const method of Object.keys(wrong)) {
      const r = await answer(d.dispatch(ctx(), request(method, validPayload(method))))
      expect(errorOf(r), method).toMatch(new RegExp(`^${method.replace('.', '\\.')}: the host backend returned invalid data: .*/payload/data`))
    }
  })

  it('data that cannot be copied is success:false, and sent data is a copy of the backend object', async () => {
    const owned = { greeting: 'hi' }
    const d = createRequestDispatcher({ backends: spyBackends((name) => (name === 'storage.get' ? () => 1 : owned)).backends })
    expect(errorOf(await answer(d.dispatch(ctx(), request('storage.get', { key: 'k' }))))).toMatch(/^storage\.get: the host backend returned invalid data: \/payload\/data: expected plain data/)
    const r = await answer(d.dispatch(ctx(), request('settings.getAll', {})))
    expect(r.payload.data).toEqual(owned)
    expect(r.payload.data).not.toBe(owned)
  })

  it('undefined from a method that returns data is success:false; from one that returns nothing it is success', async () => {
    const d = createRequestDispatcher({ backends: spyBackends(() => undefined).backends })
    expect(errorOf(await answer(d.dispatch(ctx(), request('storage.keys', {}))))).toMatch(/returned invalid data: .*\/payload\/data: expected response data, received absent/)
    expect(errorOf(await answer(d.dispatch(ctx(), request('user.getProfile', {}))))).toMatch(/returned invalid data/)
    const got = await answer(d.dispatch(ctx(), request('storage.get', { key: 'k' })))
    expect(got.payload).toEqual({ requestId: 'r-1', success: true })
  })

  it('a method that returns nothing sends no data, whatever its backend returns', async () => {
    const d = createRequestDispatcher({ backends: spyBackends(() => new Map([[1, 2]])).backends })
    const r = await answer(d.dispatch(ctx(), request('storage.set', { key: 'k', value: 1 })))
    expect(r.payload).toEqual({ requestId: 'r-1', success: true })
  })

  it('a throwing onFetchStream is success:false; the stream hook runs once per accepted stream', async () => {
    let n = 0
    const d = createRequestDispatcher({
      onFetchStream: () => {
        n++
        throw new Error('pump is full')
      },
    })
    const r = await answer(d.dispatch(ctx(), request('network.fetch-stream', { url: 'https://example.com/', requestId: 'r-1' })))
    expect(errorOf(r)).toBe('pump is full')
    expect(n).toBe(1)
  })

  it('responses carry fresh ids from newId', async () => {
    let i = 0
    const d = createRequestDispatcher({ newId: () => `id-${++i}` })
    const a = await d.dispatch(ctx(), request('storage.keys', {}, 'x'))
    const b = await d.dispatch(ctx(), request('nope', {}, 'y'))
    expect([a.id, b.id]).toEqual(['id-1', 'id-2'])
    const c = createRequestDispatcher()
    const [p, q] = await Promise.all([c.dispatch(ctx(), request('storage.keys', {})), c.dispatch(ctx(), request('storage.keys', {}))])
    expect(p.id).not.toBe(q.id)
  })
})

describe('behaviour over the in-memory backends', () => {
  it('storage is per extension, and per user within it; storage.keys lists global keys only (EXT-HOST-026)', async () => {
    const d = createRequestDispatcher()
    const run = async (c: RequestContext, method: string, payload: unknown) => (await answer(d.dispatch(c, request(method, payload)))).payload
    await run(ctx(), 'storage.set', { key: 'k', value: 'a-global' })
    await run(ctx(), 'storage.setForUser', { userId: 'u1', key: 'k', value: 'a-u1' })
    await run(ctx(ALL, 'ext-b'), 'storage.set', { key: 'k', value: 'b-global' })
    expect(await run(ctx(), 'storage.get', { key: 'k' })).toMatchObject({ data: 'a-global' })
    expect(await run(ctx(), 'storage.getForUser', { userId: 'u1', key: 'k' })).toMatchObject({ data: 'a-u1' })
    expect(await run(ctx(), 'storage.getForUser', { userId: 'u2', key: 'k' })).not.toHaveProperty('data')
    expect(await run(ctx(ALL, 'ext-b'), 'storage.get', { key: 'k' })).toMatchObject({ data: 'b-global' })
    expect(await run(ctx(), 'storage.keys', {})).toMatchObject({ data: ['k'] })
    expect(await run(ctx(), 'storage.keysForUser', { userId: 'u1' })).toMatchObject({ data: ['k'] })
    await run(ctx(), 'storage.deleteForUser', { userId: 'u1', key: 'k' })
    expect(await run(ctx(), 'storage.get', { key: 'k' })).toMatchObject({ data: 'a-global' })
    await run(ctx(), 'storage.delete', { key: 'k' })
    expect(await run(ctx(), 'storage.keys', {})).toMatchObject({ data: [] })
  })

  it('settings.set changes what settings.get and settings.getAll read (EXT-HOST-027)', async () => {
    const settings = memorySettings()
    settings.init?.('ext-a', { greeting: 'hi' })
    const d = createRequestDispatcher({ backends: { settings } })
    await answer(d.dispatch(ctx(), request('settings.set', { key: 'greeting', value: 'hello' })))
    expect((await d.dispatch(ctx(), request('settings.get', { key: 'greeting' }))).payload).toMatchObject({ data: 'hello' })
    expect((await d.dispatch(ctx(), request('settings.getAll', {}))).payload).toMatchObject({ data: { greeting: 'hello' } })
  })

  it('events.emit reaches the events backend with the extension id (EXT-HOST-028)', async () => {
    const seen: unknown[] = []
    const d = createRequestDispatcher({ backends: { events: memoryEvents((e) => seen.push(e)) } })
    await answer(d.dispatch(ctx(), request('events.emit', { name: 'greeted', payload: { who: 'Ada' } })))
    expect(seen).toEqual([{ extensionId: 'ext-a', name: 'greeted', payload: { who: 'Ada' } }])
  })

  it('scheduler, chat and database receive the extension id; the default database refuses (EXT-HOST-024)', async () => {
    const { calls, backends } = spyBackends()
    const d = createRequestDispatcher({ backends })
    await d.dispatch(ctx(), request('scheduler.schedule', validPayload('scheduler.schedule')))
    await d.dispatch(ctx(), request('chat.appendInstruction', { text: 'hi' }))
    await d.dispatch(ctx(), request('database.execute', { sql: 'SELECT 1' }))
    expect(calls).toEqual([
      ['scheduler.schedule', ['ext-a', (validPayload('scheduler.schedule') as { job: unknown }).job]],
      ['chat.appendInstruction', ['ext-a', { text: 'hi' }]],
      ['database.execute', ['ext-a', 'SELECT 1', []]],
    ])
    const refusing = createRequestDispatcher()
    const r = await answer(refusing.dispatch(ctx(), request('database.execute', { sql: 'SELECT * FROM ext_a_t, sqlite_master' })))
    expect(errorOf(r)).toMatch(/^Database access is not configured/)
    const scheduled = await answer(refusing.dispatch(ctx(), request('scheduler.schedule', validPayload('scheduler.schedule'))))
    expect(scheduled.payload.success).toBe(true)
    expect((refusing.backends.scheduler as unknown as { jobs(id: string): unknown[] }).jobs('ext-a')).toHaveLength(1)
  })

  it('user.getProfile without a configured profile fails clearly', async () => {
    const r = await answer(createRequestDispatcher().dispatch(ctx(), request('user.getProfile', {})))
    expect(errorOf(r)).toMatch(/^User profile not available/)
  })

  it('network.fetch answers status, statusText, lower-case headers and the body text', async () => {
    const network = {
      fetch: async () => fetchResponse({ status: 404, statusText: 'Not Found', headerPairs: [['X-Thing', 'a'], ['__proto__', 'p']], bodyText: 'nope' }),
    }
    const d = createRequestDispatcher({ backends: { network } })
    const r = await answer(d.dispatch(ctx(), request('network.fetch', { url: 'https://example.com/' })))
    expect(r.payload.data).toEqual(JSON.parse('{"status":404,"statusText":"Not Found","headers":{"x-thing":"a","__proto__":"p"},"body":"nope"}'))
    expect(Object.getPrototypeOf((r.payload.data as { headers: object }).headers)).toBe(Object.prototype)
  })
})

describe('guard and dispatcher together (EXT-HOST-010, EXT-HOST-011)', () => {
  it('every request with a usable id gets exactly one response, valid or not; others get none and nothing throws', async () => {
    const { createInboundGuard } = await import('./guard.js')
    const d = createRequestDispatcher({ backends: spyBackends().backends })
    const sent: Array<Promise<ResponseMessage>> = []
    const guard = createInboundGuard(
      (m) => {
        if (m.type === 'request') sent.push(d.dispatch(ctx(), m))
      },
      { onInvalid: (i) => i.requestId !== undefined && sent.push(d.dispatch(ctx(), i.message)) },
    )
    const inputs = [
      request('storage.get', { key: 'k' }, 'a'),
      request('storage.get', { key: 5 }, 'b'),
      request('no.such', {}, 'c'),
      request('storage.get', { key: 'k' }, ''),
      { type: 'request', id: 9, method: 'storage.get', payload: { key: 'k' } },
      { type: 'request', id: 'd' },
      null,
    ]
    for (const m of inputs) guard(m)
    const responses = await Promise.all(sent)
    expect(responses.map((r) => [r.payload.requestId, r.payload.success])).toEqual([
      ['a', true],
      ['b', false],
      ['c', false],
      ['d', false],
    ])
    expect(errorOf(responses[3] as ResponseMessage)).toMatch(/^Invalid request: .*\/method/)
  })
})
