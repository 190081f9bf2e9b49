/** Loading with the pollution of Object.prototype lifted, and put back exactly. */
import { afterEach, describe, expect, it } from 'vitest'
import { withPrototypeUnpolluted } from './unpolluted.js'

const proto = Object.prototype as Record<string, unknown>

/** What a bundler's export helper does: every key a for...in visits becomes a getter. */
function defineExports(all: Record<string, () => unknown>): Record<string, unknown> {
  const target = {}
  for (const name in all) Object.defineProperty(target, name, { get: all[name], enumerable: true })
  return target
}

afterEach(() => {
  for (const key of ['polluted', 'other', 'stuck']) {
    const d = Object.getOwnPropertyDescriptor(proto, key)
    if (d?.configurable) delete proto[key]
  }
})

describe('withPrototypeUnpolluted', () => {
  it('runs the load as is on a clean prototype', () => {
    expect(withPrototypeUnpolluted(() => defineExports({ A: () => 1 }))).toHaveProperty('A', 1)
  })

  it('lifts enumerable pollution for the load, then puts it back with its own descriptors', () => {
    proto['polluted'] = 1
    Object.defineProperty(proto, 'other', { value: 2, enumerable: true, configurable: true, writable: true })
    const before = ['polluted', 'other'].map((k) => Object.getOwnPropertyDescriptor(proto, k))
    expect(() => defineExports({ A: () => 1 })).toThrow(TypeError) // what broke the lazily loaded checks
    const loaded = withPrototypeUnpolluted(() => {
      expect(Object.keys(proto)).toEqual([])
      return defineExports({ A: () => 1 })
    })
    expect(Object.keys(loaded as object)).toEqual(['A'])
    expect(['polluted', 'other'].map((k) => Object.getOwnPropertyDescriptor(proto, k))).toEqual(before)
  })

  it('puts the pollution back when the load throws', () => {
    proto['polluted'] = 1
    expect(() => withPrototypeUnpolluted(() => { throw new Error('load failed') })).toThrow('load failed')
    expect(proto['polluted']).toBe(1)
  })

  it('does not load when pollution cannot be lifted (not configurable)', () => {
    // A non-configurable key stays for the life of the process: this file runs in a process of its
    // own (ISOLATED in vitest.config.ts), and this is its last test.
    Object.defineProperty(proto, 'stuck', { value: 1, enumerable: true, configurable: false, writable: true })
    proto['polluted'] = 1
    let called = false
    expect(withPrototypeUnpolluted(() => (called = true))).toBeUndefined()
    expect(called).toBe(false)
    expect(proto['polluted']).toBe(1) // nothing lifted
  })
})
