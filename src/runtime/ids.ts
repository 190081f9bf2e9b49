/**
 * Request ids: `<ms timestamp>-<base-36 counter><base-36 random>`, in upstream's format but unique
 * within one runtime (upstream ids can collide, B11). Each runtime owns its generator.
 */

/** Creates an id generator. */
export function createIdGenerator(now: () => number = Date.now): () => string {
  let counter = 0
  return () => {
    counter = (counter + 1) % Number.MAX_SAFE_INTEGER
    return `${now()}-${counter.toString(36)}${Math.random().toString(36).slice(2, 7)}`
  }
}
