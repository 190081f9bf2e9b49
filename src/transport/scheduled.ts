/**
 * An in-memory pair whose deliveries are released by a fast-check scheduler (`fc.scheduler()`),
 * so a property explores the interleavings of the two directions with the worker's own async
 * steps. Each direction stays in order, as every real transport does.
 */
import { BaseTransport } from './emitter.js'
import type { Transport } from './types.js'

/** The part of fast-check's Scheduler this transport uses. */
export interface DeliveryScheduler {
  schedule<T>(task: Promise<T>, label?: string): Promise<T>
}

class ScheduledEnd extends BaseTransport {
  peer: ScheduledEnd | undefined
  private chain: Promise<void> = Promise.resolve()

  constructor(
    private readonly scheduler: DeliveryScheduler,
    private readonly name: string,
  ) {
    super()
  }

  protected deliver(message: unknown): void {
    const copy = structuredClone(message)
    const peer = this.peer
    const type = (message as { type?: unknown } | null)?.type
    this.chain = this.chain
      .then(() => this.scheduler.schedule(Promise.resolve(), `${this.name}: ${String(type)}`))
      .then(() => peer?.receive(copy))
  }

  receive(message: unknown): void {
    this.emitMessage(message)
  }

  protected async shutdown(): Promise<void> {
    this.peer?.markClosed({ reason: 'peer' })
  }
}

/** Creates `[host, worker]` whose deliveries the scheduler releases. */
export function createScheduledPair(scheduler: DeliveryScheduler): [Transport, Transport] {
  const host = new ScheduledEnd(scheduler, 'host->worker')
  const worker = new ScheduledEnd(scheduler, 'worker->host')
  host.peer = worker
  worker.peer = host
  return [host, worker]
}
