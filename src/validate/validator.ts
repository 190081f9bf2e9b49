/**
 * The validator engine: dispatch on `type` (and on `method` for `request`) to one check per
 * message, which is what makes validation cheap enough to sit on every message. Each entry has
 * two checks of the same schema: a fast one for the common, valid case, and an error-collecting,
 * own-property one that runs only when the fast check fails or `Object.prototype` is polluted.
 * Where the checks come from is not this module's business: precompiled code
 * (`precompiled.ts`, the package default) or ajv compiling at run time (`compile.ts`). This module
 * imports neither ajv nor TypeBox.
 */
import type { ErrorObject } from 'ajv'
import type { HostToWorkerMessage, ProtocolMessage, WorkerToHostMessage } from '../protocol/catalogue.js'
import type { Direction } from '../protocol/descriptor.js'
import type { RequestMethod, RequestPayloads, ResponseData } from '../protocol/methods.js'
import { describeThrown, describeValue, findUnreadable } from './describe.js'
import { WireCode, wireError, type ValidationError, type ValidationResult } from './errors.js'
import type { ReportHints } from './hints.js'
import type { ValidationMode } from './modes.js'
import { report, type ReportContext } from './report.js'

/** One check of one schema, as ajv generates it: true when valid; on false, `errors` says why. */
export interface Check {
  (data: unknown): boolean
  errors?: ErrorObject[] | null
}

/** What a validator set covers. */
export type ValidatorScope = 'host-to-worker' | 'worker-to-host' | 'payloads' | 'responses'

/** Options of `validatorFor`, `precompiledValidator` and `createValidator`. */
export interface ValidatorOptions {
  /** `strict` or `tolerant` (default `tolerant`, see {@link ValidationMode}). */
  readonly mode?: ValidationMode
  /**
   * What the validator covers (default: everything). A validator asked for something outside its
   * scope throws, since that is a programming error, not bad input.
   */
  readonly scope?: readonly ValidatorScope[]
  /**
   * Only for `createValidator`, which compiles. `eager` (default) compiles every error-collecting
   * check up front, so validation stays exact even if `Object.prototype` is polluted later. `lazy`
   * compiles each message's checks on first use, and a first use under a polluted prototype fails
   * closed (the message is rejected with EXT-WIRE-007, never accepted). Precompiled validators
   * ignore it: their checks all exist before any message arrives (except the full checks of a
   * CommonJS Node worker, loaded on first use, with any pollution lifted meanwhile).
   */
  readonly compile?: 'eager' | 'lazy'
  /**
   * The protocol version whose messages and methods are checked (`0.36.0`, `0.23.0`, ...; default
   * `0.22.1`); an unknown one throws an `UnknownVersionError` naming the known versions. Every
   * version is precompiled (`validatorFor`, `precompiledValidator`); `createValidator` compiles it.
   */
  readonly protocol?: string
}

/** A set of validators for one mode: `validatorFor`/`precompiledValidator` (precompiled) or `createValidator` (compiles). */
export interface ProtocolValidator {
  /** The mode these validators check. */
  readonly mode: ValidationMode
  /** Validates a message a worker sent to its host. */
  validateWorkerToHost(value: unknown): ValidationResult<WorkerToHostMessage>
  /** Validates a message a host sent to a worker. */
  validateHostToWorker(value: unknown): ValidationResult<HostToWorkerMessage>
  /** Validates a message of either direction. */
  validateMessage(value: unknown): ValidationResult<ProtocolMessage>
  /** Validates the `payload` of a `request` for `method`; paths start at `/payload`. */
  validateRequest<M extends RequestMethod>(method: M | string, payload: unknown): ValidationResult<RequestPayloads[M]>
  /** Validates the `data` of a successful `response` to `method`; paths start at `/payload/data`. */
  validateResponse<M extends RequestMethod>(method: M | string, data: unknown): ValidationResult<ResponseData[M]>
}

/**
 * The two checks of one schema, with what its error report needs. `fast` reads properties plainly
 * and stops at the first error; `full` checks own properties only and collects every error: it
 * reports errors, and it is the check itself while `Object.prototype` is polluted. Either may be
 * undefined only for a validator that compiles on first use and meets a polluted prototype (see
 * `compile.ts`), or whose full checks load on first use and cannot load under that pollution
 * (`check-set.ts`); `full` throws a {@link ChecksUnavailableError} when they cannot load at all.
 */
export interface CheckEntry {
  fast(): Check | undefined
  full(): Check | undefined
  readonly hints: ReportHints
  readonly ctx: ReportContext
}

/** What the engine needs to assemble a validator: the checks of every entry in scope, and the dispatch tables. */
export interface ValidatorParts {
  readonly mode: ValidationMode
  readonly scope: ReadonlySet<ValidatorScope>
  /** Every message type of the protocol with its direction, in catalogue order. */
  readonly messages: readonly { readonly type: string; readonly direction: Direction }[]
  /** Every request method with the kind of data its successful response carries. */
  readonly methods: readonly { readonly method: string; readonly response: 'none' | 'any' | 'data'; readonly optional?: boolean }[]
  /** The checks of a message type other than `request`, when its direction is in scope. */
  readonly message: (type: string) => CheckEntry | undefined
  /** The `request` envelope: type, id, method, payload present. */
  readonly envelope: CheckEntry
  /** The payload check of a method, when payloads are in scope. */
  readonly payload: (method: string) => CheckEntry | undefined
  /** The response check of a method (`none` and `data` methods), when responses are in scope. */
  readonly response: (method: string) => CheckEntry | undefined
}

/**
 * True while `Object.prototype` has no enumerable property. An enumerable property there (the
 * usual result of prototype pollution) would make a plain read see inherited fields, so the
 * own-property check takes over.
 */
export function prototypeIsClean(): boolean {
  for (const _ in Object.prototype) return false
  return true
}

function fail(errors: ValidationError[]): { ok: false; errors: readonly ValidationError[] } {
  return { ok: false, errors }
}

/**
 * The error-collecting checks of an entry could not be loaded (a lazily loaded module that is
 * missing or not a module of checks): the validator cannot judge, and says so, rather than blame
 * the value. Its message is one line, without the loader's file paths.
 */
export class ChecksUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ChecksUnavailableError'
  }
}

/** Runs one entry on a value: the fast check, then (only on failure) the error collection. */
function run<T>(entry: CheckEntry, value: unknown): ValidationResult<T> {
  try {
    const fast = prototypeIsClean() ? entry.fast() : undefined
    if (fast !== undefined && fast(value)) return { ok: true, value: value as T }
  } catch (error) {
    return unreadable(entry.ctx, value, error)
  }
  try {
    const full = entry.full()
    if (full === undefined) {
      // Fail closed: a lazily compiled validator met a polluted prototype before its first use.
      return fail([wireError(entry.ctx, { code: WireCode.Unreadable, keyword: 'read', path: entry.ctx.prefix, expected: 'a validator compiled before Object.prototype was polluted', received: `a polluted Object.prototype (keys: ${Object.keys(Object.prototype).slice(0, 5).join(', ')})` })])
    }
    if (full(value)) return { ok: true, value: value as T }
    const errors = report(full.errors ?? [], entry.ctx, entry.hints, value)
    if (errors.length > 0) return fail(errors)
    return fail([wireError(entry.ctx, { code: WireCode.NoVariant, keyword: 'schema', path: entry.ctx.prefix, expected: 'a value the schema accepts', received: describeValue(value) })])
  } catch (error) {
    // Fail closed, naming the validator's own failure, not the value.
    if (error instanceof ChecksUnavailableError) return fail([wireError(entry.ctx, { code: WireCode.Unreadable, keyword: 'load', path: entry.ctx.prefix, expected: 'the checks that collect its errors', received: `none: ${error.message}` })])
    return unreadable(entry.ctx, value, error)
  }
}

function unreadable(ctx: ReportContext, value: unknown, error: unknown): ValidationFailure {
  const found = findUnreadable(value)
  return fail([
    wireError(ctx, {
      code: WireCode.Unreadable,
      keyword: 'read',
      path: ctx.prefix + (found?.path ?? ''),
      expected: 'plain data that can be read without side effects',
      received: `a value whose read threw (${found?.reason ?? describeThrown(error)})`,
    }),
  ])
}

type ValidationFailure = { ok: false; errors: readonly ValidationError[] }

/** Thrown when a validator is asked for something outside its scope: a programming error. */
export class ScopeError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ScopeError'
  }
}

/**
 * Assembles a validator from its checks. `precompiledValidator` and `createValidator` are the two
 * ways to get one.
 */
export function assembleValidator(parts: ValidatorParts): ProtocolValidator {
  const { mode, scope } = parts
  const outOfScope = (what: string): never => {
    throw new ScopeError(`this validator was created without ${what} in its scope`)
  }
  const byType = new Map<string, { direction: Direction; entry: CheckEntry | null | undefined }>()
  for (const d of parts.messages) {
    const entry = !scope.has(d.direction) ? undefined : d.type === 'request' ? null : parts.message(d.type)
    byType.set(d.type, { direction: d.direction, entry })
  }
  const requestEnvelope = parts.envelope
  const payloadByMethod = new Map<string, CheckEntry>()
  const responseByMethod = new Map<string, { entry: CheckEntry | undefined; kind: 'none' | 'any' | 'data'; optional: boolean }>()
  const withPayloads = scope.has('payloads') || scope.has('worker-to-host')
  for (const m of parts.methods) {
    const payload = withPayloads ? parts.payload(m.method) : undefined
    if (payload !== undefined) payloadByMethod.set(m.method, payload)
    if (scope.has('responses')) responseByMethod.set(m.method, { kind: m.response, optional: m.optional === true, entry: m.response === 'any' ? undefined : parts.response(m.method) })
  }
  // The texts of the dispatch errors, built once: an invalid stream must not rebuild them per message.
  const typesText = (direction: Direction | null) =>
    `one of the ${direction ?? 'protocol'} message types: ${[...byType].filter(([, v]) => direction === null || v.direction === direction).map(([t]) => t).join(', ')}`
  const expectedType = new Map<Direction | null, string>([null, 'host-to-worker', 'worker-to-host'].map((d) => [d as Direction | null, typesText(d as Direction | null)]))
  const methodsText = `one of the request methods: ${parts.methods.map((m) => m.method).join(', ')}`

  function unknownMethod(method: unknown, path: string, messageType: string): ValidationFailure {
    return fail([
      wireError({ messageType }, {
        code: method === undefined ? WireCode.Required : WireCode.UnknownMethod,
        keyword: 'dispatch',
        path,
        expected: methodsText,
        received: describeValue(method),
      }),
    ])
  }

  function dispatch<T>(value: unknown, direction: Direction | null): ValidationResult<T> {
    try {
      return route<T>(value, direction)
    } catch (error) {
      if (error instanceof ScopeError) throw error
      return unreadable({ prefix: '' }, value, error)
    }
  }

  function route<T>(value: unknown, direction: Direction | null): ValidationResult<T> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return fail([
        wireError({}, { code: WireCode.NotAnObject, keyword: 'type', path: '', expected: 'a message object', received: describeValue(value) }),
      ])
    }
    let type: unknown
    let method: unknown
    try {
      type = (value as { type?: unknown }).type
      if (type === 'request') method = (value as { method?: unknown }).method
    } catch (error) {
      return unreadable({ prefix: '' }, value, error)
    }
    const known = typeof type === 'string' ? byType.get(type) : undefined
    if (!known || (direction !== null && known.direction !== direction)) {
      const other = known ? ` (a ${known.direction} type)` : ''
      return fail([
        wireError({}, {
          code: type === undefined ? WireCode.Required : WireCode.UnknownType,
          keyword: 'dispatch',
          path: '/type',
          expected: expectedType.get(direction) as string,
          received: describeValue(type) + other,
        }),
      ])
    }
    if (known.entry === undefined) return outOfScope(known.direction)
    if (known.entry) return run<T>(known.entry, value)
    return routeRequest<T>(value, method)
  }

  function routeRequest<T>(value: unknown, method: unknown): ValidationResult<T> {
    const envelope = run(requestEnvelope, value)
    const entry = typeof method === 'string' ? payloadByMethod.get(method) : undefined
    if (!entry) {
      const other = envelope.ok ? [] : envelope.errors.filter((e) => e.path !== '/method')
      return fail([...unknownMethod(method, '/method', 'request').errors, ...other])
    }
    const payload = (value as { payload?: unknown }).payload
    const checked = payload === undefined ? envelope : run(entry, payload)
    if (envelope.ok && checked.ok) return { ok: true, value: value as T }
    return fail([...(envelope.ok ? [] : envelope.errors), ...(checked.ok || checked === envelope ? [] : checked.errors)])
  }

  return Object.freeze({
    mode,
    validateWorkerToHost: (value: unknown) => dispatch<WorkerToHostMessage>(value, 'worker-to-host'),
    validateHostToWorker: (value: unknown) => dispatch<HostToWorkerMessage>(value, 'host-to-worker'),
    validateMessage: (value: unknown) => dispatch<ProtocolMessage>(value, null),
    validateRequest<M extends RequestMethod>(method: M | string, payload: unknown): ValidationResult<RequestPayloads[M]> {
      if (!withPayloads) return outOfScope('payloads')
      const entry = typeof method === 'string' ? payloadByMethod.get(method) : undefined
      if (!entry) return unknownMethod(method, '/method', 'request')
      return run(entry, payload)
    },
    validateResponse<M extends RequestMethod>(method: M | string, data: unknown): ValidationResult<ResponseData[M]> {
      if (!scope.has('responses')) return outOfScope('responses')
      const found = typeof method === 'string' ? responseByMethod.get(method) : undefined
      if (!found) return unknownMethod(method, '/method', 'response')
      if (found.kind === 'any' || found.entry === undefined || ((found.kind === 'none' || found.optional) && data === undefined)) return { ok: true, value: data as ResponseData[M] }
      if (data === undefined) {
        return fail([
          wireError({ messageType: 'response', method }, { code: WireCode.Required, keyword: 'required', path: '/payload/data', expected: 'response data', received: 'absent' }),
        ])
      }
      return run(found.entry, data)
    },
  })
}
