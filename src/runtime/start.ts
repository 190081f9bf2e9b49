/**
 * The body of a worker runtime, started on validators its caller chose: `createWorkerRuntime`
 * (runtime.ts) picks them synchronously from every precompiled check; a worker entry
 * (`ports.ts`) takes a default worker's own checks, or first loads every version's checks for another. Apart from
 * runtime.ts so that a worker's module graph never reaches the checks it does not run.
 */
import type { HostToWorkerMessage } from '../protocol/catalogue.js'
import { DEFAULT_PROFILE, resolveProfile } from '../protocol/versions.js'
import { FetchStreams } from './fetch-stream.js'
import { protocolFeatures } from './versioned.js'
import { errorText, type FireReport, handleChat, handleExecute, handleModels, handleSchedulerFire, handleSettingsChanged, type HandlerDeps } from './handlers.js'
import { createIdGenerator } from './ids.js'
import { ActivationQueue, InFlight } from './inbox.js'
import { Lifecycle } from './lifecycle.js'
import { createOutbox } from './outbox.js'
import { NOT_ACTIVE, rejectInvalid, replyNotHandled } from './replies.js'
import { Requests } from './requests.js'
import type { CreateWorkerRuntimeArgs, RuntimeValidators, WorkerRuntime } from './runtime.js'

/** The host's own timeout of a tool run that `tools.execute` starts (upstream hosts: 60 s). */
export const HOST_TOOL_TIMEOUT_MS = 60_000

/**
 * Starts a runtime on `transport` for `module` with `validators` (which must check the runtime's
 * protocol version), installs its listener and sends `ready` (EXT-LIFE-001).
 */
export function startRuntime({ transport, module, options = {} }: CreateWorkerRuntimeArgs, validators: RuntimeValidators): WorkerRuntime {
  const features = protocolFeatures(options.protocol)
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
