/**
 * An in-memory transport pair: what one end sends, the other receives, asynchronously and in
 * order, as a copy made the way the real transport would make it (structured clone by default).
 */
import { structuredCopy } from './clone.js'
import { BaseTransport } from './emitter.js'
import type { Transport } from './types.js'

/** How messages are copied in flight. */
export type CopyMode = 'structured-clone' | 'json' | 'none'

/** Options of {@link createMemoryPair}. */
export interface MemoryPairOptions {
  /** `structured-clone` (default, like postMessage), `json` (like stdio), or `none` (same object). */
  readonly copy?: CopyMode
}

class MemoryEnd extends BaseTransport {
  peer: MemoryEnd | undefined
  private readonly queue: unknown[] = []
  private scheduled = false

  constructor(private readonly copy: CopyMode) {
    super()
  }

  protected deliver(message: unknown): void {
    const copied = this.copy === 'structured-clone' ? structuredCopy(message) : this.copy === 'json' ? JSON.parse(JSON.stringify(message) ?? 'null') : message
    this.peer?.enqueue(copied)
  }

  private enqueue(message: unknown): void {
    this.queue.push(message)
    if (this.scheduled) return
    this.scheduled = true
    setImmediate(() => {
      this.scheduled = false
      const batch = this.queue.splice(0)
      for (const m of batch) this.emitMessage(m)
    })
  }

  protected async shutdown(): Promise<void> {
    const peer = this.peer
    this.peer = undefined
    if (peer && !peer.closed) {
      peer.peer = undefined
      setImmediate(() => peer.markPeerClosed())
    }
  }

  markPeerClosed(): void {
    this.markClosed({ reason: 'peer' })
  }
}

/** Creates two connected ends: `[host, worker]`. */
export function createMemoryPair(options: MemoryPairOptions = {}): [Transport, Transport] {
  const copy = options.copy ?? 'structured-clone'
  const a = new MemoryEnd(copy)
  const b = new MemoryEnd(copy)
  a.peer = b
  b.peer = a
  return [a, b]
}
