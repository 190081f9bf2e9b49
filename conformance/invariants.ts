/**
 * Protocol invariants checked over a whole trace (both directions), after every fixture and after
 * every fuzzed sequence. Each violation names the requirement it breaks. These are the properties
 * that hold for any interleaving, so they need no fixture-specific expectations.
 */
import type { TimelineEntry } from '../src/host/peer.js'
import { validatorFor } from '../src/validate/index.js'
import { REQUEST_ANSWERS } from '../src/protocol/correlation.js'

/** One broken invariant. */
export interface Violation {
  readonly requirement: string
  readonly message: string
}

/** Options of {@link checkInvariants}. */
export interface InvariantOptions {
  /**
   * True when the trace is complete (the worker had time to answer everything): then missing
   * answers and missing acks are violations too, not only duplicates and strays.
   */
  readonly complete: boolean
}

type Msg = { type?: unknown; id?: unknown; method?: unknown; payload?: Record<string, unknown> }

/** Host request type -> the type of its one answer, derived from the descriptors. */
const RESPONSE_OF: Record<string, string> = Object.fromEntries(
  REQUEST_ANSWERS.filter((a) => a.requestDirection === 'host-to-worker' && a.cardinality === 'one').map((a) => [a.request, a.answer]),
)
const REQUIREMENT_OF: Record<string, string> = {
  'tool-execute-response': 'EXT-TOOL-001',
  'action-execute-response': 'EXT-TOOL-001',
  'provider-models-response': 'EXT-PROV-005',
}

/** Checks every invariant; returns the violations (empty when the trace is clean). */
export function checkInvariants(timeline: readonly TimelineEntry[], options: InvariantOptions): Violation[] {
  const out: Violation[] = []
  const add = (requirement: string, message: string) => out.push({ requirement, message })

  // Host-side bookkeeping, in trace order.
  const asked = new Map<string, string>() // request id -> expected response type
  const answered = new Map<string, number>() // request id -> responses seen
  const chats = new Map<string, { terminal: number; after: number }>()
  const chunks = new Map<string, number>() // stream id -> valid chunks sent by the host
  const invalidChunks = new Map<string, number>() // stream id -> invalid chunks with a readable requestId
  const acks = new Map<string, number>()
  const tasks = new Map<string, { state: string; epoch: number }>() // last status ('registered' | running | stopped | failed)
  let epoch = 0 // incremented by every deactivate: the worker forgets its tasks
  const hostValidator = validatorFor({ mode: 'tolerant' })
  const requestIds = new Set<string>()
  let readyCount = 0
  let first = true

  for (const entry of timeline) {
    const m = entry.message as Msg
    if (typeof m !== 'object' || m === null) continue
    const type = m.type
    const p = (m.payload ?? {}) as Record<string, unknown>
    if (entry.direction === 'host-to-worker') {
      // An invalid correlated request with a readable id still gets its one reply (EXT-IN-001);
      // an invalid chunk is not a chunk, so it is owed no ack, but one ack for it is allowed (EXT-FETCH-008).
      const valid = hostValidator.validateHostToWorker(m).ok
      if (typeof type === 'string' && typeof m.id === 'string') {
        const response = RESPONSE_OF[type]
        if (response) asked.set(m.id, response)
        if (type === 'provider-chat-request') chats.set(m.id, { terminal: 0, after: 0 })
      }
      if (type === 'streaming-fetch-chunk' && typeof p['requestId'] === 'string') {
        const counts = valid ? chunks : invalidChunks
        counts.set(p['requestId'], (counts.get(p['requestId']) ?? 0) + 1)
      }
      if (valid && type === 'deactivate') epoch++
      continue
    }
    // worker -> host
    if (type === 'ready') {
      readyCount++
      if (!first) add('EXT-LIFE-001', 'ready was not the first message the worker sent')
    }
    first = false
    const requestId = typeof p['requestId'] === 'string' ? p['requestId'] : undefined
    if (typeof type === 'string' && REQUIREMENT_OF[type]) {
      const requirement = REQUIREMENT_OF[type] as string
      if (requestId === undefined || asked.get(requestId) !== type) {
        add(requirement, `${type} for requestId ${String(requestId)}, which no ${type.replace('response', 'request')} asked for`)
      } else {
        const n = (answered.get(requestId) ?? 0) + 1
        answered.set(requestId, n)
        if (n === 2) add(requirement, `${type} sent twice for requestId ${requestId}`)
      }
    }
    if (type === 'stream-event') {
      const chat = requestId === undefined ? undefined : chats.get(requestId)
      const event = p['event'] as { type?: unknown } | undefined
      if (!chat) add('EXT-PROV-001', `stream-event for requestId ${String(requestId)}, which no provider-chat-request asked for`)
      else if (chat.terminal > 0) {
        chat.after++
        if (chat.after === 1) add('EXT-PROV-003', `stream-event ${String(event?.type)} after the terminal event of chat ${String(requestId)}`)
      } else if (event?.type === 'done' || event?.type === 'error') chat.terminal++
    }
    if (type === 'streaming-fetch-ack' && requestId !== undefined) acks.set(requestId, (acks.get(requestId) ?? 0) + 1)
    if (type === 'request' && typeof m.id === 'string') {
      if (requestIds.has(m.id)) add('EXT-REQ-001', `request id ${m.id} used twice`)
      requestIds.add(m.id)
    }
    if (type === 'background-task-registered' && typeof p['taskId'] === 'string') tasks.set(p['taskId'], { state: 'registered', epoch })
    if (type === 'background-task-status' && typeof p['taskId'] === 'string') {
      const taskId = p['taskId']
      const status = String(p['status'])
      const task = tasks.get(taskId)
      const last = task?.state
      if (task === undefined || (task.epoch < epoch && !(last === 'running' && status === 'stopped'))) {
        // Unknown to the worker (never registered, or forgotten by a deactivate): only `failed` may
        // answer a start for it (EXT-BG-006); a run cut short by the deactivate itself ends `stopped`.
        if (status !== 'failed') add('EXT-BG-011', `status ${status} for task ${taskId}, which the worker does not know`)
      } else if (status === 'running' ? last === 'running' : last !== 'running' && !(last === 'registered' && status === 'stopped')) {
        add(status === 'running' ? 'EXT-BG-004' : 'EXT-BG-003', `status ${status} after ${String(last)} for task ${taskId}`)
      } else {
        task.state = last === 'registered' && status === 'stopped' ? 'stopped-before-run' : status
      }
    }
  }
  if (readyCount > 1) add('EXT-LIFE-001', `ready sent ${readyCount} times`)
  for (const [id, sent] of acks) {
    const expected = chunks.get(id) ?? 0
    if (expected === 0) continue // acks for unknown streams come from EXT-FETCH-004 fixtures
    const allowed = expected + (invalidChunks.get(id) ?? 0)
    if (sent > allowed) add('EXT-FETCH-001', `${sent} acks for ${expected} chunk(s) of stream ${id}${allowed > expected ? ` and ${allowed - expected} invalid one(s)` : ''}`)
  }
  if (options.complete) {
    for (const [id, expected] of chunks) {
      const sent = acks.get(id) ?? 0
      if (sent < expected) add('EXT-FETCH-001', `${sent} ack(s) for ${expected} chunk(s) of stream ${id}`)
    }
    for (const [id, type] of asked) {
      if (!answered.has(id)) add(REQUIREMENT_OF[type] as string, `no ${type} for request ${id}`)
    }
    for (const [id, chat] of chats) {
      if (chat.terminal === 0) add('EXT-PROV-003', `chat ${id} never ended with done or error`)
    }
  }
  return out
}
