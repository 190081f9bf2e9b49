/**
 * The worker's outgoing requests to its host: ids, timeouts and correlation of responses
 * (EXT-REQ-001 to EXT-REQ-007). One instance per runtime.
 */
import { methodRow } from '../protocol/lookup.js'
import type { RequestMethod, RequestPayloads, ResponseData } from '../protocol/methods.js'
import type { ResponseMessage } from '../protocol/messages/rpc.js'
import type { ProtocolValidator } from '../validate/validator.js'
import { withoutOptionalNulls } from './response-data.js'

/** What the request table needs from its runtime. */
export interface RequestsDeps {
  readonly send: (message: unknown) => void
  readonly nextId: () => string
  readonly timeoutMs: number
  /** Validates request payloads (strict). */
  readonly validator: ProtocolValidator
  /** Validates response data (tolerant, EXT-REQ-007). */
  readonly responses: ProtocolValidator
  /**
   * The methods of the runtime's protocol version: whether a successful answer carries data, and
   * its schema (default: the 0.22.1 methods).
   */
  readonly methodOf?: (method: string) => { readonly noData: boolean; readonly response: object } | undefined
}

/** Options of one call. */
export interface CallOptions {
  /** This call's timeout instead of the runtime's request timeout (ms). */
  readonly timeoutMs?: number
}

interface Pending {
  readonly method: string
  readonly resolve: (data: unknown) => void
  readonly reject: (error: Error) => void
  readonly timer: ReturnType<typeof setTimeout> | undefined
  /** Called instead of resolve/reject for a `network.fetch-stream`, whose answer is only its first step. */
  readonly onResponse?: (response: ResponseMessage['payload']) => void
}

/** The table of requests sent and not yet answered. */
export class Requests {
  private readonly pending = new Map<string, Pending>()

  constructor(private readonly deps: RequestsDeps) {}

  /** Number of requests waiting for a response. */
  get size(): number {
    return this.pending.size
  }

  /**
   * Sends `request` for `method` and resolves with the response data (EXT-REQ-001).
   * The payload is validated first; an invalid call is rejected without sending (EXT-REQ-005).
   */
  call<M extends RequestMethod>(method: M, payload: RequestPayloads[M]): Promise<ResponseData[M]> {
    return this.callMethod(method, payload) as Promise<ResponseData[M]>
  }

  /**
   * {@link call} for a method of any protocol version (the methods added after 0.22.1 have no
   * static types here); the runtime's validators decide whether the method and payload exist.
   */
  callMethod(method: string, payload: unknown, options: CallOptions = {}): Promise<unknown> {
    const checked = this.deps.validator.validateRequest(method, payload)
    if (!checked.ok) return Promise.reject(new Error(`Invalid ${method} request: ${checked.errors.map((e) => e.message).join('; ')}`))
    const id = this.deps.nextId()
    const timeoutMs = options.timeoutMs ?? this.deps.timeoutMs
    return new Promise<unknown>((resolve, reject) => {
      const timer = timeoutMs > 0 && Number.isFinite(timeoutMs)
        ? setTimeout(() => {
            // EXT-REQ-002: forget the request, so a late response is ignored.
            if (this.pending.delete(id)) reject(new Error(`Request ${method} timed out`))
          }, timeoutMs)
        : undefined
      this.pending.set(id, {
        method,
        timer,
        reject,
        resolve: (data) => {
          const row = methodRow(method)
          const descriptor = this.deps.methodOf ? this.deps.methodOf(method) : row && { noData: row.response === 'none', response: row.shape }
          // EXT-REQ-007: a method without data resolves with nothing, whatever data the host sent.
          if (descriptor === undefined || descriptor.noData) return resolve(undefined)
          // EXT-REQ-006, EXT-REQ-007: the data must have the method's response shape, tolerantly:
          // undeclared properties, and null in optional ones, are accepted and passed on unchanged.
          const result = this.deps.responses.validateResponse(method, withoutOptionalNulls(descriptor.response, data))
          if (result.ok) resolve(data)
          else reject(new Error(`Invalid ${method} response: ${result.errors.map((e) => e.message).join('; ')}`))
        },
      })
      this.deps.send({ type: 'request', id, method, payload })
    })
  }

  /**
   * Sends a `network.fetch-stream` request whose id is also its `payload.requestId`, tracked like
   * any request (EXT-FETCH-002, upstream B14): `onResponse` gets the host's response, and the
   * timeout applies only until that response arrives.
   */
  openStream(url: string, options: RequestPayloads['network.fetch']['options'], onResponse: (response: ResponseMessage['payload']) => void, onTimeout: (error: Error) => void): string {
    const id = this.deps.nextId()
    const payload = options === undefined ? { url, requestId: id } : { url, options, requestId: id }
    const checked = this.deps.validator.validateRequest('network.fetch-stream', payload)
    if (!checked.ok) throw new Error(`Invalid network.fetch-stream request: ${checked.errors.map((e) => e.message).join('; ')}`)
    const timer = this.deps.timeoutMs > 0 && Number.isFinite(this.deps.timeoutMs)
      ? setTimeout(() => {
          if (this.pending.delete(id)) onTimeout(new Error('Request network.fetch-stream timed out'))
        }, this.deps.timeoutMs)
      : undefined
    this.pending.set(id, { method: 'network.fetch-stream', timer, resolve: () => undefined, reject: onTimeout, onResponse })
    this.deps.send({ type: 'request', id, method: 'network.fetch-stream', payload })
    return id
  }

  /** Settles the request a `response` answers; unknown or repeated responses are ignored (EXT-REQ-003). */
  handleResponse(payload: ResponseMessage['payload']): boolean {
    const entry = this.pending.get(payload.requestId)
    if (!entry) return false
    this.pending.delete(payload.requestId)
    if (entry.timer !== undefined) clearTimeout(entry.timer)
    if (entry.onResponse) entry.onResponse(payload)
    else if (payload.success) entry.resolve(payload.data)
    else entry.reject(new Error(payload.error || 'Unknown error')) // EXT-REQ-004
    return true
  }

  /** Rejects every pending request (on deactivate) and clears their timers. */
  rejectAll(reason: string): void {
    const entries = [...this.pending.values()]
    this.pending.clear()
    for (const entry of entries) {
      if (entry.timer !== undefined) clearTimeout(entry.timer)
      entry.reject(new Error(reason))
    }
  }
}
