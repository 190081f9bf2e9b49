/**
 * The reference runtime per protocol version (EXT-VER-*): the context API each version offers, the
 * fire report from 0.26.0, and the version table held to the versioned source.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { trackedWorkers, type TestWorker } from '../../test/helpers/worker.js'
import { profile } from '../protocol/profiles.js'
import { PROFILE_VERSIONS } from '../protocol/versions.js'
import { protocolFeatures } from './versioned.js'

const worker = trackedWorkers()

type Msg = Record<string, unknown>
const payloadOf = (m: Msg) => m['payload'] as Msg

/** Runs the conformance extension's `call` tool and returns the request it sent (or the result when it sent none). */
async function call(w: TestWorker, params: Msg, userId?: string): Promise<{ toolId: string; request: Msg | undefined }> {
  const from = w.host.received.length
  const toolId = w.request('tool-execute-request', userId === undefined ? { toolId: 'call', params } : { toolId: 'call', params, userId })
  const first = await w.host.waitFor(
    (r) => {
      const m = r.message as Msg
      return m['type'] === 'request' || (m['type'] === 'tool-execute-response' && payloadOf(m)['requestId'] === toolId)
    },
    2000,
    from,
    'a request or the tool answer',
  )
  const m = first.message as Msg
  return { toolId, request: m['type'] === 'request' ? m : undefined }
}

async function answer(w: TestWorker, request: Msg | undefined, data?: unknown, success = true): Promise<Msg> {
  if (!request) throw new Error('no request was sent')
  w.host.send({ type: 'response', id: 'h-r', payload: success ? { requestId: request['id'], success, ...(data === undefined ? {} : { data }) } : { requestId: request['id'], success, error: String(data) } })
  return request
}

async function result(w: TestWorker, toolId: string): Promise<unknown> {
  return payloadOf(await w.answer('tool-execute-response', toolId))['result']
}

describe('the version table', () => {
  it('agrees with the versioned source for every profile', () => {
    for (const version of PROFILE_VERSIONS) {
      const p = profile(version)
      const f = protocolFeatures(version)
      expect(f).toEqual({
        version,
        background: p.message('background-task-start') !== undefined,
        keyValueStorage: p.method('storage.set') !== undefined && p.method('database.execute') !== undefined,
        collections: p.method('storage.put') !== undefined && p.method('secrets.set') !== undefined,
        fireReport: p.method('scheduler.reportFireResult') !== undefined,
        toolsApi: p.method('tools.list') !== undefined && p.method('tools.execute') !== undefined,
        userList: p.method('user.listIds') !== undefined,
      })
    }
  })

  it('defaults to 0.22.1 and refuses an unknown version', () => {
    expect(protocolFeatures().version).toBe('0.22.0')
    expect(() => protocolFeatures('0.99.0')).toThrow(/unknown protocol version "0.99.0"; known versions: .*0\.36\.0/)
  })
})

const BASE = ['tools.register', 'events.emit', 'scheduler.register']

describe('collection storage and secrets (0.23.0 on)', () => {
  it('EXT-VER-002: context.storage sends the collection methods with exactly their payload', async () => {
    const w = await worker({ protocol: '0.36.0' })
    await w.activate({ permissions: [...BASE, 'storage.collections'] })
    const put = await call(w, { api: 'storage', fn: 'put', args: ['notes', 'n1', { text: 'hi' }] })
    expect(put.request).toMatchObject({ type: 'request', method: 'storage.put', payload: { collection: 'notes', id: 'n1', data: { text: 'hi' } } })
    await answer(w, put.request)
    expect(await result(w, put.toolId)).toEqual({ success: true, data: null })
    const find = await call(w, { api: 'storage', fn: 'find', args: ['notes'] })
    expect(payloadOf(find.request as Msg)).toEqual({ collection: 'notes' })
    await answer(w, find.request, [{ text: 'hi' }])
    expect(await result(w, find.toolId)).toEqual({ success: true, data: [{ text: 'hi' }] })
    const get = await call(w, { api: 'storage', fn: 'get', args: ['notes', 'missing'] })
    await answer(w, get.request)
    expect(await result(w, get.toolId)).toEqual({ success: true, data: null })
  })

  it('EXT-VER-002: secrets send the secrets methods', async () => {
    const w = await worker({ protocol: '0.23.0' })
    await w.activate({ permissions: [...BASE, 'secrets.manage'] })
    const set = await call(w, { api: 'secrets', fn: 'set', args: ['token', 's3cret'] })
    expect(set.request).toMatchObject({ method: 'secrets.set', payload: { key: 'token', value: 's3cret' } })
    await answer(w, set.request)
    expect(await result(w, set.toolId)).toEqual({ success: true, data: null })
  })

  it('EXT-VER-001: at 0.36.0, storage.local and database.own offer nothing; at 0.22.1 storage.collections offers nothing', async () => {
    const late = await worker({ protocol: '0.36.0' })
    await late.activate({ permissions: [...BASE, 'storage.local', 'database.own'] })
    for (const api of ['storage', 'database']) {
      const r = await call(late, { api, fn: api === 'storage' ? 'get' : 'execute', args: ['k'] })
      expect(r.request).toBeUndefined()
      expect(await result(late, r.toolId)).toEqual({ success: false, error: `API ${api}.${api === 'storage' ? 'get' : 'execute'} is not available` })
    }
    const early = await worker({})
    await early.activate({ permissions: [...BASE, 'storage.collections', 'secrets.manage'] })
    const r = await call(early, { api: 'secrets', fn: 'get', args: ['k'] })
    expect(await result(early, r.toolId)).toEqual({ success: false, error: 'API secrets.get is not available' })
  })

  it('EXT-VER-003: the execution context has storage and the user scope sends the ForUser methods, userId first', async () => {
    const w = await worker({ protocol: '0.36.0' })
    await w.activate({ permissions: BASE })
    const r = await call(w, { from: 'execution', api: 'userStorage', fn: 'count', args: ['notes', { done: true }] }, 'u1')
    expect(r.request).toMatchObject({ method: 'storage.countForUser' })
    expect(Object.keys(payloadOf(r.request as Msg))).toEqual(['userId', 'collection', 'query'])
    await answer(w, r.request, 3)
    expect(await result(w, r.toolId)).toEqual({ success: true, data: 3 })
    const s = await call(w, { from: 'execution', api: 'secrets', fn: 'list', args: [] })
    expect(s.request).toMatchObject({ method: 'secrets.list', payload: {} })
    await answer(w, s.request, ['a'])
    expect(await result(w, s.toolId)).toEqual({ success: true, data: ['a'] })
  })

  it('EXT-VER-004: without a userId the user scope rejects and sends nothing', async () => {
    const w = await worker({ protocol: '0.36.0' })
    await w.activate({ permissions: BASE })
    for (const api of ['userStorage', 'userSecrets']) {
      const r = await call(w, { from: 'execution', api, fn: api === 'userStorage' ? 'put' : 'set', args: api === 'userStorage' ? ['c', 'i', {}] : ['k', 'v'] })
      expect(r.request).toBeUndefined()
      expect(await result(w, r.toolId)).toMatchObject({ success: false, error: expect.stringMatching(/ForUser needs a user/) })
    }
  })
})

describe('tools and users (0.30.0, 0.31.0)', () => {
  it('EXT-VER-007: tools.list and tools.execute need their own permissions', async () => {
    const w = await worker({ protocol: '0.30.0' })
    await w.activate({ permissions: [...BASE, 'tools.list'] })
    const list = await call(w, { api: 'tools', fn: 'list', args: [] })
    expect(list.request).toMatchObject({ method: 'tools.list', payload: {} })
    await answer(w, list.request, [{ id: 'x', name: 'X', description: 'd' }])
    expect(await result(w, list.toolId)).toEqual({ success: true, data: [{ id: 'x', name: 'X', description: 'd' }] })
    const exec = await call(w, { api: 'tools', fn: 'execute', args: ['x', {}] })
    expect(exec.request).toBeUndefined()
    expect(await result(w, exec.toolId)).toEqual({ success: false, error: 'tools.execute permission required' })
  })

  it('EXT-VER-008: tools.execute outlives the request timeout', async () => {
    const w = await worker({ protocol: '0.36.0', requestTimeoutMs: 20 })
    await w.activate({ permissions: [...BASE, 'tools.execute', 'user.list'] })
    const exec = await call(w, { api: 'tools', fn: 'execute', args: ['other', { a: 1 }, 'u1'] })
    expect(exec.request).toMatchObject({ method: 'tools.execute', payload: { toolId: 'other', params: { a: 1 }, userId: 'u1' } })
    // An ordinary request times out meanwhile; tools.execute is still waiting for the host.
    const ids = await call(w, { api: 'user', fn: 'listIds', args: [] })
    expect(await result(w, ids.toolId)).toEqual({ success: false, error: 'Request user.listIds timed out' })
    await answer(w, exec.request, { success: true, data: { ran: true } })
    expect(await result(w, exec.toolId)).toEqual({ success: true, data: { success: true, data: { ran: true } } })
  })

  it('EXT-VER-009: user.listIds is offered under user.list, not user.profile.read', async () => {
    const w = await worker({ protocol: '0.31.0' })
    await w.activate({ permissions: [...BASE, 'user.profile.read'] })
    const refused = await call(w, { api: 'user', fn: 'listIds', args: [] })
    expect(refused.request).toBeUndefined()
    expect(await result(w, refused.toolId)).toEqual({ success: false, error: 'user.list permission required' })
    const v = await worker({ protocol: '0.31.0' })
    await v.activate({ permissions: [...BASE, 'user.list'] })
    const ok = await call(v, { api: 'user', fn: 'listIds', args: [] })
    expect(ok.request).toMatchObject({ method: 'user.listIds', payload: {} })
    await answer(v, ok.request, ['u1', 'u2'])
    expect(await result(v, ok.toolId)).toEqual({ success: true, data: ['u1', 'u2'] })
    const old = await worker({ protocol: '0.30.0' })
    await old.activate({ permissions: [...BASE, 'user.list', 'user.profile.read'] })
    const none = await call(old, { api: 'user', fn: 'listIds', args: [] })
    expect(await result(old, none.toolId)).toEqual({ success: false, error: 'API user.listIds is not available' })
  })
})

describe('scheduler fires (0.26.0 on)', () => {
  const fire = (w: TestWorker, id: string, payload?: Msg) => w.host.send({ type: 'scheduler-fire', id: `s-${id}`, payload: { id, scheduledFor: '2026-01-01T00:00:00.000Z', firedAt: '2026-01-01T00:00:00.010Z', delayMs: 10, userId: 'u1', ...(payload ? { payload } : {}) } })
  const report = (w: TestWorker) => w.host.waitForType('request', 2000, (m) => m['method'] === 'scheduler.reportFireResult').then((r) => r.message as Msg)

  it('EXT-VER-005: reports success after the callbacks settled, and the first failure', async () => {
    const w = await worker({ protocol: '0.26.0' })
    await w.activate({ permissions: BASE })
    fire(w, 'job-1', { emit: 'fired' })
    const emitted = (await w.host.waitForType('request', 2000, (m) => m['method'] === 'events.emit')).message as Msg
    expect(w.host.ofType('request').filter((m) => m['method'] === 'scheduler.reportFireResult')).toHaveLength(0)
    await answer(w, emitted)
    expect(payloadOf(await report(w))).toEqual({ jobId: 'job-1', success: true })
    const reports = w.host.ofType('request').length
    fire(w, 'job-2', { fail: true })
    await w.host.waitFor((r) => (r.message as Msg)['type'] === 'request' && payloadOf(r.message as Msg)['jobId'] === 'job-2', 2000, reports, 'the report')
    expect(payloadOf(w.host.ofType('request').at(-1) as Msg)).toEqual({ jobId: 'job-2', success: false, error: 'job job-2 failed' })
  })

  it('EXT-VER-005: before 0.26.0 a fire is not reported', async () => {
    const w = await worker({ protocol: '0.23.0' })
    await w.activate({ permissions: BASE })
    fire(w, 'job-1')
    await w.log('fired job-1')
    const id = w.request('tool-execute-request', { toolId: 'echo', params: {} })
    await w.answer('tool-execute-response', id)
    await w.runtime.settled()
    expect(w.host.ofType('request')).toHaveLength(0)
  })
})

describe('0.21.0', () => {
  it('EXT-VER-006: no background tasks, even with background.workers', async () => {
    const w = await worker({ protocol: '0.21.0' })
    await w.activate({ permissions: [...BASE, 'background.workers'] })
    expect(w.host.ofType('background-task-registered')).toHaveLength(0)
    const r = await call(w, { api: 'backgroundWorkers', fn: 'getStatus', args: [] })
    expect(await result(w, r.toolId)).toEqual({ success: false, error: 'API backgroundWorkers.getStatus is not available' })
  })
})
