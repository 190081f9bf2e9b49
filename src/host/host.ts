/**
 * `createHost`: the protocol's host end, composed of the kit's pieces over any transport. It drives
 * the handshake (EXT-HOST-001..006), validates every inbound message through the guard
 * (EXT-HOST-010..015), answers requests through the dispatcher (EXT-HOST-020..032), serves fetch
 * streams through the pump (EXT-HOST-040..046), supervises tasks (EXT-HOST-050..062) and offers the
 * host API with per-extension correlation, timeouts and unload (EXT-HOST-070..079).
 *
 * It reads no manifest from disk and sandboxes nothing: the application hands it a manifest and a
 * connected transport (a worker thread, a process, an in-memory pair) and decides what runs where.
 */
import type { WorkerToHostMessage } from '../protocol/catalogue.js'
import { hasPermission } from '../protocol/permissions.js'
import type {
  ActionResult,
  ChatMessage,
  ChatOptions,
  GetModelsOptions,
  ModelInfo,
  SchedulerFirePayload,
  StreamEvent,
  ToolResult,
} from '../protocol/types.js'
import type { CloseInfo, Disposable, Transport } from '../transport/types.js'
import type { ValidationError } from '../validate/errors.js'
import type { ProtocolValidator } from '../validate/validator.js'
import { ProtocolValidationError } from '../validate/errors.js'
import { validatorFor } from '../validate/index.js'
import { defaultBackends, type EventsBackend, type HostBackends, type ToolsBackend } from './backends.js'
import { compareVersions } from '../protocol/versions.js'
import { hostProfile, hostValidator, isDefaultProfile } from './protocol.js'
import { systemClock, type Clock, type TimerHandle } from './clock.js'
import { createRequestDispatcher, type RequestContext, type RequestDispatcher } from './dispatcher.js'
import { createInboundGuard, type InboundGuard, type InboundGuardOptions, type InvalidInbound } from './guard.js'
import type { RequestDispatcherOptions } from './dispatcher.js'
import { StreamPump, type NetworkFetchStreamPayload, type StreamPumpOptions } from './stream-pump.js'
import { TaskSupervisor, type TaskEvent, type TaskSupervisorOptions, type TaskView } from './supervisor.js'

/** What the application knows of an extension; the host reads nothing else (and nothing from disk). */
export interface ExtensionManifest {
  readonly id: string
  readonly version: string
  /** Granted permissions; absent means none (`[]` on the wire, upstream H5). */
  readonly permissions?: readonly string[]
  /** Setting defaults, sent in `activate` and seeded into the settings backend. */
  readonly settings?: Readonly<Record<string, unknown>>
  /** Where the extension keeps files; default `<storageRoot>/<id>` (never `undefined/<id>`, upstream B24). */
  readonly storagePath?: string
  /** The storage collections it declares (0.23.0 and later): collection storage reaches no other (EXT-HOST-111). */
  readonly collections?: readonly string[]
}

/** Defaults of {@link HostOptions}, the numbers of the spec. */
export const HOST_DEFAULTS = Object.freeze({
  readyTimeoutMs: 10_000,
  deactivateGraceMs: 1000,
  toolTimeoutMs: 60_000,
  actionTimeoutMs: 30_000,
  modelsTimeoutMs: 30_000,
  ackTimeoutMs: 30_000,
  backendTimeoutMs: 30_000,
  taskStartTimeoutMs: 10_000,
  storageRoot: 'extwire-storage',
  maxMessagesPerSecond: 10_000,
})

/** What createHost uses of a task supervisor: a {@link TaskSupervisor}, or anything that behaves as one. */
export type HostTaskSupervisor = Pick<TaskSupervisor, 'register' | 'status' | 'health' | 'start' | 'stop' | 'dropExtension' | 'task' | 'tasks'>
/** What createHost uses of a stream pump: a {@link StreamPump}, or anything that behaves as one. */
export type HostStreamPump = Pick<StreamPump, 'start' | 'ack' | 'cancelExtension'>

/**
 * Factories of the pieces createHost is composed of, so that a host author can swap or wrap one piece
 * (a supervisor with its own policy, a dispatcher that logs) and keep the rest. Each factory gets the
 * options createHost would give the kit's own piece (the kit's constructor is the default); the
 * conformance kit builds its deliberately broken hosts this way.
 */
export interface HostPieces {
  readonly guard?: (handler: (message: WorkerToHostMessage) => void, options: InboundGuardOptions) => InboundGuard
  readonly dispatcher?: (options: RequestDispatcherOptions) => RequestDispatcher
  readonly pump?: (options: StreamPumpOptions) => HostStreamPump
  readonly supervisor?: (options: TaskSupervisorOptions) => HostTaskSupervisor
}

/** Options of {@link createHost}; every duration is on `clock`. */
export interface HostOptions {
  /**
   * The protocol version the host speaks (default 0.22.1): its methods, gates, payloads and texts
   * (EXT-HOST-110..118). The protocol does not say which version a worker speaks, so the application
   * loads workers of that version only.
   */
  readonly protocol?: string
  /** Time base of every timeout, backoff and grace period (default: real time). */
  readonly clock?: Clock
  /** Backends of the request methods; in-memory defaults for those not given. */
  readonly backends?: Partial<HostBackends>
  /** Validator of inbound messages (default: the shared tolerant one of `protocol`, EXT-HOST-014). */
  readonly validator?: ProtocolValidator
  readonly readyTimeoutMs?: number
  readonly deactivateGraceMs?: number
  readonly toolTimeoutMs?: number
  readonly actionTimeoutMs?: number
  readonly modelsTimeoutMs?: number
  readonly ackTimeoutMs?: number
  readonly backendTimeoutMs?: number
  readonly taskStartTimeoutMs?: number
  readonly storageRoot?: string
  /**
   * Flood cap (EXT-HOST-101): more messages than this from one worker within one second of `clock` ends
   * it. The window moves with `clock`: on a `VirtualClock` that a test never advances, the cap counts
   * every message of the connection.
   */
  readonly maxMessagesPerSecond?: number
  /** Ids of the messages the host sends (default: a counter of this host object). */
  readonly newId?: () => string
  /** Replacements for the kit's pieces (default: the kit's own). */
  readonly pieces?: HostPieces
}

/** A provider as registered. */
export interface ProviderInfo {
  readonly id: string
  readonly name: string
}
/** A tool as registered. */
export interface ToolInfo {
  readonly id: string
  readonly name: string
  readonly description: string
  readonly parameters?: Record<string, unknown>
}
/** An action as registered. */
export interface ActionInfo {
  readonly id: string
}

/**
 * What a host UI shows of one extension. A snapshot. The protocol has no activation ack, so this
 * host goes from `loading` to `active` when it sends `activate` (`activating` is for hosts that
 * learn more, e.g. from an extension's own log); an `unloaded` extension is no longer listed.
 */
export interface ExtensionView {
  readonly id: string
  readonly version: string
  readonly state: 'loading' | 'activating' | 'active' | 'failed' | 'unloading' | 'unloaded'
  readonly permissions: readonly string[]
  readonly providers: readonly ProviderInfo[]
  readonly tools: readonly ToolInfo[]
  readonly actions: readonly ActionInfo[]
  readonly tasks: readonly TaskView[]
}

/**
 * What happened, for a host UI or log. `extension-error` is a failure the operator must see (never a
 * deliberate unload, upstream H4); `diagnostic` carries the SHOULD reports (EXT-HOST-101..105).
 */
export type HostEvent =
  | { readonly type: 'extension-loaded'; readonly extensionId: string }
  | { readonly type: 'extension-error'; readonly extensionId: string; readonly error: string }
  | { readonly type: 'extension-unloaded'; readonly extensionId: string; readonly requested: boolean }
  | { readonly type: 'provider-registered'; readonly extensionId: string; readonly provider: ProviderInfo }
  | { readonly type: 'tool-registered'; readonly extensionId: string; readonly tool: ToolInfo }
  | { readonly type: 'action-registered'; readonly extensionId: string; readonly action: ActionInfo }
  | {
      readonly type: 'registration-refused'
      readonly extensionId: string
      readonly kind: 'provider' | 'tool' | 'action' | 'background-task'
      readonly id: string
      readonly permission: string
    }
  | { readonly type: 'extension-event'; readonly extensionId: string; readonly name: string; readonly payload: Record<string, unknown> | undefined }
  | { readonly type: 'log'; readonly extensionId: string; readonly level: string; readonly message: string; readonly data?: Record<string, unknown> }
  | { readonly type: 'invalid-message'; readonly extensionId: string; readonly messageType: string | undefined; readonly errors: readonly ValidationError[] }
  | { readonly type: 'task'; readonly extensionId: string; readonly event: TaskEvent }
  | { readonly type: 'diagnostic'; readonly extensionId?: string; readonly text: string }

/** The host API. Every call for an extension that is not active fails at once (EXT-HOST-073). */
export interface Host {
  /** Connects a worker: resolves once `activate` is sent (the protocol has no activation ack). */
  load(manifest: ExtensionManifest, transport: Transport): Promise<ExtensionView>
  executeTool(extensionId: string, toolId: string, params: Record<string, unknown>, userId?: string): Promise<ToolResult>
  executeAction(extensionId: string, actionId: string, params: Record<string, unknown>, userId?: string): Promise<ActionResult>
  /** The events of one chat, in order; an `error` event is thrown, `done` ends it (EXT-HOST-076). */
  chat(extensionId: string, providerId: string, messages: ChatMessage[], options?: ChatOptions): AsyncIterableIterator<StreamEvent>
  getModels(extensionId: string, providerId: string, options?: GetModelsOptions): Promise<ModelInfo[]>
  fireSchedule(extensionId: string, payload: SchedulerFirePayload): void
  changeSetting(extensionId: string, key: string, value: unknown): void
  startTask(extensionId: string, taskId: string): void
  stopTask(extensionId: string, taskId: string): void
  /** Deactivates and disconnects; resolves when the transport is closed. Never reports an error (H4). */
  unload(extensionId: string): Promise<void>
  extension(id: string): ExtensionView | undefined
  onEvent(listener: (event: HostEvent) => void): Disposable
  /** Unloads every extension. */
  dispose(): Promise<void>
}

type CallKind = 'tool' | 'action' | 'models'

interface PendingCall {
  readonly kind: CallKind
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
  readonly timer: TimerHandle
}

interface ChatStream {
  readonly queue: StreamEvent[]
  /** Set when the stream ended: undefined error = ended normally. */
  ended: { readonly error?: Error } | undefined
  wake: (() => void) | undefined
}

type State = ExtensionView['state']

interface Extension {
  readonly id: string
  readonly manifest: ExtensionManifest
  readonly transport: Transport
  readonly permissions: readonly string[]
  state: State
  activateSent: boolean
  readyTimer: TimerHandle | undefined
  readonly providers: Map<string, ProviderInfo>
  readonly tools: Map<string, ToolInfo>
  readonly actions: Map<string, ActionInfo>
  readonly calls: Map<string, PendingCall>
  readonly chats: Map<string, ChatStream>
  /** Accepted fetch streams whose `streaming` response is not sent yet. */
  readonly acceptedStreams: Map<string, NetworkFetchStreamPayload>
  readonly subscriptions: Disposable[]
  /** Torn down: every later message of this connection is dropped (EXT-HOST-013). */
  gone: boolean
  unloading: Promise<void> | undefined
  /** Called when the transport closes during an unload. */
  closed: (() => void) | undefined
  load: { resolve(view: ExtensionView): void; reject(error: Error): void } | undefined
  flood: { windowStart: number; count: number }
  guard: InboundGuard | undefined
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)) || 'Unknown error'

function describeClose(info: CloseInfo): string {
  const code = info.exitCode !== undefined && info.exitCode !== null ? ` with code ${info.exitCode}` : ''
  const detail = info.detail ? `: ${info.detail}` : ''
  return info.reason === 'exit' ? `worker exited${code}${detail}` : info.reason === 'error' ? `transport failed${detail}` : `worker disconnected${code}${detail}`
}

const TERMINAL_CHAT = new Set<StreamEvent['type']>(['done', 'error'])

/** Creates a host. It holds no global state: two hosts in one process are independent. */
export function createHost(options: HostOptions = {}): Host {
  const clock = options.clock ?? systemClock()
  const cfg = { ...HOST_DEFAULTS, ...definedOnly(options) }
  let seq = 0
  const newId = options.newId ?? (() => `host-${++seq}`)
  const extensions = new Map<string, Extension>()
  const listeners = new Set<(event: HostEvent) => void>()

  const emit = (event: HostEvent): void => {
    for (const listener of [...listeners]) {
      try {
        listener(event)
      } catch {
        // A failing listener must not break the host or the other listeners.
      }
    }
  }
  const diagnostic = (text: string, extensionId?: string): void => emit(extensionId === undefined ? { type: 'diagnostic', text } : { type: 'diagnostic', extensionId, text })

  // EXT-HOST-028: `events.emit` reaches the host's own event stream, then the application's backend.
  const appEvents = options.backends?.events
  const events: EventsBackend = {
    emit(extensionId, name, payload) {
      emit({ type: 'extension-event', extensionId, name, payload })
      return appEvents?.emit(extensionId, name, payload)
    },
  }
  const version = hostProfile(options.protocol)
  const since = (v: string): boolean => compareVersions(version.version, v) >= 0
  // EXT-HOST-114: `tools.list`/`tools.execute` reach the tools of every loaded extension, in load order.
  const tools: ToolsBackend = options.backends?.tools ?? {
    list: () => [...extensions.values()].filter((e) => !e.gone && e.state === 'active').flatMap((e) => [...e.tools.values()]),
    execute(_callerId, toolId, params, userId) {
      const owner = [...extensions.values()].find((e) => !e.gone && e.state === 'active' && e.tools.has(toolId))
      if (owner === undefined) return Promise.reject(new Error(`Tool "${toolId}" not found in any extension`))
      return api.executeTool(owner.id, toolId, params, userId)
    },
  }
  const backends = defaultBackends({ ...options.backends, events, tools })
  const validator = options.validator ?? (isDefaultProfile(version) ? validatorFor() : hostValidator(version))
  const outbound = validator
  /**
   * Sends a message built from what the application passed to the host API (tool params, a schedule
   * payload, a setting), after checking it: every message the host sends is valid (host.md), so a
   * bad argument is the caller's error, thrown with the message type and path, never a worker's.
   */
  function sendChecked(ext: Extension, message: unknown): void {
    const checked = outbound.validateHostToWorker(message)
    if (!checked.ok) throw new ProtocolValidationError(checked.errors)
    ext.transport.send(message)
  }
  const pieces = options.pieces ?? {}
  const dispatcher: RequestDispatcher = (pieces.dispatcher ?? createRequestDispatcher)({
    backends,
    clock,
    backendTimeoutMs: cfg.backendTimeoutMs,
    toolsExecuteTimeoutMs: cfg.toolTimeoutMs + cfg.backendTimeoutMs,
    newId,
    ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
    ...(options.validator || !isDefaultProfile(version) ? { validator } : {}),
    onFetchStream: (ctx, payload) => {
      const ext = extensions.get(ctx.extensionId)
      ext?.acceptedStreams.set(payload.requestId, payload)
    },
  })
  const pump = (pieces.pump ?? ((o: StreamPumpOptions) => new StreamPump(o)))({
    clock,
    network: backends.network,
    ackTimeoutMs: cfg.ackTimeoutMs,
    newId,
    httpErrorText: since('0.35.0') ? 'status-and-body' : 'status', // EXT-HOST-118
    onDiagnostic: (text) => diagnostic(text),
  })
  const supervisor = (pieces.supervisor ?? ((o: TaskSupervisorOptions) => new TaskSupervisor(o)))({
    clock,
    startTimeoutMs: cfg.taskStartTimeoutMs,
    sendStart: (extensionId, taskId) => sendTo(extensionId, { type: 'background-task-start', id: newId(), payload: { taskId } }),
    sendStop: (extensionId, taskId) => sendTo(extensionId, { type: 'background-task-stop', id: newId(), payload: { taskId } }),
    onEvent: (event) => emit({ type: 'task', extensionId: event.extensionId, event }),
    onDiagnostic: (text) => diagnostic(text),
  })

  function sendTo(extensionId: string, message: unknown): void {
    const ext = extensions.get(extensionId)
    if (ext && !ext.gone) ext.transport.send(message)
  }

  function view(ext: Extension): ExtensionView {
    return {
      id: ext.id,
      version: ext.manifest.version,
      state: ext.state,
      permissions: ext.permissions,
      providers: [...ext.providers.values()],
      tools: [...ext.tools.values()],
      actions: [...ext.actions.values()],
      tasks: supervisor.tasks(ext.id),
    }
  }

  /** The extension, when host API calls may reach it (EXT-HOST-073). */
  function active(extensionId: string): Extension {
    const ext = extensions.get(extensionId)
    if (!ext || ext.gone) throw new Error(`Extension ${extensionId} is not loaded`)
    if (ext.state !== 'active') throw new Error(`Extension ${extensionId} is not active (${ext.state})`)
    if (ext.transport.closed) throw new Error(`Extension ${extensionId} has no connected worker`)
    return ext
  }

  // ---------------------------------------------------------------------------------------------
  // Teardown: unload and worker loss
  // ---------------------------------------------------------------------------------------------

  /** Settles everything pending for the extension, stops its streams and tasks (EXT-HOST-045, 060, 071). */
  function release(ext: Extension, why: string): void {
    const error = new Error(`Extension ${ext.id} ${why}`)
    for (const [id, call] of ext.calls) {
      ext.calls.delete(id)
      clock.clearTimeout(call.timer)
      call.reject(error)
    }
    for (const [id, chat] of ext.chats) {
      ext.chats.delete(id)
      endChat(chat, error)
    }
    ext.acceptedStreams.clear()
    pump.cancelExtension(ext.id)
    supervisor.dropExtension(ext.id)
    if (ext.readyTimer !== undefined) clock.clearTimeout(ext.readyTimer)
    ext.readyTimer = undefined
  }

  /** Forgets the extension: its connection's later messages are dropped (EXT-HOST-013). */
  function forget(ext: Extension): void {
    ext.gone = true
    for (const s of ext.subscriptions.splice(0)) s.dispose()
    if (extensions.get(ext.id) === ext) extensions.delete(ext.id)
    try {
      backends.settings.drop?.(ext.id)
    } catch (error) {
      diagnostic(`settings backend drop failed: ${errorText(error)}`, ext.id)
    }
    ext.state = 'unloaded'
  }

  /** A worker lost unasked, or ended by the host for a fault (EXT-HOST-003, 072, 101). */
  function fail(ext: Extension, error: string): void {
    if (ext.gone || ext.unloading) return
    emit({ type: 'extension-error', extensionId: ext.id, error })
    release(ext, error)
    ext.load?.reject(new Error(`Extension ${ext.id} failed to load: ${error}`))
    ext.load = undefined
    forget(ext)
    void ext.transport.close()
    emit({ type: 'extension-unloaded', extensionId: ext.id, requested: false })
  }

  function unload(extensionId: string): Promise<void> {
    const ext = extensions.get(extensionId)
    if (!ext || ext.gone) return Promise.reject(new Error(`Extension ${extensionId} is not loaded`))
    if (ext.unloading) return ext.unloading
    ext.state = 'unloading'
    release(ext, 'was unloaded')
    ext.load?.reject(new Error(`Extension ${ext.id} was unloaded before it was ready`))
    ext.load = undefined
    ext.unloading = new Promise<void>((resolve) => {
      let finished = false
      let grace: TimerHandle | undefined
      const finish = (): void => {
        if (finished) return
        finished = true
        if (grace !== undefined) clock.clearTimeout(grace)
        forget(ext)
        void ext.transport.close().finally(() => {
          emit({ type: 'extension-unloaded', extensionId: ext.id, requested: true })
          resolve()
        })
      }
      if (!ext.activateSent || ext.transport.closed) return finish()
      // EXT-HOST-070: deactivate, then the transport's close or the grace period, whichever is first.
      ext.closed = finish
      grace = clock.setTimeout(finish, cfg.deactivateGraceMs)
      ext.transport.send({ type: 'deactivate', id: newId() })
    })
    return ext.unloading
  }

  // ---------------------------------------------------------------------------------------------
  // Inbound
  // ---------------------------------------------------------------------------------------------

  function endChat(chat: ChatStream, error?: Error): void {
    if (chat.ended) return
    chat.ended = error ? { error } : {}
    chat.wake?.()
  }

  function settleCall(ext: Extension, kind: CallKind, requestId: string, settle: (call: PendingCall) => void): void {
    const call = ext.calls.get(requestId)
    if (!call || call.kind !== kind) {
      diagnostic(`${kind} response for ${requestId} matches no pending call of ${ext.id}; dropped (EXT-HOST-015)`, ext.id)
      return
    }
    ext.calls.delete(requestId)
    clock.clearTimeout(call.timer)
    settle(call)
  }

  function respond(ext: Extension, request: Extract<WorkerToHostMessage, { type: 'request' }>): void {
    const ctx: RequestContext = { extensionId: ext.id, permissions: ext.permissions, collections: ext.manifest.collections ?? [] }
    void dispatcher.dispatch(ctx, request).then((response) => {
      const accepted = ext.acceptedStreams.get(request.id)
      ext.acceptedStreams.delete(request.id)
      if (ext.gone || ext.transport.closed) return
      if (accepted && response.payload.success && ext.unloading) {
        // EXT-HOST-040: a `streaming` answer promises chunks, and an unloading extension gets none; its
        // refusal ends the worker's stream at once (EXT-FETCH-002).
        ext.transport.send({ type: 'response', id: newId(), payload: { requestId: request.id, success: false, error: `Extension ${ext.id} is unloading` } })
        return
      }
      ext.transport.send(response)
      // EXT-HOST-040: the body follows the `streaming` response.
      if (accepted && response.payload.success) pump.start(ext.id, accepted, (chunk) => sendTo(ext.id, chunk))
    })
  }

  function handle(ext: Extension, message: WorkerToHostMessage): void {
    switch (message.type) {
      case 'ready': {
        if (ext.activateSent || ext.unloading) {
          diagnostic(ext.unloading ? `ready from ${ext.id} during its unload ignored` : `second ready from ${ext.id} ignored (EXT-HOST-001)`, ext.id)
          return
        }
        if (ext.readyTimer !== undefined) clock.clearTimeout(ext.readyTimer)
        ext.readyTimer = undefined
        ext.activateSent = true
        ext.transport.send({
          type: 'activate',
          id: newId(),
          payload: {
            extensionId: ext.id,
            extensionVersion: ext.manifest.version,
            storagePath: ext.manifest.storagePath ?? `${cfg.storageRoot}/${ext.id}`,
            permissions: [...ext.permissions],
            settings: { ...(ext.manifest.settings ?? {}) },
          },
        })
        ext.state = 'active'
        emit({ type: 'extension-loaded', extensionId: ext.id })
        ext.load?.resolve(view(ext))
        ext.load = undefined
        return
      }
      case 'log': {
        const { level, message: text, data } = message.payload
        emit(data === undefined ? { type: 'log', extensionId: ext.id, level, message: text } : { type: 'log', extensionId: ext.id, level, message: text, data })
        // EXT-HOST-005: the only sign of a failed activation.
        if (level === 'error' && text.startsWith('Failed to activate extension') && ext.state === 'active') {
          ext.state = 'failed'
          emit({ type: 'extension-error', extensionId: ext.id, error: text })
        }
        return
      }
      case 'provider-registered':
      case 'tool-registered':
      case 'action-registered':
        return register(ext, message)
      case 'tool-execute-response':
        return settleCall(ext, 'tool', message.payload.requestId, (call) =>
          message.payload.error !== undefined ? call.reject(new Error(message.payload.error)) : call.resolve(message.payload.result),
        )
      case 'action-execute-response':
        return settleCall(ext, 'action', message.payload.requestId, (call) =>
          message.payload.error !== undefined ? call.reject(new Error(message.payload.error)) : call.resolve(message.payload.result),
        )
      case 'provider-models-response':
        return settleCall(ext, 'models', message.payload.requestId, (call) =>
          message.payload.error !== undefined ? call.reject(new Error(message.payload.error)) : call.resolve(message.payload.models),
        )
      case 'stream-event': {
        const chat = ext.chats.get(message.payload.requestId)
        if (!chat) {
          diagnostic(`stream-event for ${message.payload.requestId} matches no open chat of ${ext.id}; dropped (EXT-HOST-015)`, ext.id)
          return
        }
        chat.queue.push(message.payload.event)
        if (TERMINAL_CHAT.has(message.payload.event.type)) {
          ext.chats.delete(message.payload.requestId)
          endChat(chat)
        } else chat.wake?.()
        return
      }
      case 'request':
        return respond(ext, message)
      case 'streaming-fetch-ack':
        return pump.ack(ext.id, message.payload.requestId)
      case 'background-task-registered': {
        if (ext.unloading) return
        if (!hasPermission(ext.permissions, 'background.workers')) {
          refused(ext, 'background-task', message.payload.taskId, 'background.workers')
          return
        }
        supervisor.register(ext.id, message.payload)
        return
      }
      case 'background-task-status':
        if (!ext.unloading) supervisor.status(ext.id, message.payload)
        return
      case 'background-task-health':
        if (!ext.unloading) supervisor.health(ext.id, message.payload)
        return
    }
  }

  function refused(ext: Extension, kind: 'provider' | 'tool' | 'action' | 'background-task', id: string, permission: string): void {
    emit({ type: 'registration-refused', extensionId: ext.id, kind, id, permission })
    diagnostic(`${kind} ${id} of ${ext.id} refused: permission ${permission} not granted (EXT-HOST-103)`, ext.id)
  }

  function register(ext: Extension, message: Extract<WorkerToHostMessage, { type: 'provider-registered' | 'tool-registered' | 'action-registered' }>): void {
    if (ext.unloading) return
    switch (message.type) {
      case 'provider-registered': {
        if (!hasPermission(ext.permissions, 'provider.register')) return refused(ext, 'provider', message.payload.id, 'provider.register')
        const provider: ProviderInfo = { id: message.payload.id, name: message.payload.name }
        ext.providers.set(provider.id, provider)
        return emit({ type: 'provider-registered', extensionId: ext.id, provider })
      }
      case 'tool-registered': {
        if (!hasPermission(ext.permissions, 'tools.register')) return refused(ext, 'tool', message.payload.id, 'tools.register')
        const { id, name, description, parameters } = message.payload
        const tool: ToolInfo = parameters === undefined ? { id, name, description } : { id, name, description, parameters }
        ext.tools.set(id, tool)
        return emit({ type: 'tool-registered', extensionId: ext.id, tool })
      }
      case 'action-registered': {
        if (!hasPermission(ext.permissions, 'actions.register')) return refused(ext, 'action', message.payload.id, 'actions.register')
        const action: ActionInfo = { id: message.payload.id }
        ext.actions.set(action.id, action)
        return emit({ type: 'action-registered', extensionId: ext.id, action })
      }
    }
  }

  /** EXT-HOST-010, 011, 025: reported; a readable request id still gets its one refusal. */
  function invalid(ext: Extension, report: InvalidInbound): void {
    emit({ type: 'invalid-message', extensionId: ext.id, messageType: report.type, errors: report.errors })
    const first = report.errors[0]
    diagnostic(
      `invalid ${report.type ?? 'message'} from ${ext.id}: ${first ? first.message : 'rejected by the validator'}${report.errors.length > 1 ? ` (+${report.errors.length - 1} more)` : ''} (EXT-HOST-102)`,
      ext.id,
    )
    if (report.requestId === undefined || ext.gone) return
    const method = methodOf(report.message)
    const error =
      method !== undefined && version.method(method) === undefined
        ? `Unknown method: ${method}`
        : `Invalid ${method ?? 'request'} request: ${first ? `${first.path || '/'}: ${first.message}` : 'rejected by the validator'}`
    ext.transport.send({ type: 'response', id: newId(), payload: { requestId: report.requestId, success: false, error } })
  }

  /** EXT-HOST-101: a per-connection cap on messages per second of the host's clock. */
  function flooded(ext: Extension): boolean {
    const now = clock.now()
    if (now - ext.flood.windowStart >= 1000) ext.flood = { windowStart: now, count: 0 }
    ext.flood.count++
    return ext.flood.count > cfg.maxMessagesPerSecond
  }

  // ---------------------------------------------------------------------------------------------
  // Host API
  // ---------------------------------------------------------------------------------------------

  function load(manifest: ExtensionManifest, transport: Transport): Promise<ExtensionView> {
    const current = extensions.get(manifest.id)
    if (current && !current.gone) return Promise.reject(new Error(`Extension ${manifest.id} is already loaded (${current.state})`)) // EXT-HOST-004
    if (transport.closed) return Promise.reject(new Error(`Extension ${manifest.id}: the transport is already closed`))
    const ext: Extension = {
      id: manifest.id,
      manifest,
      transport,
      permissions: Object.freeze([...(manifest.permissions ?? [])]),
      state: 'loading',
      activateSent: false,
      readyTimer: undefined,
      providers: new Map(),
      tools: new Map(),
      actions: new Map(),
      calls: new Map(),
      chats: new Map(),
      acceptedStreams: new Map(),
      subscriptions: [],
      gone: false,
      unloading: undefined,
      closed: undefined,
      load: undefined,
      flood: { windowStart: clock.now(), count: 0 },
      guard: undefined,
    }
    extensions.set(ext.id, ext)
    try {
      backends.settings.init?.(ext.id, { ...(manifest.settings ?? {}) })
    } catch (error) {
      diagnostic(`settings backend init failed: ${errorText(error)}`, ext.id)
    }
    const loaded = new Promise<ExtensionView>((resolve, reject) => {
      ext.load = { resolve, reject }
    })
    ext.guard = (pieces.guard ?? createInboundGuard)((message) => handle(ext, message), {
      ...(options.protocol !== undefined ? { protocol: options.protocol } : {}),
      ...(options.validator || !isDefaultProfile(version) ? { validator } : {}),
      onInvalid: (report) => invalid(ext, report),
      onHandlerError: (error, message) => diagnostic(`handling ${message.type} from ${ext.id} failed: ${errorText(error)}`, ext.id),
    })
    const guard = ext.guard
    ext.readyTimer = clock.setTimeout(() => {
      ext.readyTimer = undefined
      fail(ext, `did not send ready within ${cfg.readyTimeoutMs} ms`) // EXT-HOST-003
    }, cfg.readyTimeoutMs)
    ext.subscriptions.push(
      transport.onClose((info) => {
        if (ext.unloading) ext.closed?.()
        else fail(ext, describeClose(info)) // EXT-HOST-072
      }),
      transport.onError((error) => diagnostic(`transport error of ${ext.id}: ${error.message}`, ext.id)),
      // Last: a transport hands its backlog to the first message listener at once.
      transport.onMessage((message) => {
        if (ext.gone) return // EXT-HOST-013
        if (flooded(ext)) {
          fail(ext, `more than ${cfg.maxMessagesPerSecond} messages within one second; worker ended (EXT-HOST-101)`)
          return
        }
        guard(message)
      }),
    )
    return loaded
  }

  function call<T>(ext: Extension, kind: CallKind, timeoutMs: number, message: (id: string) => unknown): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const id = newId()
      const timer = clock.setTimeout(() => {
        if (ext.calls.delete(id)) reject(new Error(`${kind} request ${id} to extension ${ext.id} timed out after ${timeoutMs} ms`))
      }, timeoutMs)
      ext.calls.set(id, { kind, resolve: resolve as (value: unknown) => void, reject, timer })
      try {
        sendChecked(ext, message(id))
      } catch (error) {
        clock.clearTimeout(timer)
        ext.calls.delete(id)
        reject(error)
      }
    })
  }

  function chat(extensionId: string, providerId: string, messages: ChatMessage[], chatOptions?: ChatOptions): AsyncIterableIterator<StreamEvent> {
    const stream: ChatStream = { queue: [], ended: undefined, wake: undefined }
    let ext: Extension | undefined
    let id: string | undefined
    try {
      ext = active(extensionId)
      if (!ext.providers.has(providerId)) throw new Error(`Provider ${providerId} is not registered by extension ${extensionId}`)
      id = newId()
      sendChecked(ext, { type: 'provider-chat-request', id, payload: { providerId, messages, options: chatOptions ?? {} } })
      ext.chats.set(id, stream)
    } catch (error) {
      stream.ended = { error: error instanceof Error ? error : new Error(String(error)) }
    }
    const close = (): void => {
      if (ext && id !== undefined && ext.chats.get(id) === stream) ext.chats.delete(id)
      stream.queue.length = 0
      stream.ended ??= {}
      // A `next()` waiting for an event must settle now: the chat has left `ext.chats`, so nothing else
      // would ever wake it (a `return()` while another `next()` waits, or an unload after it).
      stream.wake?.()
    }
    const iterator: AsyncIterableIterator<StreamEvent> = {
      async next(): Promise<IteratorResult<StreamEvent>> {
        for (;;) {
          const event = stream.queue.shift()
          if (event !== undefined) {
            if (event.type === 'error') {
              close()
              throw new Error(event.message)
            }
            if (event.type === 'done') close()
            return { value: event, done: false }
          }
          if (stream.ended) {
            const error = stream.ended.error
            stream.ended = {}
            if (error) throw error
            return { value: undefined, done: true }
          }
          await new Promise<void>((resolve) => {
            stream.wake = resolve
          })
          stream.wake = undefined
        }
      },
      async return(): Promise<IteratorResult<StreamEvent>> {
        close()
        return { value: undefined, done: true }
      },
      [Symbol.asyncIterator]() {
        return iterator
      },
    }
    return iterator
  }

  const api: Host = {
    load,
    executeTool(extensionId, toolId, params, userId) {
      try {
        const ext = active(extensionId)
        if (!ext.tools.has(toolId)) throw new Error(`Tool ${toolId} is not registered by extension ${extensionId}`)
        return call<ToolResult>(ext, 'tool', cfg.toolTimeoutMs, (id) => ({
          type: 'tool-execute-request',
          id,
          payload: userId === undefined ? { toolId, params } : { toolId, params, userId },
        }))
      } catch (error) {
        return Promise.reject(error)
      }
    },
    executeAction(extensionId, actionId, params, userId) {
      try {
        const ext = active(extensionId)
        if (!ext.actions.has(actionId)) throw new Error(`Action ${actionId} is not registered by extension ${extensionId}`)
        return call<ActionResult>(ext, 'action', cfg.actionTimeoutMs, (id) => ({
          type: 'action-execute-request',
          id,
          payload: userId === undefined ? { actionId, params } : { actionId, params, userId },
        }))
      } catch (error) {
        return Promise.reject(error)
      }
    },
    chat,
    getModels(extensionId, providerId, modelOptions) {
      try {
        const ext = active(extensionId)
        if (!ext.providers.has(providerId)) throw new Error(`Provider ${providerId} is not registered by extension ${extensionId}`)
        return call<ModelInfo[]>(ext, 'models', cfg.modelsTimeoutMs, (id) => ({
          type: 'provider-models-request',
          id,
          payload: modelOptions === undefined ? { providerId } : { providerId, options: modelOptions },
        }))
      } catch (error) {
        return Promise.reject(error)
      }
    },
    fireSchedule(extensionId, payload) {
      sendChecked(active(extensionId), { type: 'scheduler-fire', id: newId(), payload }) // EXT-HOST-078
    },
    changeSetting(extensionId, key, value) {
      const ext = active(extensionId)
      const message = { type: 'settings-changed', id: newId(), payload: { key, value } }
      const checked = outbound.validateHostToWorker(message)
      if (!checked.ok) throw new ProtocolValidationError(checked.errors)
      // EXT-HOST-077: the host's copy first, so a `settings.get` the callback makes reads the new value.
      const failed = (error: unknown): void => diagnostic(`settings backend set failed: ${errorText(error)}`, ext.id)
      try {
        const done = backends.settings.set(ext.id, key, value)
        if (done instanceof Promise) done.catch(failed)
      } catch (error) {
        failed(error)
      }
      // EXT-HOST-117: from 0.33.0 hosts send no settings-changed; the extension reads the new value with settings.get.
      if (!since('0.33.0')) ext.transport.send(message)
    },
    startTask(extensionId, taskId) {
      const ext = active(extensionId)
      if (!supervisor.task(ext.id, taskId)) throw new Error(`Task ${taskId} is not registered by extension ${extensionId}`)
      supervisor.start(ext.id, taskId) // false: already starting or running, nothing to do (EXT-HOST-062)
    },
    stopTask(extensionId, taskId) {
      const ext = active(extensionId)
      if (!supervisor.task(ext.id, taskId)) throw new Error(`Task ${taskId} is not registered by extension ${extensionId}`)
      supervisor.stop(ext.id, taskId)
    },
    unload,
    extension(id) {
      const ext = extensions.get(id)
      return ext && !ext.gone ? view(ext) : undefined
    },
    onEvent(listener) {
      listeners.add(listener)
      return { dispose: () => void listeners.delete(listener) }
    },
    async dispose() {
      await Promise.all([...extensions.keys()].map((id) => unload(id).catch(() => undefined)))
    },
  }
  return api
}

function methodOf(message: unknown): string | undefined {
  try {
    const method = (message as { method?: unknown }).method
    return typeof method === 'string' ? method : undefined
  } catch {
    return undefined
  }
}

/** The options that are set, so that an explicit `undefined` keeps the default. */
function definedOnly(options: HostOptions): Partial<typeof HOST_DEFAULTS> {
  const out: Record<string, unknown> = {}
  for (const key of Object.keys(HOST_DEFAULTS) as Array<keyof typeof HOST_DEFAULTS>) if (options[key] !== undefined) out[key] = options[key]
  return out as Partial<typeof HOST_DEFAULTS>
}
