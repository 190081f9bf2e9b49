/**
 * Compiled validators for every message, request payload and response. Dispatch is on `type`
 * (and on `method` for `request`) to one compiled ajv function per message, which is what makes
 * validation cheap enough to sit on every message. A second, error-collecting compilation of
 * the same schema runs only when the fast check fails.
 */
import { Ajv, type ValidateFunction } from 'ajv'
import type { TSchema } from 'typebox'
import { MESSAGES, type HostToWorkerMessage, type ProtocolMessage, type WorkerToHostMessage } from '../protocol/catalogue.js'
import type { Direction } from '../protocol/descriptor.js'
import { METHODS, NoData, AnyData, type RequestMethod, type RequestPayloads, type ResponseData } from '../protocol/methods.js'
import { RequestEnvelope } from '../protocol/messages/rpc.js'
import { profile } from '../protocol/profiles.js'
import { DEFAULT_PROFILE, resolveProfile } from '../protocol/versions.js'
import { describeThrown, describeValue, findUnreadable } from './describe.js'
import { WireCode, wireError, type ValidationError, type ValidationResult } from './errors.js'
import { DEFAULT_MODE, schemaForMode, type ValidationMode } from './modes.js'
import { report, type ReportContext } from './report.js'

/** What a validator set covers. */
export type ValidatorScope = 'host-to-worker' | 'worker-to-host' | 'payloads' | 'responses'

/** Options of {@link createValidator}. */
export interface ValidatorOptions {
  /** `strict` or `tolerant` (default `tolerant`, see {@link ValidationMode}). */
  readonly mode?: ValidationMode
  /**
   * What to compile (default: everything). A validator asked for something outside its scope
   * throws, since that is a programming error, not bad input.
   */
  readonly scope?: readonly ValidatorScope[]
  /**
   * `eager` (default) compiles every error-collecting check up front, so validation stays exact
   * even if `Object.prototype` is polluted later. `lazy` compiles each message's checks on first
   * use: much faster to start (a worker that validates a handful of types), but a first use under a
   * polluted prototype fails closed (the message is rejected with EXT-WIRE-007, never accepted).
   */
  readonly compile?: 'eager' | 'lazy'
  /**
   * The protocol version whose messages and methods are checked (`0.36.0`, `0.23.0`, ...; default
   * `0.22.1`). Every version's checks are compiled at creation like the default's; an unknown
   * version throws an `UnknownVersionError` naming the known ones.
   */
  readonly protocol?: string
}

/** A set of compiled validators for one mode. Create one with {@link createValidator}. */
export interface ProtocolValidator {
  /** The mode these validators were compiled for. */
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
 * Two compilations of one schema. `full` checks own properties only and collects every error: it
 * reports errors, and it is the check itself while `Object.prototype` is polluted. `fast` reads
 * properties plainly and stops at the first error. Anything compiled on first use is compiled only
 * while the prototype is clean, because ajv's compiler itself breaks under pollution; `full` is
 * compiled up front unless the validator was created with `compile: 'lazy'`.
 */
interface Entry {
  fast: ValidateFunction | undefined
  full: ValidateFunction | undefined
  readonly schema: object
  readonly compilers: Compilers
  readonly ctx: ReportContext
}

interface Compilers {
  readonly fast: Ajv
  readonly full: Ajv
  readonly mode: ValidationMode
  readonly lazy: boolean
}

function compile(c: Compilers, schema: TSchema, ctx: ReportContext): Entry {
  const s = schemaForMode(schema, c.mode) as object
  return { fast: undefined, full: c.lazy ? undefined : c.full.compile(s), schema: s, compilers: c, ctx }
}

/** The fast check of an entry, compiled now if the prototype is clean; undefined when it is not. */
function fastCheck(entry: Entry): ValidateFunction | undefined {
  if (!prototypeIsClean()) return undefined
  return (entry.fast ??= entry.compilers.fast.compile(entry.schema))
}

/** The full check of an entry; undefined when it was never compiled and the prototype is polluted now. */
function fullCheck(entry: Entry): ValidateFunction | undefined {
  if (entry.full === undefined && prototypeIsClean()) entry.full = entry.compilers.full.compile(entry.schema)
  return entry.full
}

/**
 * True while `Object.prototype` has no enumerable property. An enumerable property there (the
 * usual result of prototype pollution) would make a plain read see inherited fields, so the
 * own-property check takes over.
 */
function prototypeIsClean(): boolean {
  for (const _ in Object.prototype) return false
  return true
}

function fail(errors: ValidationError[]): { ok: false; errors: readonly ValidationError[] } {
  return { ok: false, errors }
}

/** Runs one entry on a value: the fast check, then (only on failure) the error collection. */
function run<T>(entry: Entry, value: unknown): ValidationResult<T> {
  try {
    const fast = fastCheck(entry)
    if (fast !== undefined && fast(value)) return { ok: true, value: value as T }
  } catch (error) {
    return unreadable(entry.ctx, value, error)
  }
  try {
    const full = fullCheck(entry)
    if (full === undefined) {
      // Fail closed: a lazily compiled validator met a polluted prototype before its first use.
      return fail([wireError(entry.ctx, { code: WireCode.Unreadable, keyword: 'read', path: entry.ctx.prefix, expected: 'a validator compiled before Object.prototype was polluted', received: `a polluted Object.prototype (keys: ${Object.keys(Object.prototype).slice(0, 5).join(', ')})` })])
    }
    if (full(value)) return { ok: true, value: value as T }
    const errors = report(full.errors ?? [], entry.ctx)
    if (errors.length > 0) return fail(errors)
    return fail([wireError(entry.ctx, { code: WireCode.NoVariant, keyword: 'schema', path: entry.ctx.prefix, expected: 'a value the schema accepts', received: describeValue(value) })])
  } catch (error) {
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

/** Creates the compiled validators for one mode. Each call compiles afresh; share the result. */
export function createValidator(options: ValidatorOptions = {}): ProtocolValidator {
  const mode = options.mode ?? DEFAULT_MODE
  // optimize: false compiles about 2.5x faster and the generated checks run as fast (see bench).
  const ajvOptions = { strict: false, allowUnionTypes: true, validateFormats: false, discriminator: true, messages: false, code: { optimize: false } } as const
  const c: Compilers = {
    mode,
    lazy: options.compile === 'lazy',
    fast: new Ajv({ ...ajvOptions, allErrors: false }),
    full: new Ajv({ ...ajvOptions, ownProperties: true, allErrors: true, verbose: true }),
  }

  const scope = new Set<ValidatorScope>(options.scope ?? ['host-to-worker', 'worker-to-host', 'payloads', 'responses'])
  const outOfScope = (what: string): never => {
    throw new ScopeError(`this validator was created without ${what} in its scope`)
  }
  // The default profile is made of the very descriptors of the catalogue, so it keeps today's tables.
  const version = options.protocol === undefined ? DEFAULT_PROFILE : resolveProfile(options.protocol)
  const source = version === DEFAULT_PROFILE ? { messages: MESSAGES, methods: METHODS, envelope: RequestEnvelope } : (() => {
    const p = profile(version)
    return { messages: p.messages, methods: p.methods, envelope: p.requestEnvelope }
  })()
  const byType = new Map<string, { direction: Direction; entry: Entry | null | undefined }>()
  for (const d of source.messages) {
    const entry = !scope.has(d.direction) ? undefined : d.type === 'request' ? null : compile(c, d.schema, { messageType: d.type, prefix: '' })
    byType.set(d.type, { direction: d.direction, entry })
  }
  const requestEnvelope = compile(c, source.envelope, { messageType: 'request', prefix: '' })
  const payloadByMethod = new Map<string, Entry>()
  const responseByMethod = new Map<string, { entry: Entry; kind: 'none' | 'any' | 'data'; optional: boolean }>()
  const withPayloads = scope.has('payloads') || scope.has('worker-to-host')
  source.methods.forEach((m) => {
    // A method added after 0.22.1 may answer with no data where there is nothing to return (not found).
    const optional = 'dataOptional' in m && m.dataOptional === true
    if (withPayloads) payloadByMethod.set(m.method, compile(c, m.payload, { messageType: 'request', method: m.method, prefix: '/payload' }))
    const kind = m.response === NoData ? 'none' : m.response === AnyData ? 'any' : 'data'
    if (scope.has('responses')) responseByMethod.set(m.method, { kind, optional, entry: compile(c, m.response, { messageType: 'response', method: m.method, prefix: '/payload/data' }) })
  })
  // The texts of the dispatch errors, built once: an invalid stream must not rebuild them per message.
  const typesText = (direction: Direction | null) =>
    `one of the ${direction ?? 'protocol'} message types: ${[...byType].filter(([, v]) => direction === null || v.direction === direction).map(([t]) => t).join(', ')}`
  const expectedType = new Map<Direction | null, string>([null, 'host-to-worker', 'worker-to-host'].map((d) => [d as Direction | null, typesText(d as Direction | null)]))
  const methodsText = `one of the request methods: ${source.methods.map((m) => m.method).join(', ')}`

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
      if (found.kind === 'any' || ((found.kind === 'none' || found.optional) && data === undefined)) return { ok: true, value: data as ResponseData[M] }
      if (data === undefined) {
        return fail([
          wireError({ messageType: 'response', method }, { code: WireCode.Required, keyword: 'required', path: '/payload/data', expected: 'response data', received: 'absent' }),
        ])
      }
      return run(found.entry, data)
    },
  })
}
