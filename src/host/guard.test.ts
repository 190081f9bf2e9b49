import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { arbitraryOf } from '../../conformance/fuzz/arbitrary.js'
import { WorkerToHostMessage } from '../protocol/catalogue.js'
import { createValidator } from '../validate/compile.js'
import { validatorFor } from '../validate/index.js'
import { createInboundGuard, requestIdOf, messageTypeOf, UNKNOWN_MESSAGE_TYPE, type InvalidInbound } from './guard.js'

const tolerant = validatorFor()
/** Valid worker->host messages of every type, derived from the schema. */
const validMessage = arbitraryOf(WorkerToHostMessage).filter((m) => tolerant.validateWorkerToHost(m).ok)

function recorder() {
  const handled: unknown[] = []
  const invalid: InvalidInbound[] = []
  const handlerErrors: unknown[] = []
  return { handled, invalid, handlerErrors }
}

describe('createInboundGuard (EXT-HOST-010)', () => {
  it('passes a valid message to the handler: the same object, once', () => {
    const r = recorder()
    const guard = createInboundGuard((m) => r.handled.push(m), { onInvalid: (i) => r.invalid.push(i) })
    const ready = { type: 'ready' }
    guard(ready)
    expect(r.handled).toHaveLength(1)
    expect(r.handled[0]).toBe(ready)
    expect(r.invalid).toEqual([])
  })

  it('keeps an invalid message from the handler and reports the validator errors with the type', () => {
    const r = recorder()
    const guard = createInboundGuard((m) => r.handled.push(m), { onInvalid: (i) => r.invalid.push(i) })
    const bad = { type: 'stream-event' }
    guard(bad)
    expect(r.handled).toEqual([])
    expect(r.invalid).toHaveLength(1)
    expect(r.invalid[0]?.message).toBe(bad)
    expect(r.invalid[0]?.type).toBe('stream-event')
    expect(r.invalid[0]?.errors.map((e) => e.path)).toContain('/payload')
    expect(r.invalid[0]?.requestId).toBeUndefined()
  })

  it('gives the id of an invalid request that can be answered (EXT-HOST-011), and only then', () => {
    const r = recorder()
    const guard = createInboundGuard(() => undefined, { onInvalid: (i) => r.invalid.push(i) })
    guard({ type: 'request', id: 'r-1', method: 'storage.get', payload: { key: '' } })
    guard({ type: 'request', id: '', method: 'storage.get', payload: { key: 'k' } })
    guard({ type: 'request', id: 7, method: 'storage.get', payload: { key: 'k' } })
    guard({ type: 'request', id: 'r-2', method: 'no.such.method', payload: {} })
    expect(r.invalid.map((i) => i.requestId)).toEqual(['r-1', undefined, undefined, 'r-2'])
    expect(r.invalid[0]?.errors[0]?.message).toContain('/payload/key')
  })

  it('later messages are still handled after invalid ones', () => {
    const r = recorder()
    const guard = createInboundGuard((m) => r.handled.push(m.type), { onInvalid: (i) => r.invalid.push(i) })
    for (const m of [null, { type: 'log' }, 'ready', { type: 'ready' }, [], { type: 'activate' }, { type: 'ready', extra: true }]) guard(m)
    expect(r.handled).toEqual(['ready', 'ready'])
    expect(r.invalid.map((i) => i.type)).toEqual([undefined, 'log', undefined, undefined, 'activate'])
  })

  it('counts per type, valid and invalid, with <unknown> for no readable type', () => {
    const guard = createInboundGuard(() => undefined)
    guard({ type: 'ready' })
    guard({ type: 'ready' })
    guard({ type: 'log', payload: { level: 'info', message: 'hi' } })
    guard({ type: 'log' })
    guard(42)
    guard({ type: 7 })
    guard({ type: '__proto__' })
    const counts = guard.counts()
    expect(counts.valid).toEqual({ ready: 2, log: 1 })
    expect(counts.invalid).toEqual({ log: 1, [UNKNOWN_MESSAGE_TYPE]: 2, ['__proto__']: 1 })
    expect(Object.getOwnPropertyNames(counts.invalid)).toContain('__proto__')
    // A snapshot: later messages do not change it.
    guard({ type: 'ready' })
    expect(counts.valid['ready']).toBe(2)
    expect(guard.counts().valid['ready']).toBe(3)
  })

  it('a throwing or rejecting handler goes to onHandlerError, never to the caller', async () => {
    const r = recorder()
    let calls = 0
    const guard = createInboundGuard(
      () => {
        calls++
        if (calls === 1) throw new Error('boom')
        if (calls === 2) return Promise.reject(new Error('async boom')) as unknown as void
      },
      { onHandlerError: (e, m) => r.handlerErrors.push([(e as Error).message, m.type]) },
    )
    expect(() => guard({ type: 'ready' })).not.toThrow()
    guard({ type: 'ready' })
    guard({ type: 'ready' })
    await new Promise((resolve) => setImmediate(resolve))
    expect(r.handlerErrors).toEqual([
      ['boom', 'ready'],
      ['async boom', 'ready'],
    ])
    expect(guard.counts().valid).toEqual({ ready: 3 })
  })

  it('throwing callbacks and a throwing handler without onHandlerError never reach the caller', () => {
    const guard = createInboundGuard(
      () => {
        throw new Error('handler')
      },
      {
        onInvalid: () => {
          throw new Error('onInvalid')
        },
        onHandlerError: () => {
          throw new Error('onHandlerError')
        },
      },
    )
    expect(() => guard({ type: 'ready' })).not.toThrow()
    expect(() => guard({ type: 'nope' })).not.toThrow()
    const bare = createInboundGuard(() => {
      throw new Error('handler')
    })
    expect(() => bare({ type: 'ready' })).not.toThrow()
  })

  it('survives hostile values: throwing getters, revoked proxies, cycles, huge strings, polluting keys', () => {
    const r = recorder()
    const guard = createInboundGuard((m) => r.handled.push(m), { onInvalid: (i) => r.invalid.push(i) })
    const getter = Object.defineProperty({}, 'type', {
      enumerable: true,
      get() {
        throw new Error('getter')
      },
    })
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    const cyclic: Record<string, unknown> = { type: 'log' }
    cyclic['payload'] = cyclic
    const huge = { type: 'x'.repeat(10_000_000) }
    const polluting = JSON.parse('{"type":"log","payload":{"level":"info","message":"m","__proto__":{"polluted":true}}}') as unknown
    const hostile = [getter, proxy, cyclic, huge, polluting, undefined, Symbol('s'), () => 1, 10n, new Map()]
    for (const value of hostile) expect(() => guard(value)).not.toThrow()
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
    // The polluting-key log is a valid log (tolerant mode ignores extra keys): it reaches the handler unchanged.
    expect(r.handled).toEqual([polluting])
    expect(r.invalid).toHaveLength(hostile.length - 1)
    expect(r.invalid.find((i) => i.message === huge)?.errors[0]?.message.length).toBeLessThan(2000)
  })

  it('uses the validator it is given: strict rejects undeclared properties that tolerant accepts', () => {
    const strict = createInboundGuard(() => undefined, { validator: createValidator({ mode: 'strict' }) })
    const relaxed = createInboundGuard(() => undefined)
    const message = { type: 'ready', extra: 1 }
    strict(message)
    relaxed(message)
    expect(strict.counts().invalid).toEqual({ ready: 1 })
    expect(relaxed.counts().valid).toEqual({ ready: 1 })
  })

  it('refuses at creation a validator that cannot validate worker messages', () => {
    expect(() => createInboundGuard(() => undefined, { validator: createValidator({ scope: ['host-to-worker'] }) })).toThrow(/worker-to-host/)
  })

  it('property: any value in, never throws; exactly the valid ones reach the handler, unchanged', () => {
    const anyInput = fc.oneof(validMessage, fc.anything(), fc.record({ type: fc.string(), payload: fc.anything() }))
    fc.assert(
      fc.property(fc.array(anyInput, { maxLength: 20 }), (inputs) => {
        const handled: unknown[] = []
        let invalid = 0
        const guard = createInboundGuard((m) => handled.push(m), { onInvalid: () => invalid++ })
        const expected = inputs.filter((m) => tolerant.validateWorkerToHost(m).ok)
        for (const m of inputs) guard(m)
        expect(handled).toHaveLength(expected.length)
        handled.forEach((m, i) => expect(m).toBe(expected[i]))
        expect(invalid).toBe(inputs.length - expected.length)
        const counts = guard.counts()
        const total = (o: Readonly<Record<string, number>>) => Object.values(o).reduce((a, b) => a + b, 0)
        expect(total(counts.valid)).toBe(expected.length)
        expect(total(counts.invalid)).toBe(invalid)
      }),
      { numRuns: 200 },
    )
  })

  it('property: every message type of the protocol passes when valid', () => {
    const seen = new Set<string>()
    fc.assert(
      fc.property(validMessage, (m) => {
        let got: unknown
        createInboundGuard((x) => (got = x))(m)
        expect(got).toBe(m)
        seen.add(messageTypeOf(m) as string)
      }),
      { numRuns: 400 },
    )
    expect(seen.size).toBe(14)
  })
})

describe('messageTypeOf and requestIdOf', () => {
  it('read safely', () => {
    expect(messageTypeOf({ type: 'ready' })).toBe('ready')
    expect(messageTypeOf({ type: 1 })).toBeUndefined()
    expect(messageTypeOf(null)).toBeUndefined()
    const { proxy, revoke } = Proxy.revocable({}, {})
    revoke()
    expect(messageTypeOf(proxy)).toBeUndefined()
    expect(requestIdOf(proxy)).toBeUndefined()
    expect(requestIdOf({ type: 'request', id: 'a' })).toBe('a')
    expect(requestIdOf({ type: 'log', id: 'a' })).toBeUndefined()
    expect(requestIdOf({ type: 'request', id: '' })).toBeUndefined()
  })
})
