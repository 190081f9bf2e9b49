/**
 * Handlers of the host->worker messages that run extension code: chat, models, tool and action
 * execution, scheduler fires and settings changes. The runtime validates and routes each message
 * here (src/runtime/runtime.ts); these functions never throw.
 */
import type { ProviderChatRequestMessage, ProviderModelsRequestMessage } from '../protocol/messages/provider.js'
import type { ActionExecuteRequestMessage, ToolExecuteRequestMessage } from '../protocol/messages/tools.js'
import type { SchedulerFirePayload, StreamEvent } from '../protocol/types.js'
import type { ProtocolValidator } from '../validate/validator.js'
import type { LogAPI } from './api.js'
import type { Session } from './session.js'

/** What the handlers need from their runtime. */
export interface HandlerDeps {
  /** Sends a message that the runtime has built. */
  readonly send: (message: unknown) => void
  /** Validates an outgoing message (strict). */
  readonly validator: ProtocolValidator
  /** Runtime log (no prefix). */
  readonly log: LogAPI
  /** From 0.26.0: sends the outcome of a fire (`scheduler.reportFireResult`). */
  readonly reportFire?: (report: FireReport) => void
}

/** The payload of `scheduler.reportFireResult`: `error` is the text of the first callback that failed. */
export interface FireReport {
  readonly jobId: string
  readonly success: boolean
  readonly error?: string
}

/** Text of a thrown value. */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message
  try {
    return String(error)
  } catch {
    return 'unprintable error'
  }
}

/** Why a value cannot cross a structured clone, or undefined when it can. */
export function cloneProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return typeof value === 'function' || typeof value === 'symbol' ? `a ${typeof value} cannot be sent` : undefined
  try {
    structuredClone(value)
    return undefined
  } catch (error) {
    return errorText(error)
  }
}

/** Checks an outgoing message; returns the first problem, or undefined. */
function problemOf(deps: HandlerDeps, message: unknown, unknownPart: unknown): string | undefined {
  const result = deps.validator.validateWorkerToHost(message)
  if (!result.ok) return result.errors.map((e) => e.message).join('; ')
  return cloneProblem(unknownPart)
}

// ---------------------------------------------------------------------------------------------
// Chat (EXT-PROV-001 to EXT-PROV-004)
// ---------------------------------------------------------------------------------------------

/** Runs a chat and forwards its events; the stream always ends with exactly one terminal event. */
export async function handleChat(message: ProviderChatRequestMessage, session: Session, deps: HandlerDeps): Promise<void> {
  const requestId = message.id
  const { providerId, messages, options } = message.payload
  const chat = { ended: false }
  session.chats.set(requestId, chat)
  const emit = (event: StreamEvent) => {
    if (chat.ended) return
    if (event.type === 'done' || event.type === 'error') chat.ended = true
    deps.send({ type: 'stream-event', payload: { requestId, event } })
  }
  try {
    const provider = session.providers.get(providerId)
    if (!provider) {
      emit({ type: 'error', message: `Provider ${providerId} not found` }) // EXT-PROV-002 (upstream B1)
      return
    }
    for await (const event of provider.chat(messages, options)) {
      if (chat.ended) break // EXT-PROV-003: nothing after the terminal event
      const streamed = { type: 'stream-event', payload: { requestId, event } }
      const unknownPart = (event as { input?: unknown; output?: unknown } | null)?.input ?? (event as { output?: unknown } | null)?.output
      const problem = problemOf(deps, streamed, unknownPart)
      if (problem !== undefined) {
        emit({ type: 'error', message: `Provider ${providerId} yielded an invalid event: ${problem}` }) // EXT-PROV-004
        break
      }
      emit(event)
    }
    if (!chat.ended) emit({ type: 'done' })
  } catch (error) {
    if (chat.ended) deps.log.warn(`Provider ${providerId} threw after its stream ended: ${errorText(error)}`)
    else emit({ type: 'error', message: errorText(error) })
  } finally {
    if (session.chats.get(requestId) === chat) session.chats.delete(requestId)
  }
}

// ---------------------------------------------------------------------------------------------
// Models (EXT-PROV-005)
// ---------------------------------------------------------------------------------------------

/** Lists a provider's models; exactly one response, with `models: []` and `error` on failure. */
export async function handleModels(message: ProviderModelsRequestMessage, session: Session, deps: HandlerDeps): Promise<void> {
  const requestId = message.id
  const { providerId, options } = message.payload
  const fail = (error: string) => deps.send({ type: 'provider-models-response', payload: { requestId, models: [], error } })
  const provider = session.providers.get(providerId)
  if (!provider) return fail(`Provider ${providerId} not found`)
  let models: unknown
  try {
    models = await provider.getModels(options)
  } catch (error) {
    return fail(errorText(error))
  }
  const response = { type: 'provider-models-response', payload: { requestId, models } }
  const problem = problemOf(deps, response, undefined)
  if (problem !== undefined) return fail(`Provider ${providerId} returned invalid models: ${problem}`)
  deps.send(response)
}

// ---------------------------------------------------------------------------------------------
// Tools and actions (EXT-TOOL-001 to EXT-TOOL-005)
// ---------------------------------------------------------------------------------------------

/** Executes a tool or an action and sends exactly one response. */
export async function handleExecute(
  kind: 'tool' | 'action',
  message: ToolExecuteRequestMessage | ActionExecuteRequestMessage,
  session: Session,
  deps: HandlerDeps,
): Promise<void> {
  const requestId = message.id
  const type = `${kind}-execute-response`
  const label = kind === 'tool' ? 'Tool' : 'Action'
  const id = 'toolId' in message.payload ? message.payload.toolId : message.payload.actionId
  // EXT-TOOL-002: an execution failure fills both channels with the same text (upstream B21).
  const fail = (error: string) => deps.send({ type, payload: { requestId, result: { success: false, error }, error } })
  const target = kind === 'tool' ? session.tools.get(id) : session.actions.get(id)
  if (!target) return fail(`${label} ${id} not found`)
  let result: unknown
  try {
    result = await target.execute(message.payload.params, session.executionContext(message.payload.userId))
  } catch (error) {
    return fail(errorText(error))
  }
  // EXT-TOOL-003: a returned result goes out unchanged, without a top-level error.
  const response = { type, payload: { requestId, result } }
  const problem = problemOf(deps, response, (result as { data?: unknown } | null)?.data)
  if (problem !== undefined) return fail(`${label} ${id} returned an invalid result: ${problem}`) // EXT-TOOL-004
  deps.send(response)
}

// ---------------------------------------------------------------------------------------------
// Scheduler and settings (EXT-SCHED-001, EXT-SCHED-002)
// ---------------------------------------------------------------------------------------------

/** Runs every onFire callback; one that throws or rejects is logged and does not stop the others. */
export async function handleSchedulerFire(payload: SchedulerFirePayload, session: Session, deps: HandlerDeps): Promise<void> {
  const context = session.executionContext(payload.userId)
  const failures: Array<string | undefined> = []
  await Promise.all(
    [...session.fireCallbacks].map(async (callback, index) => {
      try {
        await callback(payload, context)
      } catch (error) {
        failures[index] = errorText(error)
        deps.log.error(`Scheduler callback for job ${payload.id} failed: ${errorText(error)}`, { jobId: payload.id })
      }
    }),
  )
  // EXT-VER-005: after every callback has settled; the first failure in registration order.
  const first = failures.find((f) => f !== undefined)
  deps.reportFire?.(first === undefined ? { jobId: payload.id, success: true } : { jobId: payload.id, success: false, error: first })
}

/** Calls every onChange callback; one that throws is logged and does not stop the others. */
export function handleSettingsChanged(key: string, value: unknown, session: Session, deps: HandlerDeps): void {
  for (const callback of [...session.settingsCallbacks]) {
    try {
      callback(key, value)
    } catch (error) {
      deps.log.error(`Settings callback for ${key} failed: ${errorText(error)}`, { key })
    }
  }
}
