/**
 * Safe descriptions of arbitrary JavaScript values for error messages, and a search for the first
 * property that cannot be read. Nothing here throws, recurses without bound or mutates its input.
 */

const MAX_STRING = 60
const MAX_KEYS = 5

/** Describes a value in a few words: `string "abc"`, `number 42`, `object {a, b}`, `array(3)`, `absent`. */
export function describeValue(value: unknown): string {
  try {
    switch (typeof value) {
      case 'undefined':
        return 'absent'
      case 'string':
        return value.length > MAX_STRING
          ? `string ${JSON.stringify(value.slice(0, MAX_STRING))}… (${value.length} chars)`
          : `string ${JSON.stringify(value)}`
      case 'number':
      case 'boolean':
      case 'bigint':
        return `${typeof value} ${String(value)}`
      case 'symbol':
        return 'symbol'
      case 'function':
        return 'function'
      default:
        break
    }
    if (value === null) return 'null'
    if (Array.isArray(value)) return `array(${value.length})`
    const keys = Object.keys(value as object)
    const shown = keys.slice(0, MAX_KEYS).map((k) => (k.length > 20 ? `${k.slice(0, 20)}…` : k))
    const more = keys.length > MAX_KEYS ? `, …${keys.length - MAX_KEYS} more` : ''
    return `object {${shown.join(', ')}${more}}`
  } catch (error) {
    return `unreadable value (${describeThrown(error)})`
  }
}

/** Text of something thrown, without trusting it. */
export function describeThrown(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 200)
    return String(error).slice(0, 200)
  } catch {
    return 'unprintable error'
  }
}

/** Escapes one JSON-pointer segment. */
export function pointerSegment(key: string | number): string {
  const text = String(key)
  return text.includes('~') || text.includes('/') ? text.replace(/~/g, '~0').replace(/\//g, '~1') : text
}

/**
 * Finds the first path at which reading the value throws (a throwing getter, a revoked proxy,
 * a proxy trap that throws). Breadth-first, at most `budget` nodes, cycle-safe.
 * Returns undefined when everything read cleanly within the budget.
 */
export function findUnreadable(value: unknown, budget = 10_000): { path: string; reason: string } | undefined {
  const seen = new Set<unknown>()
  const queue: Array<{ v: unknown; path: string }> = [{ v: value, path: '' }]
  let head = 0
  while (head < queue.length && head < budget) {
    const { v, path } = queue[head++] as { v: unknown; path: string }
    let keys: Array<string | symbol>
    try {
      if (typeof v !== 'object' || v === null || seen.has(v)) continue
      seen.add(v)
      keys = Reflect.ownKeys(v)
    } catch (error) {
      return { path, reason: describeThrown(error) }
    }
    for (const key of keys) {
      if (typeof key !== 'string') continue
      const child = `${path}/${pointerSegment(key)}`
      try {
        queue.push({ v: (v as Record<string, unknown>)[key], path: child })
      } catch (error) {
        return { path: child, reason: describeThrown(error) }
      }
    }
  }
  return undefined
}
