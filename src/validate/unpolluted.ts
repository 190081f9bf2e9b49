/**
 * Loading code while `Object.prototype` is polluted. Bundler helpers that define a module's exports
 * iterate over object literals with `for...in`, which also visits enumerable properties that
 * pollution added to `Object.prototype`, and then fail (a polluted key becomes a getter that is not
 * a function). A module loaded on first use, after an extension may have polluted the prototype,
 * must still load: its checks are what judge messages correctly under pollution.
 */

/**
 * Runs `load` with the enumerable properties of `Object.prototype` lifted off for its duration
 * (synchronously: no other code runs meanwhile) and put back exactly as they were. Returns
 * undefined, without calling `load`, when one of them cannot be lifted (not configurable).
 */
export function withPrototypeUnpolluted<T>(load: () => T): T | undefined {
  const proto = Object.prototype as Record<string, unknown>
  const keys = Object.keys(proto)
  if (keys.length === 0) return load()
  const saved = keys.map((key) => [key, Object.getOwnPropertyDescriptor(proto, key) as PropertyDescriptor] as const)
  if (saved.some(([, d]) => d.configurable !== true)) return undefined
  for (const [key] of saved) delete proto[key]
  try {
    return load()
  } finally {
    for (const [key, descriptor] of saved) Object.defineProperty(proto, key, descriptor)
  }
}
