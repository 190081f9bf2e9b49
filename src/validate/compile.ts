/**
 * `createValidator`: validators compiled at run time by ajv from the TypeBox catalogue. The package's
 * own validators are precompiled (`precompiled.ts`) and never come here; this module is for a private
 * compiled set, custom schemas built on the same engine and later protocol profiles. It loads
 * TypeBox and ajv's compiler, and compiling runs `new Function`, so it cannot run under a
 * Content-Security-Policy without `unsafe-eval`; nothing on the package's run-time paths imports it.
 */
import { Ajv, type ValidateFunction } from 'ajv'
import type { TSchema } from 'typebox'
import { MESSAGES } from '../protocol/catalogue.js'
import { AnyData, METHODS, NoData } from '../protocol/methods.js'
import { RequestEnvelope } from '../protocol/messages/rpc.js'
import { profile } from '../protocol/profiles.js'
import { DEFAULT_PROFILE, resolveProfile } from '../protocol/versions.js'
import { computeHints } from './hints.js'
import { DEFAULT_MODE, schemaForMode, type ValidationMode } from './modes.js'
import { FAST_OPTIONS, FULL_OPTIONS } from './options.js'
import type { ReportContext } from './report.js'
import { assembleValidator, prototypeIsClean, type CheckEntry, type ProtocolValidator, type ValidatorOptions, type ValidatorScope } from './validator.js'

interface Compilers {
  readonly fast: Ajv
  readonly full: Ajv
  readonly mode: ValidationMode
  readonly lazy: boolean
}

/**
 * Compiles one schema. The fast check is compiled on first use; the full one up front unless
 * `lazy`. Anything compiled on first use is compiled only while the prototype is clean, because
 * ajv's compiler itself breaks under pollution.
 */
function compileEntry(c: Compilers, schema: TSchema, ctx: ReportContext): CheckEntry {
  const s = schemaForMode(schema, c.mode) as object
  let fast: ValidateFunction | undefined
  let full: ValidateFunction | undefined = c.lazy ? undefined : c.full.compile(s)
  return {
    ctx,
    hints: computeHints(s),
    fast: () => (fast ??= prototypeIsClean() ? c.fast.compile(s) : undefined),
    full: () => (full ??= prototypeIsClean() ? c.full.compile(s) : undefined),
  }
}

/**
 * Creates validators for one mode by compiling the protocol's schemas with ajv now. Each call
 * compiles afresh (about 0.3 s for everything, eagerly); share the result. Prefer `validatorFor`
 * or `precompiledValidator`, which check exactly the same and compile nothing.
 */
export function createValidator(options: ValidatorOptions = {}): ProtocolValidator {
  const mode = options.mode ?? DEFAULT_MODE
  // optimize: false compiles about 2.5x faster and the generated checks run as fast (see bench).
  const code = { optimize: false } as const
  const c: Compilers = { mode, lazy: options.compile === 'lazy', fast: new Ajv({ ...FAST_OPTIONS, code }), full: new Ajv({ ...FULL_OPTIONS, code }) }
  const scope = new Set<ValidatorScope>(options.scope ?? ['host-to-worker', 'worker-to-host', 'payloads', 'responses'])
  const withPayloads = scope.has('payloads') || scope.has('worker-to-host')
  // The default keeps the catalogue's own tables; another version takes its profile's (EXT-VER-*).
  const version = options.protocol === undefined ? DEFAULT_PROFILE : resolveProfile(options.protocol)
  const other = version === DEFAULT_PROFILE ? undefined : profile(version)
  const source = {
    messages: other?.messages ?? MESSAGES,
    methods: (other?.methods ?? METHODS).map((m) => ({ method: m.method, payload: m.payload, response: m.response, optional: 'dataOptional' in m && m.dataOptional === true })),
    envelope: other?.requestEnvelope ?? RequestEnvelope,
  }
  const messages = new Map<string, CheckEntry>()
  for (const d of source.messages) {
    if (d.type !== 'request' && scope.has(d.direction)) messages.set(d.type, compileEntry(c, d.schema, { messageType: d.type, prefix: '' }))
  }
  const payloads = new Map<string, CheckEntry>()
  const responses = new Map<string, CheckEntry>()
  for (const m of source.methods) {
    if (withPayloads) payloads.set(m.method, compileEntry(c, m.payload, { messageType: 'request', method: m.method, prefix: '/payload' }))
    if (scope.has('responses') && m.response !== AnyData) responses.set(m.method, compileEntry(c, m.response, { messageType: 'response', method: m.method, prefix: '/payload/data' }))
  }
  return assembleValidator({
    mode,
    scope,
    messages: source.messages.map((d) => ({ type: d.type, direction: d.direction })),
    methods: source.methods.map((m) => ({ method: m.method, response: m.response === NoData ? 'none' : m.response === AnyData ? 'any' : 'data', optional: m.optional })),
    message: (type) => messages.get(type),
    envelope: compileEntry(c, source.envelope, { messageType: 'request', prefix: '' }),
    payload: (method) => payloads.get(method),
    response: (method) => responses.get(method),
  })
}

/** The types a caller of {@link createValidator} needs, from this entry too. */
export type { ProtocolValidator, ValidatorOptions, ValidatorScope } from './validator.js'
