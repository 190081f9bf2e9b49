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
import { defaultBackends, type Awaitable, type HostBackends } from './backends.js'
import { systemClock, type Clock } from './clock.js'
import { requestIdOf } from './guard.js'
import { networkAccess } from './network-access.js'

/** Default time a backend may take: the worker's own request timeout, after which nobody listens. */
export const DEFAULT_BACKEND_TIMEOUT_MS = 30_000

/** Who is asking: the extension the request came from, and what its manifest grants. */
export interface RequestContext {
  readonly extensionId: string
  readonly permissions: readonly string[]
}

/** Options of {@link createRequestDispatcher}. */
export interface RequestDispatcherOptions {
  /** Backends to use; each one not given is the in-memory default (see `defaultBackends`). */
  readonly backends?: Partial<HostBackends>
  /** Time base of the backend timeout (default: real time). */
  readonly clock?: Clock
  /** Most time a backend may take before the request fails (default {@link DEFAULT_BACKEND_TIMEOUT_MS}). */
  readonly backendTimeoutMs?: number
  /** Validator for requests and response data (default: the shared tolerant one). */
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

/** What the checks decided: an answer now, or a backend call to make. */
type Plan = { readonly error: string } | { readonly method: MethodDescriptor; readonly call: () => Awaitable<unknown> }

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
function gateRefusal(ctx: RequestContext, method: MethodDescriptor): string | undefined {
  const gate = method.workerGate
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

/** Creates a dispatcher over the given backends (in-memory defaults for the others). */
export function createRequestDispatcher(options: RequestDispatcherOptions = {}): RequestDispatcher {
  const backends = defaultBackends(options.backends)
  const clock = options.clock ?? systemClock()
  const timeoutMs = options.backendTimeoutMs ?? DEFAULT_BACKEND_TIMEOUT_MS
  const validator = options.validator ?? validatorFor()
  let counter = 0
  const newId = options.newId ?? (() => `host-response-${++counter}`)
  const handlers = methodHandlers(backends, options.onFetchStream)
  const byName = new Map(METHODS.map((m) => [m.method, m]))

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
    const broken = hostRule(ctx, requestId, method.method, payload)
    if (broken !== undefined) return { error: broken }
    const handler = handlers[method.method as RequestMethod] as (ctx: RequestContext, payload: unknown) => Awaitable<unknown>
    return { method, call: () => handler(ctx, payload) }
  }

  /** EXT-HOST-029: the data to send, or why the backend's answer cannot be sent. */
  function checkData(method: MethodDescriptor, data: unknown): { data: unknown } | { error: string } {
    if (method.noData) return { data: undefined }
    const checked = validator.validateResponse(method.method, data)
    return checked.ok ? { data } : { error: `${method.method}: the host backend returned invalid data: ${joinErrors(checked.errors)}` }
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
      const timer = clock.setTimeout(() => settle({ error: `${method.method} timed out after ${timeoutMs} ms in the host backend` }), timeoutMs)
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
