/**
 * Builds the ExtensionContext of an activation. Each API is present only when its permission is
 * granted under the wildcard rule (EXT-PERM-002, EXT-PERM-003), and each request sends exactly the
 * payload its method's schema defines (EXT-REQ-001).
 */
import { hasAnyNetworkPermission, hasPermission } from '../protocol/permissions.js'
import type { FetchOptions, FetchResponse } from '../protocol/methods.js'
import type { ProtocolValidator } from '../validate/validator.js'
import type {
  AIProvider,
  BackgroundWorkersAPI,
  Disposable,
  ExtensionContext,
  LogAPI,
  NetworkAPI,
  StorageAPI,
  Tool,
} from './api.js'
import { BackgroundTasks } from './background.js'
import type { FetchStreams } from './fetch-stream.js'
import type { Requests } from './requests.js'
import type { Session } from './session.js'
import { collectionStorage, executionApis, permissionRequired, secretsApi, type Call, type ProtocolFeatures } from './versioned.js'

/** What the context needs from its runtime. */
export interface ContextDeps {
  readonly send: (message: unknown) => void
  readonly requests: Requests
  readonly fetchStreams: FetchStreams
  readonly validator: ProtocolValidator
  readonly createLog: (prefix: string) => LogAPI
  readonly now: () => Date
  /** The APIs of the runtime's protocol version (default: 0.22.1's). */
  readonly features?: ProtocolFeatures
  /** Timeout of a `tools.execute` call (ms), longer than the host's own tool timeout (EXT-VER-008). */
  readonly toolsExecuteTimeoutMs?: number
}

/** HTTP statuses whose Response must have a null body (upstream B19). */
const NULL_BODY_STATUS: ReadonlySet<number> = new Set([101, 103, 204, 205, 304])

/**
 * The Response of a `network.fetch` (EXT-REQ-008). A null-body status gets a null body (the
 * constructor throws on any other), and a status the constructor refuses (outside 200-599, such as
 * 101) is carried by the Response's own `status` and `ok`, so that every status the host reports
 * reaches the extension.
 */
export function toResponse(data: FetchResponse): Response {
  const representable = data.status >= 200 && data.status <= 599
  const body = NULL_BODY_STATUS.has(data.status) ? null : data.body
  const response = new Response(body, { status: representable ? data.status : 200, statusText: data.statusText, headers: data.headers })
  if (!representable) Object.defineProperties(response, { status: { value: data.status }, ok: { value: false } })
  return response
}

/** The cloneable part of a RequestInit (`signal` and Headers instances cannot cross, upstream §0). */
export function toFetchOptions(init: RequestInit | undefined): FetchOptions | undefined {
  if (init === undefined || init === null) return undefined
  const out: Record<string, unknown> = {}
  for (const key of ['method', 'body', 'mode', 'credentials', 'cache', 'redirect', 'referrer', 'referrerPolicy', 'integrity', 'keepalive'] as const) {
    const value = (init as Record<string, unknown>)[key]
    if (value !== undefined && value !== null) out[key] = value
  }
  if (init.headers !== undefined) {
    const headers: Record<string, string> = {}
    new Headers(init.headers).forEach((value, key) => {
      headers[key] = value
    })
    out['headers'] = headers
  }
  return out as FetchOptions
}

/** A registration's Disposable: removes it locally (the protocol has no unregister message). */
function registration<T>(map: Map<string, T>, id: string, value: T): Disposable {
  return {
    dispose: () => {
      if (map.get(id) === value) map.delete(id)
    },
  }
}

function requireId(kind: string, value: { id?: unknown } | null | undefined): string {
  if (!value || typeof value.id !== 'string' || value.id === '') throw new TypeError(`${kind} must have a non-empty string id`)
  return value.id
}

/**
 * A `register` function: checks the announcement against its message schema, keeps the registration,
 * announces it (EXT-LIFE-002) and returns its Disposable. A registration that cannot be announced as
 * given (a LocalizedString `name` where the wire carries a string) throws, naming the message type,
 * the path and the problem; nothing is kept or sent, and no field is turned into text (EXT-LIFE-013).
 */
function registrar<T extends { id: string }>(kind: string, deps: Pick<ContextDeps, 'send' | 'validator'>, map: Map<string, T>, announce: (id: string, value: T) => unknown): (value: T) => Disposable {
  return (value) => {
    const id = requireId(kind, value)
    const message = announce(id, value)
    const checked = deps.validator.validateWorkerToHost(message)
    if (!checked.ok) throw new TypeError(`${kind} ${id} cannot be registered: ${checked.errors.map((e) => e.message).join('; ')}`)
    map.set(id, value)
    deps.send(message)
    return registration(map, id, value)
  }
}

/** Builds the context for `session`. */
export function buildContext(session: Session, deps: ContextDeps): ExtensionContext {
  const { requests, send } = deps
  const granted = session.permissions
  const can = (permission: string) => hasPermission(granted, permission)
  const features = deps.features
  const call: Call = (method, payload) => requests.callMethod(method, payload)
  const context: { -readonly [K in keyof ExtensionContext]: ExtensionContext[K] } = {
    extension: session.extension,
    log: deps.createLog(''),
  }

  if (hasAnyNetworkPermission(granted)) {
    const network: NetworkAPI = {
      async fetch(url, init) {
        return toResponse(await requests.call('network.fetch', init === undefined ? { url } : { url, options: toFetchOptions(init) }))
      },
      fetchStream: (url, init) => deps.fetchStreams.open(url, toFetchOptions(init)),
    }
    context.network = network
  }

  if (can('settings.register')) {
    context.settings = {
      getAll: async <T extends Record<string, unknown>>() => (await requests.call('settings.getAll', {})) as T,
      get: async <T>(key: string) => (await requests.call('settings.get', { key })) as T | undefined,
      set: async (key, value) => void (await requests.call('settings.set', { key, value })),
      onChange: (callback) => {
        session.settingsCallbacks.add(callback)
        return { dispose: () => void session.settingsCallbacks.delete(callback) }
      },
    }
  }

  if (can('provider.register')) {
    context.providers = {
      register: registrar('Provider', deps, session.providers, (id, p: AIProvider) => ({ type: 'provider-registered', payload: { id, name: p.name ?? id } })),
    }
  }

  const registerTool = registrar('Tool', deps, session.tools, (id, tool: Tool) => {
    const payload: Record<string, unknown> = { id, name: tool.name ?? id, description: tool.description ?? '' }
    if (tool.parameters !== undefined) payload['parameters'] = tool.parameters
    return { type: 'tool-registered', payload }
  })
  if (features?.toolsApi && (can('tools.register') || can('tools.list') || can('tools.execute'))) {
    // EXT-VER-007: one API for the three permissions; each method needs its own.
    const timeoutMs = deps.toolsExecuteTimeoutMs
    context.tools = {
      register: can('tools.register') ? registerTool : () => {
        throw new Error('tools.register permission required')
      },
      list: can('tools.list') ? async () => (await call('tools.list', {})) as never : permissionRequired('tools.list'),
      execute: can('tools.execute')
        ? async (toolId, params, userId) =>
            (await requests.callMethod('tools.execute', userId === undefined ? { toolId, params } : { toolId, params, userId }, timeoutMs === undefined ? {} : { timeoutMs })) as never
        : permissionRequired('tools.execute'),
    }
  } else if (can('tools.register')) {
    context.tools = { register: registerTool }
  }

  if (can('actions.register')) {
    context.actions = {
      register: registrar('Action', deps, session.actions, (id) => ({ type: 'action-registered', payload: { id } })),
    }
  }

  if (can('events.emit')) {
    context.events = {
      emit: async (name, payload) => void (await requests.call('events.emit', payload === undefined ? { name } : { name, payload })),
    }
  }

  if (can('scheduler.register')) {
    context.scheduler = {
      schedule: async (job) => void (await requests.call('scheduler.schedule', { job })),
      cancel: async (jobId) => void (await requests.call('scheduler.cancel', { jobId })),
      onFire: (callback) => {
        session.fireCallbacks.add(callback)
        return { dispose: () => void session.fireCallbacks.delete(callback) }
      },
    }
  }

  if (features?.userList && (can('user.profile.read') || can('user.list'))) {
    // EXT-VER-009: listIds is offered under user.list, the permission the host checks.
    context.user = {
      getProfile: can('user.profile.read') ? () => requests.call('user.getProfile', {}) : permissionRequired('user.profile.read'),
      listIds: can('user.list') ? async () => (await call('user.listIds', {})) as string[] : permissionRequired('user.list'),
    }
  } else if (can('user.profile.read')) {
    context.user = { getProfile: () => requests.call('user.getProfile', {}) }
  }

  if (can('chat.message.write')) {
    context.chat = { appendInstruction: async (message) => void (await requests.call('chat.appendInstruction', message)) }
  }

  const keyValue = features === undefined || features.keyValueStorage
  if (keyValue && can('database.own')) {
    context.database = {
      execute: async <T>(sql: string, params?: unknown[]) =>
        (await requests.call('database.execute', params === undefined ? { sql } : { sql, params })) as T[],
    }
  }

  if (keyValue && can('storage.local')) {
    const storage: StorageAPI = {
      get: async <T>(key: string) => (await requests.call('storage.get', { key })) as T | undefined,
      set: async (key, value) => void (await requests.call('storage.set', { key, value })),
      delete: async (key) => void (await requests.call('storage.delete', { key })),
      keys: () => requests.call('storage.keys', {}),
      getForUser: async <T>(userId: string, key: string) => (await requests.call('storage.getForUser', { userId, key })) as T | undefined,
      setForUser: async (userId, key, value) => void (await requests.call('storage.setForUser', { userId, key, value })),
      deleteForUser: async (userId, key) => void (await requests.call('storage.deleteForUser', { userId, key })),
      keysForUser: (userId) => requests.call('storage.keysForUser', { userId }),
    }
    context.storage = storage
  }

  if (features?.collections) {
    if (can('storage.collections')) (context as { storage?: unknown }).storage = collectionStorage(call)
    if (can('secrets.manage')) context.secrets = secretsApi(call)
    // EXT-VER-003: built whatever the permissions; the host checks each call.
    session.executionApis = (userId) => executionApis(call, userId)
  }

  if ((features === undefined || features.background) && can('background.workers')) {
    const tasks = new BackgroundTasks({
      send,
      ...(session.executionApis ? { executionApis: session.executionApis } : {}),
      extension: session.extension,
      validator: deps.validator,
      log: (taskId) => deps.createLog(`[${taskId}] `),
      warn: (message, data) => deps.createLog('').warn(message, data),
      now: deps.now,
    })
    session.background = tasks
    const backgroundWorkers: BackgroundWorkersAPI = {
      start: async (config, callback) => tasks.register(config, callback),
      stop: async (taskId) => void tasks.stop(taskId, true),
      getStatus: async () => tasks.getStatus(),
    }
    context.backgroundWorkers = backgroundWorkers
  }

  return context
}
