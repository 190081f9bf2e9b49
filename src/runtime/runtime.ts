/**
 * The reference worker runtime. A message travels: transport -> `receive` (validated, EXT-IN-001)
 * -> `dispatch` (lifecycle gate, EXT-LIFE-*) -> its handler in `handlers.ts`, `background.ts`,
 * `fetch-stream.ts` or `requests.ts`. A runtime is an object: several can live in one process.
 */
import type { HostToWorkerMessage } from '../protocol/catalogue.js'
import type { ActivateMessage } from '../protocol/messages/lifecycle.js'
import { createValidator, type ProtocolValidator } from '../validate/validator.js'
import type { ValidationMode } from '../validate/modes.js'
import type { Disposable, ExtensionContext, ExtensionModule, LogAPI } from './api.js'
import { buildContext } from './context.js'
import { FetchStreams } from './fetch-stream.js'
import { cloneProblem, errorText, handleChat, handleExecute, handleModels, handleSchedulerFire, handleSettingsChanged, type HandlerDeps } from './handlers.js'
import { createIdGenerator } from './ids.js'
import { Requests } from './requests.js'
import { Session } from './session.js'

/** The part of a transport the runtime uses. `send` may throw; the runtime reports it. */
export interface RuntimeTransport {
  send(message: unknown): void
  onMessage(listener: (message: unknown) => void): Disposable | (() => void) | void
}

/** Options of {@link createWorkerRuntime}. */
export interface WorkerRuntimeOptions {
  /** Timeout of the worker's requests to its host, in ms (default 30,000; EXT-REQ-002). */
  readonly requestTimeoutMs?: number
  /** How inbound host messages are validated (default `tolerant`, see `src/validate/modes.ts`). */
  readonly inboundMode?: ValidationMode
  /** Clock, for tests. */
  readonly now?: () => Date
  /** Validators to use (share one set among many runtimes); by default the runtime compiles its own. */
  readonly validators?: RuntimeValidators
}

/** The validators a runtime uses: inbound host messages, and what it sends and receives as answers. */
export interface RuntimeValidators {
  readonly inbound: ProtocolValidator
  readonly outbound: ProtocolValidator
}

/**
 * The validators of a runtime: host->worker messages (tolerant by default, EXT-IN-002), and strict
 * worker->host messages, request payloads and response data. Compiled lazily, so that a worker
 * starts fast; under a polluted prototype a first use fails closed (see ValidatorOptions.compile).
 */
export function createRuntimeValidators(inboundMode: ValidationMode = 'tolerant'): RuntimeValidators {
  return {
    inbound: createValidator({ mode: inboundMode, scope: ['host-to-worker'], compile: 'lazy' }),
    outbound: createValidator({ mode: 'strict', scope: ['worker-to-host', 'payloads', 'responses'], compile: 'lazy' }),
  }
}

/** Where a runtime is in its lifecycle. */
export type RuntimeState = 'idle' | 'activating' | 'active' | 'failed' | 'deactivating' | 'deactivated'

/** A running worker runtime. */
export interface WorkerRuntime {
  /** The current lifecycle state. */
  readonly state: RuntimeState
  /** Handles one message from the host (the transport listener calls this). Never rejects. */
  receive(message: unknown): Promise<void>
  /** Resolves when every handler started so far has finished (for tests and orderly shutdown). */
  settled(): Promise<void>
  /** Stops listening, rejects pending requests and stops the extension's tasks and streams. */
  dispose(): void
}

/** Arguments of {@link createWorkerRuntime}. */
export interface CreateWorkerRuntimeArgs {
  readonly transport: RuntimeTransport
  readonly module: ExtensionModule
  readonly options?: WorkerRuntimeOptions
}

const NOT_ACTIVE = 'Extension is not active'

/**
 * Creates a runtime on `transport` for `module`, installs its listener and sends `ready`
 * (EXT-LIFE-001).
 */
export function createWorkerRuntime({ transport, module, options = {} }: CreateWorkerRuntimeArgs): WorkerRuntime {
  const now = options.now ?? (() => new Date())
  const { inbound, outbound } = options.validators ?? createRuntimeValidators(options.inboundMode)
  let state: RuntimeState = 'idle'
  let session: Session | undefined
  let queue: unknown[] = []
  let disposed = false
  const inFlight = new Set<Promise<void>>()

  /** Sends a message; a transport failure is reported with a log (never thrown). */
  function send(message: unknown): void {
    try {
      transport.send(message)
    } catch (error) {
      const type = (message as { type?: unknown } | null)?.type
      if (type === 'log') return
      try {
        transport.send({ type: 'log', payload: { level: 'error', message: `Could not send ${String(type)}: ${errorText(error)}` } })
      } catch {
        // The transport is gone; nothing is left to tell.
      }
    }
  }

  function createLog(prefix: string): LogAPI {
    const emit = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, data?: Record<string, unknown>) => {
      const payload: Record<string, unknown> = { level, message: `${prefix}${String(message)}` }
      if (data !== undefined) {
        const problem = typeof data === 'object' && data !== null && !Array.isArray(data) ? cloneProblem(data) : 'data must be an object'
        payload['data'] = problem === undefined ? data : { unsendable: problem }
      }
      send({ type: 'log', payload })
    }
    return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
  }
  const log = createLog('')
  const requests = new Requests({ send, nextId: createIdGenerator(), timeoutMs: options.requestTimeoutMs ?? 30_000, validator: outbound })
  const fetchStreams = new FetchStreams({ send, requests, warn: log.warn })
  const handlerDeps: HandlerDeps = { send, validator: outbound, log }

  function track(promise: Promise<void>): Promise<void> {
    const p = promise.catch((error: unknown) => log.error(`Internal error: ${errorText(error)}`))
    inFlight.add(p)
    void p.finally(() => inFlight.delete(p))
    return p
  }

  // ---------------------------------------------------------------------------------------------
  // Inbound validation (EXT-IN-001)
  // ---------------------------------------------------------------------------------------------

  function rejectInvalid(message: unknown, errors: readonly { message: string }[]): void {
    let type: unknown
    let id: unknown
    try {
      type = (message as { type?: unknown }).type
      id = (message as { id?: unknown }).id
    } catch {
      type = undefined
    }
    const problem = errors.map((e) => e.message).join('; ')
    log.error(`Invalid ${typeof type === 'string' ? type : 'host'} message: ${problem}`)
    if (typeof id !== 'string' || id === '') return
    replyNotHandled(type, id, `Invalid ${String(type)}: ${problem}`)
  }

  /** The error reply of a correlated request type (EXT-LIFE-010, EXT-IN-001). */
  function replyNotHandled(type: unknown, requestId: string, error: string): void {
    switch (type) {
      case 'tool-execute-request':
        send({ type: 'tool-execute-response', payload: { requestId, result: { success: false, error }, error } })
        break
      case 'action-execute-request':
        send({ type: 'action-execute-response', payload: { requestId, result: { success: false, error }, error } })
        break
      case 'provider-models-request':
        send({ type: 'provider-models-response', payload: { requestId, models: [], error } })
        break
      case 'provider-chat-request':
        send({ type: 'stream-event', payload: { requestId, event: { type: 'error', message: error } } })
        break
      default:
        break
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle (EXT-LIFE-*)
  // ---------------------------------------------------------------------------------------------

  async function activate(message: ActivateMessage): Promise<void> {
    if (state === 'activating' || state === 'active' || state === 'deactivating') {
      log.warn(`activate ignored: the extension is ${state}`) // EXT-LIFE-006 (upstream B3)
      return
    }
    state = 'activating'
    const { extensionId, extensionVersion, storagePath } = message.payload
    // EXT-PERM-004: an activate without a permissions array never gets here; validation rejected it.
    const permissions = message.payload.permissions
    const current = new Session({ id: extensionId, version: extensionVersion, storagePath }, permissions)
    session = current
    try {
      const context: ExtensionContext = buildContext(current, { send, requests, fetchStreams, validator: outbound, createLog, now })
      const result: unknown = await module.activate(context)
      // EXT-LIFE-005: only an object with a dispose function is kept.
      if (typeof result === 'object' && result !== null && typeof (result as Disposable).dispose === 'function') {
        current.activationDisposable = result as Disposable
      }
      if (session === current) state = 'active'
    } catch (error) {
      // EXT-LIFE-003 and EXT-LIFE-004 (upstream B2): report, and leave nothing half-active.
      log.error(`Failed to activate extension: ${errorText(error)}`, { error: errorText(error) })
      teardown(current, 'Extension failed to activate')
      if (session === current) session = undefined
      state = 'failed'
    }
    drainQueue()
  }

  /** Tears a session down; each step is guarded on its own (EXT-LIFE-012). */
  function teardown(target: Session, reason: string): void {
    const step = (name: string, fn: () => void) => {
      try {
        fn()
      } catch (error) {
        log.error(`Error during deactivation (${name}): ${errorText(error)}`)
      }
    }
    step('activation disposable', () => target.activationDisposable?.dispose())
    step('background tasks', () => target.background?.disposeAll())
    step('pending requests', () => requests.rejectAll(reason))
    step('chat streams', () => {
      for (const [requestId, chat] of target.chats) {
        if (chat.ended) continue
        chat.ended = true
        send({ type: 'stream-event', payload: { requestId, event: { type: 'error', message: reason } } })
      }
      target.chats.clear()
    })
    step('fetch streams', () => fetchStreams.failAll(reason))
    step('registrations', () => {
      target.providers.clear()
      target.tools.clear()
      target.actions.clear()
      target.settingsCallbacks.clear()
      target.fireCallbacks.clear()
    })
  }

  async function deactivate(): Promise<void> {
    const current = session
    if (!current || state !== 'active') {
      log.warn(`deactivate ignored: the extension is ${state}`)
      return
    }
    state = 'deactivating'
    try {
      await module.deactivate?.()
    } catch (error) {
      log.error(`Error during deactivation (module deactivate): ${errorText(error)}`)
    }
    teardown(current, 'Extension deactivated')
    session = undefined
    state = 'deactivated' // EXT-LIFE-008: a later activate starts a new session (upstream B4)
  }

  function drainQueue(): void {
    const queued = queue
    queue = []
    for (const message of queued) void track(dispatch(message as HostToWorkerMessage))
  }

  // ---------------------------------------------------------------------------------------------
  // Dispatch
  // ---------------------------------------------------------------------------------------------

  async function dispatch(message: HostToWorkerMessage): Promise<void> {
    switch (message.type) {
      case 'activate':
        return activate(message)
      case 'deactivate':
        return deactivate()
      case 'response':
        requests.handleResponse(message.payload)
        return
      case 'streaming-fetch-chunk':
        fetchStreams.handleChunk(message.payload)
        return
      default:
        break
    }
    const current = session
    if (!current || state !== 'active') {
      // EXT-LIFE-010 and EXT-LIFE-011 (upstream B5, B6).
      if ('id' in message && ['tool-execute-request', 'action-execute-request', 'provider-models-request', 'provider-chat-request'].includes(message.type)) {
        replyNotHandled(message.type, message.id, NOT_ACTIVE)
      } else {
        log.warn(`${message.type} dropped: ${NOT_ACTIVE.toLowerCase()}`)
      }
      return
    }
    switch (message.type) {
      case 'provider-chat-request':
        return handleChat(message, current, handlerDeps)
      case 'provider-models-request':
        return handleModels(message, current, handlerDeps)
      case 'tool-execute-request':
        return handleExecute('tool', message, current, handlerDeps)
      case 'action-execute-request':
        return handleExecute('action', message, current, handlerDeps)
      case 'scheduler-fire':
        return handleSchedulerFire(message.payload, current, handlerDeps)
      case 'settings-changed':
        return handleSettingsChanged(message.payload.key, message.payload.value, current, handlerDeps)
      case 'background-task-start':
        if (current.background) current.background.start(message.payload.taskId)
        else log.warn(`background-task-start dropped: background.workers is not granted`)
        return
      case 'background-task-stop':
        if (!current.background?.stop(message.payload.taskId, false)) log.warn(`background-task-stop for unknown task ${message.payload.taskId}`)
        return
      default:
        return
    }
  }

  async function receive(message: unknown): Promise<void> {
    if (disposed) return
    const checked = inbound.validateHostToWorker(message)
    if (!checked.ok) {
      rejectInvalid(message, checked.errors)
      return
    }
    // EXT-LIFE-009: while activate runs, later messages wait (upstream B5). Responses and chunks
    // must still flow, because activate may be waiting for them.
    const type = checked.value.type
    if (state === 'activating' && type !== 'response' && type !== 'streaming-fetch-chunk' && type !== 'activate') {
      queue.push(checked.value)
      return
    }
    return track(dispatch(checked.value))
  }

  const subscription = transport.onMessage((message) => void receive(message))
  send({ type: 'ready' })

  return {
    get state() {
      return state
    },
    receive,
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight])
    },
    dispose() {
      if (disposed) return
      disposed = true
      // The connection is gone: stop the extension's work too (what it sends now is dropped).
      if (session) teardown(session, 'Runtime disposed')
      session = undefined
      requests.rejectAll('Runtime disposed')
      if (typeof subscription === 'function') subscription()
      else subscription?.dispose()
    },
  }
}
