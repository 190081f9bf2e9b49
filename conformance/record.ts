/**
 * The recorder: sits between a real host and a real worker, forwards both directions unchanged,
 * records them, and turns the recording into a fixture of either role. In a worker-role fixture the
 * host's messages are sent and the worker's expected; in a host-role fixture the worker's are sent,
 * the host's expected, and the host API calls that made the host send what it sent are inferred
 * (`do` steps). Ids the implementation under test generates become captures and references,
 * timestamps become matchers, and messages that may interleave become unordered groups that keep
 * each stream's own order.
 */
import type { TimelineEntry } from '../src/host/peer.js'
import type { Transport } from '../src/transport/types.js'
import { messageDescriptor } from '../src/protocol/catalogue.js'
import { correlationKey } from '../src/protocol/correlation.js'
import { ISO_TIMESTAMP } from '../src/protocol/common.js'
import { answerOf } from '../src/protocol/correlation.js'
import { validatorFor } from '../src/validate/index.js'
import { DEFAULT_WORKER, type DoStep, type ExpectStep, type Fixture, type Role, type Step } from './fixture/schema.js'

/** A recording in progress. */
export interface Recording {
  /** Everything forwarded so far, in order. */
  readonly timeline: readonly TimelineEntry[]
  /** Resolves when either side closes (the other side is then closed too). */
  readonly done: Promise<void>
}

/** Pipes `host` and `worker` into each other and records every message. */
export function record(host: Transport, worker: Transport): Recording {
  const timeline: TimelineEntry[] = []
  host.onMessage((message) => {
    timeline.push({ direction: 'host-to-worker', message, at: performance.now() })
    worker.send(message)
  })
  worker.onMessage((message) => {
    timeline.push({ direction: 'worker-to-host', message, at: performance.now() })
    host.send(message)
  })
  const done = new Promise<void>((resolve) => {
    const end = () => {
      void Promise.all([host.close(), worker.close()]).then(() => resolve())
    }
    host.onClose(end)
    worker.onClose(end)
  })
  return { timeline, done }
}


/** The requirement a recorded message type exercises, for the fixture's metadata. */
const REQUIREMENT_OF_TYPE: Record<string, string> = {
  'tool-execute-response': 'EXT-TOOL-001',
  'action-execute-response': 'EXT-TOOL-001',
  'stream-event': 'EXT-PROV-001',
  'provider-models-response': 'EXT-PROV-005',
  request: 'EXT-REQ-001',
  'streaming-fetch-ack': 'EXT-FETCH-001',
  'background-task-status': 'EXT-BG-011',
}

/** Options of {@link toFixture}. */
export interface ToFixtureOptions {
  readonly id: string
  readonly title?: string
  readonly requirements?: readonly string[]
  /** `worker` (default): the fixture certifies a worker and sends the host's messages; `host`: it certifies a host and sends the worker's. */
  readonly role?: Role
}

type Json = Record<string, unknown>

/** Replaces worker-generated values by `$ref`s and timestamps by matchers. */
function normalise(value: unknown, refs: ReadonlyMap<string, string>, inWorker: boolean): unknown {
  if (typeof value === 'string') {
    const name = refs.get(value)
    if (name !== undefined) return { $ref: name }
    if (inWorker && ISO_TIMESTAMP.test(value)) return { $match: 'iso-time' }
    return value
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, refs, inWorker))
  if (typeof value === 'object' && value !== null) {
    const out: Json = {}
    for (const [k, v] of Object.entries(value)) out[k] = normalise(v, refs, inWorker)
    return out
  }
  return value
}

/** The key whose messages must keep their relative order (one chat, one stream, one task), from the descriptors. */
function orderKey(message: Json): string | undefined {
  return correlationKey(message)
}

/**
 * Collects the expectations between two steps of the fixture's own (sends, commands) and writes
 * them as one `expect`, or as an `unordered` group whose members keep their exchange's order.
 */
function expectations(steps: Step[]): { push(pattern: Json): void; flush(): void } {
  let pending: Json[] = []
  let label = 0
  return {
    push: (pattern) => void pending.push(pattern),
    flush() {
      if (pending.length === 1) steps.push({ expect: pending[0] as Json })
      else if (pending.length > 1) {
        const last = new Map<string, string>()
        const members: ExpectStep[] = pending.map((pattern) => {
          const key = orderKey(pattern)
          const member: { expect: Json; label?: string; after?: string[] } = { expect: pattern }
          if (key !== undefined) {
            const name = `m${++label}`
            member.label = name
            const before = last.get(key)
            if (before !== undefined) member.after = [before]
            last.set(key, name)
          }
          return member
        })
        steps.push({ unordered: members })
      }
      pending = []
    },
  }
}

/** Turns a recording into a fixture of `options.role` (default `worker`) that replays against the same implementation. */
export function toFixture(timeline: readonly TimelineEntry[], options: ToFixtureOptions): Fixture {
  return options.role === 'host' ? toHostFixture(timeline, options) : toWorkerFixture(timeline, options)
}

/** The worker-role fixture: the host's messages are sent, the worker's expected. */
function toWorkerFixture(timeline: readonly TimelineEntry[], options: ToFixtureOptions): Fixture {
  const refs = new Map<string, string>()
  const steps: Step[] = []
  let permissions: string[] = []
  const used = new Set<string>()
  const pending = expectations(steps)
  const flush = pending.flush

  let first = true
  for (const entry of timeline) {
    const message = entry.message as Json
    if (entry.direction === 'host-to-worker') {
      flush()
      if (message?.['type'] === 'activate') permissions = [...(((message['payload'] as Json)?.['permissions'] as string[]) ?? [])]
      const sent = normalise(message, refs, false)
      const valid = typeof message === 'object' && message !== null && !Array.isArray(message)
      steps.push(valid ? { send: sent as Json, ...(messageDescriptor(String(message['type'])) ? {} : { invalid: true }) } : { sendRaw: sent })
      continue
    }
    if (first && message?.['type'] === 'ready') {
      first = false
      continue // the runner waits for ready itself
    }
    first = false
    if (message?.['type'] === 'request' && typeof message['id'] === 'string') {
      // The worker's request id is generated: capture it, and refer to it from then on.
      const name = `r${refs.size + 1}`
      const pattern = normalise(message, refs, true) as Json
      pattern['id'] = { $capture: name }
      refs.set(message['id'], name)
      pending.push(normalise(pattern, refs, true) as Json)
    } else {
      pending.push(normalise(message, refs, true) as Json)
    }
    if (typeof message?.['type'] === 'string') used.add(message['type'])
  }
  flush()
  const requirements = options.requirements ?? [...new Set([...used].map((t) => REQUIREMENT_OF_TYPE[t]).filter((r): r is string => r !== undefined))]
  return {
    $schema: '../../schema/conformance-fixture.schema.json',
    id: options.id,
    title: options.title ?? 'Recorded session',
    requirements: requirements.length > 0 ? [...requirements] : ['EXT-LIFE-002'],
    level: 'MUST',
    since: [...used].some((t) => t.startsWith('background-task')) ? '0.22.0' : '0.21.0',
    permissions,
    description: `Recorded by extwire record on ${new Date().toISOString().slice(0, 10)}.`,
    steps: steps.length > 0 ? steps : [{ waitMs: 0 }],
  }
}

/** The requirement a recorded host message exercises, for a host-role fixture's metadata. */
const HOST_REQUIREMENT_OF_TYPE: Record<string, string> = {
  activate: 'EXT-HOST-002',
  response: 'EXT-HOST-020',
  'tool-execute-request': 'EXT-HOST-075',
  'action-execute-request': 'EXT-HOST-075',
  'provider-models-request': 'EXT-HOST-075',
  'provider-chat-request': 'EXT-HOST-076',
  'settings-changed': 'EXT-HOST-077',
  'scheduler-fire': 'EXT-HOST-078',
  'streaming-fetch-chunk': 'EXT-HOST-041',
  'background-task-start': 'EXT-HOST-050',
  'background-task-stop': 'EXT-HOST-055',
  deactivate: 'EXT-HOST-070',
}

/** Keys whose strings are texts (docs/spec/texts.md): a host's own wording is its choice. */
const TEXT_KEYS = new Set(['message', 'error', 'text'])

const isJson = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** A host message as an expectation: its own ids become captures (correlated calls) or matchers, its texts matchers. */
function hostPattern(message: Json, refs: Map<string, string>): Json {
  const texts = (value: unknown, textKey: boolean): unknown => {
    if (typeof value === 'string') return textKey ? { $match: 'string' } : value
    if (Array.isArray(value)) return value.map((v) => texts(v, false))
    if (isJson(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, texts(v, TEXT_KEYS.has(k))]))
    return value
  }
  const pattern = texts(message, false) as Json
  const id = message['id']
  if (typeof id === 'string') {
    if (answerOf(String(message['type'])) !== undefined) {
      const name = `h${refs.size + 1}`
      refs.set(id, name)
      pattern['id'] = { $capture: name }
    } else pattern['id'] = { $match: 'string' }
  }
  return pattern
}

/** What a host API call returned, as the spec says it must (EXT-HOST-075, EXT-HOST-076), from the worker's answer. */
function resultOf(kind: Call['kind'], payload: Json, events: readonly unknown[]): Json {
  if (kind === 'chat') {
    const last = events[events.length - 1] as Json | undefined
    return last?.['type'] === 'error' ? { ok: false } : { ok: true, value: [...events] }
  }
  if (payload['error'] !== undefined) return { ok: false }
  return { ok: true, value: kind === 'models' ? payload['models'] : payload['result'] }
}

/** A host API call the recording shows, waiting for the worker's answer. */
interface Call {
  readonly label: string
  readonly kind: 'tool' | 'action' | 'models' | 'chat'
  readonly events: unknown[]
}

/** One background task, as far as the recording shows it. */
interface TaskTrace {
  readonly policy: Json
  /** Restarts the host has scheduled so far (EXT-HOST-052). */
  restarts: number
  /** `registered`: no start yet; `starting`/`running`: a run is open; `ended`: the run ended with a terminal status. */
  phase: 'registered' | 'starting' | 'running' | 'ended'
  stopRequested: boolean
}

/** The restart delay of EXT-HOST-052, with the policy defaults of EXT-HOST-050. */
function restartDelay(policy: Json, restarts: number): number {
  const num = (key: string, fallback: number) => (typeof policy[key] === 'number' ? (policy[key] as number) : fallback)
  return Math.min(num('initialDelayMs', 1000) * num('backoffMultiplier', 2) ** restarts, num('maxDelayMs', 60_000))
}

/**
 * The host-role fixture: the worker's messages are sent, the host's expected, and every host message
 * that only an API call can cause becomes the `do` step that causes it (`activate` a `load`, a tool
 * request an `executeTool`, `deactivate` an `unload`, …), with its result where the worker's answer
 * decides it. Host-generated ids become captures that the worker's answers refer to.
 */
function toHostFixture(timeline: readonly TimelineEntry[], options: ToFixtureOptions): Fixture {
  const strict = validatorFor({ mode: 'strict' })
  const refs = new Map<string, string>()
  const steps: Step[] = []
  const pending = expectations(steps)
  const used = new Set<string>()
  const calls = new Map<string, Call>()
  const tasks = new Map<string, TaskTrace>()
  let labels = 0
  let unloading: string | undefined
  const activate = timeline.find((e) => e.direction === 'host-to-worker' && isJson(e.message) && e.message['type'] === 'activate')?.message as Json | undefined
  const loaded = isJson(activate?.['payload']) ? (activate['payload'] as Json) : {}
  const extensionId = typeof loaded['extensionId'] === 'string' ? loaded['extensionId'] : 'conformance'
  const permissions = Array.isArray(loaded['permissions']) ? loaded['permissions'].filter((p): p is string => typeof p === 'string') : []
  if (activate) {
    const manifest: Json = { id: extensionId, version: loaded['extensionVersion'] ?? '1.0.0', permissions, settings: loaded['settings'] ?? {} }
    steps.push({ do: 'load', label: 'load', args: { manifest } })
  }
  const command = (step: DoStep) => {
    pending.flush()
    steps.push(step)
  }
  const label = () => `call-${++labels}`

  for (const entry of timeline) {
    const message = entry.message
    if (entry.direction === 'worker-to-host') {
      pending.flush()
      if (!isJson(message)) {
        steps.push({ sendRaw: message })
        continue
      }
      const sent = normalise(message, refs, false) as Json
      steps.push({ send: sent, ...(strict.validateWorkerToHost(message).ok ? {} : { invalid: true }) })
      const payload = isJson(message['payload']) ? message['payload'] : {}
      const requestId = typeof payload['requestId'] === 'string' ? payload['requestId'] : undefined
      const call = requestId === undefined ? undefined : calls.get(requestId)
      const type = message['type']
      if (call && requestId !== undefined && (type === 'tool-execute-response' || type === 'action-execute-response' || type === 'provider-models-response')) {
        calls.delete(requestId)
        steps.push({ awaitResult: call.label, expectResult: resultOf(call.kind, payload, []) })
      } else if (call && requestId !== undefined && type === 'stream-event' && isJson(payload['event'])) {
        call.events.push(payload['event'])
        if (payload['event']['type'] === 'done' || payload['event']['type'] === 'error') {
          calls.delete(requestId)
          steps.push({ awaitResult: call.label, expectResult: resultOf('chat', payload, call.events) })
        }
      } else if (type === 'background-task-registered' && typeof payload['taskId'] === 'string' && !tasks.has(payload['taskId'])) {
        tasks.set(payload['taskId'], { policy: isJson(payload['restartPolicy']) ? payload['restartPolicy'] : {}, restarts: 0, phase: 'registered', stopRequested: false })
      } else if (type === 'background-task-status' && typeof payload['taskId'] === 'string') {
        const task = tasks.get(payload['taskId'])
        if (task && payload['status'] === 'running' && task.phase === 'starting') task.phase = 'running'
        else if (task && (payload['status'] === 'stopped' || payload['status'] === 'failed') && task.phase === 'running') task.phase = 'ended'
      }
      continue
    }
    if (!isJson(message)) continue // the host sent something the schema check reports; nothing to expect
    const type = String(message['type'])
    used.add(type)
    const payload = isJson(message['payload']) ? message['payload'] : {}
    const id = typeof message['id'] === 'string' ? message['id'] : ''
    const pattern = hostPattern(message, refs)
    switch (type) {
      case 'activate':
        // The storage path is the host's choice (EXT-HOST-002 asks only for a real location).
        if (isJson(pattern['payload']) && typeof pattern['payload']['storagePath'] === 'string') pattern['payload']['storagePath'] = { $match: 'string' }
        pending.flush()
        pending.push(pattern)
        pending.flush()
        steps.push({ awaitResult: 'load', expectResult: { ok: true } })
        continue
      case 'tool-execute-request':
      case 'action-execute-request': {
        const kind = type === 'tool-execute-request' ? 'tool' : 'action'
        const call: Call = { label: label(), kind, events: [] }
        calls.set(id, call)
        const target = kind === 'tool' ? 'toolId' : 'actionId'
        command({ do: kind === 'tool' ? 'executeTool' : 'executeAction', label: call.label, args: { extensionId, [target]: payload[target], params: payload['params'] ?? {}, ...(payload['userId'] !== undefined ? { userId: payload['userId'] } : {}) } })
        break
      }
      case 'provider-chat-request':
      case 'provider-models-request': {
        const call: Call = { label: label(), kind: type === 'provider-chat-request' ? 'chat' : 'models', events: [] }
        calls.set(id, call)
        const args: Json = { extensionId, providerId: payload['providerId'], ...(payload['options'] !== undefined ? { options: payload['options'] } : {}) }
        if (call.kind === 'chat') args['messages'] = payload['messages']
        command({ do: call.kind === 'chat' ? 'chat' : 'getModels', label: call.label, args })
        break
      }
      case 'settings-changed':
        command({ do: 'changeSetting', args: { extensionId, key: payload['key'], value: payload['value'] ?? null }, expectResult: { ok: true } })
        break
      case 'scheduler-fire':
        command({ do: 'fireSchedule', args: { extensionId, payload }, expectResult: { ok: true } })
        break
      case 'background-task-stop': {
        const task = tasks.get(String(payload['taskId']))
        if (task) task.stopRequested = true
        command({ do: 'stopTask', args: { extensionId, taskId: payload['taskId'] }, expectResult: { ok: true } })
        break
      }
      case 'background-task-start': {
        const task = tasks.get(String(payload['taskId']))
        if (task?.stopRequested) {
          // Only the application starts a task its host stopped (EXT-HOST-055, EXT-HOST-062).
          task.stopRequested = false
          command({ do: 'startTask', args: { extensionId, taskId: payload['taskId'] }, expectResult: { ok: true } })
        } else if (task?.phase === 'ended') {
          // A restart: the host waited the policy's delay (EXT-HOST-052); the replay moves its clock by it.
          command({ do: 'advanceClock', args: { ms: restartDelay(task.policy, task.restarts) }, expectResult: { ok: true } })
          task.restarts++
        }
        if (task) task.phase = 'starting'
        break
      }
      case 'deactivate':
        unloading = label()
        command({ do: 'unload', label: unloading, args: { extensionId } })
        break
    }
    pending.push(pattern)
  }
  pending.flush()
  if (unloading !== undefined) {
    // The worker ends after deactivate (its connection closes), which completes the unload (EXT-HOST-070).
    steps.push({ closeWorker: DEFAULT_WORKER }, { awaitResult: unloading, expectResult: { ok: true } })
  }
  const requirements = options.requirements ?? [...new Set([...used].map((t) => HOST_REQUIREMENT_OF_TYPE[t]).filter((r): r is string => r !== undefined))]
  return {
    $schema: '../../../schema/conformance-fixture.schema.json',
    role: 'host',
    id: options.id,
    title: options.title ?? 'Recorded session',
    requirements: requirements.length > 0 ? [...requirements] : ['EXT-HOST-001'],
    level: 'MUST',
    since: tasks.size > 0 || [...used].some((t) => t.startsWith('background-task')) ? '0.22.0' : '0.21.0',
    permissions,
    ...(extensionId !== 'conformance' ? { extensionId } : {}),
    description: `Recorded by extwire record on ${new Date().toISOString().slice(0, 10)}.`,
    steps: steps.length > 0 ? steps : [{ waitMs: 0 }],
  }
}
