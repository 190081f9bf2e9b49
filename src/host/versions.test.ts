/**
 * The host kit per protocol version (EXT-HOST-110..118), piece by piece: the dispatcher's methods,
 * gates and answers per version, the collection and secrets backends, the guard's version, the
 * 0.35.0 fetch-stream error text, and createHost in a later version.
 */
import { describe, expect, it } from 'vitest'
import type { StreamingFetchChunkMessage } from '../protocol/messages/rpc.js'
import { createValidator } from '../validate/compile.js'
import type { ProtocolValidator } from '../validate/validator.js'
import type { FetchLikeResponse } from './backends.js'
import { memoryScheduler } from './backends.js'
import { VirtualClock } from './clock.js'
import { matchesQuery, memoryCollections, memorySecrets } from './collections.js'
import { createRequestDispatcher, type RequestContext } from './dispatcher.js'
import { createInboundGuard } from './guard.js'
import { createHost } from './host.js'
import { StreamPump } from './stream-pump.js'
import { createMemoryPair } from '../transport/memory.js'

const validators = new Map<string, ProtocolValidator>()
const validatorOf = (protocol: string): ProtocolValidator => {
  let v = validators.get(protocol)
  if (!v) validators.set(protocol, (v = createValidator({ protocol, compile: 'lazy' })))
  return v
}

const ctx = (permissions: string[], collections: string[] = []): RequestContext => ({ extensionId: 'ext', permissions, collections })
let n = 0
const request = (method: string, payload: unknown) => ({ type: 'request', id: `r-${++n}`, method, payload })

describe('createRequestDispatcher({ protocol })', () => {
  it('answers a method of another version `Unknown method`, and the same name by the version payload (EXT-HOST-110)', async () => {
    const v22 = createRequestDispatcher()
    const v23 = createRequestDispatcher({ protocol: '0.23.0' })
    expect((await v22.dispatch(ctx(['storage.collections']), request('storage.put', { collection: 'c', id: 'a', data: {} }))).payload).toMatchObject({ success: false, error: 'Unknown method: storage.put' })
    expect((await v23.dispatch(ctx(['storage.local']), request('storage.set', { key: 'k', value: 1 }))).payload).toMatchObject({ success: false, error: 'Unknown method: storage.set' })
    expect((await v23.dispatch(ctx(['database.own']), request('database.execute', { sql: 'select 1' }))).payload).toMatchObject({ success: false, error: 'Unknown method: database.execute' })
    const old = await v23.dispatch(ctx(['storage.collections'], ['c']), request('storage.get', { key: 'k' }))
    expect(old.payload).toMatchObject({ success: false, error: expect.stringContaining('Invalid request') })
    expect((await v22.dispatch(ctx(['storage.local']), request('storage.get', { key: 'k' }))).payload).toMatchObject({ success: true })
  })

  it('gates the user-scoped forms on the host, and reaches only declared collections (EXT-HOST-111)', async () => {
    const d = createRequestDispatcher({ protocol: '0.36.0' })
    const put = (c: RequestContext, collection: string) => d.dispatch(c, request('storage.putForUser', { userId: 'u1', collection, id: 'a', data: { x: 1 } }))
    expect((await put(ctx([], ['c']), 'c')).payload).toMatchObject({ success: false, error: 'Permission denied: storage.putForUser requires the storage.collections permission' })
    expect((await put(ctx(['storage.collections'], ['c']), 'other')).payload).toMatchObject({ success: false, error: expect.stringContaining('not declared') })
    expect(await d.backends.collections.listCollections({ extensionId: 'ext', userId: 'u1' })).toEqual([])
    expect((await put(ctx(['storage.collections'], ['c']), 'c')).payload).toMatchObject({ success: true })
    expect((await d.dispatch(ctx(['storage.collections']), request('storage.listCollectionsForUser', { userId: 'u1' }))).payload).toMatchObject({ success: true, data: ['c'] })
    const missing = await d.dispatch(ctx(['storage.collections'], ['c']), request('storage.get', { collection: 'c', id: 'a' }))
    expect(missing.payload).toEqual({ requestId: missing.payload.requestId, success: true })
  })

  it('gates secrets by secrets.manage and user.listIds by user.list, not user.profile.read (EXT-HOST-112, 115)', async () => {
    const d = createRequestDispatcher({ protocol: '0.31.0' })
    expect((await d.dispatch(ctx([]), request('secrets.get', { key: 'k' }))).payload).toMatchObject({ success: false })
    expect((await d.dispatch(ctx(['secrets.manage']), request('secrets.get', { key: 'k' }))).payload).toMatchObject({ success: true })
    expect((await d.dispatch(ctx(['user.profile.read']), request('user.listIds', {}))).payload).toMatchObject({ success: false, error: expect.stringContaining('user.list') })
    expect((await d.dispatch(ctx(['user.list']), request('user.listIds', {}))).payload).toMatchObject({ success: true, data: [] })
  })

  it('records a fire result in the scheduler, under scheduler.register (EXT-HOST-113)', async () => {
    const scheduler = memoryScheduler()
    const d = createRequestDispatcher({ protocol: '0.26.0', backends: { scheduler } })
    expect((await d.dispatch(ctx([]), request('scheduler.reportFireResult', { jobId: 'j', success: true }))).payload).toMatchObject({ success: false })
    expect((await d.dispatch(ctx(['scheduler.register']), request('scheduler.reportFireResult', { jobId: 'j', success: false, error: 'Error: boom' }))).payload).toMatchObject({ success: true })
    expect(scheduler.fireResults('ext')).toEqual([{ jobId: 'j', success: false, error: 'Error: boom' }])
  })

  it('gives tools.execute its own limit, longer than the backend timeout (EXT-HOST-114)', async () => {
    const clock = new VirtualClock()
    const tools = { list: () => [], execute: () => new Promise<never>(() => undefined) }
    const d = createRequestDispatcher({ protocol: '0.30.0', backends: { tools }, clock, backendTimeoutMs: 10, toolsExecuteTimeoutMs: 100 })
    let answer: unknown
    void d.dispatch(ctx(['tools.execute']), request('tools.execute', { toolId: 't', params: {} })).then((r) => (answer = r.payload))
    await new Promise((resolve) => setImmediate(resolve))
    clock.advance(50)
    await new Promise((resolve) => setImmediate(resolve))
    expect(answer).toBeUndefined()
    clock.advance(50)
    await new Promise((resolve) => setImmediate(resolve))
    expect(answer).toMatchObject({ success: false, error: 'tools.execute timed out after 100 ms in the host backend' })
  })
})

describe('collection and secrets backends', () => {
  it('match queries with equality and each operator', () => {
    const doc = { n: 3, s: 'hello', tags: ['a', 'b'], o: { k: 1 } }
    const yes = [{ n: 3 }, { n: { $gt: 2 } }, { n: { $gte: 3 } }, { n: { $lt: 4 } }, { n: { $lte: 3 } }, { n: { $ne: 4 } }, { n: { $in: [1, 3] } }, { s: { $contains: 'ell' } }, { tags: { $contains: 'b' } }, { o: { k: 1 } }, {}]
    const no = [{ n: 4 }, { n: { $gt: 3 } }, { n: { $lt: 3 } }, { n: { $ne: 3 } }, { n: { $in: [] } }, { s: { $contains: 'x' } }, { missing: { $gt: 0 } }, { s: { $gt: 1 } }]
    for (const q of yes) expect([q, matchesQuery(doc, q)]).toEqual([q, true])
    for (const q of no) expect([q, matchesQuery(doc, q)]).toEqual([q, false])
  })

  it('keep scopes apart and copy what they store', async () => {
    const c = memoryCollections()
    const data = { v: 1 }
    c.put({ extensionId: 'a' }, 'c', 'x', data)
    data.v = 2
    expect(c.get({ extensionId: 'a' }, 'c', 'x')).toEqual({ v: 1 })
    expect(c.get({ extensionId: 'a', userId: 'u' }, 'c', 'x')).toBeUndefined()
    expect(c.get({ extensionId: 'b' }, 'c', 'x')).toBeUndefined()
    expect(c.find({ extensionId: 'a' }, 'c', undefined, { offset: 1 })).toEqual([])
    const s = memorySecrets()
    s.set({ extensionId: 'a', userId: 'u' }, 'k', 'v')
    expect([s.get({ extensionId: 'a' }, 'k'), s.list({ extensionId: 'a', userId: 'u' }), s.delete({ extensionId: 'a' }, 'k')]).toEqual([undefined, ['k'], false])
  })
})

describe('createInboundGuard({ protocol })', () => {
  it('judges requests by the version it is given', () => {
    const seen: string[] = []
    const invalid: string[] = []
    const guard = createInboundGuard((m) => seen.push(m.type), { protocol: '0.36.0', onInvalid: (r) => invalid.push(String(r.type)) })
    const compiled = createInboundGuard((m) => seen.push(m.type), { validator: validatorOf('0.36.0'), onInvalid: (r) => invalid.push(String(r.type)) })
    compiled({ type: 'request', id: 'r', method: 'secrets.list', payload: {} })
    guard({ type: 'request', id: 'r', method: 'secrets.list', payload: {} })
    guard({ type: 'request', id: 'r', method: 'storage.keys', payload: {} })
    expect([seen, invalid]).toEqual([['request', 'request'], ['request']])
  })
})

describe('createHost({ protocol })', () => {
  it('speaks the version with its precompiled validator, and refuses a version it does not know', async () => {
    const clock = new VirtualClock()
    const host = createHost({ protocol: '0.36.0', clock })
    const [hostEnd, workerEnd] = createMemoryPair()
    const received: unknown[] = []
    workerEnd.onMessage((m) => received.push(m))
    const loaded = host.load({ id: 'ext', version: '1.0.0', permissions: ['secrets.manage'] }, hostEnd)
    workerEnd.send({ type: 'ready' })
    await loaded
    workerEnd.send({ type: 'request', id: 'r-1', method: 'secrets.list', payload: {} })
    workerEnd.send({ type: 'request', id: 'r-2', method: 'storage.keys', payload: {} })
    for (let i = 0; i < 200 && received.length < 3; i++) await new Promise((resolve) => setImmediate(resolve))
    const answers = received.slice(1).map((m) => (m as { payload: { requestId: string } }).payload)
    expect(answers.sort((a, b) => a.requestId.localeCompare(b.requestId))).toEqual([
      { requestId: 'r-1', success: true, data: [] },
      { requestId: 'r-2', success: false, error: 'Unknown method: storage.keys' },
    ])
    const disposed = host.dispose()
    clock.advance(1000) // the deactivate grace period: the memory worker end never closes by itself
    await disposed
    expect(() => createHost({ protocol: '0.9.0' })).toThrow(/unknown protocol version "0.9.0"/)
  })
})

describe('StreamPump httpErrorText', () => {
  const run = async (status: number, statusText: string, bodyText: string | null, httpErrorText?: 'status' | 'status-and-body'): Promise<string | undefined> => {
    const clock = new VirtualClock()
    const body = bodyText === null ? null : new Blob([bodyText]).stream()
    const response: FetchLikeResponse = { status, statusText, ok: false, headers: { forEach: () => undefined }, body, text: async () => bodyText ?? '' }
    const pump = new StreamPump({ clock, network: { fetch: async () => response }, ...(httpErrorText ? { httpErrorText } : {}) })
    const sent: StreamingFetchChunkMessage[] = []
    pump.start('ext', { url: 'u', requestId: 'r' }, (c) => sent.push(c))
    for (let i = 0; i < 200 && sent.length === 0; i++) await new Promise((resolve) => setImmediate(resolve))
    pump.ack('ext', 'r')
    expect(sent).toHaveLength(1)
    return sent[0]?.payload.error
  }

  it('is HTTP <status>: <statusText> by default, and from 0.35.0 carries the body, cut to 1024 characters (EXT-HOST-044, 118)', async () => {
    expect(await run(404, 'Not Found', 'nope')).toBe('HTTP 404: Not Found')
    expect(await run(404, 'Not Found', 'nope', 'status-and-body')).toBe('HTTP 404 Not Found: nope')
    expect(await run(500, 'Internal Server Error', '', 'status-and-body')).toBe('HTTP 500 Internal Server Error')
    expect(await run(500, 'Internal Server Error', null, 'status-and-body')).toBe('HTTP 500 Internal Server Error')
    const long = 'é'.repeat(1500)
    expect(await run(502, 'Bad Gateway', long, 'status-and-body')).toBe(`HTTP 502 Bad Gateway: ${'é'.repeat(1024)}…`)
    expect(await run(502, 'Bad Gateway', 'é'.repeat(1024), 'status-and-body')).toBe(`HTTP 502 Bad Gateway: ${'é'.repeat(1024)}`)
  })
})
