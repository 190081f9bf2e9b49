/**
 * The inbound guard (EXT-HOST-010, EXT-HOST-011): it sits between a transport and the host's message
 * handler, so that host logic only ever sees valid, typed worker messages. An invalid message is
 * reported with the validator's errors and goes no further; a handler that throws is reported too,
 * and nothing ever throws back into the transport that delivered the message.
 */
import { WORKER_TO_HOST_TYPES, type WorkerToHostMessage } from '../protocol/catalogue.js'
import type { ValidationError } from '../validate/errors.js'
import { validatorFor } from '../validate/index.js'
import type { ProtocolValidator } from '../validate/validator.js'
import { hostProfile, hostValidator } from './protocol.js'

/** A worker message that failed validation, as reported to {@link InboundGuardOptions.onInvalid}. */
export interface InvalidInbound {
  /** The message as received (never trusted; reading it may throw). */
  readonly message: unknown
  /** Its `type` when that is a readable string, else undefined. */
  readonly type: string | undefined
  /** The validator's errors: path, expected, received, requirement ID. */
  readonly errors: readonly ValidationError[]
  /**
   * For a `request` whose `id` is a non-empty string: that id. EXT-HOST-011 owes such a request one
   * `response` with `success: false`, or the worker waits out its 30 s timeout.
   */
  readonly requestId?: string
}

/** Options of {@link createInboundGuard}. */
export interface InboundGuardOptions {
  /**
   * The protocol version worker messages are judged by (default 0.22.1, EXT-HOST-110): a method or
   * message the version does not have is invalid. Ignored when `validator` is given.
   */
  readonly protocol?: string
  /** Validator for worker messages (default: the shared tolerant one of the version, as a host should be). */
  readonly validator?: ProtocolValidator
  /** Called for every invalid message; a throwing callback is swallowed. */
  readonly onInvalid?: (invalid: InvalidInbound) => void
  /** Called when the handler throws or rejects on a valid message; a throwing callback is swallowed. */
  readonly onHandlerError?: (error: unknown, message: WorkerToHostMessage) => void
}

/** Messages seen per `type`; `<unknown>` counts messages without a readable string `type`. */
export interface InboundCounts {
  readonly valid: Readonly<Record<string, number>>
  readonly invalid: Readonly<Record<string, number>>
}

/** A message handler that validates first; hand it to `transport.onMessage`. */
export interface InboundGuard {
  (message: unknown): void
  /** A snapshot of the counts so far. */
  counts(): InboundCounts
}

/** The key counts use for a message without a readable string `type`. */
export const UNKNOWN_MESSAGE_TYPE = '<unknown>'

/** The `type` of a message when it is a readable string; never throws. */
export function messageTypeOf(message: unknown): string | undefined {
  try {
    if (typeof message !== 'object' || message === null) return undefined
    const type = (message as { type?: unknown }).type
    return typeof type === 'string' ? type : undefined
  } catch {
    return undefined
  }
}

/**
 * The id of a `request` when it can be answered: a non-empty string (EXT-HOST-011). Undefined for
 * anything else, including a value whose read throws.
 */
export function requestIdOf(message: unknown): string | undefined {
  try {
    if (messageTypeOf(message) !== 'request') return undefined
    const id = (message as { id?: unknown }).id
    return typeof id === 'string' && id.length > 0 ? id : undefined
  } catch {
    return undefined
  }
}

/** A mutable counter: bumping it on the hot path is one map read and one increment, no map write. */
interface Cell {
  n: number
}

function bump(map: Map<string, Cell>, key: string): void {
  const cell = map.get(key)
  if (cell !== undefined) cell.n++
  else map.set(key, { n: 1 })
}

function snapshot(map: ReadonlyMap<string, Cell>): Readonly<Record<string, number>> {
  // fromEntries defines own properties, so a type named `__proto__` is counted, not assigned.
  return Object.freeze(Object.fromEntries([...map].filter(([, c]) => c.n > 0).map(([k, c]) => [k, c.n])))
}

/**
 * Wraps `handler` so that it receives only valid worker messages (the same object, typed). Invalid
 * messages go to `onInvalid`; a throwing or rejecting handler goes to `onHandlerError`. The guard
 * itself never throws, whatever it is given.
 */
export function createInboundGuard(handler: (message: WorkerToHostMessage) => void, options: InboundGuardOptions = {}): InboundGuard {
  const validator = options.validator ?? (options.protocol === undefined ? validatorFor() : hostValidator(hostProfile(options.protocol)))
  // A validator without the worker-to-host scope is a programming error: it fails here, at creation
  // (ScopeError), never later inside a transport's message callback.
  validator.validateWorkerToHost({ type: 'ready' })
  const { onInvalid, onHandlerError } = options
  // Seeded with every worker type, so a valid message never grows the map.
  const valid = new Map<string, Cell>(WORKER_TO_HOST_TYPES.map((t) => [t, { n: 0 }]))
  const invalid = new Map<string, Cell>()

  const handlerFailed = (error: unknown, message: WorkerToHostMessage): void => {
    try {
      onHandlerError?.(error, message)
    } catch {
      // A failing reporter must not throw into the transport either.
    }
  }

  const guard = (message: unknown): void => {
    let result: ReturnType<ProtocolValidator['validateWorkerToHost']>
    try {
      result = validator.validateWorkerToHost(message)
    } catch {
      // Validators never throw on data (checked above for scope); a custom one that does rejects the message.
      result = { ok: false, errors: [] }
    }
    if (result.ok) {
      const typed = result.value
      bump(valid, typed.type)
      try {
        const returned: unknown = handler(typed)
        if (returned instanceof Promise) returned.catch((error: unknown) => handlerFailed(error, typed))
      } catch (error) {
        handlerFailed(error, typed)
      }
      return
    }
    const type = messageTypeOf(message)
    bump(invalid, type ?? UNKNOWN_MESSAGE_TYPE)
    if (onInvalid === undefined) return
    const requestId = requestIdOf(message)
    const report: InvalidInbound = requestId === undefined ? { message, type, errors: result.errors } : { message, type, errors: result.errors, requestId }
    try {
      onInvalid(report)
    } catch {
      // Reporting is best effort; the transport is never thrown into.
    }
  }

  return Object.assign(guard, { counts: (): InboundCounts => ({ valid: snapshot(valid), invalid: snapshot(invalid) }) })
}
