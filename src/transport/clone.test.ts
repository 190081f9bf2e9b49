/** The cheap structured copy gives what structuredClone gives, for plain trees and everything else. */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { structuredCopy } from './clone.js'

/** Same structure, same prototypes, same sharing, as a structured clone of the same value. */
function expectSameAsPlatform(value: unknown): void {
  const platform = structuredClone(value)
  const ours = structuredCopy(value)
  expect(ours).toStrictEqual(platform)
  if (typeof value === 'object' && value !== null) expect(ours).not.toBe(value)
}

describe('structuredCopy', () => {
  it('copies JSON-like trees exactly as structuredClone does', () => {
    fc.assert(fc.property(fc.jsonValue(), (v) => expectSameAsPlatform(v)), { numRuns: 500 })
    expectSameAsPlatform({ a: undefined, b: -0, c: NaN, d: 10n, e: [1, 'x', null, { f: true }] })
    expectSameAsPlatform(Object.assign(Object.create(null) as object, { x: 1 }))
  })

  it('leaves what is not a plain tree to the platform', () => {
    const shared = { n: 1 }
    const sharing = structuredCopy({ a: shared, b: shared }) as { a: object; b: object }
    expect(sharing.a).toBe(sharing.b)
    const cyclic: Record<string, unknown> = { x: 1 }
    cyclic['self'] = cyclic
    const copy = structuredCopy(cyclic) as Record<string, unknown>
    expect(copy['self']).toBe(copy)
    const sparse = [1, , 3] // eslint-disable-line no-sparse-arrays
    expect(1 in (structuredCopy(sparse) as unknown[])).toBe(false)
    const named = Object.assign([1, 2], { extra: 'kept' })
    expect((structuredCopy(named) as unknown as { extra: string }).extra).toBe('kept')
    expect(structuredCopy({ when: new Date(5) })).toStrictEqual({ when: new Date(5) })
    expect(structuredCopy(new Map([[1, 2]]))).toStrictEqual(new Map([[1, 2]]))
    class Point {
      constructor(readonly x: number) {}
    }
    expectSameAsPlatform({ p: new Point(1) })
    const proto = JSON.parse('{"__proto__": {"polluted": true}, "ok": 1}') as object
    const protoCopy = structuredCopy(proto) as Record<string, unknown>
    expect(Object.getPrototypeOf(protoCopy)).toBe(Object.prototype)
    expect(protoCopy).toStrictEqual(structuredClone(proto))
    let deep: unknown = 'leaf'
    for (let i = 0; i < 200; i++) deep = { d: deep }
    expectSameAsPlatform(deep)
  })

  it('throws what structuredClone throws', () => {
    for (const bad of [{ f: () => 1 }, [Symbol('s')], () => 1, Symbol('t')]) {
      let platform: unknown
      try {
        structuredClone(bad)
      } catch (error) {
        platform = error
      }
      expect(platform).toBeInstanceOf(Error)
      expect(() => structuredCopy(bad)).toThrow((platform as Error).message)
    }
  })
})
