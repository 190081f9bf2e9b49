/**
 * The validators never throw, never hang and never mutate, whatever JavaScript value they get
 * (issue "The protocol as code", point 6), and their errors name type, path, expected and received.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createValidator } from './compile.js'
import {
  assertHostToWorkerMessage,
  assertWorkerToHostMessage,
  isWorkerToHostMessage,
  precompiledValidator,
  ProtocolValidationError,
  validateHostToWorker,
  validateRequest,
  validateResponse,
  validateWorkerToHost,
  type ValidationResult,
} from './index.js'

const toolResponse = () => ({ type: 'tool-execute-response', payload: { requestId: 'r1', result: { success: true, data: { a: 1 } } } })

function codes(result: ValidationResult<unknown>): string[] {
  return result.ok ? [] : result.errors.map((e) => `${e.code} ${e.path}`)
}

// Every guarantee holds for the precompiled validators (the package's) and for compiled ones alike.
const FACTORIES = { precompiled: precompiledValidator, compiled: createValidator } as const
for (const [kind, factory] of Object.entries(FACTORIES)) {
describe(`${kind} validators`, () => {
  const strict = factory({ mode: 'strict' })
  const tolerant = factory({ mode: 'tolerant' })

  describe('any JavaScript value gets a result', () => {
    // Each value with the codes it gets: worker->host in strict mode, in tolerant mode, and host->worker (both modes).
    const notAnObject = ['EXT-WIRE-001 ']
    const unknownType = ['EXT-WIRE-002 /type']
    const noType = ['EXT-WIRE-003 /type']
    const hostile: Array<[string, () => unknown, string[], string[], string[]]> = [
      ['null', () => null, notAnObject, notAnObject, notAnObject],
      ['undefined', () => undefined, notAnObject, notAnObject, notAnObject],
      ['a number', () => 42, notAnObject, notAnObject, notAnObject],
      ['NaN', () => Number.NaN, notAnObject, notAnObject, notAnObject],
      ['a string', () => 'ready', notAnObject, notAnObject, notAnObject],
      ['a symbol', () => Symbol('x'), notAnObject, notAnObject, notAnObject],
      ['a bigint', () => 10n, notAnObject, notAnObject, notAnObject],
      ['a function', () => () => 1, notAnObject, notAnObject, notAnObject],
      ['an array', () => [{ type: 'ready' }], notAnObject, notAnObject, notAnObject],
      // JSON.parse makes "__proto__" an own property: an undeclared one, not a prototype switch.
      ['an object with a __proto__ key', () => JSON.parse('{"type":"ready","__proto__":{"x":1}}'), ['EXT-WIRE-006 /__proto__'], [], unknownType],
      ['an object with a constructor key', () => ({ type: 'constructor', constructor: 1 }), unknownType, unknownType, unknownType],
      ['type "__proto__"', () => JSON.parse('{"type":"__proto__"}'), unknownType, unknownType, unknownType],
      ['type "toString"', () => ({ type: 'toString' }), unknownType, unknownType, unknownType],
      ['an object without a prototype', () => Object.assign(Object.create(null), { type: 'ready' }), [], [], unknownType],
      ['a Map', () => new Map([['type', 'ready']]), noType, noType, noType],
      ['a Date', () => new Date(), noType, noType, noType],
    ]
    for (const [name, make, strictCodes, tolerantCodes, hostCodes] of hostile) {
      it(`${name}`, () => {
        expect(codes(strict.validateWorkerToHost(make()))).toEqual(strictCodes)
        expect(codes(tolerant.validateWorkerToHost(make()))).toEqual(tolerantCodes)
        expect(codes(strict.validateHostToWorker(make()))).toEqual(hostCodes)
        expect(codes(tolerant.validateHostToWorker(make()))).toEqual(hostCodes)
      })
    }

    it('accepts an object without a prototype when it is otherwise valid', () => {
      expect(strict.validateWorkerToHost(Object.assign(Object.create(null), { type: 'ready' })).ok).toBe(true)
    })

    it('a cyclic object', () => {
      const payload: Record<string, unknown> = { level: 'info', message: 'm' }
      const data: Record<string, unknown> = {}
      data['self'] = data
      payload['data'] = data
      expect(strict.validateWorkerToHost({ type: 'log', payload }).ok).toBe(true)
      const bad: Record<string, unknown> = { type: 'log' }
      bad['payload'] = bad
      const result = strict.validateWorkerToHost(bad)
      expect(result.ok).toBe(false)
    })

    it('an object whose getter throws', () => {
      const msg = { type: 'tool-execute-response', payload: { requestId: 'r', result: {} } }
      Object.defineProperty(msg.payload.result, 'success', { enumerable: true, get: () => { throw new Error('boom') } })
      const result = strict.validateWorkerToHost(msg)
      expect(codes(result)).toEqual(['EXT-WIRE-007 /payload/result/success'])
      expect(result.ok ? '' : result.errors[0]?.received).toContain('boom')
    })

    it('a getter that throws on type', () => {
      const msg = {}
      Object.defineProperty(msg, 'type', { get: () => { throw new Error('no') } })
      expect(codes(strict.validateWorkerToHost(msg))).toEqual(['EXT-WIRE-007 /type'])
    })

    it('a Proxy whose traps throw, and a revoked Proxy', () => {
      const trapping = new Proxy({ type: 'ready' }, { ownKeys: () => { throw new Error('trap') }, get: (t, k) => Reflect.get(t, k) })
      // Strict mode must list the keys to find undeclared ones; tolerant mode reads only declared fields.
      expect(codes(strict.validateWorkerToHost(trapping))).toEqual(['EXT-WIRE-007 '])
      expect(tolerant.validateWorkerToHost(trapping).ok).toBe(true)
      const { proxy, revoke } = Proxy.revocable({ type: 'ready' }, {})
      revoke()
      expect(codes(strict.validateWorkerToHost(proxy))).toEqual(['EXT-WIRE-007 '])
    })

    it('a well-behaved Proxy is validated like its target', () => {
      expect(strict.validateWorkerToHost(new Proxy(toolResponse(), {})).ok).toBe(true)
    })

    it('a 10 MB string', () => {
      const big = 'x'.repeat(10 * 1024 * 1024)
      expect(strict.validateWorkerToHost({ type: 'log', payload: { level: 'info', message: big } }).ok).toBe(true)
      const result = strict.validateWorkerToHost({ type: 'log', payload: { level: big, message: 'm' } })
      expect(result.ok).toBe(false)
      if (!result.ok) expect(result.errors[0]?.message.length).toBeLessThan(400)
    })

    it('10,000-deep nesting', () => {
      let deep: Record<string, unknown> = {}
      const root = deep
      for (let i = 0; i < 10_000; i++) {
        const next: Record<string, unknown> = {}
        deep['a'] = next
        deep = next
      }
      expect(strict.validateWorkerToHost({ type: 'log', payload: { level: 'info', message: 'm', data: root } }).ok).toBe(true)
      expect(strict.validateWorkerToHost({ type: 'log', payload: root }).ok).toBe(false)
      let arr: unknown[] = []
      const top = arr
      for (let i = 0; i < 10_000; i++) {
        const next: unknown[] = []
        arr.push(next)
        arr = next
      }
      expect(strict.validateHostToWorker({ type: 'database-nothing', payload: top }).ok).toBe(false)
      expect(strict.validateRequest('database.execute', { sql: 'SELECT 1', params: top }).ok).toBe(true)
    })
  })

  describe('validation never mutates its input', () => {
    it('leaves a valid and an invalid message deep-equal to a clone of itself, with no keys added', () => {
      for (const msg of [
        toolResponse(),
        { type: 'tool-execute-response', payload: { requestId: 5, result: { success: 'no' }, extra: true } },
        { type: 'background-task-registered', payload: { taskId: 't', name: 'n', userId: 'u', restartPolicy: { type: 'always' } } },
      ]) {
        const before = structuredClone(msg)
        validateWorkerToHost(msg, { mode: 'strict' })
        validateWorkerToHost(msg, { mode: 'tolerant' })
        expect(msg).toStrictEqual(before)
      }
    })

    it('applies no defaults and no coercion: a numeric string stays invalid and unchanged', () => {
      const msg = { type: 'stream-event', payload: { requestId: 'r', event: { type: 'done', usage: { inputTokens: '1', outputTokens: 2 } } } }
      const result = strict.validateWorkerToHost(msg)
      expect(codes(result)).toEqual(['EXT-WIRE-004 /payload/event/usage/inputTokens'])
      expect(msg.payload.event.usage.inputTokens).toBe('1')
    })

    it('works on frozen input', () => {
      const msg = Object.freeze({ type: 'streaming-fetch-ack', payload: Object.freeze({ requestId: 'r' }) })
      expect(strict.validateWorkerToHost(msg).ok).toBe(true)
    })
  })

  describe('a polluted prototype cannot fool validation', () => {
    const keys = ['type', 'payload', 'requestId', 'result', 'success', 'extra'] as const
    afterEach(() => {
      for (const k of keys) delete (Object.prototype as Record<string, unknown>)[k]
    })

    it('inherited required fields do not count', () => {
      Object.assign(Object.prototype, { payload: { requestId: 'r', result: { success: true } } })
      expect(codes(strict.validateWorkerToHost({ type: 'tool-execute-response' }))).toEqual(['EXT-WIRE-003 /payload'])
      Object.assign(Object.prototype, { requestId: 'r', success: true })
      expect(strict.validateWorkerToHost({ type: 'tool-execute-response', payload: { result: {} } }).ok).toBe(false)
    })

    it('an inherited type does not count', () => {
      Object.assign(Object.prototype, { type: 'ready' })
      expect(strict.validateWorkerToHost({}).ok).toBe(false)
    })

    it('inherited enumerable keys are not unknown properties in strict mode', () => {
      ;(Object.prototype as Record<string, unknown>)['extra'] = 1
      expect(strict.validateWorkerToHost(toolResponse()).ok).toBe(true)
    })
  })

  describe('errors', () => {
    it('name the message type, the path, what was expected and what was received', () => {
      const result = validateWorkerToHost({ type: 'tool-execute-response', payload: { requestId: 42, result: { success: true } } })
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.errors).toHaveLength(1)
      expect(result.errors[0]).toMatchObject({
        code: 'EXT-WIRE-004',
        messageType: 'tool-execute-response',
        path: '/payload/requestId',
        expected: 'string',
        received: 'number 42',
      })
      expect(result.errors[0]?.message).toBe('tool-execute-response: /payload/requestId: expected string, received number 42 [EXT-WIRE-004]')
    })

    it('list every problem at once', () => {
      const result = strict.validateWorkerToHost({ type: 'tool-execute-response', payload: { requestId: 1, result: { success: 'x' }, more: 1 } })
      expect(codes(result).sort()).toEqual(['EXT-WIRE-004 /payload/requestId', 'EXT-WIRE-004 /payload/result/success', 'EXT-WIRE-006 /payload/more'])
    })

    it('for an unknown type list the known types of the direction, and say when the type belongs to the other direction', () => {
      const result = validateHostToWorker({ type: 'ready' })
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.errors[0]?.code).toBe('EXT-WIRE-002')
      expect(result.errors[0]?.expected).toContain('tool-execute-request')
      expect(result.errors[0]?.expected).toContain('background-task-stop')
      expect(result.errors[0]?.received).toContain('worker-to-host')
    })

    it('for a tagged union report only the selected variant', () => {
      const result = strict.validateWorkerToHost({ type: 'stream-event', payload: { requestId: 'r', event: { type: 'tool_start', name: 'x' } } })
      expect(codes(result).sort()).toEqual(['EXT-WIRE-003 /payload/event/toolCallId'])
    })

    it('for a union without a matching variant say which variants exist', () => {
      const result = strict.validateRequest('network.fetch', { url: 'u', options: { headers: 5 } })
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.errors[0]).toMatchObject({ path: '/payload/options/headers', code: 'EXT-WIRE-004' })
    })

    it('for a request name the method and check its payload', () => {
      const result = validateWorkerToHost({ type: 'request', id: 'r', method: 'storage.setForUser', payload: { userId: 'a:b', key: 'k' } })
      expect(result.ok).toBe(false)
      if (result.ok) return
      expect(result.errors[0]).toMatchObject({ method: 'storage.setForUser', path: '/payload/userId', code: 'EXT-WIRE-008' })
    })

    it('for a request without a method or with an unknown one', () => {
      expect(codes(validateWorkerToHost({ type: 'request', id: 'r', payload: {} }))).toEqual(['EXT-WIRE-003 /method'])
      expect(codes(validateWorkerToHost({ type: 'request', id: 'r', method: 'nope', payload: {} }))).toEqual(['EXT-WIRE-009 /method'])
      expect(codes(validateRequest('nope', {}))).toEqual(['EXT-WIRE-009 /method'])
      expect(codes(validateResponse('nope', {}))).toEqual(['EXT-WIRE-009 /method'])
    })
  })

  describe('modes', () => {
    it('strict rejects unknown properties, tolerant accepts them', () => {
      const msg = { type: 'provider-chat-request', id: 'c', payload: { providerId: 'p', messages: [], options: { context: { userId: 'u' } } } }
      expect(codes(strict.validateHostToWorker(msg))).toEqual(['EXT-WIRE-006 /payload/options/context'])
      expect(tolerant.validateHostToWorker(msg).ok).toBe(true)
    })

    it('tolerant is the package default', () => {
      expect(validateWorkerToHost({ type: 'ready', extra: true }).ok).toBe(true)
      expect(validateWorkerToHost({ type: 'ready', extra: true }, { mode: 'strict' }).ok).toBe(false)
    })

    it('a field whose value is undefined counts as absent, as it does after JSON', () => {
      expect(strict.validateWorkerToHost({ type: 'background-task-status', payload: { taskId: 't', status: 'stopped', error: undefined } }).ok).toBe(true)
      expect(codes(strict.validateWorkerToHost({ type: 'streaming-fetch-ack', payload: { requestId: undefined } }))).toEqual(['EXT-WIRE-003 /payload/requestId'])
    })
  })

  describe('responses', () => {
    it('methods without data accept an absent value and null, and reject anything else', () => {
      expect(validateResponse('storage.set', undefined).ok).toBe(true)
      expect(validateResponse('storage.set', null).ok).toBe(true)
      expect(codes(validateResponse('storage.set', 'ok'))).toEqual(['EXT-WIRE-004 /payload/data'])
    })

    it('methods with data reject an absent value', () => {
      expect(codes(validateResponse('storage.keys', undefined))).toEqual(['EXT-WIRE-003 /payload/data'])
    })
  })

  describe('guard and assert forms', () => {
    it('narrow and throw with every error attached', () => {
      expect.assertions(5)
      const value: unknown = toolResponse()
      expect(isWorkerToHostMessage(value)).toBe(true)
      expect(() => assertWorkerToHostMessage(value)).not.toThrow()
      expect(() => assertHostToWorkerMessage(value)).toThrow(ProtocolValidationError)
      try {
        assertWorkerToHostMessage({ type: 'log' })
      } catch (error) {
        expect(error).toBeInstanceOf(ProtocolValidationError)
        expect((error as ProtocolValidationError).errors[0]?.path).toBe('/payload')
      }
    })
  })
})
}

describe('lazy compilation', () => {
  afterEach(() => {
    delete (Object.prototype as Record<string, unknown>)['polluted']
  })

  it('validates like the eager validator', () => {
    const lazy = createValidator({ mode: 'strict', compile: 'lazy' })
    expect(lazy.validateWorkerToHost(toolResponse()).ok).toBe(true)
    expect(codes(lazy.validateWorkerToHost({ type: 'tool-execute-response', payload: { requestId: 1, result: { success: true } } }))).toEqual(['EXT-WIRE-004 /payload/requestId'])
  })

  it('fails closed when its first use meets a polluted prototype, and is never fooled', () => {
    const lazy = createValidator({ mode: 'strict', compile: 'lazy' })
    ;(Object.prototype as Record<string, unknown>)['polluted'] = 1
    const result = lazy.validateWorkerToHost(toolResponse())
    expect(codes(result)).toEqual(['EXT-WIRE-007 '])
    expect(result.ok ? '' : result.errors[0]?.received).toContain('polluted')
  })
})
