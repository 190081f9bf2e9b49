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

/**
 * What stops one fixture, in either role: its own deadline (`fixture`) or the run's signal
 * (`outside`), whichever comes first. Stopping aborts `signal` (ending every wait) and starts
 * closing the connection once; {@link FixtureStop.close} awaits that same close.
 */
export class FixtureStop {
  private readonly controller = new AbortController()
  private by: 'fixture' | 'outside' | undefined
  private closing: Promise<void> | undefined
  private readonly timer: ReturnType<typeof setTimeout>
  private readonly onOutside = (): void => this.stop('outside')

  constructor(
    private readonly closeConnection: () => Promise<void>,
    deadlineMs: number,
    private readonly outside?: AbortSignal,
  ) {
    this.timer = setTimeout(() => this.stop('fixture'), deadlineMs)
    outside?.addEventListener('abort', this.onOutside, { once: true })
    if (outside?.aborted) this.stop('outside')
  }

  /** Aborted when the fixture is stopped. */
  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** Who stopped the fixture, if anything did. */
  get stoppedBy(): 'fixture' | 'outside' | undefined {
    return this.by
  }

  /** Closes the connection (once; later calls await the same close). Never rejects. */
  close(): Promise<void> {
    return (this.closing ??= this.closeConnection().catch(() => undefined))
  }

  /** The fixture ended on its own: the deadline and the run's signal no longer apply. */
  disarm(): void {
    clearTimeout(this.timer)
    this.outside?.removeEventListener('abort', this.onOutside)
  }

  private stop(by: 'fixture' | 'outside'): void {
    if (this.by !== undefined) return
    this.by = by
    this.controller.abort()
    void this.close()
  }
}
