/**
 * Warming a fresh worker's validators once `ready` is out. V8 compiles a function the first time it
 * runs, so the first message of each type pays for compiling its checks (about half of a first tool
 * call, measured). A worker has nothing to do between its `ready` and the host's first message, so
 * it checks one valid sample of the messages a first call carries then: the checks are pure, so
 * nothing is sent and no state changes, and a message that arrives meanwhile waits at most the
 * warm-up itself (well under a millisecond once compiled).
 */
import type { RuntimeValidators } from './runtime.js'

/** Valid host->worker samples: what a host sends first (0.22.1 shapes). */
export const INBOUND_SAMPLES: readonly unknown[] = [
  { type: 'tool-execute-request', id: 'warm-1', payload: { toolId: 'warm', params: { text: 'warm' } } },
  { type: 'action-execute-request', id: 'warm-2', payload: { actionId: 'warm', params: {} } },
  { type: 'provider-chat-request', id: 'warm-3', payload: { providerId: 'warm', messages: [{ role: 'user', content: 'warm' }], options: {} } },
  { type: 'response', id: 'warm-4', payload: { requestId: 'warm', success: true, data: null } },
]

/** Valid worker->host samples: what a worker sends back for those. */
export const OUTBOUND_SAMPLES: readonly unknown[] = [
  { type: 'tool-execute-response', payload: { requestId: 'warm-1', result: { success: true, data: { text: 'warm' } } } },
  { type: 'tool-execute-response', payload: { requestId: 'warm-1', result: { success: false, error: 'warm' }, error: 'warm' } },
  { type: 'action-execute-response', payload: { requestId: 'warm-2', result: { success: true, data: {} } } },
  { type: 'stream-event', payload: { requestId: 'warm-3', event: { type: 'content', text: 'warm' } } },
  { type: 'log', payload: { level: 'info', message: 'warm' } },
]

/**
 * Runs the validators of a 0.22.1 runtime once on every sample; returns how many samples passed
 * (all of them, unless a sample no longer fits the protocol: a test holds that). Validators of
 * another version are left alone: the samples are 0.22.1 shapes.
 */
export function warmValidators(validators: RuntimeValidators): number {
  if (validators.protocol !== undefined) return 0
  let passed = 0
  for (const message of INBOUND_SAMPLES) if (validators.inbound.validateHostToWorker(message).ok) passed++
  for (const message of OUTBOUND_SAMPLES) if (validators.outbound.validateWorkerToHost(message).ok) passed++
  return passed
}
