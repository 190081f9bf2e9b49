/**
 * Validation results and error records. Every error code is a requirement ID of the wire spec
 * (`docs/spec/wire.md`), so a log line from a host maps straight to a spec clause and to the
 * conformance fixtures that test it.
 */

/** Wire requirement IDs used as validator error codes. */
export const WireCode = {
  /** A message MUST be a plain object (not null, not an array, not a primitive). */
  NotAnObject: 'EXT-WIRE-001',
  /** A message MUST carry a `type` that is known for its direction. */
  UnknownType: 'EXT-WIRE-002',
  /** Every required field MUST be present (a field whose value is `undefined` counts as absent). */
  Required: 'EXT-WIRE-003',
  /** Every field MUST have the declared JSON type. */
  Type: 'EXT-WIRE-004',
  /** A literal or enumerated field MUST hold one of its allowed values. */
  Literal: 'EXT-WIRE-005',
  /** In strict mode a message MUST NOT carry undeclared properties. */
  UnknownProperty: 'EXT-WIRE-006',
  /** A message MUST be plain data: reading it must not throw (no throwing getters, no revoked proxies). */
  Unreadable: 'EXT-WIRE-007',
  /** A field MUST meet its declared constraint (length, range, pattern). */
  Constraint: 'EXT-WIRE-008',
  /** A `request` MUST name one of the 19 request methods. */
  UnknownMethod: 'EXT-WIRE-009',
  /** A value of a union type MUST match one of its variants. */
  NoVariant: 'EXT-WIRE-010',
} as const

/** One of the {@link WireCode} values. */
export type WireCode = (typeof WireCode)[keyof typeof WireCode]

/** One validation problem, exact enough to log. */
export interface ValidationError {
  /** Requirement ID (see {@link WireCode}). */
  readonly code: WireCode
  /** The message `type`, when it is known. */
  readonly messageType?: string
  /** The request method, when the problem is in a request payload or response data. */
  readonly method?: string
  /** JSON pointer to the offending value within the message (`''` is the message itself). */
  readonly path: string
  /** What the schema expected there. */
  readonly expected: string
  /** What was received, described safely (strings are truncated). */
  readonly received: string
  /** The JSON Schema keyword that failed, or `dispatch` / `read` for checks made outside the schema. */
  readonly keyword: string
  /** One line that says all of the above. */
  readonly message: string
}

/** A successful validation: the input itself, typed (never a copy). */
export interface ValidationSuccess<T> {
  readonly ok: true
  readonly value: T
}

/** A failed validation: at least one error. */
export interface ValidationFailure {
  readonly ok: false
  readonly errors: readonly ValidationError[]
}

/** Either the typed value or a list of errors. */
export type ValidationResult<T> = ValidationSuccess<T> | ValidationFailure

/** Where an error belongs: the message type and method, when known. */
export interface ErrorPlace {
  readonly messageType?: string | undefined
  readonly method?: string | undefined
}

/** What went wrong: everything of a {@link ValidationError} but its place and message. */
export interface ErrorFacts {
  readonly code: WireCode
  readonly keyword: string
  readonly path: string
  readonly expected: string
  readonly received: string
}

/**
 * Builds an error record and its one-line message. Fields are copied one by one: object spread
 * with extra keys is a slow path in V8 (about 1 µs), and this runs for every reported error.
 */
export function wireError(place: ErrorPlace, facts: ErrorFacts): ValidationError {
  const where = place.messageType === undefined ? (place.method ?? '') : place.method === undefined ? place.messageType : `${place.messageType} ${place.method}`
  const at = facts.path === '' ? '(message)' : facts.path
  const message = `${where ? `${where}: ` : ''}${at}: expected ${facts.expected}, received ${facts.received} [${facts.code}]`
  const error: { -readonly [K in keyof ValidationError]: ValidationError[K] } = {
    code: facts.code,
    path: facts.path,
    expected: facts.expected,
    received: facts.received,
    keyword: facts.keyword,
    message,
  }
  if (place.messageType !== undefined) error.messageType = place.messageType
  if (place.method !== undefined) error.method = place.method
  return error
}

/** Thrown by the `assert*` forms; carries the full error list. */
export class ProtocolValidationError extends Error {
  /** Every problem found. */
  readonly errors: readonly ValidationError[]

  constructor(errors: readonly ValidationError[]) {
    const first = errors[0]
    const more = errors.length > 1 ? ` (+${errors.length - 1} more)` : ''
    super(first ? `${first.message}${more}` : 'invalid message')
    this.name = 'ProtocolValidationError'
    this.errors = errors
  }
}
