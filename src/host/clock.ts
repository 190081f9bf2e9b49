/**
 * Time, injected. Every host piece that waits (ready timeout, backoff, ack timeout, backend timeout)
 * takes a {@link Clock}, so a host can run on real time and a test can run a 60 s backoff in
 * microseconds on a {@link VirtualClock}. No piece calls the global timers directly.
 */

/** An opaque handle of a scheduled callback. */
export interface TimerHandle {
  readonly __timer: unique symbol
}

/** The timers a host piece may use. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; never goes backwards. */
  now(): number
  /** Calls `callback` once, after `ms` (clamped to 0 or more). */
  setTimeout(callback: () => void, ms: number): TimerHandle
  /** Cancels a callback; unknown or already-run handles are ignored. */
  clearTimeout(handle: TimerHandle): void
}

/** Real time: the platform's timers (any JS environment, Node or browser). */
export function systemClock(): Clock {
  return {
    now: () => performance.now(),
    setTimeout: (callback, ms) => globalThis.setTimeout(callback, Math.max(0, ms)) as unknown as TimerHandle,
    clearTimeout: (handle) => globalThis.clearTimeout(handle as unknown as Parameters<typeof globalThis.clearTimeout>[0]),
  }
}

interface Scheduled {
  readonly handle: TimerHandle
  readonly at: number
  readonly seq: number
  readonly callback: () => void
}

/**
 * Time that moves only when told to. Callbacks run in due order (ties in scheduling order), each
 * seeing `now()` equal to its due time; callbacks scheduled while advancing run in the same advance
 * when they fall due within it.
 */
export class VirtualClock implements Clock {
  private current: number
  private seq = 0
  private readonly queue = new Map<TimerHandle, Scheduled>()

  constructor(start = 0) {
    this.current = start
  }

  now(): number {
    return this.current
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = Object.freeze({ id: this.seq }) as unknown as TimerHandle
    const delay = Number.isFinite(ms) ? Math.max(0, ms) : 0
    this.queue.set(handle, { handle, at: this.current + delay, seq: this.seq++, callback })
    return handle
  }

  clearTimeout(handle: TimerHandle): void {
    this.queue.delete(handle)
  }

  /** Number of callbacks waiting. */
  get pending(): number {
    return this.queue.size
  }

  /** Due time of the next callback, or undefined when none waits. */
  nextDue(): number | undefined {
    return this.next()?.at
  }

  /** Moves time forward by `ms`, running every callback that falls due on the way. */
  advance(ms: number): void {
    this.advanceTo(this.current + Math.max(0, ms))
  }

  /** Moves time to `time` (never backwards), running every callback due by then. */
  advanceTo(time: number): void {
    const target = Math.max(this.current, time)
    for (let next = this.next(); next !== undefined && next.at <= target; next = this.next()) {
      this.queue.delete(next.handle)
      this.current = next.at
      next.callback()
    }
    this.current = target
  }

  /**
   * Runs callbacks until none waits, moving time to each; stops after `limit` callbacks so that a
   * callback that always reschedules itself cannot spin forever. Returns how many ran.
   */
  runAll(limit = 10_000): number {
    let ran = 0
    for (let next = this.next(); next !== undefined && ran < limit; next = this.next(), ran++) {
      this.queue.delete(next.handle)
      this.current = Math.max(this.current, next.at)
      next.callback()
    }
    return ran
  }

  private next(): Scheduled | undefined {
    let best: Scheduled | undefined
    for (const s of this.queue.values()) if (best === undefined || s.at < best.at || (s.at === best.at && s.seq < best.seq)) best = s
    return best
  }
}
