/**
 * What the request dispatcher calls once a request has passed its checks: one backend per family of
 * request methods, each told which extension it serves so that it can confine itself. A host plugs in
 * its own (a database, a real scheduler, its UI's event bus); the in-memory defaults here make the
 * reference host work alone and make every backend behaviour testable without one.
 */
import type { FetchOptions } from '../protocol/methods.js'
import type { ChatInstructionMessage, SchedulerJobRequest, ToolResult, UserProfile } from '../protocol/types.js'
import { memoryCollections, memorySecrets, type CollectionsBackend, type SecretsBackend } from './collections.js'

/** A value, or a promise of it: backends may answer synchronously. */
export type Awaitable<T> = T | Promise<T>

/** Whose storage a call touches: the extension's global keys, or one user's keys within it (EXT-HOST-026). */
export interface StorageScope {
  readonly extensionId: string
  /** Absent for the extension's global keys. */
  readonly userId?: string
}

/** The host's copy of each extension's settings, which `settings.*` read and write (EXT-HOST-027). */
export interface SettingsBackend {
  getAll(extensionId: string): Awaitable<Record<string, unknown>>
  get(extensionId: string, key: string): Awaitable<unknown>
  set(extensionId: string, key: string, value: unknown): Awaitable<void>
  /** Seeds an extension's settings with its manifest defaults, when it is loaded. */
  init?(extensionId: string, defaults: Record<string, unknown>): void
  /** Forgets an extension's settings, when it is unloaded. */
  drop?(extensionId: string): void
}

/** Key-value storage per extension and per user within it (EXT-HOST-026). */
export interface StorageBackend {
  get(scope: StorageScope, key: string): Awaitable<unknown>
  set(scope: StorageScope, key: string, value: unknown): Awaitable<void>
  delete(scope: StorageScope, key: string): Awaitable<void>
  /** Keys of exactly this scope: the global scope never lists a user's keys. */
  keys(scope: StorageScope): Awaitable<string[]>
}

/** Where `scheduler.schedule` and `scheduler.cancel` go (EXT-HOST-028). */
export interface SchedulerBackend {
  schedule(extensionId: string, job: SchedulerJobRequest): Awaitable<void>
  cancel(extensionId: string, jobId: string): Awaitable<void>
  /**
   * How the `onFire` callbacks of one fire ended, as the worker reports it from 0.26.0
   * (`scheduler.reportFireResult`, EXT-HOST-113). Optional: a scheduler without it accepts the report
   * and records nothing.
   */
  reportFireResult?(extensionId: string, result: FireResult): Awaitable<void>
}

/** One `scheduler.reportFireResult` as the host received it. */
export interface FireResult {
  readonly jobId: string
  readonly success: boolean
  readonly error?: string
}

/** Where `events.emit` goes: the host's event stream, tagged with the extension (EXT-HOST-028). */
export interface EventsBackend {
  emit(extensionId: string, name: string, payload: Record<string, unknown> | undefined): Awaitable<void>
}

/** Where `chat.appendInstruction` goes (EXT-HOST-028). */
export interface ChatBackend {
  appendInstruction(extensionId: string, instruction: ChatInstructionMessage): Awaitable<void>
}

/** Where `user.getProfile` goes (EXT-HOST-028), and `user.listIds` from 0.31.0 (EXT-HOST-115). */
export interface UserProfileBackend {
  getProfile(extensionId: string): Awaitable<UserProfile>
  /** The ids of the users the host knows; a backend without it makes `user.listIds` fail. */
  listIds?(extensionId: string): Awaitable<string[]>
}

/** A tool some loaded extension registered, as `tools.list` answers it (0.30.0). */
export interface ListedToolInfo {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly parameters?: Record<string, unknown>
}

/**
 * Where `tools.list` and `tools.execute` go (0.30.0, EXT-HOST-114): the tools of every loaded
 * extension, which only the host that loaded them knows. `createHost` supplies one over its own
 * extensions; a dispatcher alone has the in-memory default, which knows no tool.
 */
export interface ToolsBackend {
  /** Every registered tool of every loaded extension, the caller's included. */
  list(callerId: string): Awaitable<ListedToolInfo[]>
  /** Runs the tool in the extension that registered it; rejects when none did or the run fails. */
  execute(callerId: string, toolId: string, params: Record<string, unknown>, userId: string | undefined): Promise<ToolResult>
}

/**
 * Where `database.execute` goes (EXT-HOST-024). It receives the extension id and must confine the
 * statement by construction (a database or schema per extension), never by reading the SQL text.
 */
export interface DatabaseBackend {
  execute(extensionId: string, sql: string, params: readonly unknown[]): Awaitable<unknown[]>
}

/** The part of a fetch `Response` the host reads; `globalThis.fetch` returns one. */
export interface FetchLikeResponse {
  readonly status: number
  readonly statusText: string
  readonly ok: boolean
  readonly headers: { forEach(cb: (value: string, key: string) => void): void }
  readonly body: ReadableStream<Uint8Array> | null
  text(): Promise<string>
}

/** Where `network.fetch` and `network.fetch-stream` go, after the URL rules (EXT-HOST-023). */
export interface NetworkBackend {
  fetch(url: string, init: FetchOptions | undefined): Promise<FetchLikeResponse>
}

/** Every backend the dispatcher uses. */
export interface HostBackends {
  readonly settings: SettingsBackend
  /** Key-value storage (up to 0.23.0). */
  readonly storage: StorageBackend
  /** Collection storage (from 0.23.0). */
  readonly collections: CollectionsBackend
  /** Secrets (from 0.23.0). */
  readonly secrets: SecretsBackend
  /** Cross-extension tools (from 0.30.0). */
  readonly tools: ToolsBackend
  readonly scheduler: SchedulerBackend
  readonly events: EventsBackend
  readonly chat: ChatBackend
  readonly user: UserProfileBackend
  readonly database: DatabaseBackend
  readonly network: NetworkBackend
}

/**
 * A copy that the caller cannot alias: what a worker stored must not change when the object it sent
 * is later mutated (the memory transport passes objects by reference), nor the other way round.
 */
function copy<T>(value: T): T {
  return value === undefined || value === null || typeof value !== 'object' ? value : structuredClone(value)
}

/** An own-keys object from a map: `__proto__` and friends stay ordinary keys. */
function objectOf(map: ReadonlyMap<string, unknown>): Record<string, unknown> {
  return Object.fromEntries([...map].map(([k, v]) => [k, copy(v)]))
}

/** Settings in memory: seeded by `init` with the manifest defaults, changed by `settings.set`. */
export function memorySettings(): SettingsBackend {
  const byExtension = new Map<string, Map<string, unknown>>()
  const of = (extensionId: string): Map<string, unknown> => {
    let map = byExtension.get(extensionId)
    if (map === undefined) byExtension.set(extensionId, (map = new Map()))
    return map
  }
  return {
    getAll: (extensionId) => objectOf(byExtension.get(extensionId) ?? new Map()),
    get: (extensionId, key) => copy(byExtension.get(extensionId)?.get(key)),
    set: (extensionId, key, value) => void of(extensionId).set(key, copy(value)),
    init: (extensionId, defaults) => void byExtension.set(extensionId, new Map(Object.entries(defaults).map(([k, v]) => [k, copy(v)]))),
    drop: (extensionId) => void byExtension.delete(extensionId),
  }
}

/**
 * Storage in memory. Each extension has one map of global keys and one map per user, so a user's key
 * can never be read as a global key, whatever characters either contains (EXT-HOST-026).
 */
export function memoryStorage(): StorageBackend {
  const byExtension = new Map<string, { global: Map<string, unknown>; users: Map<string, Map<string, unknown>> }>()
  const scopeOf = (scope: StorageScope, create: boolean): Map<string, unknown> | undefined => {
    let ext = byExtension.get(scope.extensionId)
    if (ext === undefined) {
      if (!create) return undefined
      byExtension.set(scope.extensionId, (ext = { global: new Map(), users: new Map() }))
    }
    if (scope.userId === undefined) return ext.global
    let user = ext.users.get(scope.userId)
    if (user === undefined && create) ext.users.set(scope.userId, (user = new Map()))
    return user
  }
  return {
    get: (scope, key) => copy(scopeOf(scope, false)?.get(key)),
    set: (scope, key, value) => void scopeOf(scope, true)?.set(key, copy(value)),
    delete: (scope, key) => void scopeOf(scope, false)?.delete(key),
    keys: (scope) => [...(scopeOf(scope, false)?.keys() ?? [])],
  }
}

/** A scheduler that records the jobs of each extension, for a host without a real one and for tests. */
export interface MemoryScheduler extends SchedulerBackend {
  /** The jobs an extension has scheduled and not cancelled, in scheduling order. */
  jobs(extensionId: string): SchedulerJobRequest[]
  /** The fire results an extension reported, in order. */
  fireResults(extensionId: string): FireResult[]
  reportFireResult(extensionId: string, result: FireResult): void
}

/** A scheduler in memory: scheduling an existing job id replaces it, as a re-schedule does. */
export function memoryScheduler(): MemoryScheduler {
  const byExtension = new Map<string, Map<string, SchedulerJobRequest>>()
  const results = new Map<string, FireResult[]>()
  return {
    reportFireResult(extensionId, result) {
      let list = results.get(extensionId)
      if (list === undefined) results.set(extensionId, (list = []))
      list.push(copy(result))
    },
    fireResults: (extensionId) => (results.get(extensionId) ?? []).map(copy),
    schedule(extensionId, job) {
      let jobs = byExtension.get(extensionId)
      if (jobs === undefined) byExtension.set(extensionId, (jobs = new Map()))
      jobs.delete(job.id)
      jobs.set(job.id, copy(job))
    },
    cancel: (extensionId, jobId) => void byExtension.get(extensionId)?.delete(jobId),
    jobs: (extensionId) => [...(byExtension.get(extensionId)?.values() ?? [])].map(copy),
  }
}

/** One `events.emit` as the host received it. */
export interface EmittedEvent {
  readonly extensionId: string
  readonly name: string
  readonly payload: Record<string, unknown> | undefined
}

/** Events in memory: each is recorded and, when a listener is given, forwarded to it. */
export interface MemoryEvents extends EventsBackend {
  /** Every event emitted so far, in order. */
  readonly emitted: readonly EmittedEvent[]
}

/** Records every event, and forwards it to `listener` (the host's event stream) when given. */
export function memoryEvents(listener?: (event: EmittedEvent) => void): MemoryEvents {
  const emitted: EmittedEvent[] = []
  return {
    emitted,
    emit(extensionId, name, payload) {
      const event: EmittedEvent = { extensionId, name, payload: copy(payload) }
      emitted.push(event)
      listener?.(event)
    },
  }
}

/** One appended instruction as the host received it. */
export interface AppendedInstruction {
  readonly extensionId: string
  readonly instruction: ChatInstructionMessage
}

/** A chat bridge in memory that records what extensions append. */
export interface MemoryChat extends ChatBackend {
  readonly appended: readonly AppendedInstruction[]
}

/** Records every appended instruction, and forwards it to `listener` when given. */
export function memoryChat(listener?: (appended: AppendedInstruction) => void): MemoryChat {
  const appended: AppendedInstruction[] = []
  return {
    appended,
    appendInstruction(extensionId, instruction) {
      const entry: AppendedInstruction = { extensionId, instruction: copy(instruction) }
      appended.push(entry)
      listener?.(entry)
    },
  }
}

/**
 * A user profile source. Without a profile every call fails with a clear error, as a host with no
 * signed-in user must answer (EXT-HOST-028), rather than inventing an empty profile. `userIds` are
 * the users `user.listIds` reports (default: none, an empty list).
 */
export function memoryUser(profile?: UserProfile, userIds: readonly string[] = []): UserProfileBackend {
  const ids = [...userIds]
  return {
    getProfile() {
      if (profile === undefined) throw new Error('User profile not available: this host has no user profile backend')
      return copy(profile)
    },
    listIds: () => [...ids],
  }
}

/** Tools for a dispatcher used without a host: it knows no loaded extension, so it lists none and runs none. */
export function noTools(): ToolsBackend {
  return {
    list: () => [],
    execute: (_callerId, toolId) => Promise.reject(new Error(`Tool "${toolId}" not found in any extension`)),
  }
}

/**
 * The reference host's database: it refuses every statement (EXT-HOST-024). Matching SQL text
 * cannot confine a statement to an extension's tables, so a host that wants `database.execute`
 * must give a backend that confines it by construction.
 */
export function refusingDatabase(): DatabaseBackend {
  return {
    execute() {
      throw new Error('Database access is not configured on this host: database.execute needs a database backend that confines each extension by construction')
    },
  }
}

/** Options of {@link globalFetchNetwork}. */
export interface GlobalFetchOptions {
  /**
   * `manual` (default): a redirect is returned to the extension as it is (status 3xx and its
   * `location` header), so that following it is a new request that passes the URL rules again;
   * otherwise an allowed host could redirect the host's fetch to one the extension may not reach
   * (localhost, say). `follow` lets the platform follow redirects unchecked.
   */
  readonly redirects?: 'manual' | 'follow'
}

/**
 * Network through the platform's `fetch` (Node 18+, browsers, Deno). Looked up at call time, so a
 * host that replaces `globalThis.fetch` (a test, a proxy) is honoured.
 */
export function globalFetchNetwork(options: GlobalFetchOptions = {}): NetworkBackend {
  const redirects = options.redirects ?? 'manual'
  return {
    async fetch(url, init) {
      const platformFetch = globalThis.fetch
      if (typeof platformFetch !== 'function') throw new Error('network is not available: this platform has no global fetch')
      const headers = init?.headers === undefined ? undefined : Array.isArray(init.headers) ? init.headers.map(([k, v]) => [k, v]) : { ...init.headers }
      const request = { ...init, headers, redirect: redirects === 'manual' ? 'manual' : (init?.redirect ?? 'follow') }
      return platformFetch(url, request as RequestInit)
    },
  }
}

/** The in-memory defaults of every backend; `overrides` replace any of them. */
export function defaultBackends(overrides: Partial<HostBackends> = {}): HostBackends {
  return {
    settings: overrides.settings ?? memorySettings(),
    storage: overrides.storage ?? memoryStorage(),
    collections: overrides.collections ?? memoryCollections(),
    secrets: overrides.secrets ?? memorySecrets(),
    tools: overrides.tools ?? noTools(),
    scheduler: overrides.scheduler ?? memoryScheduler(),
    events: overrides.events ?? memoryEvents(),
    chat: overrides.chat ?? memoryChat(),
    user: overrides.user ?? memoryUser(),
    database: overrides.database ?? refusingDatabase(),
    network: overrides.network ?? globalFetchNetwork(),
  }
}
