/**
 * The one abortable sleep of the runners (worker and host role): a deadline that stops a fixture
 * ends its waits at once, so no timer outlives a stopped fixture.
 */

/** Thrown into a fixture's waits when its deadline (or the run's) stops it. */
export class Stopped extends Error {
  constructor() {
    super('stopped')
    this.name = 'Stopped'
  }
}

/** Sleeps `ms`; an abort ends the sleep at once with {@link Stopped}. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new Stopped())
    const onAbort = () => {
      clearTimeout(timer)
      reject(new Stopped())
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
