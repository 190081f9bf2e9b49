/**
 * The host's end of `network.fetch-stream` (EXT-HOST-040..046): it fetches the URL and sends the
 * body as `streaming-fetch-chunk` messages, one unacknowledged chunk at a time, with an ack timeout so
 * that a worker that stops acking can never hold the HTTP body open (upstream H7), and with one
 * streaming UTF-8 decoder per stream, flushed at the end, so no character is split or lost (B18).
 */
import type { RequestPayloads } from '../protocol/methods.js'
import type { StreamingFetchChunkMessage } from '../protocol/messages/rpc.js'
import type { FetchLikeResponse, NetworkBackend } from './backends.js'
import type { Clock, TimerHandle } from './clock.js'

/** The payload of an accepted `network.fetch-stream` request. */
export type NetworkFetchStreamPayload = RequestPayloads['network.fetch-stream']

/** Default ack timeout (EXT-HOST-042): the worker's own request timeout. */
export const DEFAULT_ACK_TIMEOUT_MS = 30_000

/** Options of {@link StreamPump}. */
export interface StreamPumpOptions {
  readonly clock: Clock
  readonly network: NetworkBackend
  /** How long to wait for each ack before the stream is stopped and its body cancelled (default 30,000 ms). */
  readonly ackTimeoutMs?: number
  /** Hears about ack timeouts, unexpected acks and failures to cancel a body. */
  readonly onDiagnostic?: (text: string) => void
  /** Ids of the chunk messages; a host passes its own generator so ids never collide with its other messages. */
  readonly newId?: () => string
  /**
   * The error text of a non-2xx response: `status` (default, up to 0.35.0) is `HTTP <status>:
   * <statusText>` (EXT-HOST-044); `status-and-body` (from 0.35.0) is `HTTP <status> <statusText>`
   * followed by `: <body>` when the body is not empty, cut to 1024 characters and `…` (EXT-HOST-118).
   */
  readonly httpErrorText?: 'status' | 'status-and-body'
}

/** Most characters of an error body the 0.35.0 error text carries. */
export const HTTP_ERROR_BODY_CHARS = 1024

/** The first `limit` characters of a body (and whether there were more), reading no further than needed. */
async function bodyHead(body: ReadableStream<Uint8Array>, limit: number): Promise<{ text: string; more: boolean }> {
  const reader = body.getReader()
  const decoder = new TextDecoder('utf-8')
  let text = ''
  try {
    for (;;) {
      const read = await reader.read()
      if (read.done) {
        text += decoder.decode()
        break
      }
      text += decoder.decode(read.value, { stream: true })
      if (text.length > limit) break
    }
  } finally {
    reader.cancel().catch(() => undefined)
  }
  return text.length > limit ? { text: text.slice(0, limit), more: true } : { text, more: false }
}

type AckOutcome = 'ack' | 'timeout' | 'cancelled'

interface Stream {
  readonly extensionId: string
  readonly requestId: string
  stopped: boolean
  reader: ReadableStreamDefaultReader<Uint8Array> | undefined
  /** Set while a chunk is unacknowledged. */
  waiting: ((outcome: AckOutcome) => void) | undefined
  timer: TimerHandle | undefined
}

const key = (extensionId: string, requestId: string): string => JSON.stringify([extensionId, requestId])

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)) || 'Unknown error'

/**
 * Serves accepted `network.fetch-stream` requests. Streams are keyed by (extension, requestId), so an
 * ack from another extension never moves a stream (EXT-HOST-046, upstream B11).
 */
export class StreamPump {
  private readonly streams = new Map<string, Stream>()
  private readonly ackTimeoutMs: number
  private readonly newId: () => string
  private chunkSeq = 0

  constructor(private readonly options: StreamPumpOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS
    this.newId = options.newId ?? (() => `chunk-${++this.chunkSeq}`)
  }

  /**
   * Starts a stream whose `streaming` response has already been sent (EXT-HOST-040). `send` is
   * called once per chunk; it must not throw (a transport's `send` never does). A second start for
   * a (extension, requestId) that is still streaming is ignored.
   */
  start(extensionId: string, payload: NetworkFetchStreamPayload, send: (chunk: StreamingFetchChunkMessage) => void): void {
    const k = key(extensionId, payload.requestId)
    if (this.streams.has(k)) {
      this.diagnostic(`fetch-stream ${payload.requestId} of ${extensionId} is already streaming; second start ignored`)
      return
    }
    const stream: Stream = { extensionId, requestId: payload.requestId, stopped: false, reader: undefined, waiting: undefined, timer: undefined }
    this.streams.set(k, stream)
    void this.run(stream, payload, send).finally(() => {
      if (this.streams.get(k) === stream) this.streams.delete(k)
    })
  }

  /** Handles a `streaming-fetch-ack` from `extensionId`; one for no unacknowledged chunk is ignored (EXT-HOST-046). */
  ack(extensionId: string, requestId: string): void {
    const stream = this.streams.get(key(extensionId, requestId))
    if (stream?.waiting === undefined) {
      this.diagnostic(`streaming-fetch-ack for ${requestId} from ${extensionId} matches no unacknowledged chunk; ignored`)
      return
    }
    this.settle(stream, 'ack')
  }

  /** Stops every stream of an extension that went away and cancels their bodies (EXT-HOST-045). */
  cancelExtension(extensionId: string): void {
    for (const stream of [...this.streams.values()]) if (stream.extensionId === extensionId) this.stop(stream, 'cancelled')
  }

  /** Number of streams not yet ended (the last chunk's ack included), of one extension or of all. */
  active(extensionId?: string): number {
    let n = 0
    for (const s of this.streams.values()) if (extensionId === undefined || s.extensionId === extensionId) n++
    return n
  }

  private diagnostic(text: string): void {
    this.options.onDiagnostic?.(text)
  }

  private settle(stream: Stream, outcome: AckOutcome): void {
    const waiting = stream.waiting
    stream.waiting = undefined
    if (stream.timer !== undefined) this.options.clock.clearTimeout(stream.timer)
    stream.timer = undefined
    waiting?.(outcome)
  }

  private stop(stream: Stream, outcome: Exclude<AckOutcome, 'ack'>): void {
    if (stream.stopped) return
    stream.stopped = true
    const k = key(stream.extensionId, stream.requestId)
    if (this.streams.get(k) === stream) this.streams.delete(k)
    this.settle(stream, outcome)
    const reader = stream.reader
    stream.reader = undefined
    if (reader !== undefined) {
      reader.cancel().catch((error: unknown) => this.diagnostic(`cancelling the body of fetch-stream ${stream.requestId} failed: ${errorText(error)}`))
    }
  }

  /** Sends one chunk and waits for its ack; false when the stream ended meanwhile (timeout or cancel). */
  private async sendAndWait(
    stream: Stream,
    send: (chunk: StreamingFetchChunkMessage) => void,
    payload: StreamingFetchChunkMessage['payload'],
  ): Promise<boolean> {
    if (stream.stopped) return false
    const outcome = new Promise<AckOutcome>((resolve) => {
      stream.waiting = resolve
    })
    stream.timer = this.options.clock.setTimeout(() => {
      stream.timer = undefined
      this.diagnostic(`no streaming-fetch-ack for ${stream.requestId} of ${stream.extensionId} within ${this.ackTimeoutMs} ms; stream stopped`)
      this.stop(stream, 'timeout') // EXT-HOST-042
    }, this.ackTimeoutMs)
    send({ type: 'streaming-fetch-chunk', id: this.newId(), payload })
    return (await outcome) === 'ack'
  }

  private async run(stream: Stream, payload: NetworkFetchStreamPayload, send: (chunk: StreamingFetchChunkMessage) => void): Promise<void> {
    const { requestId } = payload
    const final = async (error?: string): Promise<void> => {
      // EXT-HOST-044: the last chunk is awaited too (the worker acks done and error chunks, EXT-FETCH-001).
      await this.sendAndWait(stream, send, error === undefined ? { requestId, chunk: '', done: true } : { requestId, chunk: '', done: true, error })
    }
    let response: FetchLikeResponse
    try {
      response = await this.options.network.fetch(payload.url, payload.options)
    } catch (error) {
      return final(errorText(error))
    }
    if (stream.stopped) {
      // The worker went away while the request was in flight: nobody will read this body.
      response.body?.cancel().catch(() => undefined)
      return
    }
    if (!response.ok) {
      if (this.options.httpErrorText !== 'status-and-body' || response.body === null) {
        response.body?.cancel().catch(() => undefined)
        return final(this.options.httpErrorText === 'status-and-body' ? `HTTP ${response.status} ${response.statusText}` : `HTTP ${response.status}: ${response.statusText}`)
      }
      let head: { text: string; more: boolean }
      try {
        head = await bodyHead(response.body, HTTP_ERROR_BODY_CHARS)
      } catch {
        head = { text: '', more: false }
      }
      if (stream.stopped) return
      const body = head.text === '' ? '' : `: ${head.text}${head.more ? '…' : ''}`
      return final(`HTTP ${response.status} ${response.statusText}${body}`)
    }
    if (response.body === null) return final() // no body counts as an empty one (EXT-HOST-044)
    const reader = response.body.getReader()
    stream.reader = reader
    const decoder = new TextDecoder('utf-8') // EXT-HOST-043: one streaming decoder per stream
    try {
      for (;;) {
        const read = await reader.read()
        if (stream.stopped) return
        if (read.done) break
        const text = decoder.decode(read.value, { stream: true })
        if (text === '') continue // only part of a character so far
        if (!(await this.sendAndWait(stream, send, { requestId, chunk: text, done: false }))) return
      }
    } catch (error) {
      if (stream.stopped) return
      stream.reader = undefined
      return final(errorText(error))
    }
    stream.reader = undefined
    const tail = decoder.decode() // flush: a truncated last sequence becomes U+FFFD instead of vanishing (B18)
    if (tail !== '' && !(await this.sendAndWait(stream, send, { requestId, chunk: tail, done: false }))) return
    return final()
  }
}
