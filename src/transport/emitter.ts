/**
 * The listener bookkeeping shared by every transport: message, error and close listeners, a
 * once-only close, and listener failures reported instead of thrown into the transport.
 */
import type { CloseInfo, Disposable, Transport } from './types.js'

type Listener<T> = (value: T) => void

function add<T>(set: Set<Listener<T>>, listener: Listener<T>): Disposable {
  set.add(listener)
  return { dispose: () => void set.delete(listener) }
}

/** Base class of the transports: subclasses implement `deliver` and `shutdown`. */
export abstract class BaseTransport implements Transport {
  private readonly messageListeners = new Set<Listener<unknown>>()
  private readonly errorListeners = new Set<Listener<Error>>()
  private readonly closeListeners = new Set<Listener<CloseInfo>>()
  private closeInfo: CloseInfo | undefined
  private droppedCount = 0
  /** Messages that arrived before anyone listened; handed to the first listener (as a MessagePort queues them). */
  private backlog: unknown[] = []

  /** True once closed. */
  get closed(): boolean {
    return this.closeInfo !== undefined
  }

  /** Messages sent after close, and so dropped (a normal race at shutdown; counted, not thrown). */
  get dropped(): number {
    return this.droppedCount
  }

  /**
   * Counts a send on a closed transport. It is reported as an error event only to listeners
   * (building an Error per dropped message would make shutdown races expensive).
   */
  protected dropAfterClose(): void {
    this.droppedCount++
    if (this.errorListeners.size > 0) this.emitError(new Error('send on a closed transport'))
  }

  /**
   * Sends one message: dropped (and counted) after close; a message that cannot be sent (not
   * cloneable, not JSON) is an error event. Never throws.
   */
  send(message: unknown): void {
    if (this.closed) {
      this.dropAfterClose()
      return
    }
    try {
      this.deliver(message)
    } catch (error) {
      this.emitError(new Error(`message cannot be sent: ${(error as Error).message}`))
    }
  }

  /** Puts one message on the wire; may throw when the message cannot be sent. */
  protected abstract deliver(message: unknown): void

  /** Releases the underlying resource. */
  protected abstract shutdown(): Promise<void>

  /** See {@link Transport.onMessage}. The first listener also gets what arrived before it. */
  onMessage(listener: (message: unknown) => void): Disposable {
    const subscription = add(this.messageListeners, listener)
    if (this.backlog.length > 0) {
      const queued = this.backlog
      this.backlog = []
      for (const message of queued) this.emitMessage(message)
    }
    return subscription
  }

  /** See {@link Transport.onError}. */
  onError(listener: (error: Error) => void): Disposable {
    return add(this.errorListeners, listener)
  }

  /** See {@link Transport.onClose}; a listener added after close is called at once. */
  onClose(listener: (info: CloseInfo) => void): Disposable {
    if (this.closeInfo) {
      const info = this.closeInfo
      queueMicrotask(() => listener(info))
      return { dispose: () => undefined }
    }
    return add(this.closeListeners, listener)
  }

  /** See {@link Transport.close}. */
  async close(): Promise<void> {
    if (this.closed) return
    this.markClosed({ reason: 'local' })
    await this.shutdown()
  }

  /** Delivers a received message to the listeners; a throwing listener becomes an error event. */
  protected emitMessage(message: unknown): void {
    if (this.closed) return
    if (this.messageListeners.size === 0) {
      this.backlog.push(message)
      return
    }
    for (const listener of [...this.messageListeners]) {
      try {
        listener(message)
      } catch (error) {
        this.emitError(error instanceof Error ? error : new Error(String(error)))
      }
    }
  }

  /** Reports an error to the listeners (or to stderr when nobody listens, so it is never lost). */
  protected emitError(error: Error): void {
    if (this.errorListeners.size === 0) {
      process.stderr.write(`extwire transport error: ${error.message}\n`)
      return
    }
    for (const listener of [...this.errorListeners]) {
      try {
        listener(error)
      } catch {
        // An error listener that throws has nowhere left to report to.
      }
    }
  }

  /** Marks the transport closed once and tells the close listeners (transports call it; hosts should call close()). */
  markClosed(info: CloseInfo): void {
    if (this.closeInfo) return
    this.closeInfo = info
    for (const listener of [...this.closeListeners]) {
      try {
        listener(info)
      } catch (error) {
        this.emitError(error instanceof Error ? error : new Error(String(error)))
      }
    }
    this.closeListeners.clear()
  }
}
