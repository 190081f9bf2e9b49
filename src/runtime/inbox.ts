/**
 * The runtime's inbound bookkeeping: the queue of host messages that wait while `activate` runs
 * (EXT-LIFE-009), and the set of handlers in flight (for `settled()`).
 */
import type { HostToWorkerMessage } from '../protocol/catalogue.js'
import type { RuntimeState } from './lifecycle.js'

/** Messages that must flow while `activate` runs, because `activate` may be waiting for them. */
const FLOW_DURING_ACTIVATION: ReadonlySet<string> = new Set(['activate', 'response', 'streaming-fetch-chunk'])

/** Holds host messages while the extension activates and hands them back in arrival order. */
export class ActivationQueue {
  private held: HostToWorkerMessage[] = []

  /** Holds `message` and returns true when it must wait for the activation to end (upstream B5). */
  hold(message: HostToWorkerMessage, state: RuntimeState): boolean {
    if (state !== 'activating' || FLOW_DURING_ACTIVATION.has(message.type)) return false
    this.held.push(message)
    return true
  }

  /** Takes every held message, oldest first. */
  drain(): HostToWorkerMessage[] {
    const out = this.held
    this.held = []
    return out
  }
}

/** The handlers a runtime has started and not yet finished. */
export class InFlight {
  private readonly running = new Set<Promise<void>>()

  constructor(private readonly onError: (error: unknown) => void) {}

  /** Tracks `promise`; a rejection goes to `onError`, never to the caller. */
  track(promise: Promise<void>): Promise<void> {
    const p = promise.catch(this.onError)
    this.running.add(p)
    void p.finally(() => this.running.delete(p))
    return p
  }

  /** Resolves when every handler started so far, and every one they started, has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running])
  }
}
