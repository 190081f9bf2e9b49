/**
 * The copy a postMessage makes, made cheaply for the messages this protocol carries. Protocol
 * messages are trees of plain objects, dense arrays and primitives; for those a copy in JavaScript
 * gives exactly what `structuredClone` gives, at a fraction of its cost (in Node it round-trips
 * through a MessagePort). Anything else (a Date, a Map, a class instance, a shared or cyclic
 * reference, a sparse array or one with extra properties, a function) falls back to
 * `structuredClone` itself, so its result and its errors are the platform's.
 */

/** Returned by the plain copy when the value is not a plain tree. */
const NOT_PLAIN: unique symbol = Symbol('not plain')

/** Deeper than any protocol message: beyond it the platform's clone decides. */
const MAX_DEPTH = 64

/** A structured clone of `value`: the same result (or the same error) as `structuredClone(value)`. */
export function structuredCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return typeof value === 'function' || typeof value === 'symbol' ? structuredClone(value) : value
  const copied = copyPlain(value, 0, new Set())
  return copied === NOT_PLAIN ? structuredClone(value) : copied
}

function copyPlain(value: unknown, depth: number, seen: Set<object>): unknown {
  if (typeof value !== 'object') return typeof value === 'function' || typeof value === 'symbol' ? NOT_PLAIN : value
  if (value === null) return null
  // A second reference to one object is one object in a structured clone: the platform keeps that.
  if (depth > MAX_DEPTH || seen.has(value)) return NOT_PLAIN
  seen.add(value)
  if (Array.isArray(value)) {
    if (Object.getPrototypeOf(value) !== Array.prototype) return NOT_PLAIN
    const length = value.length
    // Holes and extra named properties survive a structured clone; leave those to the platform.
    if (Object.keys(value).length !== length) return NOT_PLAIN
    const out = new Array<unknown>(length)
    for (let i = 0; i < length; i++) {
      const item = copyPlain(value[i], depth + 1, seen)
      if (item === NOT_PLAIN) return NOT_PLAIN
      out[i] = item
    }
    return out
  }
  const proto = Object.getPrototypeOf(value) as unknown
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(value)) {
    if (key === '__proto__') return NOT_PLAIN // an own "__proto__" key: assigning it would set the prototype
    const item = copyPlain((value as Record<string, unknown>)[key], depth + 1, seen)
    if (item === NOT_PLAIN) return NOT_PLAIN
    out[key] = item
  }
  return out
}
