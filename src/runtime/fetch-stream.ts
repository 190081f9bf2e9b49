/**
 * `network.fetchStream` and the chunk/ack exchange (EXT-FETCH-001 to EXT-FETCH-006): every chunk
 * is acknowledged exactly once, data chunks when the consumer takes them, and an abandoned or
 * failed stream never leaves the host waiting for an ack.
 */
import type { RequestPayloads } from '../protocol/methods.js'
import type { StreamingFetchChunkMessage } from '../protocol/messages/rpc.js'
import type { Requests } from './requests.js'

interface Stream {
  readonly buffer: string[]
  done: boolean
  error: string | undefined
  abandoned: boolean
  wake: (() => void) | undefined
}

/** What the stream table needs from its runtime. */
export interface FetchStreamsDeps {
  readonly send: (message: unknown) => void
  readonly requests: Requests
  readonly warn: (message: string, data?: Record<string, unknown>) => void
}

/** The worker's open fetch streams, keyed by request id. */
export class FetchStreams {
  private readonly streams = new Map<string, Stream>()

  constructor(private readonly deps: FetchStreamsDeps) {}

  /** Number of streams open. */
  get size(): number {
    return this.streams.size
  }

  private ack(requestId: string): void {
    this.deps.send({ type: 'streaming-fetch-ack', payload: { requestId } })
  }

  /** Opens a stream and yields its chunks; the request goes out on the first `next()`. */
  async *open(url: string, options: RequestPayloads['network.fetch']['options']): AsyncGenerator<string, void, undefined> {
    const stream: Stream = { buffer: [], done: false, error: undefined, abandoned: false, wake: undefined }
    const fail = (message: string) => {
      stream.error = message
      stream.done = true
      stream.wake?.()
    }
    const id = this.deps.requests.openStream(
      url,
      options,
      (response) => {
        if (!response.success) fail(response.error || 'Unknown error') // EXT-FETCH-002 (upstream B14)
      },
      (error) => fail(error.message),
    )
    this.streams.set(id, stream)
    let finished = false
    try {
      for (;;) {
        const chunk = stream.buffer.shift()
        if (chunk !== undefined) {
          this.ack(id) // EXT-FETCH-005: acknowledged as the consumer takes it
          yield chunk
          continue
        }
        // EXT-FETCH-006: buffered chunks come out before the error (upstream B17).
        if (stream.error !== undefined) {
          finished = true
          throw new Error(stream.error)
        }
        if (stream.done) {
          finished = true
          return
        }
        await new Promise<void>((resolve) => {
          stream.wake = resolve
        })
        stream.wake = undefined
      }
    } finally {
      if (finished) this.streams.delete(id)
      else {
        // EXT-FETCH-003: the consumer stopped early; keep acknowledging until `done` (upstream B15).
        stream.abandoned = true
        for (const _ of stream.buffer.splice(0)) this.ack(id)
        if (stream.done) this.streams.delete(id)
      }
    }
  }

  /** Handles one `streaming-fetch-chunk`. */
  handleChunk(payload: StreamingFetchChunkMessage['payload']): void {
    const stream = this.streams.get(payload.requestId)
    if (!stream) {
      // EXT-FETCH-004: acknowledge anyway, so the host never waits (upstream B15).
      this.ack(payload.requestId)
      this.deps.warn(`streaming-fetch-chunk for unknown stream ${payload.requestId} acknowledged and dropped`)
      return
    }
    const isData = payload.chunk !== '' && payload.error === undefined
    if (stream.abandoned) {
      this.ack(payload.requestId)
      if (payload.done || payload.error !== undefined) this.streams.delete(payload.requestId)
      return
    }
    if (isData) stream.buffer.push(payload.chunk)
    if (payload.error !== undefined) {
      stream.error = payload.error
      stream.done = true
    } else if (payload.done) {
      stream.done = true
    }
    // Data chunks are acknowledged when taken; empty and error chunks right away (EXT-FETCH-001).
    if (!isData) this.ack(payload.requestId)
    stream.wake?.()
  }

  /** Ends every open stream with `reason` (on deactivate); their consumers get the error. */
  failAll(reason: string): void {
    for (const [id, stream] of this.streams) {
      if (stream.abandoned) {
        this.streams.delete(id)
        continue
      }
      stream.error ??= reason
      stream.done = true
      stream.wake?.()
    }
  }
}
