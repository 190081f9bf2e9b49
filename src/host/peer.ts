/**
 * The host side of one connection, for tests, the conformance runner and the fuzzer: it sends
 * host messages, records everything the worker sends (validated, never trusted), and waits for
 * messages with a timeout, so nothing that waits on a worker can hang.
 */
import type { Transport, Disposable } from '../transport/types.js'
import type { CloseInfo } from '../transport/types.js'
import type { ValidationError } from '../validate/errors.js'
import type { ProtocolValidator } from '../validate/validator.js'
import { validatorFor } from '../validate/index.js'

/** One message the worker sent, with its arrival order and validation verdict. */
export interface Received {
  /** 0-based arrival index. */
  readonly index: number
  /** The message as received. */
  readonly message: unknown
  /** Wire-schema errors (strict mode); empty when valid. */
  readonly errors: readonly ValidationError[]
  /** Arrival time (ms, performance clock). */
  readonly at: number
}

/** One message of a trace, in either direction. */
export interface TimelineEntry {
  readonly direction: 'host-to-worker' | 'worker-to-host'
  readonly message: unknown
  readonly at: number
}

/** Why a wait ended without a match. */
export class WaitError extends Error {
  constructor(
    message: string,
    /** `timeout` or `closed`. */
    readonly reason: 'timeout' | 'closed',
  ) {
    super(message)
    this.name = 'WaitError'
  }
}

interface Waiter {
  readonly predicate: (r: Received) => boolean
  readonly from: number
  readonly resolve: (r: Received) => void
  readonly reject: (e: Error) => void
  readonly timer: ReturnType<typeof setTimeout>
}

/** Options of {@link HostPeer}. */
export interface HostPeerOptions {
  /** Validator for worker messages (default: a strict one). */
  readonly validator?: ProtocolValidator
  /**
   * Most messages accepted from the worker on this connection (default {@link DEFAULT_MAX_MESSAGES}).
   * One more is a flood: it is named in {@link HostPeer.overflow}, and the transport is closed,
   * which stops the worker, so a flooding worker can neither grow the host nor starve its timers.
   */
  readonly maxMessages?: number
}

/** Default cap on messages from one worker connection (one fixture): far above any fixture's needs. */
export const DEFAULT_MAX_MESSAGES = 10_000

/** The host end of a connection to a worker. */
export class HostPeer {
  /** Everything the worker sent, in order. */
  readonly received: Received[] = []
  /** Everything sent and received, in order: the trace that invariants are checked on. */
  readonly timeline: TimelineEntry[] = []
  /** Transport errors seen. */
  readonly transportErrors: Error[] = []
  private readonly waiters = new Set<Waiter>()
  private readonly subscriptions: Disposable[]
  private readonly validator: ProtocolValidator
  private closeInfo: CloseInfo | undefined
  private readonly maxMessages: number
  private overflowText: string | undefined

  constructor(
    readonly transport: Transport,
    options: HostPeerOptions = {},
  ) {
    this.validator = options.validator ?? validatorFor({ mode: 'strict' })
    this.maxMessages = options.maxMessages ?? DEFAULT_MAX_MESSAGES
    this.subscriptions = [
      transport.onMessage((message) => this.record(message)),
      transport.onError((error) => this.transportErrors.push(error)),
      transport.onClose((info) => this.closed(info)),
    ]
  }

  /** How the transport closed, if it did. */
  get closedWith(): CloseInfo | undefined {
    return this.closeInfo
  }

  /** Set when the worker sent more than `maxMessages` messages (the connection was then closed). */
  get overflow(): string | undefined {
    return this.overflowText
  }

  private record(message: unknown): void {
    if (this.overflowText !== undefined) return
    if (this.received.length >= this.maxMessages) {
      this.overflowText = `flood: the worker sent more than ${this.maxMessages} messages on one connection; the connection was closed and the worker stopped`
      void this.transport.close().catch(() => undefined)
      return
    }
    const result = this.validator.validateWorkerToHost(message)
    const received: Received = { index: this.received.length, message, errors: result.ok ? [] : result.errors, at: performance.now() }
    this.received.push(received)
    this.timeline.push({ direction: 'worker-to-host', message, at: received.at })
    for (const waiter of [...this.waiters]) {
      if (received.index >= waiter.from && waiter.predicate(received)) {
        this.waiters.delete(waiter)
        clearTimeout(waiter.timer)
        waiter.resolve(received)
      }
    }
  }

  private closed(info: CloseInfo): void {
    this.closeInfo = info
    for (const waiter of [...this.waiters]) {
      this.waiters.delete(waiter)
      clearTimeout(waiter.timer)
      waiter.reject(new WaitError(`the worker transport closed (${describeClose(info)})`, 'closed'))
    }
  }

  /** Sends a host message. */
  send(message: unknown): void {
    this.timeline.push({ direction: 'host-to-worker', message, at: performance.now() })
    this.transport.send(message)
  }

  /**
   * Resolves with the first message at index `from` or later that matches; rejects with
   * {@link WaitError} after `timeoutMs` or when the transport closes.
   */
  waitFor(predicate: (r: Received) => boolean, timeoutMs: number, from = 0, what = 'a matching message'): Promise<Received> {
    for (let i = from; i < this.received.length; i++) {
      const r = this.received[i] as Received
      if (predicate(r)) return Promise.resolve(r)
    }
    if (this.closeInfo) return Promise.reject(new WaitError(`the worker transport closed (${describeClose(this.closeInfo)})`, 'closed'))
    return new Promise<Received>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        from,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter)
          reject(new WaitError(`timed out after ${timeoutMs} ms waiting for ${what}`, 'timeout'))
        }, timeoutMs),
      }
      this.waiters.add(waiter)
    })
  }

  /** Waits for a message of `type` (optionally also matching `where`). */
  waitForType(type: string, timeoutMs: number, where: (message: Record<string, unknown>) => boolean = () => true, from = 0): Promise<Received> {
    return this.waitFor(
      (r) => (r.message as { type?: unknown } | null)?.type === type && where(r.message as Record<string, unknown>),
      timeoutMs,
      from,
      `a ${type} message`,
    )
  }

  /** Messages of `type` received so far. */
  ofType(type: string): Record<string, unknown>[] {
    return this.received.filter((r) => (r.message as { type?: unknown } | null)?.type === type).map((r) => r.message as Record<string, unknown>)
  }

  /** Stops listening and closes the transport. */
  async close(): Promise<void> {
    for (const s of this.subscriptions) s.dispose()
    for (const waiter of [...this.waiters]) {
      clearTimeout(waiter.timer)
      waiter.reject(new WaitError('the host peer was closed', 'closed'))
    }
    this.waiters.clear()
    await this.transport.close()
  }
}

/** One-line description of a close. */
export function describeClose(info: CloseInfo): string {
  const code = info.exitCode === undefined || info.exitCode === null ? '' : `, exit code ${info.exitCode}`
  return `${info.reason}${code}${info.detail ? `: ${info.detail}` : ''}`
}
