/**
 * The reference runtime, message by message and API by API, through an in-memory transport and
 * the conformance extension. Every message the runtime sends is checked against the strict schema.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { ALL_PERMISSIONS, startWorker, trackedWorkers, type TestWorker } from '../../test/helpers/worker.js'
import { createMemoryPair } from '../transport/memory.js'
import { HostPeer } from '../host/peer.js'
import { createWorkerRuntime } from './runtime.js'

const worker = trackedWorkers()

const payloadOf = (m: Record<string, unknown>) => m['payload'] as Record<string, unknown>
const types = (w: TestWorker) => w.host.received.map((r) => (r.message as { type: string }).type)

/**
 * Resolves once the runtime has handled everything sent before it, and every handler that started
 * has finished: messages are delivered in order, so the answer to a request sent now comes after
 * them. A condition to await instead of a sleep.
 */
async function handled(w: TestWorker): Promise<void> {
  const id = w.request('tool-execute-request', { toolId: 'echo', params: { sentinel: true } })
  await w.answer('tool-execute-response', id)
  await w.runtime.settled()
}

describe('lifecycle', () => {
  it('EXT-LIFE-001: sends ready once, first', async () => {
    const w = await worker()
    await w.activate()
    expect(types(w)[0]).toBe('ready')
    expect(w.host.ofType('ready')).toHaveLength(1)
  })

  it('EXT-LIFE-002: activate registers the provider, tools, actions and tasks of the granted permissions', async () => {
    const w = await worker()
    await w.activate()
    expect(w.host.ofType('provider-registered').map((m) => payloadOf(m)['id'])).toEqual(['echo'])
    expect(w.host.ofType('tool-registered').map((m) => payloadOf(m)['id'])).toContain('echo')
    expect(w.host.ofType('action-registered').map((m) => payloadOf(m)['id'])).toEqual(['echo-action', 'fail-action'])
    expect(w.host.ofType('background-task-registered').map((m) => (payloadOf(m)['restartPolicy'] as { type: string }).type)).toEqual(['always', 'on-failure', 'never'])
    expect(w.runtime.state).toBe('active')
  })

  it('EXT-PERM-003: registers and exposes only what the permissions grant', async () => {
    const w = await worker()
    await w.activate({ permissions: ['tools.register'] })
    expect(w.host.ofType('provider-registered')).toHaveLength(0)
    expect(w.host.ofType('background-task-registered')).toHaveLength(0)
    const id = w.request('tool-execute-request', { toolId: 'call', params: { api: 'storage', fn: 'get', args: ['k'] } })
    const answer = await w.answer('tool-execute-response', id)
    expect(payloadOf(answer)['result']).toEqual({ success: false, error: 'API storage.get is not available' })
    expect(w.host.ofType('request')).toHaveLength(0)
  })

  for (const permission of ['network:*', 'network:api.example.com', 'network:localhost:8080']) {
    it(`EXT-PERM-001/002: ${permission} exposes network`, async () => {
      const w = await worker()
      await w.activate({ permissions: ['tools.register', permission] })
      const id = w.request('tool-execute-request', { toolId: 'call', params: { api: 'network', fn: 'fetch', args: ['https://api.example.com/'] } })
      const request = (await w.host.waitForType('request', 1000)).message as Record<string, unknown>
      expect(request).toMatchObject({ method: 'network.fetch', payload: { url: 'https://api.example.com/' } })
      w.host.send({ type: 'response', id: 'r', payload: { requestId: request['id'], success: true, data: { status: 200, statusText: 'OK', headers: {}, body: 'ok' } } })
      expect(payloadOf(await w.answer('tool-execute-response', id))['result']).toMatchObject({ success: true, data: { status: 200, body: 'ok' } })
    })
  }

  it('EXT-PERM-003: without a network: permission there is no network API', async () => {
    const w = await worker()
    await w.activate({ permissions: ['tools.register', 'storage.local'] })
    const id = w.request('tool-execute-request', { toolId: 'call', params: { api: 'network', fn: 'fetch', args: ['https://api.example.com/'] } })
    expect(payloadOf(await w.answer('tool-execute-response', id))['result']).toEqual({ success: false, error: 'API network.fetch is not available' })
    expect(w.host.ofType('request')).toHaveLength(0)
  })

  it('EXT-PERM-004: a missing permissions array grants nothing and is logged', async () => {
    const w = await worker()
    w.host.send({ type: 'activate', id: 'a1', payload: { extensionId: 'conformance', extensionVersion: '1', storagePath: '/s', settings: {} } })
    await w.log('Invalid activate')
    expect(w.runtime.state).toBe('idle')
  })

  it('EXT-LIFE-003/004: a failed activation is logged, and the extension is not active afterwards', async () => {
    const w = await worker()
    await w.activate({ extensionId: 'conformance-fail-activate' })
    const failure = await w.log('Failed to activate extension')
    expect(payloadOf(failure)['level']).toBe('error')
    expect(payloadOf(failure)['data']).toEqual({ error: 'activation failed on purpose' })
    expect(w.runtime.state).toBe('failed')
    const id = w.request('tool-execute-request', { toolId: 'echo', params: {} })
    expect(payloadOf(await w.answer('tool-execute-response', id))['error']).toBe('Extension is not active')
  })

  it('EXT-LIFE-005: a non-Disposable return value of activate is ignored', async () => {
    const w = await worker()
    await w.activate({ extensionId: 'conformance-bad-return' })
    expect(w.runtime.state).toBe('active')
    expect(w.host.ofType('log').filter((m) => payloadOf(m)['level'] === 'error')).toHaveLength(0)
  })

  it('EXT-LIFE-006: a second activate is ignored with a warning', async () => {
    const w = await worker()
    await w.activate()
    const before = w.host.ofType('tool-registered').length
    w.request('activate', { extensionId: 'conformance', extensionVersion: '1', storagePath: '/s', permissions: ['tools.register'], settings: {} })
    await w.log('activate ignored')
    expect(w.host.ofType('tool-registered')).toHaveLength(before)
  })

  it('EXT-LIFE-008: activates again after deactivate', async () => {
    const w = await worker()
    await w.activate({ permissions: ['tools.register'] })
    const first = w.host.ofType('tool-registered').length
    w.request('deactivate', undefined)
    await w.log('conformance extension deactivated')
    await w.runtime.settled()
    expect(w.runtime.state).toBe('deactivated')
    await w.activate({ permissions: ['tools.register'] })
    expect(w.host.ofType('tool-registered')).toHaveLength(first * 2)
    const id = w.request('tool-execute-request', { toolId: 'echo', params: { a: 1 } })
    expect(payloadOf(await w.answer('tool-execute-response', id))['result']).toEqual({ success: true, data: { a: 1 } })
  })

  it('EXT-LIFE-009: messages that arrive during activation are handled after it, in order', async () => {
    const w = await worker()
    w.host.send({ type: 'activate', id: 'a1', payload: { extensionId: 'conformance-slow-activate', extensionVersion: '1', storagePath: '/s', permissions: ['tools.register'], settings: {} } })
    const id = w.request('tool-execute-request', { toolId: 'echo', params: { n: 1 } })
    const answer = await w.answer('tool-execute-response', id)
    expect(payloadOf(answer)['result']).toEqual({ success: true, data: { n: 1 } })
    const order = types(w)
    expect(order.indexOf('tool-execute-response')).toBeGreaterThan(order.lastIndexOf('tool-registered'))
  })

  it('EXT-LIFE-010: correlated requests before activation get error replies', async () => {
    const w = await worker()
    const tool = w.request('tool-execute-request', { toolId: 'echo', params: {} })
    const action = w.request('action-execute-request', { actionId: 'echo-action', params: {} })
    const models = w.request('provider-models-request', { providerId: 'echo' })
    const chat = w.request('provider-chat-request', { providerId: 'echo', messages: [], options: {} })
    expect(payloadOf(await w.answer('tool-execute-response', tool))).toEqual({ requestId: tool, result: { success: false, error: 'Extension is not active' }, error: 'Extension is not active' })
    expect(payloadOf(await w.answer('action-execute-response', action))['error']).toBe('Extension is not active')
    expect(payloadOf(await w.answer('provider-models-response', models))).toEqual({ requestId: models, models: [], error: 'Extension is not active' })
    expect(payloadOf(await w.answer('stream-event', chat))['event']).toEqual({ type: 'error', message: 'Extension is not active' })
  })

  it('EXT-LIFE-011: uncorrelated messages when inactive are dropped with a warning', async () => {
    const w = await worker()
    w.request('scheduler-fire', { id: 'j', scheduledFor: '2026-01-01T00:00:00.000Z', firedAt: '2026-01-01T00:00:00.000Z', delayMs: 0, userId: 'u' })
    w.request('settings-changed', { key: 'k', value: 1 })
    w.request('background-task-start', { taskId: 't' })
    await w.log('background-task-start dropped')
    expect(w.host.ofType('log').map((m) => payloadOf(m)['level'])).toEqual(['warn', 'warn', 'warn'])
  })

  it('EXT-LIFE-012: deactivate rejects pending requests, ends chats, stops tasks, and later requests fail', async () => {
    const w = await worker()
    await w.activate()
    const call = w.request('tool-execute-request', { toolId: 'call', params: { api: 'storage', fn: 'get', args: ['k'] } })
    await w.host.waitForType('request', 1000)
    const chat = w.request('provider-chat-request', { providerId: 'echo', messages: [], options: { settings: { mode: 'slow', delayMs: 200 } } })
    w.request('background-task-start', { taskId: 'always-task' })
    await w.host.waitForType('background-task-status', 1000)
    w.request('deactivate', undefined)
    expect(payloadOf(await w.answer('tool-execute-response', call))['result']).toEqual({ success: false, error: 'Extension deactivated' })
    expect(payloadOf(await w.answer('stream-event', chat))['event']).toEqual({ type: 'error', message: 'Extension deactivated' })
    await w.runtime.settled() // the slow provider has finished too
    expect(w.host.ofType('stream-event').filter((m) => payloadOf(m)['requestId'] === chat)).toHaveLength(1)
    expect(w.host.ofType('background-task-status').map((m) => payloadOf(m)['status'])).toEqual(['running', 'stopped'])
    const late = w.request('tool-execute-request', { toolId: 'echo', params: {} })
    expect(payloadOf(await w.answer('tool-execute-response', late))['error']).toBe('Extension is not active')
  })

  it('EXT-LIFE-012: a failing module deactivate does not skip the other steps', async () => {
    const w = await worker()
    await w.activate({ extensionId: 'conformance-fail-deactivate' })
    w.request('background-task-start', { taskId: 'always-task' })
    await w.host.waitForType('background-task-status', 1000)
    w.request('deactivate', undefined)
    await w.log('Error during deactivation (module deactivate)')
    await w.runtime.settled()
    expect(w.host.ofType('background-task-status').map((m) => payloadOf(m)['status'])).toEqual(['running', 'stopped'])
    expect(w.runtime.state).toBe('deactivated')
  })

  it('several runtimes live in one process without sharing state', async () => {
    const a = await worker()
    const b = await worker()
    await a.activate({ permissions: ['tools.register'] })
    const id = b.request('tool-execute-request', { toolId: 'echo', params: {} })
    expect(payloadOf(await b.answer('tool-execute-response', id))['error']).toBe('Extension is not active')
    expect(a.runtime.state).toBe('active')
    expect(b.runtime.state).toBe('idle')
  })
})

describe('inbound validation (EXT-IN-001)', () => {
  it('answers an invalid correlated request with a log and its error reply', async () => {
    const w = await worker()
    await w.activate()
    w.host.send({ type: 'tool-execute-request', id: 'bad-1', payload: { toolId: 'echo', params: 'nope' } })
    const answer = await w.answer('tool-execute-response', 'bad-1')
    expect(String(payloadOf(answer)['error'])).toContain('/payload/params')
    const log = await w.log('Invalid tool-execute-request')
    expect(payloadOf(log)['level']).toBe('error')
  })

  it('answers an invalid chat request with an error event', async () => {
    const w = await worker()
    w.host.send({ type: 'provider-chat-request', id: 'bad-2', payload: { providerId: 'echo', messages: 'x', options: {} } })
    const answer = await w.answer('stream-event', 'bad-2')
    expect((payloadOf(answer)['event'] as { type: string }).type).toBe('error')
  })

  it('logs garbage and unknown types without crashing', async () => {
    const w = await worker()
    await w.activate()
    for (const garbage of [null, 42, 'x', [], { type: 'nope' }, { type: 'ready' }]) w.host.send(garbage)
    const id = w.request('tool-execute-request', { toolId: 'echo', params: {} })
    expect(payloadOf(await w.answer('tool-execute-response', id))['result']).toEqual({ success: true, data: {} })
    const errors = w.host.ofType('log').filter((m) => payloadOf(m)['level'] === 'error').map((m) => String(payloadOf(m)['message']))
    expect(errors).toHaveLength(6)
    expect(errors[4]).toContain('nope')
  })
})

describe('provider chat (EXT-PROV-001..004)', () => {
  async function chat(settings: Record<string, unknown>, providerId = 'echo') {
    const w = await worker()
    await w.activate()
    const id = w.request('provider-chat-request', { providerId, messages: [{ role: 'user', content: 'hello' }], options: { settings } })
    await w.host.waitForType('stream-event', 1000, (m) => {
      const p = payloadOf(m)
      const t = (p['event'] as { type: string }).type
      return p['requestId'] === id && (t === 'done' || t === 'error')
    })
    await w.runtime.settled() // the chat handler has returned: nothing more can follow
    return w.host.ofType('stream-event').filter((m) => payloadOf(m)['requestId'] === id).map((m) => payloadOf(m)['event'])
  }

  it('forwards events in order and ends with done', async () => {
    expect(await chat({})).toEqual([{ type: 'content', text: 'hello' }, { type: 'done', usage: { inputTokens: 1, outputTokens: 1 } }])
    expect(await chat({ mode: 'stream', count: 3 })).toEqual([
      { type: 'content', text: 'chunk-0' },
      { type: 'content', text: 'chunk-1' },
      { type: 'content', text: 'chunk-2' },
      { type: 'done' },
    ])
  })

  it('forwards all six event types', async () => {
    expect((await chat({ mode: 'tools' })).map((e) => (e as { type: string }).type)).toEqual(['thinking', 'tool_start', 'tool_end', 'content', 'done'])
  })

  it('appends done when the provider ends without a terminal event', async () => {
    expect(await chat({ mode: 'no-done' })).toEqual([{ type: 'content', text: 'hello' }, { type: 'done' }])
  })

  it('turns a throw into one error event', async () => {
    expect(await chat({ mode: 'throw', message: 'boom' })).toEqual([{ type: 'content', text: 'partial' }, { type: 'error', message: 'boom' }])
  })

  it('forwards an error event and appends nothing', async () => {
    expect(await chat({ mode: 'error-event', message: 'nope' })).toEqual([{ type: 'error', message: 'nope' }])
  })

  it('sends nothing after a terminal event', async () => {
    expect(await chat({ mode: 'after-done' })).toEqual([{ type: 'done' }])
  })

  it('ends the stream with an error when the provider yields an invalid event', async () => {
    const events = await chat({ mode: 'invalid-event' })
    expect(events).toHaveLength(1)
    expect((events[0] as { message: string }).message).toContain('yielded an invalid event')
  })

  it('EXT-PROV-002: answers an unknown provider with one error event (upstream B1)', async () => {
    expect(await chat({}, 'nope')).toEqual([{ type: 'error', message: 'Provider nope not found' }])
  })
})

describe('provider models (EXT-PROV-005)', () => {
  async function models(providerId: string, options?: unknown) {
    const w = await worker()
    await w.activate()
    const id = w.request('provider-models-request', options === undefined ? { providerId } : { providerId, options })
    return payloadOf(await w.answer('provider-models-response', id))
  }
  it('lists models', async () => {
    expect((await models('echo'))['models']).toEqual([{ id: 'echo-1', name: 'Echo 1', contextLength: 4096 }, { id: 'echo-2', name: 'Echo 2' }])
  })
  it('answers an unknown provider, a throw and invalid models with an error and no models', async () => {
    expect(await models('nope')).toMatchObject({ models: [], error: 'Provider nope not found' })
    expect(await models('echo', { settings: { fail: 'down' } })).toMatchObject({ models: [], error: 'down' })
    expect(String((await models('echo', { settings: { invalid: true } }))['error'])).toContain('returned invalid models')
  })
})

describe('tools and actions (EXT-TOOL-001..005)', () => {
  async function run(type: 'tool' | 'action', id: string, params: Record<string, unknown> = {}, userId?: string) {
    const w = await worker()
    await w.activate()
    const key = type === 'tool' ? 'toolId' : 'actionId'
    const requestId = w.request(`${type}-execute-request`, userId === undefined ? { [key]: id, params } : { [key]: id, params, userId })
    return payloadOf(await w.answer(`${type}-execute-response`, requestId))
  }
  it('returns the result unchanged', async () => {
    expect(await run('tool', 'echo', { text: 'hi' })).toMatchObject({ result: { success: true, data: { text: 'hi' } } })
  })
  it('fills both failure channels when the tool throws or is unknown (upstream B21)', async () => {
    expect(await run('tool', 'fail', { message: 'bad' })).toMatchObject({ result: { success: false, error: 'bad' }, error: 'bad' })
    expect(await run('tool', 'nope')).toMatchObject({ result: { success: false, error: 'Tool nope not found' }, error: 'Tool nope not found' })
  })
  it('keeps a returned failure as a result without a top-level error', async () => {
    const answer = await run('tool', 'soft-fail', { message: 'meh' })
    expect(answer['result']).toEqual({ success: false, error: 'meh' })
    expect('error' in answer).toBe(false)
  })
  it('treats an invalid result as an execution failure', async () => {
    const answer = await run('tool', 'invalid-result')
    expect(String(answer['error'])).toContain('Tool invalid-result returned an invalid result')
  })
  it('passes userId and the extension in the execution context', async () => {
    expect((await run('tool', 'context', {}, 'u1'))['result']).toEqual({ success: true, data: { userId: 'u1', extension: { id: 'conformance', version: '1.0.0', storagePath: '/data/conformance' } } })
    expect(((await run('tool', 'context'))['result'] as { data: { userId: unknown } }).data.userId).toBeNull()
  })
  it('runs actions the same way', async () => {
    expect(await run('action', 'echo-action', { a: 1 })).toMatchObject({ result: { success: true, data: { a: 1 } } })
    expect(await run('action', 'fail-action')).toMatchObject({ error: 'action failed' })
    expect(await run('action', 'nope')).toMatchObject({ error: 'Action nope not found' })
  })
})

describe('context APIs: each request sends its method payload (EXT-REQ-001)', () => {
  const cases: Array<[string, string, unknown[], string, unknown, unknown]> = [
    ['settings', 'getAll', [], 'settings.getAll', {}, { a: 1 }],
    ['settings', 'get', ['a'], 'settings.get', { key: 'a' }, 1],
    ['settings', 'set', ['a', 2], 'settings.set', { key: 'a', value: 2 }, undefined],
    ['user', 'getProfile', [], 'user.getProfile', {}, { firstName: 'Ada' }],
    ['events', 'emit', ['greeted', { who: 'Ada' }], 'events.emit', { name: 'greeted', payload: { who: 'Ada' } }, undefined],
    ['events', 'emit', ['ping'], 'events.emit', { name: 'ping' }, undefined],
    ['scheduler', 'schedule', [{ id: 'j1', schedule: { type: 'interval', everyMs: 1000 }, userId: 'u1' }], 'scheduler.schedule', { job: { id: 'j1', schedule: { type: 'interval', everyMs: 1000 }, userId: 'u1' } }, undefined],
    ['scheduler', 'cancel', ['j1'], 'scheduler.cancel', { jobId: 'j1' }, undefined],
    ['chat', 'appendInstruction', [{ text: 'hi', conversationId: 'c1' }], 'chat.appendInstruction', { text: 'hi', conversationId: 'c1' }, undefined],
    ['database', 'execute', ['SELECT 1', [1]], 'database.execute', { sql: 'SELECT 1', params: [1] }, [{ one: 1 }]],
    ['storage', 'get', ['k'], 'storage.get', { key: 'k' }, 5],
    ['storage', 'set', ['k', 5], 'storage.set', { key: 'k', value: 5 }, undefined],
    ['storage', 'delete', ['k'], 'storage.delete', { key: 'k' }, undefined],
    ['storage', 'keys', [], 'storage.keys', {}, ['k']],
    ['storage', 'getForUser', ['u1', 'k'], 'storage.getForUser', { userId: 'u1', key: 'k' }, 5],
    ['storage', 'setForUser', ['u1', 'k', 5], 'storage.setForUser', { userId: 'u1', key: 'k', value: 5 }, undefined],
    ['storage', 'deleteForUser', ['u1', 'k'], 'storage.deleteForUser', { userId: 'u1', key: 'k' }, undefined],
    ['storage', 'keysForUser', ['u1'], 'storage.keysForUser', { userId: 'u1' }, ['k']],
    ['network', 'fetch', ['https://example.com/'], 'network.fetch', { url: 'https://example.com/' }, { status: 200, statusText: 'OK', headers: { 'content-type': 'text/plain' }, body: 'hi' }],
  ]
  for (const [api, fn, args, method, payload, data] of cases) {
    it(`${api}.${fn} -> ${method}`, async () => {
      const w = await worker()
      await w.activate()
      const id = w.request('tool-execute-request', { toolId: 'call', params: { api, fn, args } })
      const request = (await w.host.waitForType('request', 1000)).message as Record<string, unknown>
      expect(request).toMatchObject({ method, payload })
      expect(Object.keys(request).sort()).toEqual(['id', 'method', 'payload', 'type'])
      w.host.send({ type: 'response', id: 'r', payload: data === undefined ? { requestId: request['id'], success: true } : { requestId: request['id'], success: true, data } })
      const result = payloadOf(await w.answer('tool-execute-response', id))['result'] as { success: boolean; data: unknown }
      expect(result.success).toBe(true)
      if (method === 'network.fetch') expect(result.data).toEqual(data)
      else expect(result.data).toEqual(data === undefined ? null : data)
    })
  }

  for (const [status, body] of [[204, ''], [205, ''], [304, 'stale'], [101, ''], [103, ''], [0, '']] as const) {
    it(`EXT-REQ-008: network.fetch resolves for status ${status}, with an empty body (upstream B19)`, async () => {
      const w = await worker()
      await w.activate()
      const id = w.request('tool-execute-request', { toolId: 'call', params: { api: 'network', fn: 'fetch', args: ['https://example.com/'] } })
      const request = (await w.host.waitForType('request', 1000)).message as Record<string, unknown>
      w.host.send({ type: 'response', id: 'r', payload: { requestId: request['id'], success: true, data: { status, statusText: 'S', headers: { etag: 'v1' }, body } } })
      const result = payloadOf(await w.answer('tool-execute-response', id))['result']
      expect(result).toMatchObject({ success: true, data: { status, statusText: 'S', headers: { etag: 'v1' } } })
      if (status !== 0) expect(result).toMatchObject({ data: { body: '' } })
    })
  }
})

describe('requests (EXT-REQ-002..006)', () => {
  async function call(w: TestWorker, api: string, fn: string, args: unknown[]) {
    const id = w.request('tool-execute-request', { toolId: 'call', params: { api, fn, args } })
    const request = (await w.host.waitForType('request', 1000, (m) => !w.host.received.some((r) => (r.message as { type: string; payload?: { requestId?: string } }).type === 'response')))
    return { id, request: request.message as Record<string, unknown> }
  }

  it('a failed response rejects the call with its error, or Unknown error', async () => {
    const w = await worker()
    await w.activate()
    const { id, request } = await call(w, 'storage', 'get', ['k'])
    w.host.send({ type: 'response', id: 'r', payload: { requestId: request['id'], success: false, error: 'Permission denied' } })
    expect(payloadOf(await w.answer('tool-execute-response', id))['result']).toEqual({ success: false, error: 'Permission denied' })
    const second = w.request('tool-execute-request', { toolId: 'call', params: { api: 'storage', fn: 'keys', args: [] } })
    const r2 = await w.host.waitFor((r) => (r.message as { method?: string }).method === 'storage.keys', 1000)
    w.host.send({ type: 'response', id: 'r2', payload: { requestId: (r2.message as { id: string }).id, success: false } })
    expect(payloadOf(await w.answer('tool-execute-response', second))['result']).toEqual({ success: false, error: 'Unknown error' })
  })

  it('times out, cleans up, and ignores the late response', async () => {
    const w = await worker({ requestTimeoutMs: 40 })
    await w.activate()
    const { id, request } = await call(w, 'storage', 'get', ['k'])
    expect(payloadOf(await w.answer('tool-execute-response', id))['result']).toEqual({ success: false, error: 'Request storage.get timed out' })
    w.host.send({ type: 'response', id: 'late', payload: { requestId: request['id'], success: true, data: 1 } })
    w.host.send({ type: 'response', id: 'unknown', payload: { requestId: 'never-sent', success: true } })
    await handled(w)
    expect(w.host.ofType('log').filter((m) => payloadOf(m)['level'] === 'error')).toHaveLength(0)
  })

  it('ignores a second response to the same request', async () => {
    const w = await worker()
    await w.activate()
    const { id, request } = await call(w, 'storage', 'get', ['k'])
    w.host.send({ type: 'response', id: 'a', payload: { requestId: request['id'], success: true, data: 1 } })
    w.host.send({ type: 'response', id: 'b', payload: { requestId: request['id'], success: true, data: 2 } })
    expect(payloadOf(await w.answer('tool-execute-response', id))['result']).toEqual({ success: true, data: 1 })
    await handled(w)
    expect(w.host.ofType('tool-execute-response').filter((m) => payloadOf(m)['requestId'] === id)).toHaveLength(1)
  })

  it('rejects an invalid call locally without sending it', async () => {
    const w = await worker()
    await w.activate()
    const id = w.request('tool-execute-request', { toolId: 'call', params: { api: 'storage', fn: 'getForUser', args: ['a:b', 'k'] } })
    const result = payloadOf(await w.answer('tool-execute-response', id))['result'] as { error: string }
    expect(result.error).toContain('Invalid storage.getForUser request')
    expect(w.host.ofType('request')).toHaveLength(0)
  })

  it('rejects response data of the wrong shape', async () => {
    const w = await worker()
    await w.activate()
    const { id, request } = await call(w, 'storage', 'keys', [])
    w.host.send({ type: 'response', id: 'r', payload: { requestId: request['id'], success: true, data: [1] } })
    expect(String((payloadOf(await w.answer('tool-execute-response', id))['result'] as { error: string }).error)).toContain('Invalid storage.keys response')
  })

  it('gives each request a fresh id', async () => {
    const w = await worker()
    await w.activate()
    for (let i = 0; i < 5; i++) w.request('tool-execute-request', { toolId: 'call', params: { api: 'storage', fn: 'keys', args: [] } })
    await w.host.waitFor(() => w.host.ofType('request').length === 5, 1000)
    expect(new Set(w.host.ofType('request').map((m) => m['id'])).size).toBe(5)
  })
})

describe('streaming fetch (EXT-FETCH-001..006)', () => {
  async function open(mode: 'all' | 'first' = 'all') {
    const w = await worker()
    await w.activate()
    const toolRequest = w.request('tool-execute-request', { toolId: 'fetch-stream', params: { url: 'https://example.com/s', mode } })
    const request = (await w.host.waitForType('request', 1000)).message as { id: string; method: string; payload: { requestId: string } }
    expect(request.method).toBe('network.fetch-stream')
    expect(request.payload.requestId).toBe(request.id)
    const streamId = request.id
    const chunk = (chunk: string, done: boolean, error?: string) =>
      w.host.send({ type: 'streaming-fetch-chunk', id: `c-${Math.random()}`, payload: error === undefined ? { requestId: streamId, chunk, done } : { requestId: streamId, chunk, done, error } })
    const acks = () => w.host.ofType('streaming-fetch-ack').filter((m) => payloadOf(m)['requestId'] === streamId).length
    const waitAcks = (n: number) => w.host.waitFor(() => acks() >= n, 1000)
    return { w, toolRequest, streamId, chunk, acks, waitAcks, request }
  }

  it('acknowledges every chunk once, including done, and yields the data', async () => {
    const s = await open()
    s.w.host.send({ type: 'response', id: 'r', payload: { requestId: s.streamId, success: true, data: { status: 'streaming' } } })
    s.chunk('a', false)
    await s.waitAcks(1)
    s.chunk('b', false)
    await s.waitAcks(2)
    s.chunk('', true)
    await s.waitAcks(3)
    expect(payloadOf(await s.w.answer('tool-execute-response', s.toolRequest))['result']).toEqual({ success: true, data: { chunks: ['a', 'b'] } })
    await handled(s.w)
    expect(s.acks()).toBe(3)
  })

  it('EXT-FETCH-002: a failed response ends the stream with its error (upstream B14)', async () => {
    const s = await open()
    s.w.host.send({ type: 'response', id: 'r', payload: { requestId: s.streamId, success: false, error: 'Network access denied' } })
    expect(payloadOf(await s.w.answer('tool-execute-response', s.toolRequest))['result']).toEqual({ success: false, error: 'Network access denied', data: { chunks: [] } })
  })

  it('EXT-FETCH-003: keeps acknowledging after the consumer stops early (upstream B15)', async () => {
    const s = await open('first')
    s.chunk('a', false)
    await s.w.answer('tool-execute-response', s.toolRequest)
    s.chunk('b', false)
    s.chunk('c', false)
    s.chunk('', true)
    await s.waitAcks(4)
    expect(s.acks()).toBe(4)
  })

  it('EXT-FETCH-004: acknowledges a chunk of an unknown stream', async () => {
    const w = await worker()
    await w.activate()
    w.host.send({ type: 'streaming-fetch-chunk', id: 'c', payload: { requestId: 'ghost', chunk: 'x', done: false } })
    await w.host.waitForType('streaming-fetch-ack', 1000)
    expect(payloadOf(w.host.ofType('streaming-fetch-ack')[0] as Record<string, unknown>)['requestId']).toBe('ghost')
  })

  it('EXT-FETCH-006: delivers chunks received before an error chunk (upstream B17)', async () => {
    const s = await open()
    s.chunk('a', false)
    s.chunk('', true, 'HTTP 500: Internal Server Error')
    expect(payloadOf(await s.w.answer('tool-execute-response', s.toolRequest))['result']).toEqual({ success: false, error: 'HTTP 500: Internal Server Error', data: { chunks: ['a'] } })
    await s.waitAcks(2)
  })

  it('times out a stream whose request is never answered', async () => {
    const w = await worker({ requestTimeoutMs: 40 })
    await w.activate()
    const id = w.request('tool-execute-request', { toolId: 'fetch-stream', params: { url: 'https://example.com/' } })
    expect(payloadOf(await w.answer('tool-execute-response', id))['result']).toMatchObject({ success: false, error: 'Request network.fetch-stream timed out' })
  })
})

describe('scheduler and settings (EXT-SCHED-001..002)', () => {
  const fire = (payload: Record<string, unknown> = {}) => ({ id: 'job-1', payload, scheduledFor: '2026-01-01T00:00:00.000Z', firedAt: '2026-01-01T00:00:00.010Z', delayMs: 10, userId: 'u1' })
  it('runs every onFire callback with the user in the context', async () => {
    const w = await worker()
    await w.activate()
    w.request('scheduler-fire', fire({ n: 1 }))
    const log = await w.log('fired job-1')
    expect(payloadOf(log)['data']).toEqual({ userId: 'u1', payload: { n: 1 } })
  })
  it('a throwing callback is logged and does not stop the others', async () => {
    const w = await worker()
    await w.activate()
    w.request('scheduler-fire', fire({ fail: true }))
    await w.log('fired job-1')
    expect(payloadOf(await w.log('Scheduler callback for job job-1 failed'))['level']).toBe('error')
  })
  it('settings-changed reaches onChange', async () => {
    const w = await worker()
    await w.activate()
    w.request('settings-changed', { key: 'greeting', value: 'hej' })
    expect(payloadOf(await w.log('setting greeting changed'))['data']).toEqual({ value: 'hej' })
  })
})

describe('background tasks (EXT-BG-001..011)', () => {
  const statuses = (w: TestWorker, taskId: string) =>
    w.host.ofType('background-task-status').filter((m) => payloadOf(m)['taskId'] === taskId).map((m) => {
      const p = payloadOf(m)
      return p['error'] === undefined ? p['status'] : `${String(p['status'])}:${String(p['error'])}`
    })
  async function bg(w: TestWorker, params: Record<string, unknown>) {
    const id = w.request('tool-execute-request', { toolId: 'background', params })
    return payloadOf(await w.answer('tool-execute-response', id))['result'] as { success: boolean; data?: unknown; error?: string }
  }

  it('registers with the policy as given and runs on start, reporting health', async () => {
    const w = await worker()
    await w.activate()
    const registered = w.host.ofType('background-task-registered').map(payloadOf)
    expect(registered[0]).toEqual({ taskId: 'always-task', name: 'Always task', userId: 'conformance-user', restartPolicy: { type: 'always' }, payload: { kind: 'always' } })
    w.request('background-task-start', { taskId: 'always-task' })
    const health = payloadOf((await w.host.waitForType('background-task-health', 1000)).message as Record<string, unknown>)
    expect(health).toMatchObject({ taskId: 'always-task', status: 'tick' })
    expect(new Date(String(health['timestamp'])).toISOString()).toBe(health['timestamp'])
    expect(statuses(w, 'always-task')).toEqual(['running'])
  })

  it('EXT-BG-003: one terminal status per run: completion, failure, stop', async () => {
    const w = await worker()
    await w.activate()
    w.request('background-task-start', { taskId: 'never-task' })
    w.request('background-task-start', { taskId: 'on-failure-task' })
    w.request('background-task-start', { taskId: 'always-task' })
    await w.host.waitFor(() => statuses(w, 'always-task').length === 1, 1000)
    w.request('background-task-stop', { taskId: 'always-task' })
    await w.host.waitFor(() => ['never-task', 'on-failure-task', 'always-task'].every((t) => statuses(w, t).length >= 2), 1000)
    await handled(w)
    expect(statuses(w, 'never-task')).toEqual(['running', 'stopped'])
    expect(statuses(w, 'on-failure-task')).toEqual(['running', 'failed:task failed'])
    expect(statuses(w, 'always-task')).toEqual(['running', 'stopped'])
  })

  it('EXT-BG-003: a task that throws when aborted still reports one stopped (upstream B31)', async () => {
    const w = await worker()
    await w.activate()
    await bg(w, { op: 'start', behaviour: 'throw-on-abort', config: { id: 't1', name: 'T', userId: 'u', restartPolicy: { type: 'on-failure' } } })
    w.request('background-task-start', { taskId: 't1' })
    await w.host.waitFor(() => statuses(w, 't1').length === 1, 1000)
    w.request('background-task-stop', { taskId: 't1' })
    await w.host.waitFor(() => statuses(w, 't1').length >= 2, 1000)
    await handled(w) // the task's rejection after the abort has been seen, and sent nothing
    expect(statuses(w, 't1')).toEqual(['running', 'stopped'])
  })

  it('EXT-BG-004: a start while running is ignored (upstream B32)', async () => {
    const w = await worker()
    await w.activate()
    w.request('background-task-start', { taskId: 'always-task' })
    w.request('background-task-start', { taskId: 'always-task' })
    await w.log('already running')
    expect(statuses(w, 'always-task')).toEqual(['running'])
    w.request('background-task-stop', { taskId: 'always-task' })
    await w.host.waitFor(() => statuses(w, 'always-task').length >= 2, 1000)
    await handled(w)
    expect(statuses(w, 'always-task')).toEqual(['running', 'stopped'])
  })

  it('EXT-BG-005: a task the extension stopped is not restarted (upstream B30)', async () => {
    const w = await worker()
    await w.activate()
    w.request('background-task-start', { taskId: 'always-task' })
    await w.host.waitFor(() => statuses(w, 'always-task').length === 1, 1000)
    expect((await bg(w, { op: 'dispose', taskId: 'always-task' })).success).toBe(true)
    w.request('background-task-start', { taskId: 'always-task' })
    await w.log('the extension stopped this task')
    expect(statuses(w, 'always-task')).toEqual(['running', 'stopped'])
  })

  it('EXT-BG-006: a start for an unknown task gets failed', async () => {
    const w = await worker()
    await w.activate()
    w.request('background-task-start', { taskId: 'ghost' })
    await w.host.waitForType('background-task-status', 1000)
    expect(statuses(w, 'ghost')).toEqual(['failed:Unknown background task ghost'])
  })

  it('EXT-BG-007: the payload reaches the task (upstream B33)', async () => {
    const w = await worker()
    await w.activate()
    await bg(w, { op: 'start', behaviour: 'payload', config: { id: 'p1', name: 'P', userId: 'u', restartPolicy: { type: 'never' }, payload: { x: 1 } } })
    w.request('background-task-start', { taskId: 'p1' })
    const health = await w.host.waitForType('background-task-health', 1000, (m) => payloadOf(m)['taskId'] === 'p1')
    expect(payloadOf(health.message as Record<string, unknown>)['status']).toBe('{"x":1}')
  })

  it('EXT-BG-008: getStatus counts restarts', async () => {
    const w = await worker()
    await w.activate()
    for (let i = 0; i < 3; i++) {
      w.request('background-task-start', { taskId: 'never-task' })
      await w.host.waitFor(() => statuses(w, 'never-task').length === (i + 1) * 2, 1000)
    }
    const status = (await bg(w, { op: 'status' })).data as Array<{ taskId: string; restartCount: number; status: string }>
    expect(status.find((s) => s.taskId === 'never-task')).toMatchObject({ restartCount: 2, status: 'stopped' })
    expect(status.find((s) => s.taskId === 'always-task')).toMatchObject({ restartCount: 0, status: 'pending' })
  })

  it('EXT-BG-001: rejects an invalid or duplicate config without sending', async () => {
    const w = await worker()
    await w.activate()
    const before = w.host.ofType('background-task-registered').length
    const dup = await bg(w, { op: 'start', config: { id: 'always-task', name: 'A', userId: 'u', restartPolicy: { type: 'always' } } })
    expect(dup.error).toContain('already registered')
    const bad = await bg(w, { op: 'start', config: { id: 'x', name: 'X', userId: 'u', restartPolicy: { type: 'sometimes' } } })
    expect(bad.error).toContain('Invalid background task config')
    expect(w.host.ofType('background-task-registered')).toHaveLength(before)
  })

  it('stopping a task that never ran reports stopped once', async () => {
    const w = await worker()
    await w.activate()
    await bg(w, { op: 'stop', taskId: 'never-task' })
    await bg(w, { op: 'stop', taskId: 'never-task' })
    expect(statuses(w, 'never-task')).toEqual(['stopped'])
  })
})

describe('transport failures', () => {
  it('reports a message the transport cannot send as a log instead of throwing', async () => {
    const [hostEnd, workerEnd] = createMemoryPair()
    const host = new HostPeer(hostEnd)
    let first = true
    const runtime = createWorkerRuntime({
      transport: {
        send: (m) => {
          if (first && (m as { type: string }).type !== 'log') {
            first = false
            throw new Error('DataCloneError')
          }
          workerEnd.send(m)
        },
        onMessage: (l) => workerEnd.onMessage(l),
      },
      module: { activate: () => undefined },
    })
    const log = await host.waitForType('log', 1000)
    expect(String(payloadOf(log.message as Record<string, unknown>)['message'])).toContain('Could not send ready: DataCloneError')
    runtime.dispose()
    await host.close()
  })
})

describe('registrations are announced as given or refused (EXT-LIFE-013)', () => {
  it('refuses a tool whose name is a LocalizedString, naming the message, path and problem, and sends nothing', async () => {
    let thrown: unknown
    const w = await worker({
      module: {
        activate(ctx) {
          try {
            ctx.tools?.register({ id: 'loc', name: { en: 'Localized', sv: 'Lokaliserad' } as unknown as string, description: 'd', execute: () => ({ success: true }) })
          } catch (error) {
            thrown = error
          }
          ctx.tools?.register({ id: 'plain', name: 'Plain', description: 'd', execute: () => ({ success: true }) })
          ctx.log.info('conformance extension activated')
        },
      },
    })
    await w.activate({ permissions: ['tools.register'] })
    expect(thrown).toBeInstanceOf(TypeError)
    expect(String((thrown as Error).message)).toMatch(/^Tool loc cannot be registered: .*tool-registered.*\/payload\/name.*expected string/)
    expect(w.host.ofType('tool-registered').map((m) => payloadOf(m))).toEqual([{ id: 'plain', name: 'Plain', description: 'd' }])
    const id = w.request('tool-execute-request', { toolId: 'loc', params: {} })
    expect(payloadOf(await w.answer('tool-execute-response', id))['error']).toBe('Tool loc not found')
  })

  it('refuses a provider whose name is not a string', async () => {
    let thrown: unknown
    const w = await worker({
      module: {
        activate(ctx) {
          try {
            ctx.providers?.register({ id: 'p', name: { en: 'P' } as unknown as string, getModels: async () => [], chat: async function* () {} })
          } catch (error) {
            thrown = error
          }
          ctx.log.info('conformance extension activated')
        },
      },
    })
    await w.activate({ permissions: ['provider.register'] })
    expect(String((thrown as Error | undefined)?.message)).toContain('/payload/name')
    expect(w.host.ofType('provider-registered')).toHaveLength(0)
  })
})

describe('response data is read tolerantly (EXT-REQ-006, EXT-REQ-007)', () => {
  async function answerWith(method: string, api: string, fn: string, args: unknown[], data: unknown) {
    const w = await worker()
    await w.activate()
    const id = w.request('tool-execute-request', { toolId: 'call', params: { api, fn, args } })
    const request = (await w.host.waitForType('request', 1000)).message as Record<string, unknown>
    expect(request['method']).toBe(method)
    w.host.send({ type: 'response', id: 'r', payload: { requestId: request['id'], success: true, data } })
    return payloadOf(await w.answer('tool-execute-response', id))['result']
  }

  it('accepts null for an optional field and undeclared fields, and passes the data on unchanged', async () => {
    const profile = { firstName: null, nickname: 'Nick', pronouns: 'they' }
    expect(await answerWith('user.getProfile', 'user', 'getProfile', [], profile)).toEqual({ success: true, data: profile })
  })

  it('accepts undeclared fields in nested data', async () => {
    const data = { status: 200, statusText: 'OK', headers: {}, body: 'x', url: 'https://example.com/', redirected: false }
    expect(await answerWith('network.fetch', 'network', 'fetch', ['https://example.com/'], data)).toMatchObject({ success: true, data: { status: 200, body: 'x' } })
  })

  it('ignores data sent for a method that returns nothing', async () => {
    expect(await answerWith('settings.set', 'settings', 'set', ['k', 1], { saved: true })).toEqual({ success: true, data: null })
  })

  it('still rejects null for a required field and a declared field of the wrong type', async () => {
    const nullStatus = await answerWith('network.fetch', 'network', 'fetch', ['https://example.com/'], { status: null, statusText: 'OK', headers: {}, body: '' })
    expect(nullStatus).toMatchObject({ success: false, error: expect.stringMatching(/^Invalid network\.fetch response: .*\/payload\/data\/status/) })
    const wrongType = await answerWith('user.getProfile', 'user', 'getProfile', [], { firstName: 42 })
    expect(wrongType).toMatchObject({ success: false, error: expect.stringMatching(/^Invalid user\.getProfile response: .*\/payload\/data\/firstName/) })
  })
})

describe('blind spots of the suite, handled', () => {
  it('EXT-FETCH-007: an error chunk that arrives while the consumer holds a chunk still fails the stream', async () => {
    const w = await worker()
    await w.activate()
    const tool = w.request('tool-execute-request', { toolId: 'fetch-stream', params: { url: 'https://example.com/s', hold: true } })
    const stream = ((await w.host.waitForType('request', 1000)).message as { id: string }).id
    w.host.send({ type: 'response', id: 'r', payload: { requestId: stream, success: true, data: { status: 'streaming' } } })
    w.host.send({ type: 'streaming-fetch-chunk', id: 'c1', payload: { requestId: stream, chunk: 'a', done: false } })
    const hold = (await w.host.waitFor((r) => (r.message as { method?: string }).method === 'events.emit', 1000)).message as { id: string }
    w.host.send({ type: 'streaming-fetch-chunk', id: 'c2', payload: { requestId: stream, chunk: '', done: true, error: 'HTTP 502' } })
    w.host.send({ type: 'response', id: 'r2', payload: { requestId: hold.id, success: true } })
    expect(payloadOf(await w.answer('tool-execute-response', tool))['result']).toEqual({ success: false, error: 'HTTP 502', data: { chunks: ['a'] } })
    expect(w.host.ofType('streaming-fetch-ack')).toHaveLength(2)
  })

  it('EXT-FETCH-008: an invalid chunk of a live stream is neither delivered nor acknowledged', async () => {
    const w = await worker()
    await w.activate()
    const tool = w.request('tool-execute-request', { toolId: 'fetch-stream', params: { url: 'https://example.com/s' } })
    const stream = ((await w.host.waitForType('request', 1000)).message as { id: string }).id
    w.host.send({ type: 'response', id: 'r', payload: { requestId: stream, success: true, data: { status: 'streaming' } } })
    w.host.send({ type: 'streaming-fetch-chunk', id: 'c1', payload: { requestId: stream, chunk: 42, done: false } })
    w.host.send({ type: 'streaming-fetch-chunk', id: 'c2', payload: { requestId: stream, chunk: 'b', done: false } })
    w.host.send({ type: 'streaming-fetch-chunk', id: 'c3', payload: { requestId: stream, chunk: '', done: true } })
    expect(payloadOf(await w.answer('tool-execute-response', tool))['result']).toEqual({ success: true, data: { chunks: ['b'] } })
    expect(w.host.ofType('streaming-fetch-ack')).toHaveLength(2)
  })

  it('EXT-IN-001: invalid settings-changed, scheduler-fire and background-task-stop reach no extension code', async () => {
    const w = await worker()
    await w.activate()
    w.request('background-task-start', { taskId: 'always-task' })
    await w.host.waitForType('background-task-status', 1000)
    w.request('settings-changed', { key: 42, value: 'x' })
    w.request('scheduler-fire', { id: 7, scheduledFor: '2026-01-01T00:00:00.000Z', firedAt: '2026-01-01T00:00:00.000Z', delayMs: 0, userId: 'u' })
    w.request('background-task-stop', { taskId: ['always-task'] })
    await handled(w)
    const infos = w.host.ofType('log').filter((m) => payloadOf(m)['level'] === 'info').map((m) => String(payloadOf(m)['message']))
    expect(infos).toEqual(['conformance extension activated'])
    expect(w.host.ofType('background-task-status').map((m) => payloadOf(m)['status'])).toEqual(['running'])
  })

  it('EXT-LIFE-009: messages that arrive while activate awaits reach handlers registered after the await', async () => {
    const w = await worker()
    w.host.send({ type: 'activate', id: 'a', payload: { extensionId: 'conformance-late-register', extensionVersion: '1', storagePath: '/s', permissions: ALL_PERMISSIONS, settings: {} } })
    const getAll = (await w.host.waitForType('request', 1000)).message as { id: string; method: string }
    expect(getAll.method).toBe('settings.getAll')
    w.request('settings-changed', { key: 'greeting', value: 'hej' })
    const tool = w.request('tool-execute-request', { toolId: 'echo', params: { n: 1 } })
    expect(w.host.ofType('tool-registered')).toHaveLength(0)
    w.host.send({ type: 'response', id: 'r', payload: { requestId: getAll.id, success: true, data: {} } })
    expect(payloadOf(await w.answer('tool-execute-response', tool))['result']).toEqual({ success: true, data: { n: 1 } })
    expect(payloadOf(await w.log('setting greeting changed'))['data']).toEqual({ value: 'hej' })
  })
})
