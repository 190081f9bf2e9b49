/**
 * The reference worker runtime. A message travels: transport -> `receive` (validated, EXT-IN-001;
 * held while activating, EXT-LIFE-009) -> `dispatch` (lifecycle gate, EXT-LIFE-*) -> its handler in
 * `lifecycle.ts`, `handlers.ts`, `background.ts`, `fetch-stream.ts`, `requests.ts` or `replies.ts`.
 * Each concern is a unit of its own: sending and logging (`outbox.ts`), the lifecycle and teardown
 * (`lifecycle.ts`), the activation queue and in-flight tracking (`inbox.ts`), the not-active and
 * invalid-message replies (`replies.ts`). A runtime is an object: several can live in one process.
 */
import type { HostToWorkerMessage } from '../protocol/catalogue.js'
import { precompiledValidator } from '../validate/precompiled.js'
import type { ProtocolValidator } from '../validate/validator.js'
import type { ValidationMode } from '../validate/modes.js'
import type { Disposable, ExtensionModule } from './api.js'
import { FetchStreams } from './fetch-stream.js'
import { DEFAULT_PROFILE, resolveProfile } from '../protocol/versions.js'
import { compileRuntimeValidators } from './profile-validators.js'
import { protocolFeatures } from './versioned.js'
import { errorText, type FireReport, handleChat, handleExecute, handleModels, handleSchedulerFire, handleSettingsChanged, type HandlerDeps } from './handlers.js'
import { createIdGenerator } from './ids.js'
import { ActivationQueue, InFlight } from './inbox.js'
import { Lifecycle, type RuntimeState } from './lifecycle.js'
import { createOutbox } from './outbox.js'
import { NOT_ACTIVE, rejectInvalid, replyNotHandled } from './replies.js'
import { Requests } from './requests.js'

export type { RuntimeState }

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
  /**
   * Validators to use; by default the precompiled ones of the runtime's `protocol`
   * ({@link createRuntimeValidators} for 0.22.1, `compileRuntimeValidators(protocol)` for the
   * others). Pass them to share one set among many runtimes, or to validate differently.
   */
  readonly validators?: RuntimeValidators
  /**
   * The protocol version the runtime speaks (`0.36.0`, ...; default `0.22.1`): the context API it
   * offers, the messages it accepts and sends, and the version's behaviours (EXT-VER-*). Throws an
   * `UnknownVersionError` for a version the kit has no profile for.
   */
  readonly protocol?: string
  /**
   * Timeout of a `tools.execute` call (ms); default the request timeout plus the host's 60 s tool
   * timeout, so the host's own answer always comes first (EXT-VER-008).
   */
  readonly toolsExecuteTimeoutMs?: number
}

/** The host's own timeout of a tool run that `tools.execute` starts (upstream hosts: 60 s). */
export const HOST_TOOL_TIMEOUT_MS = 60_000

/** The validators a runtime uses: inbound host messages, what it sends, and the data of answers. */
export interface RuntimeValidators {
  readonly inbound: ProtocolValidator
  readonly outbound: ProtocolValidator
  /** Response data (tolerant, EXT-REQ-007). */
  readonly responses: ProtocolValidator
  /** The version these validators check (absent: 0.22.1). */
  readonly protocol?: string
  /** The methods of that version: whether an answer carries data, and its schema (absent: 0.22.1's). */
  readonly methodOf?: (method: string) => { readonly noData: boolean; readonly response: object } | undefined
}

/**
 * The validators of a runtime: host->worker messages (tolerant by default, EXT-IN-002), strict
 * worker->host messages and request payloads, and tolerant response data (EXT-REQ-007). They are
 * precompiled: a worker compiles nothing, so it starts fast, its first calls cost what later ones
 * do, and it runs under a Content-Security-Policy without `unsafe-eval`.
 */
export function createRuntimeValidators(inboundMode: ValidationMode = 'tolerant'): RuntimeValidators {
  return {
    inbound: precompiledValidator({ mode: inboundMode, scope: ['host-to-worker'] }),
    outbound: precompiledValidator({ mode: 'strict', scope: ['worker-to-host', 'payloads'] }),
    responses: precompiledValidator({ mode: 'tolerant', scope: ['responses'] }),
  }
}

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

/**
 * Creates a runtime on `transport` for `module`, installs its listener and sends `ready`
 * (EXT-LIFE-001).
 */
export function createWorkerRuntime({ transport, module, options = {} }: CreateWorkerRuntimeArgs): WorkerRuntime {
  const features = protocolFeatures(options.protocol)
  const validators = options.validators ?? (options.protocol === undefined ? createRuntimeValidators(options.inboundMode) : compileRuntimeValidators(options.protocol, options.inboundMode))
  if (resolveProfile(validators.protocol ?? DEFAULT_PROFILE) !== features.version) {
    throw new Error(`createWorkerRuntime: protocol ${options.protocol ?? '0.22.1'} needs validators of that version (compileRuntimeValidators('${options.protocol ?? '0.22.1'}'), or none: the default); these check ${validators.protocol ?? '0.22.1'}`)
  }
  const { inbound, outbound, responses } = validators
  const outbox = createOutbox(transport)
  const { send, log } = outbox
  const timeoutMs = options.requestTimeoutMs ?? 30_000
  const requests = new Requests({
    send, nextId: createIdGenerator(), timeoutMs, validator: outbound, responses,
    ...(validators.methodOf ? { methodOf: validators.methodOf } : {}),
  })
  const fetchStreams = new FetchStreams({ send, requests, warn: log.warn })
  const handlerDeps: HandlerDeps = {
    send, validator: outbound, log,
    // EXT-VER-005: the outcome of every fire goes to the host; its answer changes nothing.
    ...(features.fireReport
      ? { reportFire: (report: FireReport) => void requests.callMethod('scheduler.reportFireResult', report).catch(() => undefined) }
      : {}),
  }
  const queue = new ActivationQueue()
  const inFlight = new InFlight((error) => log.error(`Internal error: ${errorText(error)}`))
  const lifecycle = new Lifecycle({
    module,
    outbox,
    requests,
    fetchStreams,
    context: {
      validator: outbound, now: options.now ?? (() => new Date()), features,
      toolsExecuteTimeoutMs: options.toolsExecuteTimeoutMs ?? timeoutMs + HOST_TOOL_TIMEOUT_MS,
    },
    onActivated: () => {
      for (const message of queue.drain()) void inFlight.track(dispatch(message))
    },
  })
  let disposed = false

  /** Routes a validated message to its handler; only lifecycle and wire messages pass without an active extension. */
  async function dispatch(message: HostToWorkerMessage): Promise<void> {
    switch (message.type) {
      case 'activate':
        return lifecycle.activate(message)
      case 'deactivate':
        return lifecycle.deactivate()
      case 'response':
        requests.handleResponse(message.payload)
        return
      case 'streaming-fetch-chunk':
        fetchStreams.handleChunk(message.payload)
        return
      default:
        break
    }
    const session = lifecycle.active()
    if (!session) {
      // EXT-LIFE-010 and EXT-LIFE-011 (upstream B5, B6).
      if (!('id' in message && replyNotHandled(send, message.type, message.id, NOT_ACTIVE))) log.warn(`${message.type} dropped: ${NOT_ACTIVE.toLowerCase()}`)
      return
    }
    switch (message.type) {
      case 'provider-chat-request':
        return handleChat(message, session, handlerDeps)
      case 'provider-models-request':
        return handleModels(message, session, handlerDeps)
      case 'tool-execute-request':
        return handleExecute('tool', message, session, handlerDeps)
      case 'action-execute-request':
        return handleExecute('action', message, session, handlerDeps)
      case 'scheduler-fire':
        return handleSchedulerFire(message.payload, session, handlerDeps)
      case 'settings-changed':
        return handleSettingsChanged(message.payload.key, message.payload.value, session, handlerDeps)
      case 'background-task-start':
        if (session.background) session.background.start(message.payload.taskId)
        else log.warn(`background-task-start dropped: background.workers is not granted`)
        return
      case 'background-task-stop':
        if (!session.background?.stop(message.payload.taskId, false)) log.warn(`background-task-stop for unknown task ${message.payload.taskId}`)
        return
      default:
        return
    }
  }

  /** Validates (EXT-IN-001), holds what must wait for the activation (EXT-LIFE-009), dispatches the rest. */
  async function receive(message: unknown): Promise<void> {
    if (disposed) return
    const checked = inbound.validateHostToWorker(message)
    if (!checked.ok) return rejectInvalid(send, log, message, checked.errors)
    if (queue.hold(checked.value, lifecycle.state)) return
    return inFlight.track(dispatch(checked.value))
  }

  const subscription = transport.onMessage((message) => void receive(message))
  send({ type: 'ready' })

  return {
    get state() {
      return lifecycle.state
    },
    receive,
    settled: () => inFlight.settled(),
    dispose() {
      if (disposed) return
      disposed = true
      lifecycle.dispose()
      requests.rejectAll('Runtime disposed')
      if (typeof subscription === 'function') subscription()
      else subscription?.dispose()
    },
  }
}
