/**
 * Deliberately broken variants of the reference runtime. Each breaks one requirement the way a
 * real implementation (often upstream 0.22.1 itself) does; `npm test` checks that the suite fails
 * each on the requirement it names, and the fuzzer is measured against the same list.
 */
import { type Target } from '../targets.js'
import { ACTIVATED_LOG } from '../runner.js'
import { embeddedTarget, LIFECYCLE_DROPPED_TYPES, REGISTRATION_TYPES, type OutgoingFilter } from './target.js'
import { interposedTarget } from './variants.js'
import { validatorFor } from '../../src/validate/index.js'

/** One broken variant. */
export interface Mutant {
  /** Kebab-case name. */
  readonly name: string
  /** What is broken. */
  readonly description: string
  /** The requirement the suite must report as broken. */
  readonly requirement: string
  /**
   * Fixtures that cite `requirement` but cannot see this breakage, or see it first under another
   * requirement, each with the reason. Every other fixture citing `requirement` must fail on it.
   */
  readonly blind?: Readonly<Record<string, string>>
  /** Fixtures that do not cite `requirement` but must fail on it (wire requirements, which no fixture cites: every message is checked). */
  readonly observedIn?: readonly string[]
  /** A fresh target running the broken variant. */
  readonly target: () => Target
}

type Msg = { type?: string; id?: string; method?: string; payload?: Record<string, unknown> }

/** A mutant whose worker output passes through `filter` (a fresh filter per connection). */
function filtered(name: string, description: string, requirement: string, filter: () => OutgoingFilter, expectations: Pick<Mutant, 'blind' | 'observedIn'> = {}): Mutant {
  return { name, description, requirement, ...expectations, target: () => embeddedTarget({ name: `mutant ${name}`, outgoing: filter }) }
}

/** The chat fixtures citing EXT-PROV-003 whose stream ends with `error`: there is no `done` to drop or to follow. */
const ERROR_TERMINATED_CHATS = {
  'inbound/invalid-chat-request': 'the stream ends with an error event, not done',
  'lifecycle/deactivate-ends-chat': 'the stream ends with an error event at deactivate, not done',
  'providers/chat-error-event-is-terminal': 'the stream ends with an error event, not done',
  'providers/chat-throw-becomes-error': 'the stream ends with an error event, not done',
  'providers/chat-unknown-provider': 'the stream ends with an error event, not done',
} as const

/** Drops the messages `drop` selects. */
const dropping = (drop: (m: Msg) => boolean) => (): OutgoingFilter => (m, send) => {
  if (!drop(m as Msg)) send(m)
}

/** Replaces each message by what `map` returns (an array: several messages). */
const mapping = (map: (m: Msg) => unknown[]) => (): OutgoingFilter => (m, send) => {
  for (const out of map(m as Msg)) send(out)
}

const asMsg = (m: unknown): Msg => (typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Msg) : {})
const isActivatedLog = (m: Msg) => m.type === 'log' && m.payload?.['message'] === ACTIVATED_LOG

const event = (m: Msg) => (m.payload?.['event'] ?? {}) as { type?: string; message?: string }

/** The broken variants. */
export const MUTANTS: readonly Mutant[] = [
  filtered('no-ready', 'never sends ready', 'EXT-LIFE-001', dropping((m) => m.type === 'ready')),
  filtered('double-ready', 'sends ready twice (upstream B3: a second initializeExtension)', 'EXT-LIFE-001', mapping((m) => (m.type === 'ready' ? [m, m] : [m]))),
  filtered('missing-ack', 'never acknowledges streaming-fetch chunks', 'EXT-FETCH-001', dropping((m) => m.type === 'streaming-fetch-ack')),
  filtered('wrong-request-id', 'answers tool requests with a wrong requestId', 'EXT-TOOL-001', mapping((m) =>
    m.type === 'tool-execute-response' ? [{ ...m, payload: { ...m.payload, requestId: `${String(m.payload?.['requestId'])}-x` } }] : [m],
  ), { blind: {
    'tools/action-result-unchanged': 'the mutant rewrites tool responses only; this fixture runs an action',
    'requests/second-response-ignored': 'seen, but blamed on EXT-REQ-003: the step that waits for the tool response judges which host response settled the call',
  } }),
  filtered('no-done', 'drops the done event of chat streams', 'EXT-PROV-003', dropping((m) => m.type === 'stream-event' && event(m).type === 'done'), { blind: ERROR_TERMINATED_CHATS }),
  filtered('events-after-done', 'sends a content event after done', 'EXT-PROV-003', mapping((m) =>
    m.type === 'stream-event' && event(m).type === 'done'
      ? [m, { type: 'stream-event', payload: { requestId: m.payload?.['requestId'], event: { type: 'content', text: 'late' } } }]
      : [m],
  ), { blind: ERROR_TERMINATED_CHATS }),
  filtered('bogus-unknown-provider', 'answers a chat for an unknown provider with a bogus network.fetch request (upstream B1)', 'EXT-PROV-002', mapping((m) =>
    m.type === 'stream-event' && /^Provider .* not found$/.test(event(m).message ?? '')
      ? [{ type: 'request', id: `bogus-${String(m.payload?.['requestId'])}`, method: 'network.fetch', payload: { error: event(m).message } }]
      : [m],
  )),
  filtered('single-failure-channel', 'reports tool and action failures only in result, without the top-level error (upstream B21)', 'EXT-TOOL-002', mapping((m) => {
    if ((m.type === 'tool-execute-response' || m.type === 'action-execute-response') && m.payload && 'error' in m.payload) {
      const { error: _dropped, ...payload } = m.payload
      return [{ ...m, payload }]
    }
    return [m]
  })),
  filtered('error-on-soft-failure', 'adds a top-level error when a tool returns success false', 'EXT-TOOL-003', mapping((m) => {
    const result = m.payload?.['result'] as { success?: boolean; error?: string } | undefined
    if (m.type === 'tool-execute-response' && result?.success === false && !('error' in (m.payload ?? {}))) return [{ ...m, payload: { ...m.payload, error: result.error ?? 'failed' } }]
    return [m]
  }), { blind: {
    'tools/action-result-unchanged': 'the result is a success; the mutant changes only results with success false',
    'tools/echo-result-unchanged': 'the result is a success; the mutant changes only results with success false',
  } }),
  filtered('status-out-of-order', 'sends a task\u2019s running status after its terminal status', 'EXT-BG-003', () => {
    const held = new Map<string, unknown>()
    return (m, send) => {
      const msg = m as Msg
      const taskId = String(msg.payload?.['taskId'])
      if (msg.type === 'background-task-status' && msg.payload?.['status'] === 'running') {
        held.set(taskId, m)
        return
      }
      send(m)
      if (msg.type === 'background-task-status' && held.has(taskId)) {
        send(held.get(taskId))
        held.delete(taskId)
      }
    }
  }, { blind: { 'lifecycle/deactivate-stops-tasks': 'seen, but blamed on EXT-LIFE-012: the running status is held back, so the step that waits for it fails before the order can be judged' } }),
  filtered('double-terminal-status', 'reports the terminal status of a task run twice (upstream B31)', 'EXT-BG-003', mapping((m) =>
    m.type === 'background-task-status' && m.payload?.['status'] !== 'running' ? [m, m] : [m],
  )),
  {
    name: 'request-pending-after-timeout',
    description: 'never times out its requests to the host',
    requirement: 'EXT-REQ-002',
    target: () => embeddedTarget({ name: 'mutant request-pending-after-timeout', runtime: { requestTimeoutMs: 0 } }),
  },
  filtered('no-unknown-task-reply', 'does not answer a start for an unknown task (upstream B33)', 'EXT-BG-006', dropping((m) =>
    m.type === 'background-task-status' && String(m.payload?.['error'] ?? '').startsWith('Unknown background task'),
  )),
  filtered('no-tool-registrations', 'does not announce tools', 'EXT-LIFE-002', dropping((m) => m.type === 'tool-registered')),
  filtered('silent-when-inactive', 'does not answer requests while the extension is not active (upstream B5, B6)', 'EXT-LIFE-010', dropping((m) =>
    JSON.stringify(m.payload ?? {}).includes('Extension is not active'),
  )),
  filtered('no-ack-for-unknown-stream', 'does not acknowledge chunks of unknown streams (upstream B15)', 'EXT-FETCH-004', () => {
    const streams = new Set<string>()
    return (m, send) => {
      const msg = m as Msg
      if (msg.type === 'request' && msg.method === 'network.fetch-stream') streams.add(String(msg.id))
      if (msg.type === 'streaming-fetch-ack' && !streams.has(String(msg.payload?.['requestId']))) return
      send(m)
    }
  }),
  filtered('numeric-request-id', 'sends tool responses with a numeric requestId', 'EXT-WIRE-004', mapping((m) =>
    m.type === 'tool-execute-response' ? [{ ...m, payload: { ...m.payload, requestId: 42 } }] : [m],
  ), { observedIn: ['tools/echo-result-unchanged', 'tools/unknown-tool-fills-both-channels', 'lifecycle/tool-before-activation'] }),
  filtered('errors-logged-as-info', 'logs errors at info level', 'EXT-LIFE-003', mapping((m) =>
    m.type === 'log' && m.payload?.['level'] === 'error' ? [{ ...m, payload: { ...m.payload, level: 'info' } }] : [m],
  )),
  {
    name: 'reactivates-on-second-activate',
    description: 'answers an activate while active by activating again: every registration is announced a second time (upstream B3)',
    requirement: 'EXT-LIFE-006',
    target: () =>
      interposedTarget('mutant reactivates-on-second-activate', () => {
        const registrations: unknown[] = []
        let active = false
        return {
          incoming(m, w) {
            if (active && asMsg(m).type === 'activate') {
              for (const r of registrations) w.toHost(r)
              return w.toHost({ type: 'log', payload: { level: 'info', message: ACTIVATED_LOG } })
            }
            w.toWorker(m)
          },
          outgoing(m, w) {
            const msg = asMsg(m)
            if (REGISTRATION_TYPES.has(String(msg.type))) registrations.push(m)
            if (isActivatedLog(msg)) active = true
            w.toHost(m)
          },
        }
      }),
  },
  {
    name: 'queues-early-lifecycle-messages',
    description: 'keeps settings-changed, scheduler-fire and background-task-start/stop that arrive before the first activation, and handles them once it has completed',
    requirement: 'EXT-LIFE-011',
    blind: { 'lifecycle/deactivate-drops-registrations': 'its message arrives after deactivate; the mutant keeps only messages from before the first activation' },
    target: () =>
      interposedTarget('mutant queues-early-lifecycle-messages', () => {
        let early: unknown[] | undefined = []
        let wiring: { toWorker(m: unknown): void } | undefined
        return {
          incoming(m, w) {
            wiring = w
            if (early && LIFECYCLE_DROPPED_TYPES.has(String(asMsg(m).type))) return void early.push(m)
            w.toWorker(m)
          },
          outgoing(m, w) {
            w.toHost(m)
            if (early && isActivatedLog(asMsg(m))) {
              const queued = early
              early = undefined
              for (const q of queued) wiring?.toWorker(q)
            }
          },
        }
      }),
  },
  {
    name: 'stops-after-invalid-message',
    description: 'stops handling host messages after the first invalid one, as a worker that throws into its transport does (upstream B28)',
    requirement: 'EXT-IN-001',
    blind: {
      'inbound/invalid-background-start-logged': 'nothing is expected after the invalid message, and nothing comes',
      'permissions/activate-without-permissions-rejected': 'seen, but blamed on EXT-PERM-004: the invalid activate gets no error log',
    },
    target: () =>
      interposedTarget('mutant stops-after-invalid-message', () => {
        const validator = validatorFor({ mode: 'tolerant' })
        let dead = false
        return {
          incoming(m, w) {
            if (!dead && !validator.validateHostToWorker(m).ok) dead = true
            if (!dead) w.toWorker(m)
          },
        }
      }),
  },
  filtered('epoch-health-timestamp', 'sends health timestamps as epoch milliseconds', 'EXT-WIRE-004', mapping((m) =>
    m.type === 'background-task-health' ? [{ ...m, payload: { ...m.payload, timestamp: Date.now() } }] : [m],
  ), { observedIn: ['background/start-runs-and-reports-health', 'background/payload-reaches-task'] }),
]
