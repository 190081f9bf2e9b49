/**
 * The request dispatcher: it answers every worker `request` exactly once (EXT-HOST-020). Each request
 * passes, in this order, the method lookup (EXT-HOST-025), the permission gate (EXT-HOST-021), the
 * payload check against the method's schema and the host's payload rules (EXT-HOST-022, EXT-HOST-023),
 * and only then reaches a backend, under a timeout on the injected clock. What the backend returns is
 * checked against the method's response schema before it is sent (EXT-HOST-029). Gates and schemas
 * come from `METHODS`; nothing here repeats them.
 */
import type { ResponseMessage } from '../protocol/messages/rpc.js'
import { METHODS, UserPayload, type MethodDescriptor, type NetworkFetchStreamPayload as FetchStreamSchema, type RequestMethod, type RequestPayloads, type ResponseData } from '../protocol/methods.js'
import { hasAnyNetworkPermission, hasPermission } from '../protocol/permissions.js'
import type { Static } from 'typebox'
import { describeThrown, describeValue } from '../validate/describe.js'
import type { ValidationError } from '../validate/errors.js'
import { validatorFor } from '../validate/index.js'
import type { ProtocolValidator } from '../validate/validator.js'
import type { AddedRequestPayloads } from '../protocol/versions-methods.js'
import { defaultBackends, type Awaitable, type HostBackends } from './backends.js'
import { systemClock, type Clock } from './clock.js'
import { requestIdOf } from './guard.js'
import { networkAccess } from './network-access.js'
import { hostProfile, hostValidator, isDefaultProfile } from './protocol.js'

/** Default time a backend may take: the worker's own request timeout, after which nobody listens. */
export const DEFAULT_BACKEND_TIMEOUT_MS = 30_000

/**
 * Default time a `tools.execute` may take (0.30.0): the host's own limit on the tool run (60 s) plus
 * the backend timeout, so the tool run's own timeout, with its own text, always answers first.
 */
export const DEFAULT_TOOLS_EXECUTE_TIMEOUT_MS = 90_000

/** Who is asking: the extension the request came from, and what its manifest grants. */
export interface RequestContext {
  readonly extensionId: string
  readonly permissions: readonly string[]
  /**
   * The collections its manifest declares. From 0.23.0 collection storage reaches only these
   * (EXT-HOST-111); absent means none.
   */
  readonly collections?: readonly string[]
}

/** Options of {@link createRequestDispatcher}. */
export interface RequestDispatcherOptions {
  /** Backends to use; each one not given is the in-memory default (see `defaultBackends`). */
  readonly backends?: Partial<HostBackends>
  /** Time base of the backend timeout (default: real time). */
  readonly clock?: Clock
  /** Most time a backend may take before the request fails (default {@link DEFAULT_BACKEND_TIMEOUT_MS}). */
  readonly backendTimeoutMs?: number
  /**
   * The protocol version whose methods, gates and payloads the dispatcher serves (default 0.22.1,
   * EXT-HOST-110). A method of another version is answered `Unknown method`.
   */
  readonly protocol?: string
  /** Most time a `tools.execute` (0.30.0) may take (default {@link DEFAULT_TOOLS_EXECUTE_TIMEOUT_MS}). */
  readonly toolsExecuteTimeoutMs?: number
  /** Validator for requests and response data (default: the shared tolerant one of the version). */
  readonly validator?: ProtocolValidator
  /** Id of each `response` message (default: a counter of this dispatcher). A host passes its own generator. */
  readonly newId?: () => string
  /** Called for an accepted network.fetch-stream, after the checks and before the `streaming` response is returned. */
  readonly onFetchStream?: (ctx: RequestContext, payload: NetworkFetchStreamPayload) => void
}

/** Answers worker requests; one per host. */
export interface RequestDispatcher {
  /**
   * Never rejects; resolves exactly once with the one response to send. `request` may be anything:
   * an invalid one is answered with `success: false` naming what is wrong. A request without a usable
   * id (see `requestIdOf`) cannot be answered (EXT-HOST-011): its response has an empty `requestId`
   * and must not be sent.
   */
  dispatch(ctx: RequestContext, request: unknown): Promise<ResponseMessage>
  /** The backends in use, defaults included, so a host can read what the in-memory ones hold. */
  readonly backends: HostBackends
}

/** Payload of `network.fetch-stream`, as {@link RequestDispatcherOptions.onFetchStream} receives it. */
type NetworkFetchStreamPayload = Static<typeof FetchStreamSchema>

type Handler<M extends RequestMethod> = (ctx: RequestContext, payload: RequestPayloads[M]) => Awaitable<ResponseData[M] | void>
type Handlers = { readonly [M in RequestMethod]: Handler<M> }

/** A method as this dispatcher's version serves it. */
interface Row {
  readonly method: string
  readonly noData: boolean
  /** The permission the host checks; null for none. */
  readonly gate: string | null
  /** Reaches a collection, which the manifest must declare (EXT-HOST-111). */
  readonly collection: boolean
  /** A successful answer may carry no data (not found); added methods only. */
  readonly dataOptional: boolean
}

/** What the checks decided: an answer now, or a backend call to make. */
type Plan = { readonly error: string } | { readonly method: Row; readonly call: () => Awaitable<unknown> }

const MAX_TEXT = 200

function clip(text: string): string {
  return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}… (${text.length} chars)` : text
}

/** The text of whatever a backend threw, without trusting it. */
function errorText(error: unknown): string {
  try {
    if (error instanceof Error) return clip(error.message || error.name)
    return clip(String(error))
  } catch {
    return describeThrown(error)
  }
}

function joinErrors(errors: readonly ValidationError[]): string {
  const shown = errors.slice(0, 5).map((e) => e.message)
  return shown.join('; ') + (errors.length > shown.length ? ` (+${errors.length - shown.length} more)` : '')
}

/** The user-id rule of the protocol's user-scoped payloads, applied to scheduler jobs too (EXT-HOST-022). */
const USER_ID = new RegExp((UserPayload.properties.userId as unknown as { pattern: string }).pattern)

/**
 * The host's payload rules beyond the method schema: the job's user id follows the user-id rule, a
 * fetch-stream's `requestId` is the request's own id (the id its chunks will carry), and a fetched
 * URL passes the network rule. Undefined when every rule holds.
 */
function hostRule(ctx: RequestContext, requestId: string, method: string, payload: unknown): string | undefined {
  switch (method) {
    case 'scheduler.schedule': {
      const userId = (payload as RequestPayloads['scheduler.schedule']).job.userId
      if (!USER_ID.test(userId)) return `Invalid request: request scheduler.schedule: /payload/job/userId: expected a user id without ":", "/" or "\\", received ${describeValue(userId)}`
      return undefined
    }
    case 'network.fetch-stream': {
      const p = payload as RequestPayloads['network.fetch-stream']
      if (p.requestId !== requestId) return `Invalid request: request network.fetch-stream: /payload/requestId: expected the request's own id ${describeValue(requestId)}, received ${describeValue(p.requestId)}`
      const access = networkAccess(ctx.permissions, p.url)
      return access.ok ? undefined : access.error
    }
    case 'network.fetch': {
      const access = networkAccess(ctx.permissions, (payload as RequestPayloads['network.fetch']).url)
      return access.ok ? undefined : access.error
    }
    default:
      return undefined
  }
}

/** EXT-HOST-021: the host's gate of a method is its worker gate; `network:` is checked per URL later. */
function gateRefusal(ctx: RequestContext, method: Row): string | undefined {
  const gate = method.gate
  if (gate === null) return undefined
  const permissions = Array.isArray(ctx.permissions) ? ctx.permissions : []
  const granted = gate === 'network:' ? hasAnyNetworkPermission(permissions) : hasPermission(permissions, gate)
  if (granted) return undefined
  const needed = gate === 'network:' ? 'a network: permission' : `the ${gate} permission`
  return `Permission denied: ${method.method} requires ${needed}`
}

function methodHandlers(backends: HostBackends, onFetchStream: RequestDispatcherOptions['onFetchStream']): Handlers {
  const { settings, storage, scheduler, events, chat, user, database, network } = backends
  const global = (ctx: RequestContext) => ({ extensionId: ctx.extensionId })
  const forUser = (ctx: RequestContext, userId: string) => ({ extensionId: ctx.extensionId, userId })
  return {
    'network.fetch': async (_ctx, p) => {
      const response = await network.fetch(p.url, p.options)
      // A Map keeps a header named `__proto__` an ordinary key; fromEntries makes it an own property.
      const headers = new Map<string, string>()
      response.headers.forEach((value, key) => headers.set(String(key).toLowerCase(), value))
      const body = await response.text()
      return { status: response.status, statusText: response.statusText, headers: Object.fromEntries(headers), body }
    },
    'network.fetch-stream': (ctx, p) => {
      onFetchStream?.(ctx, p)
      return { status: 'streaming' as const }
    },
    'settings.getAll': (ctx) => settings.getAll(ctx.extensionId),
    'settings.get': (ctx, p) => settings.get(ctx.extensionId, p.key),
    'settings.set': (ctx, p) => settings.set(ctx.extensionId, p.key, p.value),
    'user.getProfile': (ctx) => user.getProfile(ctx.extensionId),
    'events.emit': (ctx, p) => events.emit(ctx.extensionId, p.name, p.payload),
    'scheduler.schedule': (ctx, p) => scheduler.schedule(ctx.extensionId, p.job),
    'scheduler.cancel': (ctx, p) => scheduler.cancel(ctx.extensionId, p.jobId),
    'chat.appendInstruction': (ctx, p) => chat.appendInstruction(ctx.extensionId, p),
    'database.execute': (ctx, p) => database.execute(ctx.extensionId, p.sql, p.params ?? []),
    'storage.get': (ctx, p) => storage.get(global(ctx), p.key),
    'storage.set': (ctx, p) => storage.set(global(ctx), p.key, p.value),
    'storage.delete': (ctx, p) => storage.delete(global(ctx), p.key),
    'storage.keys': (ctx) => storage.keys(global(ctx)),
    'storage.getForUser': (ctx, p) => storage.get(forUser(ctx, p.userId), p.key),
    'storage.setForUser': (ctx, p) => storage.set(forUser(ctx, p.userId), p.key, p.value),
    'storage.deleteForUser': (ctx, p) => storage.delete(forUser(ctx, p.userId), p.key),
    'storage.keysForUser': (ctx, p) => storage.keys(forUser(ctx, p.userId)),
  }
}

type AddedHandlers = { readonly [M in keyof AddedRequestPayloads]: Handler0<AddedRequestPayloads[M]> }
type Handler0<P> = (ctx: RequestContext, payload: P) => Awaitable<unknown>

/** The handlers of the methods added after 0.22.1 (EXT-HOST-111..115). */
function addedHandlers(backends: HostBackends): AddedHandlers {
  const { collections: docs, secrets, scheduler, tools, user } = backends
  const ext = (ctx: RequestContext) => ({ extensionId: ctx.extensionId })
  const usr = (ctx: RequestContext, userId: string) => ({ extensionId: ctx.extensionId, userId })
  return {
    'storage.put': (ctx, p) => docs.put(ext(ctx), p.collection, p.id, p.data),
    'storage.get': (ctx, p) => docs.get(ext(ctx), p.collection, p.id),
    'storage.delete': (ctx, p) => docs.delete(ext(ctx), p.collection, p.id),
    'storage.find': (ctx, p) => docs.find(ext(ctx), p.collection, p.query, p.options),
    'storage.findOne': async (ctx, p) => (await docs.find(ext(ctx), p.collection, p.query, { limit: 1 }))[0],
    'storage.count': (ctx, p) => docs.count(ext(ctx), p.collection, p.query),
    'storage.putMany': async (ctx, p) => {
      for (const d of p.docs) await docs.put(ext(ctx), p.collection, d.id, d.data)
    },
    'storage.deleteMany': (ctx, p) => docs.deleteMany(ext(ctx), p.collection, p.query),
    'storage.dropCollection': (ctx, p) => docs.dropCollection(ext(ctx), p.collection),
    'storage.listCollections': (ctx) => docs.listCollections(ext(ctx)),
    'storage.putForUser': (ctx, p) => docs.put(usr(ctx, p.userId), p.collection, p.id, p.data),
    'storage.getForUser': (ctx, p) => docs.get(usr(ctx, p.userId), p.collection, p.id),
    'storage.deleteForUser': (ctx, p) => docs.delete(usr(ctx, p.userId), p.collection, p.id),
    'storage.findForUser': (ctx, p) => docs.find(usr(ctx, p.userId), p.collection, p.query, p.options),
    'storage.findOneForUser': async (ctx, p) => (await docs.find(usr(ctx, p.userId), p.collection, p.query, { limit: 1 }))[0],
    'storage.countForUser': (ctx, p) => docs.count(usr(ctx, p.userId), p.collection, p.query),
    'storage.putManyForUser': async (ctx, p) => {
      for (const d of p.docs) await docs.put(usr(ctx, p.userId), p.collection, d.id, d.data)
    },
    'storage.deleteManyForUser': (ctx, p) => docs.deleteMany(usr(ctx, p.userId), p.collection, p.query),
    'storage.dropCollectionForUser': (ctx, p) => docs.dropCollection(usr(ctx, p.userId), p.collection),
    'storage.listCollectionsForUser': (ctx, p) => docs.listCollections(usr(ctx, p.userId)),
    'secrets.set': (ctx, p) => secrets.set(ext(ctx), p.key, p.value),
    'secrets.get': (ctx, p) => secrets.get(ext(ctx), p.key),
    'secrets.delete': (ctx, p) => secrets.delete(ext(ctx), p.key),
    'secrets.list': (ctx) => secrets.list(ext(ctx)),
    'secrets.setForUser': (ctx, p) => secrets.set(usr(ctx, p.userId), p.key, p.value),
    'secrets.getForUser': (ctx, p) => secrets.get(usr(ctx, p.userId), p.key),
    'secrets.deleteForUser': (ctx, p) => secrets.delete(usr(ctx, p.userId), p.key),
    'secrets.listForUser': (ctx, p) => secrets.list(usr(ctx, p.userId)),
    'scheduler.reportFireResult': (ctx, p) =>
      scheduler.reportFireResult?.(ctx.extensionId, p.error === undefined ? { jobId: p.jobId, success: p.success } : { jobId: p.jobId, success: p.success, error: p.error }),
    'tools.list': (ctx) => tools.list(ctx.extensionId),
    'tools.execute': (ctx, p) => tools.execute(ctx.extensionId, p.toolId, p.params, p.userId),
    'user.listIds': (ctx) => {
      if (user.listIds === undefined) throw new Error('User list not available: this host has no user list backend')
      return user.listIds(ctx.extensionId)
    },
  }
}

/** Collection storage methods that name a collection (all but `listCollections`, EXT-HOST-111). */
const namesCollection = (method: string): boolean => method.startsWith('storage.') && !method.startsWith('storage.listCollections')

/** The methods of a version as the dispatcher serves them, and their handlers. */
function versionRows(protocol: string | undefined, backends: HostBackends, onFetchStream: RequestDispatcherOptions['onFetchStream']) {
  const p = hostProfile(protocol)
  const legacyHandlers = methodHandlers(backends, onFetchStream) as unknown as Readonly<Record<string, Handler0<unknown>>>
  if (isDefaultProfile(p)) {
    const rows = new Map<string, Row>(METHODS.map((m: MethodDescriptor) => [m.method, { method: m.method, noData: m.noData, gate: m.workerGate, collection: false, dataOptional: false }]))
    return { profile: p, rows, handlers: legacyHandlers }
  }
  const added = addedHandlers(backends) as unknown as Readonly<Record<string, Handler0<unknown>>>
  const rows = new Map<string, Row>()
  const handlers = new Map<string, Handler0<unknown>>()
  for (const m of p.methods) {
    // A 0.22.1 method keeps its host gate (= its worker gate, EXT-HOST-021); a later one has the gate its hosts check.
    const legacy = m.legacy !== undefined
    rows.set(m.method, { method: m.method, noData: m.noData, gate: legacy ? m.workerGate : m.hostGate, collection: !legacy && namesCollection(m.method), dataOptional: m.dataOptional })
    handlers.set(m.method, (legacy ? legacyHandlers[m.method] : added[m.method]) as Handler0<unknown>)
  }
  return { profile: p, rows, handlers: Object.fromEntries(handlers) }
}

/** EXT-HOST-111: collection storage reaches only the collections the manifest declares. */
function undeclared(ctx: RequestContext, method: string, payload: unknown): string | undefined {
  const collection = (payload as { collection: string }).collection
  const declared = Array.isArray(ctx.collections) ? ctx.collections : []
  if (declared.includes(collection)) return undefined
  return `Collection ${JSON.stringify(collection)} not declared in manifest: ${method} reaches only the collections the manifest declares`
}

/** Creates a dispatcher over the given backends (in-memory defaults for the others). */
export function createRequestDispatcher(options: RequestDispatcherOptions = {}): RequestDispatcher {
  const backends = defaultBackends(options.backends)
  const clock = options.clock ?? systemClock()
  const timeoutMs = options.backendTimeoutMs ?? DEFAULT_BACKEND_TIMEOUT_MS
  const version = versionRows(options.protocol, backends, options.onFetchStream)
  const validator = options.validator ?? (isDefaultProfile(version.profile) ? validatorFor() : hostValidator(version.profile))
  const toolsTimeoutMs = options.toolsExecuteTimeoutMs ?? DEFAULT_TOOLS_EXECUTE_TIMEOUT_MS
  let counter = 0
  const newId = options.newId ?? (() => `host-response-${++counter}`)
  const handlers = version.handlers
  const byName = version.rows

  function response(requestId: string, outcome: { data: unknown } | { error: string }): ResponseMessage {
    let id: string
    try {
      id = newId()
    } catch {
      id = `host-response-${++counter}`
    }
    if ('error' in outcome) return { type: 'response', id, payload: { requestId, success: false, error: outcome.error } }
    return outcome.data === undefined
      ? { type: 'response', id, payload: { requestId, success: true } }
      : { type: 'response', id, payload: { requestId, success: true, data: outcome.data } }
  }

  /** Every check, in order, before any backend is called. */
  function plan(ctx: RequestContext, requestId: string, request: object): Plan {
    const name: unknown = (request as { method?: unknown }).method
    const method = typeof name === 'string' ? byName.get(name) : undefined
    if (typeof name === 'string' && method === undefined) return { error: `Unknown method: ${clip(name)}` }
    if (method !== undefined) {
      const refused = gateRefusal(ctx, method)
      if (refused !== undefined) return { error: refused }
    }
    const checked = validator.validateWorkerToHost(request)
    if (!checked.ok) return { error: `Invalid request: ${joinErrors(checked.errors)}` }
    if (method === undefined) return { error: `Unknown method: ${describeValue(name)}` }
    const payload = (request as { payload: unknown }).payload
    const broken = hostRule(ctx, requestId, method.method, payload) ?? (method.collection ? undeclared(ctx, method.method, payload) : undefined)
    if (broken !== undefined) return { error: broken }
    const handler = handlers[method.method] as Handler0<unknown>
    return { method, call: () => handler(ctx, payload) }
  }

  /** EXT-HOST-029: the data to send, or why the backend's answer cannot be sent. */
  function checkData(method: Row, data: unknown): { data: unknown } | { error: string } {
    if (method.noData || (method.dataOptional && data === undefined)) return { data: undefined }
    // A copy: data that no transport could carry (a function, say) fails here, not in send, where
    // the worker would be left waiting; and the backend's own objects never leave by reference.
    let copy: unknown
    try {
      copy = structuredClone(data)
    } catch (error) {
      return { error: `${method.method}: the host backend returned invalid data: /payload/data: expected plain data, received a value that cannot be copied (${errorText(error)})` }
    }
    const checked = validator.validateResponse(method.method, copy)
    return checked.ok ? { data: copy } : { error: `${method.method}: the host backend returned invalid data: ${joinErrors(checked.errors)}` }
  }

  /**
   * The request as plain data, read once: what is checked is exactly what the backend gets, even when
   * the value is a live object (the memory transport passes objects by reference) whose getters could
   * answer differently on a second read.
   */
  function snapshotOf(request: unknown): { value: unknown } | { error: string; requestId: string | undefined } {
    try {
      return { value: structuredClone(request) }
    } catch (error) {
      const checked = validator.validateWorkerToHost(request)
      const why = checked.ok ? `expected plain data, received a value that cannot be copied (${errorText(error)})` : joinErrors(checked.errors)
      return { error: `Invalid request: ${why}`, requestId: requestIdOf(request) }
    }
  }

  function unanswerable(request: unknown): Promise<ResponseMessage> {
    return Promise.resolve(response('', { error: `Invalid request: no usable id (expected a request with a non-empty string id, received ${describeValue(request)})` }))
  }

  function dispatch(ctx: RequestContext, request: unknown): Promise<ResponseMessage> {
    const snapshot = snapshotOf(request)
    if ('error' in snapshot) return snapshot.requestId === undefined ? unanswerable(request) : Promise.resolve(response(snapshot.requestId, { error: snapshot.error }))
    const message = snapshot.value
    const requestId = requestIdOf(message)
    if (requestId === undefined) return unanswerable(message)
    let decided: Plan
    try {
      decided = plan(ctx, requestId, message as object)
    } catch (error) {
      decided = { error: `Invalid request: ${errorText(error)}` }
    }
    if ('error' in decided) return Promise.resolve(response(requestId, { error: decided.error }))
    const { method, call } = decided
    return new Promise<ResponseMessage>((resolve) => {
      let settled = false
      const settle = (outcome: { data: unknown } | { error: string }): void => {
        if (settled) return
        settled = true
        clock.clearTimeout(timer)
        resolve(response(requestId, outcome))
      }
      const limit = method.method === 'tools.execute' ? toolsTimeoutMs : timeoutMs
      const timer = clock.setTimeout(() => settle({ error: `${method.method} timed out after ${limit} ms in the host backend` }), limit)
      try {
        Promise.resolve(call()).then(
          (data) => {
            if (settled) return
            try {
              settle(checkData(method, data))
            } catch (error) {
              settle({ error: `${method.method}: ${errorText(error)}` })
            }
          },
          (error: unknown) => settle({ error: errorText(error) }),
        )
      } catch (error) {
        settle({ error: errorText(error) })
      }
    })
  }

  return { dispatch, backends }
}
