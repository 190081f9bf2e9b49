/**
 * The API an extension sees: the module it exports and the context it is activated with. These
 * mirror @stina/extension-api 0.22.1 so that upstream extension bundles run unchanged.
 */
import type {
  ActionResult,
  BackgroundRestartPolicy,
  BackgroundTaskHealth,
  ChatInstructionMessage,
  ChatMessage,
  ChatOptions,
  GetModelsOptions,
  ModelInfo,
  SchedulerFirePayload,
  SchedulerJobRequest,
  StreamEvent,
  ToolResult,
  UserProfile,
} from '../protocol/types.js'

import type { Disposable } from '../transport/types.js'

export type { Disposable }

/** What every callback learns about its extension. */
export interface ExtensionInfo {
  readonly id: string
  readonly version: string
  readonly storagePath: string
}

/** Context of a tool, action or scheduler callback. */
export interface ExecutionContext {
  /** The user the call is for, if any. */
  readonly userId?: string
  /** The extension. */
  readonly extension: ExtensionInfo
  /** From 0.23.0: the extension's collections (the host checks `storage.collections`). */
  readonly storage?: CollectionStorageAPI
  /**
   * From 0.23.0: the collections of the call's user. Without a `userId` every call rejects and
   * sends nothing (EXT-VER-004): it never falls back to the extension's shared scope.
   */
  readonly userStorage?: CollectionStorageAPI
  /** From 0.23.0: the extension's secrets (the host checks `secrets.manage`). */
  readonly secrets?: SecretsAPI
  /** From 0.23.0: the secrets of the call's user; without a `userId`, as {@link userStorage}. */
  readonly userSecrets?: SecretsAPI
}

/** A document query of collection storage: field -> value, or an operator object such as `{ $gt: 3 }`. */
export type DocumentQuery = Record<string, unknown>

/** Sorting and paging of {@link CollectionStorageAPI.find}. */
export interface DocumentQueryOptions {
  readonly sort?: Record<string, 'asc' | 'desc'>
  readonly limit?: number
  readonly offset?: number
}

/** Collection storage (0.23.0 on): documents by collection and id. */
export interface CollectionStorageAPI {
  put(collection: string, id: string, data: Record<string, unknown>): Promise<void>
  get<T = Record<string, unknown>>(collection: string, id: string): Promise<T | undefined>
  delete(collection: string, id: string): Promise<boolean>
  find<T = Record<string, unknown>>(collection: string, query?: DocumentQuery, options?: DocumentQueryOptions): Promise<T[]>
  findOne<T = Record<string, unknown>>(collection: string, query: DocumentQuery): Promise<T | undefined>
  count(collection: string, query?: DocumentQuery): Promise<number>
  putMany(collection: string, docs: Array<{ id: string; data: Record<string, unknown> }>): Promise<void>
  deleteMany(collection: string, query: DocumentQuery): Promise<number>
  dropCollection(collection: string): Promise<void>
  listCollections(): Promise<string[]>
}

/** Secrets (0.23.0 on, `secrets.manage`): strings by key; `list` gives keys, never values. */
export interface SecretsAPI {
  set(key: string, value: string): Promise<void>
  get(key: string): Promise<string | undefined>
  delete(key: string): Promise<boolean>
  list(): Promise<string[]>
}

/** A tool as `tools.list` reports it (0.30.0 on). */
export interface ToolListing {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly parameters?: Record<string, unknown>
}

/** An AI provider an extension registers. */
export interface AIProvider {
  readonly id: string
  readonly name: string
  /** Lists the provider's models. */
  getModels(options?: GetModelsOptions): Promise<ModelInfo[]>
  /** Runs a chat; yields stream events and ends with `done` or `error`. */
  chat(messages: ChatMessage[], options: ChatOptions): AsyncIterable<StreamEvent>
}

/** A tool an extension registers. */
export interface Tool {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly parameters?: Record<string, unknown>
  /** Runs the tool. */
  execute(params: Record<string, unknown>, context: ExecutionContext): Promise<ToolResult> | ToolResult
}

/** An action an extension registers. */
export interface Action {
  readonly id: string
  /** Runs the action. */
  execute(params: Record<string, unknown>, context: ExecutionContext): Promise<ActionResult> | ActionResult
}

/** Log API; `data` is attached to the log message. */
export interface LogAPI {
  debug(message: string, data?: Record<string, unknown>): void
  info(message: string, data?: Record<string, unknown>): void
  warn(message: string, data?: Record<string, unknown>): void
  error(message: string, data?: Record<string, unknown>): void
}

/** `network` (any `network:` permission). */
export interface NetworkAPI {
  /** Fetches through the host; the body arrives as text. */
  fetch(url: string, init?: RequestInit): Promise<Response>
  /** Fetches through the host and yields the body in chunks, acknowledging each (EXT-FETCH-*). */
  fetchStream(url: string, init?: RequestInit): AsyncGenerator<string, void, undefined>
}

/** `settings` (`settings.register`). */
export interface SettingsAPI {
  getAll<T extends Record<string, unknown> = Record<string, unknown>>(): Promise<T>
  get<T = unknown>(key: string): Promise<T | undefined>
  set(key: string, value: unknown): Promise<void>
  /** Called on every `settings-changed`. */
  onChange(callback: (key: string, value: unknown) => void): Disposable
}

/** `providers` (`provider.register`). */
export interface ProvidersAPI {
  register(provider: AIProvider): Disposable
}

/**
 * `tools`: `tools.register`; from 0.30.0 also `list` and `execute`, and the API is present when any
 * of `tools.register`, `tools.list`, `tools.execute` is granted; a method whose own permission is
 * missing throws (register) or rejects (list, execute) without sending anything (EXT-VER-007).
 */
export interface ToolsAPI {
  register(tool: Tool): Disposable
  /** 0.30.0 on: every tool of every loaded extension. */
  list?(): Promise<ToolListing[]>
  /** 0.30.0 on: runs a tool of any loaded extension and resolves with its result. */
  execute?(toolId: string, params: Record<string, unknown>, userId?: string): Promise<ToolResult>
}

/** `actions` (`actions.register`). */
export interface ActionsAPI {
  register(action: Action): Disposable
}

/** `events` (`events.emit`). */
export interface EventsAPI {
  emit(name: string, payload?: Record<string, unknown>): Promise<void>
}

/** `scheduler` (`scheduler.register`). */
export interface SchedulerAPI {
  schedule(job: SchedulerJobRequest): Promise<void>
  cancel(jobId: string): Promise<void>
  /** Called on every `scheduler-fire`. */
  onFire(callback: (payload: SchedulerFirePayload, context: ExecutionContext) => void | Promise<void>): Disposable
}

/**
 * `user` (`user.profile.read`; from 0.31.0 also `user.list`): each method rejects without sending
 * anything when its own permission is missing (EXT-VER-009).
 */
export interface UserAPI {
  getProfile(): Promise<UserProfile>
  /** 0.31.0 on (`user.list`): the ids of the known users. */
  listIds?(): Promise<string[]>
}

/** `chat` (`chat.message.write`). */
export interface ChatAPI {
  appendInstruction(message: ChatInstructionMessage): Promise<void>
}

/** `database` (`database.own`). */
export interface DatabaseAPI {
  execute<T = unknown>(sql: string, params?: unknown[]): Promise<T[]>
}

/** `storage` (`storage.local`): the eight storage methods. */
export interface StorageAPI {
  get<T = unknown>(key: string): Promise<T | undefined>
  set(key: string, value: unknown): Promise<void>
  delete(key: string): Promise<void>
  keys(): Promise<string[]>
  getForUser<T = unknown>(userId: string, key: string): Promise<T | undefined>
  setForUser(userId: string, key: string, value: unknown): Promise<void>
  deleteForUser(userId: string, key: string): Promise<void>
  keysForUser(userId: string): Promise<string[]>
}

/** Configuration of a background task. */
export interface BackgroundTaskConfig {
  readonly id: string
  readonly name: string
  readonly userId: string
  readonly restartPolicy: BackgroundRestartPolicy
  readonly payload?: Record<string, unknown>
}

/** What a running background task gets. */
export interface BackgroundTaskContext extends ExecutionContext {
  readonly userId: string
  /** Aborted when the task is stopped or the extension deactivates. */
  readonly signal: AbortSignal
  /** The `payload` of the task's config (EXT-BG-007; upstream drops it, B33). */
  readonly payload?: Record<string, unknown>
  /** Sends a `background-task-health` report. */
  reportHealth(status: string): void
  /** Log API whose messages are prefixed with `[taskId] `. */
  readonly log: LogAPI
}

/** The body of a background task. */
export type BackgroundTaskCallback = (context: BackgroundTaskContext) => Promise<void> | void

/** `backgroundWorkers` (`background.workers`). */
export interface BackgroundWorkersAPI {
  start(config: BackgroundTaskConfig, callback: BackgroundTaskCallback): Promise<Disposable>
  stop(taskId: string): Promise<void>
  getStatus(): Promise<BackgroundTaskHealth[]>
}

/**
 * What `activate` receives; each API is present only when its permission is granted (EXT-PERM-003).
 * `S` is the type of `storage`: the key-value {@link StorageAPI} (`storage.local`) up to 0.22.1,
 * {@link CollectionStorageAPI} (`storage.collections`) from 0.23.0.
 */
export interface ExtensionContext<S = StorageAPI> {
  readonly extension: ExtensionInfo
  readonly log: LogAPI
  readonly network?: NetworkAPI
  readonly settings?: SettingsAPI
  readonly providers?: ProvidersAPI
  readonly tools?: ToolsAPI
  readonly actions?: ActionsAPI
  readonly events?: EventsAPI
  readonly scheduler?: SchedulerAPI
  readonly user?: UserAPI
  readonly chat?: ChatAPI
  readonly database?: DatabaseAPI
  readonly storage?: S
  /** 0.23.0 on (`secrets.manage`). */
  readonly secrets?: SecretsAPI
  /** 0.22.0 on (`background.workers`). */
  readonly backgroundWorkers?: BackgroundWorkersAPI
}

/** The context of an activation from 0.23.0 on, where `storage` is collection storage. */
export type CollectionExtensionContext = ExtensionContext<CollectionStorageAPI>

/** An extension bundle's module. */
export interface ExtensionModule {
  activate(context: ExtensionContext): void | Disposable | Promise<void | Disposable>
  deactivate?(): void | Promise<void>
}
