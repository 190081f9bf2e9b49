/**
 * The request/answer pairs of the protocol, derived from the descriptors' `correlations`, so that
 * the runtime, the trace invariants and the recorder read one table instead of keeping copies.
 */
import { MESSAGES } from './catalogue.js'
import type { Direction } from './descriptor.js'

/** One message type that answers a request by the request's `id`. */
export interface RequestAnswer {
  /** The request's type (`tool-execute-request`). */
  readonly request: string
  /** Who sends the request. */
  readonly requestDirection: Direction
  /** The answer's type (`tool-execute-response`). */
  readonly answer: string
  /** JSON pointer into the answer that holds the request's `id` (`/payload/requestId`). */
  readonly field: string
  /** `one`: exactly one answer; `many`: a stream of answers ended by a terminal one. */
  readonly cardinality: 'one' | 'many'
}

/** Every answer-by-id correlation of the protocol (a correlation whose `answersField` is `/id`). */
export const REQUEST_ANSWERS: readonly RequestAnswer[] = Object.freeze(
  MESSAGES.flatMap((d) =>
    d.correlations
      .filter((c) => c.answersField === '/id')
      .map((c): RequestAnswer => {
        const request = MESSAGES.find((m) => m.type === c.answers)
        if (request === undefined) throw new Error(`${d.type} answers unknown message type ${c.answers}`)
        return Object.freeze({ request: c.answers, requestDirection: request.direction, answer: d.type, field: c.field, cardinality: c.cardinality })
      }),
  ),
)

/**
 * The host requests a worker must answer (tool, action, models and chat requests), keyed by request
 * type. These are the requests that get an error reply when they cannot be handled.
 */
export const HOST_REQUEST_ANSWERS: ReadonlyMap<string, RequestAnswer> = new Map(
  REQUEST_ANSWERS.filter((a) => a.requestDirection === 'host-to-worker').map((a) => [a.request, a]),
)

/** The answer of a host request type, or undefined when the type is not a host request. Safe for any string. */
export function answerOf(requestType: string): RequestAnswer | undefined {
  return HOST_REQUEST_ANSWERS.get(requestType)
}

/**
 * The key that ties a message to the others of its exchange: from the first correlation of its type
 * (`tool-execute-request:t-1` for a tool response, `background-task-registered:sync` for a task
 * status), or, for a message that others answer, from the field they refer to (a
 * `background-task-registered` gets `background-task-registered:sync`). Undefined when the type has
 * neither or the field is not a string. Safe for any value.
 */
export function correlationKey(message: unknown): string | undefined {
  if (typeof message !== 'object' || message === null) return undefined
  const type = (message as { type?: unknown }).type
  if (typeof type !== 'string') return undefined
  const own = MESSAGES.find((m) => m.type === type)?.correlations[0]
  if (own !== undefined) return keyAt(message, own.field, own.answers)
  const referring = MESSAGES.flatMap((m) => m.correlations).find((c) => c.answers === type)
  return referring === undefined ? undefined : keyAt(message, referring.answersField, type)
}

function keyAt(message: object, pointer: string, prefix: string): string | undefined {
  let value: unknown = message
  for (const segment of pointer.split('/').slice(1)) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, segment)) return undefined
    value = (value as Record<string, unknown>)[segment]
  }
  return typeof value === 'string' ? `${prefix}:${value}` : undefined
}
