/**
 * Error replies to host requests the runtime cannot hand to the extension: while no extension is
 * active (EXT-LIFE-010) and when the request is invalid (EXT-IN-001). Which requests are owed an
 * answer, and of which type, comes from the descriptors (`HOST_REQUEST_ANSWERS`).
 */
import { hostRequestAnswer } from '../protocol/lookup.js'
import type { LogAPI } from './api.js'

/** The error text of EXT-LIFE-010. */
export const NOT_ACTIVE = 'Extension is not active'

/** The payload of a failed answer, by answer type (the shapes of EXT-LIFE-010). */
const FAILED_ANSWER: Readonly<Record<string, (requestId: string, error: string) => Record<string, unknown>>> = {
  'tool-execute-response': (requestId, error) => ({ requestId, result: { success: false, error }, error }),
  'action-execute-response': (requestId, error) => ({ requestId, result: { success: false, error }, error }),
  'provider-models-response': (requestId, error) => ({ requestId, models: [], error }),
  'stream-event': (requestId, error) => ({ requestId, event: { type: 'error', message: error } }),
}

/**
 * Sends the one error answer a host request of `type` is owed, and returns true; returns false
 * (and sends nothing) when `type` is not a host request.
 */
export function replyNotHandled(send: (message: unknown) => void, type: unknown, requestId: string, error: string): boolean {
  const answer = typeof type === 'string' ? hostRequestAnswer(type) : undefined
  const build = answer === undefined ? undefined : FAILED_ANSWER[answer.answer]
  if (answer === undefined || build === undefined) return false
  send({ type: answer.answer, payload: build(requestId, error) })
  return true
}

/** EXT-IN-001: logs an invalid host message, and answers it when it is a request with a readable id. */
export function rejectInvalid(send: (message: unknown) => void, log: LogAPI, message: unknown, errors: readonly { message: string }[]): void {
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
  replyNotHandled(send, type, id, `Invalid ${String(type)}: ${problem}`)
}
