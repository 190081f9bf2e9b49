/**
 * Deliberately different but conforming variants of the reference runtime. Each makes one choice
 * the spec leaves free (another wording, no diagnostic logs, silent drops, `done` at deactivate, an
 * answer before the extension's own log, an ack on receipt, other request ids, ...). `npm test`
 * checks that each passes every MUST: the suite judges the protocol, not the reference's choices.
 * A variant that cannot pass is either forbidden by a written requirement (then it is a mutant) or
 * exposes a fixture that over-specifies (then the fixture is wrong).
 */
import { SHORT_REQUEST_TIMEOUT_MS, type Target } from '../targets.js'
import { ACTIVATED_LOG as ACTIVATED } from '../runner.js'
import { embeddedTarget, LIFECYCLE_DROPPED_TYPES, REGISTRATION_TYPES, type Filters, type Wiring } from './target.js'
import { validatorFor } from '../../src/validate/index.js'

/** One conforming variant. */
export interface Variant {
  /** Kebab-case name. */
  readonly name: string
  /** The choice it makes differently from the reference runtime. */
  readonly description: string
  /** Where the spec leaves that choice free. */
  readonly allowedBy: string
  /** SHOULD requirements the variant deliberately does not meet (the test checks exactly these fail, and no MUST). */
  readonly shouldFailures: readonly string[]
  /** A fresh target running the variant. */
  readonly target: () => Target
}

/** The two directions a variant can act on; `toHost` and `toWorker` deliver without filtering. */
type Msg = { type?: unknown; id?: unknown; method?: unknown; payload?: Record<string, unknown> }

const asMsg = (m: unknown): Msg => (typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Msg) : {})
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined)

/**
 * The reference runtime and the conformance extension, with `filters` between them and the host in
 * both directions (the mutants use it too, where breaking a requirement needs the incoming side).
 */
export function interposedTarget(name: string, filters: () => Filters): Target {
  // The short request timeout comes per fixture (its `short-request-timeout` feature), as for the
  // reference runtime: forcing it everywhere made a busy machine time out requests fixtures expect answered.
  return embeddedTarget({ name, filters })
}

/** Replaces the payload fields `keys` of `m` by `map` of their string values. */
function rewriteTexts(m: Msg, map: (text: string) => string): Msg {
  const payload = m.payload
  if (!payload) return m
  const out: Record<string, unknown> = { ...payload }
  for (const key of ['error', 'message']) if (typeof out[key] === 'string') out[key] = map(out[key])
  const result = out['result'] as Record<string, unknown> | undefined
  if (result && typeof result['error'] === 'string') out['result'] = { ...result, error: map(result['error']) }
  const event = out['event'] as Record<string, unknown> | undefined
  if (event && typeof event['message'] === 'string') out['event'] = { ...event, message: map(event['message']) }
  return { ...m, payload: out }
}

/** Other wordings for every text of the reference runtime that docs/spec/texts.md does not fix. */
const REWORDINGS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^Extension deactivated$/, 'The worker is shutting down'],
  [/^(?:Tool|Action) (.+?) returned an invalid result: /, 'Unusable result from $1: '],
  [/^Provider (.+?) returned invalid models: /, 'Unusable models from $1: '],
  [/^Provider (.+?) yielded an invalid event: /, 'Unusable event from $1: '],
  [/^Invalid background task config: /, 'Bad task config: '],
  [/^Background task with id '(.+)' is already registered$/, 'Task id $1 is taken'],
  [/^Invalid (\S+) (request|response): /, 'Refused $1 $2 ('],
  [/^Invalid (\S+) message: /, 'Rejected $1 message, because '],
  [/^Error during deactivation/, 'A deactivation step threw'],
  [/^Scheduler callback for job (\S+) failed: /, 'onFire for $1 threw: '],
]

function reword(text: string): string {
  for (const [re, replacement] of REWORDINGS) if (re.test(text)) return text.replace(re, replacement)
  return text
}

const CORRELATED = new Set(['tool-execute-request', 'action-execute-request', 'provider-chat-request', 'provider-models-request'])
const DEACTIVATED = 'conformance extension deactivated'
const logMessage = (m: Msg) => (m.type === 'log' ? str(m.payload?.['message']) : undefined)

/** The conforming variants. */
export const VARIANTS: readonly Variant[] = [
  {
    name: 'no-diagnostic-logs',
    description: 'sends no warn or error log except the two a host depends on (a failed or rejected activation)',
    allowedBy: 'docs/spec/diagnostics.md: diagnostics are SHOULDs; EXT-LIFE-003 and EXT-PERM-004 keep their error log',
    shouldFailures: ['EXT-BG-101', 'EXT-FETCH-101', 'EXT-IN-101', 'EXT-LIFE-101', 'EXT-LIFE-102', 'EXT-LIFE-103', 'EXT-SCHED-101'],
    target: () =>
      interposedTarget('variant no-diagnostic-logs', () => ({
        outgoing(m, w) {
          const msg = asMsg(m)
          const level = msg.type === 'log' ? msg.payload?.['level'] : undefined
          const text = logMessage(msg) ?? ''
          if ((level === 'warn' || level === 'error') && !/^(Failed to activate extension|Invalid activate)/.test(text)) return
          w.toHost(m)
        },
      })),
  },
  {
    name: 'other-texts',
    description: 'words every error and log text that docs/spec/texts.md does not fix in its own way',
    allowedBy: 'docs/spec/texts.md: a text is part of a requirement only where it is listed',
    shouldFailures: [],
    target: () =>
      interposedTarget('variant other-texts', () => ({
        outgoing(m, w) {
          const msg = asMsg(m)
          if (msg.type === 'log') {
            const level = msg.payload?.['level']
            if (level === 'warn') return w.toHost({ ...msg, payload: { ...msg.payload, message: `worker: ${logMessage(msg) ?? ''}` } })
            if (level === 'error') return w.toHost(rewriteTexts(msg, reword))
            return w.toHost(m)
          }
          w.toHost(typeof msg.type === 'string' && msg.type !== 'request' ? rewriteTexts(msg, reword) : m)
        },
      })),
  },
  {
    name: 'not-found-while-inactive',
    description: 'answers requests while no extension is active with the `... not found` text of 0.22.1',
    allowedBy: 'EXT-LIFE-010 allows the not-found texts; EXT-LIFE-104 (SHOULD) prefers `Extension is not active`',
    shouldFailures: ['EXT-LIFE-104'],
    target: () =>
      interposedTarget('variant not-found-while-inactive', () => {
        const names = new Map<string, string>()
        return {
          incoming(m, w) {
            const msg = asMsg(m)
            const id = str(msg.id)
            const p = msg.payload ?? {}
            if (id !== undefined) {
              if (msg.type === 'tool-execute-request' && typeof p['toolId'] === 'string') names.set(id, `Tool ${p['toolId']} not found`)
              if (msg.type === 'action-execute-request' && typeof p['actionId'] === 'string') names.set(id, `Action ${p['actionId']} not found`)
              if ((msg.type === 'provider-chat-request' || msg.type === 'provider-models-request') && typeof p['providerId'] === 'string') names.set(id, `Provider ${p['providerId']} not found`)
            }
            w.toWorker(m)
          },
          outgoing(m, w) {
            const msg = asMsg(m)
            const text = names.get(str(msg.payload?.['requestId']) ?? '')
            w.toHost(text === undefined ? m : rewriteTexts(msg, (t) => (t === 'Extension is not active' ? text : t)))
          },
        }
      }),
  },
  {
    name: 'done-at-deactivate',
    description: 'ends a chat stream that is open at deactivate with `done` instead of `error`',
    allowedBy: 'EXT-LIFE-012: every open chat stream ends with one terminal event, `error` or `done`',
    shouldFailures: [],
    target: () =>
      interposedTarget('variant done-at-deactivate', () => ({
        outgoing(m, w) {
          const msg = asMsg(m)
          const event = msg.payload?.['event'] as { type?: unknown; message?: unknown } | undefined
          if (msg.type === 'stream-event' && event?.type === 'error' && event.message === 'Extension deactivated') return w.toHost({ ...msg, payload: { ...msg.payload, event: { type: 'done' } } })
          w.toHost(m)
        },
      })),
  },
  {
    name: 'answers-before-activated-log',
    description: 'sends the extension\u2019s `activated` log line after whatever the worker sends next (a queued answer comes first)',
    allowedBy: 'EXT-LIFE-009: the order of an answer and the extension\u2019s own log is not protocol',
    shouldFailures: [],
    target: () =>
      interposedTarget('variant answers-before-activated-log', () => {
        let held: unknown
        let timer: ReturnType<typeof setTimeout> | undefined
        let wiring: Wiring | undefined
        const flush = () => {
          if (timer) clearTimeout(timer)
          timer = undefined
          if (held !== undefined && wiring) wiring.toHost(held)
          held = undefined
        }
        return {
          outgoing(m, w) {
            wiring = w
            if (logMessage(asMsg(m)) === ACTIVATED) {
              held = m
              timer = setTimeout(flush, 15)
              return
            }
            w.toHost(m)
            flush()
          },
          close() {
            if (timer) clearTimeout(timer)
          },
        }
      }),
  },
  {
    name: 'acks-on-receipt',
    description: 'acknowledges a data chunk when it arrives instead of when the consumer takes it',
    allowedBy: 'EXT-FETCH-005 is a SHOULD; EXT-FETCH-001 asks only for exactly one ack per chunk',
    shouldFailures: ['EXT-FETCH-005'],
    target: () =>
      interposedTarget('variant acks-on-receipt', () => {
        const early = new Map<string, number>()
        return {
          incoming(m, w) {
            const msg = asMsg(m)
            const p = msg.payload
            const requestId = str(p?.['requestId'])
            if (msg.type === 'streaming-fetch-chunk' && requestId !== undefined && requestId !== '' && typeof p?.['chunk'] === 'string' && typeof p['done'] === 'boolean') {
              w.toHost({ type: 'streaming-fetch-ack', payload: { requestId } })
              early.set(requestId, (early.get(requestId) ?? 0) + 1)
            }
            w.toWorker(m)
          },
          outgoing(m, w) {
            const msg = asMsg(m)
            const requestId = str(msg.payload?.['requestId'])
            if (msg.type === 'streaming-fetch-ack' && requestId !== undefined && (early.get(requestId) ?? 0) > 0) {
              early.set(requestId, (early.get(requestId) ?? 0) - 1)
              return
            }
            w.toHost(m)
          },
        }
      }),
  },
  {
    name: 'deactivate-grace',
    description: 'starts deactivating 100 ms after `deactivate` arrives; until then the host may still answer pending requests and stream chunks',
    allowedBy: 'EXT-LIFE-012: a pending request is settled by rejecting it or by letting the host answer it within the grace period',
    shouldFailures: [],
    target: () =>
      interposedTarget('variant deactivate-grace', () => {
        const timers = new Set<ReturnType<typeof setTimeout>>()
        let waiting: unknown[] | undefined
        return {
          incoming(m, w) {
            const msg = asMsg(m)
            if (waiting) {
              // Answers go through at once; everything else waits behind the deactivate, in order.
              if (msg.type === 'response' || msg.type === 'streaming-fetch-chunk') w.toWorker(m)
              else waiting.push(m)
              return
            }
            if (msg.type !== 'deactivate') return w.toWorker(m)
            waiting = [m]
            const timer = setTimeout(() => {
              timers.delete(timer)
              const queued = waiting ?? []
              waiting = undefined
              for (const q of queued) w.toWorker(q)
            }, 100)
            timers.add(timer)
          },
          close() {
            for (const t of timers) clearTimeout(t)
          },
        }
      }),
  },
  {
    name: 'silent-drops',
    description: 'drops garbage, unknown types, invalid uncorrelated messages and lifecycle messages that arrive while inactive before the runtime sees them, without any log',
    allowedBy: 'EXT-IN-001 and EXT-LIFE-011: such messages are dropped; reporting them is EXT-IN-101 / EXT-LIFE-102 (SHOULD)',
    shouldFailures: ['EXT-IN-101', 'EXT-LIFE-102'],
    target: () =>
      interposedTarget('variant silent-drops', () => {
        const validator = validatorFor({ mode: 'tolerant' })
        let active = false
        return {
          incoming(m, w) {
            const msg = asMsg(m)
            if (typeof m !== 'object' || m === null || Array.isArray(m)) return
            const checked = validator.validateHostToWorker(m)
            if (!checked.ok && checked.errors.some((e) => e.code === 'EXT-WIRE-002')) return
            if (!checked.ok && msg.type !== 'activate' && !CORRELATED.has(String(msg.type))) return
            if (checked.ok && msg.type === 'activate') active = true
            if (msg.type === 'deactivate') active = false
            if (!active && LIFECYCLE_DROPPED_TYPES.has(String(msg.type))) return
            w.toWorker(m)
          },
        }
      }),
  },
  {
    name: 'other-request-ids',
    description: 'numbers its requests to the host `q1`, `q2`, … instead of timestamp-based ids',
    allowedBy: 'EXT-REQ-001 and wire.md: ids are non-empty and unique; nothing may rely on their format',
    shouldFailures: [],
    target: () =>
      interposedTarget('variant other-request-ids', () => {
        const toNew = new Map<string, string>()
        const toOld = new Map<string, string>()
        let n = 0
        const back = (m: Msg) => {
          const requestId = str(m.payload?.['requestId'])
          const old = requestId === undefined ? undefined : toOld.get(requestId)
          return old === undefined ? m : { ...m, payload: { ...m.payload, requestId: old } }
        }
        return {
          incoming(m, w) {
            const msg = asMsg(m)
            w.toWorker(msg.type === 'response' || msg.type === 'streaming-fetch-chunk' ? back(msg) : m)
          },
          outgoing(m, w) {
            const msg = asMsg(m)
            if (msg.type === 'request' && typeof msg.id === 'string') {
              const id = `q${++n}`
              toNew.set(msg.id, id)
              toOld.set(id, msg.id)
              const payload = msg.method === 'network.fetch-stream' ? { ...msg.payload, requestId: id } : msg.payload
              return w.toHost({ ...msg, id, payload })
            }
            const requestId = str(msg.payload?.['requestId'])
            const renamed = msg.type === 'streaming-fetch-ack' && requestId !== undefined ? toNew.get(requestId) : undefined
            w.toHost(renamed === undefined ? m : { ...msg, payload: { ...msg.payload, requestId: renamed } })
          },
        }
      }),
  },
  {
    name: 'log-data',
    description: 'attaches `data: {worker: "variant"}` to every log that has no data',
    allowedBy: 'the log payload\u2019s `data` is optional and free-form (wire.md)',
    shouldFailures: [],
    target: () =>
      interposedTarget('variant log-data', () => ({
        outgoing(m, w) {
          const msg = asMsg(m)
          w.toHost(msg.type === 'log' && msg.payload && !('data' in msg.payload) ? { ...msg, payload: { ...msg.payload, data: { worker: 'variant' } } } : m)
        },
      })),
  },
  {
    name: 'registrations-after-activate',
    description: 'announces the registrations of an activation only once `activate` has completed (after the extension\u2019s last log), and none after a failed one',
    allowedBy: 'EXT-LIFE-002 asks for one `*-registered` message per registration, not for their timing; EXT-LIFE-004 drops a failed activation\u2019s registrations',
    shouldFailures: [],
    target: () =>
      interposedTarget('variant registrations-after-activate', () => {
        let holding = false
        let active = false
        let held: unknown[] = []
        return {
          incoming(m, w) {
            if (asMsg(m).type === 'activate' && !active) holding = true
            w.toWorker(m)
          },
          outgoing(m, w) {
            const msg = asMsg(m)
            const text = logMessage(msg)
            if (holding && REGISTRATION_TYPES.has(String(msg.type))) return void held.push(m)
            w.toHost(m)
            if (text === ACTIVATED) {
              for (const r of held) w.toHost(r)
              ;[held, holding, active] = [[], false, true]
            } else if (text === DEACTIVATED) active = false
            else if (holding && msg.type === 'log' && msg.payload?.['level'] === 'error') [held, holding] = [[], false]
          },
        }
      }),
  },
  {
    name: 'undeclared-response-fields',
    description: 'adds a field 0.22.1 does not declare (`worker`) to every tool, action and models response',
    allowedBy: 'EXT-WIRE-006 is a SHOULD (tolerant hosts ignore undeclared fields); EXT-TOOL-003 fixes `result`, not the other fields',
    shouldFailures: [],
    target: () =>
      interposedTarget('variant undeclared-response-fields', () => ({
        outgoing(m, w) {
          const msg = asMsg(m)
          const answers = msg.type === 'tool-execute-response' || msg.type === 'action-execute-response' || msg.type === 'provider-models-response'
          w.toHost(answers ? { ...msg, payload: { ...msg.payload, worker: 'variant' } } : m)
        },
      })),
  },
  {
    name: 'reports-stray-responses',
    description: 'reports a response for a request it does not wait for (unknown, settled or timed out) with an error log',
    allowedBy: 'EXT-REQ-003: such a response settles nothing; a diagnostic log about it is allowed',
    shouldFailures: [],
    target: () =>
      interposedTarget('variant reports-stray-responses', () => {
        const waiting = new Set<string>()
        const timers = new Set<ReturnType<typeof setTimeout>>()
        return {
          incoming(m, w) {
            const msg = asMsg(m)
            const requestId = str(msg.payload?.['requestId'])
            if (msg.type === 'response' && requestId !== undefined) {
              if (!waiting.delete(requestId)) w.toHost({ type: 'log', payload: { level: 'error', message: `Response for unknown request ${requestId}` } })
            }
            w.toWorker(m)
          },
          outgoing(m, w) {
            const msg = asMsg(m)
            if (msg.type === 'request' && typeof msg.id === 'string') {
              waiting.add(msg.id)
              // A timed-out request is no longer waited for: forget it when its timeout passes.
              const id = msg.id
              const timer = setTimeout(() => {
                timers.delete(timer)
                waiting.delete(id)
              }, SHORT_REQUEST_TIMEOUT_MS)
              timers.add(timer)
            }
            w.toHost(m)
          },
          close() {
            for (const t of timers) clearTimeout(t)
          },
        }
      }),
  },
  {
    name: 'acks-invalid-chunks',
    description: 'acknowledges an invalid streaming-fetch-chunk whose requestId is readable (and still drops it)',
    allowedBy: 'EXT-IN-001: an invalid chunk is not a chunk under EXT-FETCH-001; acknowledging it is allowed',
    shouldFailures: [],
    target: () =>
      interposedTarget('variant acks-invalid-chunks', () => {
        const validator = validatorFor({ mode: 'tolerant' })
        return {
          incoming(m, w) {
            const msg = asMsg(m)
            const requestId = str(msg.payload?.['requestId'])
            if (msg.type === 'streaming-fetch-chunk' && requestId !== undefined && requestId !== '' && !validator.validateHostToWorker(m).ok) w.toHost({ type: 'streaming-fetch-ack', payload: { requestId } })
            w.toWorker(m)
          },
        }
      }),
  },
]

export type { Filters, Wiring } from './target.js'
