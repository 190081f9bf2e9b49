/**
 * The fuzzer's commands: one for every host->worker message and every host reply. Each command
 * has a pure precondition (`check`), turns the model into the steps a conforming worker must
 * satisfy, plays them, and updates the model. `toString` prints the step for failure reports.
 */
import fc from 'fast-check'
import type { ExpectStep, Step } from '../fixture/schema.js'
import type { FuzzCommand, FuzzSession, WorkerModel } from './model.js'

const TASKS = ['always-task', 'on-failure-task', 'never-task'] as const
/** The reply text of an inactive extension: either text docs/spec/texts.md allows for EXT-LIFE-010. */
const notActive = (notFound: string) => ({ $match: 'regex', pattern: `^(Extension is not active|${notFound})$` })
const ANY_TEXT = { $match: 'string' }
const both = (error: string | Record<string, unknown>) => ({ result: { success: false, error }, error })
/** A response payload: these fields, `result` unchanged, and no top-level `error` unless given (other fields are EXT-WIRE-006's, a SHOULD). */
const reply = (payload: Record<string, unknown>) => ({ ...payload, ...('result' in payload ? { result: { $exact: payload['result'] } } : {}), ...('error' in payload ? {} : { error: { $match: 'absent' } }) })
const exp = (pattern: Record<string, unknown>, requirement: string): ExpectStep => ({ expect: pattern, requirement })
/** Nothing matching `pattern` arrives: dropped and ignored messages have no observable answer (diagnostic logs are SHOULDs, not checked here). */
const none = (pattern: Record<string, unknown>, requirement: string): Step => ({ expectNone: pattern, withinMs: 20, requirement })

/** Base with the boilerplate of fast-check's AsyncCommand. */
abstract class Command implements FuzzCommand {
  abstract check(m: Readonly<WorkerModel>): boolean
  abstract toString(): string
  protected abstract steps(m: WorkerModel): Step[]
  protected update(_m: WorkerModel): void {}
  async run(m: WorkerModel, r: FuzzSession): Promise<void> {
    const steps = this.steps(m)
    this.update(m)
    await r.play(...steps)
  }
}

/** `activate` (or a second one, which must be ignored: EXT-LIFE-006). */
export class ActivateCommand extends Command {
  check() {
    return true
  }
  steps(m: WorkerModel): Step[] {
    // The first activation's provider-registered precedes its matched tool-registered, so a new one would be a re-registration.
    if (m.active) return [{ activate: { noWait: true } }, none({ type: 'provider-registered' }, 'EXT-LIFE-006')]
    return [{ activate: {} }, exp({ type: 'tool-registered', payload: { id: 'echo' } }, 'EXT-LIFE-002')]
  }
  override update(m: WorkerModel) {
    if (m.active) return
    m.active = true
    for (const t of TASKS) m.tasks.set(t, 'registered')
  }
  toString() {
    return 'Activate'
  }
}

/** `deactivate`: pending work is failed and running tasks stop (EXT-LIFE-012). */
export class DeactivateCommand extends Command {
  check() {
    return true
  }
  steps(m: WorkerModel): Step[] {
    const id = m.fresh('d')
    if (!m.active) return [{ send: { type: 'deactivate', id } }]
    // A failed `call` or stream is the tool's own result (no top-level error): the tool caught it.
    const failed = (tool: string) => ({ expect: { type: 'tool-execute-response', payload: { requestId: tool, result: { success: false, error: ANY_TEXT } } }, requirement: 'EXT-LIFE-012' })
    const group = [
      { expect: { type: 'log', payload: { message: 'conformance extension deactivated' } } },
      ...m.calls.map((c) => failed(c.tool)),
      ...m.streams.map((s) => failed(s.tool)),
      ...[...m.tasks].filter(([, st]) => st === 'running').map(([t]) => ({ expect: { type: 'background-task-status', payload: { taskId: t, status: 'stopped' } }, requirement: 'EXT-LIFE-012' })),
    ]
    return [{ send: { type: 'deactivate', id } }, { unordered: group }]
  }
  override update(m: WorkerModel) {
    m.active = false
    m.calls = []
    m.streams = []
    m.tasks.clear()
  }
  toString() {
    return 'Deactivate'
  }
}

/** `tool-execute-request` for one of the conformance tools (EXT-TOOL-*, EXT-LIFE-010). */
export class ToolCommand extends Command {
  constructor(
    readonly tool: 'echo' | 'fail' | 'soft-fail' | 'nope',
    readonly text: string,
  ) {
    super()
  }
  check() {
    return true
  }
  steps(m: WorkerModel): Step[] {
    const id = m.fresh('t')
    const params = { message: this.text }
    const send: Step = { send: { type: 'tool-execute-request', id, payload: { toolId: this.tool, params } } }
    const answer = (payload: Record<string, unknown>, requirement: string) => exp({ type: 'tool-execute-response', payload: reply({ requestId: id, ...payload }) }, requirement)
    if (!m.active) return [send, answer(both(notActive(`Tool ${this.tool} not found`)), 'EXT-LIFE-010')]
    switch (this.tool) {
      case 'echo':
        return [send, answer({ result: { success: true, data: params } }, 'EXT-TOOL-003')]
      case 'fail':
        return [send, answer(both(this.text), 'EXT-TOOL-002')]
      case 'soft-fail':
        return [send, answer({ result: { success: false, error: this.text } }, 'EXT-TOOL-003')]
      default:
        return [send, answer(both('Tool nope not found'), 'EXT-TOOL-002')]
    }
  }
  toString() {
    return `Tool(${this.tool}, ${JSON.stringify(this.text)})`
  }
}

/** `action-execute-request`. */
export class ActionCommand extends Command {
  constructor(readonly action: 'echo-action' | 'fail-action') {
    super()
  }
  check() {
    return true
  }
  steps(m: WorkerModel): Step[] {
    const id = m.fresh('a')
    const send: Step = { send: { type: 'action-execute-request', id, payload: { actionId: this.action, params: { n: 1 } } } }
    const answer = (payload: Record<string, unknown>, requirement: string) => exp({ type: 'action-execute-response', payload: reply({ requestId: id, ...payload }) }, requirement)
    if (!m.active) return [send, answer(both(notActive(`Action ${this.action} not found`)), 'EXT-LIFE-010')]
    return [send, this.action === 'echo-action' ? answer({ result: { success: true, data: { n: 1 } } }, 'EXT-TOOL-003') : answer(both('action failed'), 'EXT-TOOL-002')]
  }
  toString() {
    return `Action(${this.action})`
  }
}

const CHAT_EVENTS: Record<string, Array<Record<string, unknown>>> = {
  echo: [{ type: 'content', text: 'hello' }, { type: 'done', usage: { inputTokens: 1, outputTokens: 1 } }],
  stream: [{ type: 'content', text: 'chunk-0' }, { type: 'content', text: 'chunk-1' }, { type: 'done' }],
  'no-done': [{ type: 'content', text: 'hello' }, { type: 'done', usage: { $match: 'absent' } }],
  throw: [{ type: 'content', text: 'partial' }, { type: 'error', message: 'boom' }],
  'error-event': [{ type: 'error', message: 'boom' }],
  'after-done': [{ type: 'done' }],
}

/** `provider-chat-request` (EXT-PROV-001..003). */
export class ChatCommand extends Command {
  constructor(
    readonly mode: keyof typeof CHAT_EVENTS,
    readonly provider: 'echo' | 'nope',
  ) {
    super()
  }
  check() {
    return true
  }
  steps(m: WorkerModel): Step[] {
    const id = m.fresh('c')
    const send: Step = { send: { type: 'provider-chat-request', id, payload: { providerId: this.provider, messages: [{ role: 'user', content: 'hello' }], options: { settings: { mode: this.mode, count: 2, message: 'boom' } } } } }
    const events = !m.active ? [{ type: 'error', message: notActive(`Provider ${this.provider} not found`) }] : this.provider === 'nope' ? [{ type: 'error', message: 'Provider nope not found' }] : (CHAT_EVENTS[this.mode] ?? [])
    const requirement = !m.active ? 'EXT-LIFE-010' : this.provider === 'nope' ? 'EXT-PROV-002' : 'EXT-PROV-003'
    return [send, ...events.map((event) => exp({ type: 'stream-event', payload: { requestId: id, event } }, requirement))]
  }
  toString() {
    return `Chat(${this.mode}, ${this.provider})`
  }
}

/** `provider-models-request` (EXT-PROV-005). */
export class ModelsCommand extends Command {
  constructor(readonly provider: 'echo' | 'nope') {
    super()
  }
  check() {
    return true
  }
  steps(m: WorkerModel): Step[] {
    const id = m.fresh('m')
    const payload = !m.active
      ? { requestId: id, models: [], error: notActive(`Provider ${this.provider} not found`) }
      : this.provider === 'nope'
        ? { requestId: id, models: [], error: 'Provider nope not found' }
        : { requestId: id, models: [{ id: 'echo-1', name: 'Echo 1', contextLength: 4096 }, { id: 'echo-2', name: 'Echo 2' }] }
    return [{ send: { type: 'provider-models-request', id, payload: { providerId: this.provider } } }, exp({ type: 'provider-models-response', payload: reply(payload) }, m.active ? 'EXT-PROV-005' : 'EXT-LIFE-010')]
  }
  toString() {
    return `Models(${this.provider})`
  }
}

/** A tool call that makes the worker send `storage.get` to the host (EXT-REQ-001). */
export class CallCommand extends Command {
  constructor(readonly key: string) {
    super()
  }
  check(m: Readonly<WorkerModel>) {
    return m.active && m.calls.length < 3
  }
  private call = { tool: '', capture: '' }
  steps(m: WorkerModel): Step[] {
    this.call = { tool: m.fresh('t'), capture: m.fresh('req') }
    return [
      { send: { type: 'tool-execute-request', id: this.call.tool, payload: { toolId: 'call', params: { api: 'storage', fn: 'get', args: [this.key] } } } },
      exp({ type: 'request', id: { $capture: this.call.capture }, method: 'storage.get', payload: { $exact: { key: this.key } } }, 'EXT-REQ-001'),
    ]
  }
  override update(m: WorkerModel) {
    m.calls = [...m.calls, this.call]
  }
  toString() {
    return `Call(storage.get ${JSON.stringify(this.key)})`
  }
}

/** The host answers the oldest pending worker request (EXT-REQ-003, EXT-REQ-004). */
export class RespondCommand extends Command {
  constructor(readonly success: boolean) {
    super()
  }
  check(m: Readonly<WorkerModel>) {
    return m.active && m.calls.length > 0
  }
  steps(m: WorkerModel): Step[] {
    const call = m.calls[0] as { tool: string; capture: string }
    const payload = this.success ? { requestId: { $ref: call.capture }, success: true, data: 7 } : { requestId: { $ref: call.capture }, success: false, error: 'denied' }
    const result = this.success ? { success: true, data: 7 } : { success: false, error: 'denied' }
    return [{ send: { type: 'response', id: m.fresh('h'), payload } }, exp({ type: 'tool-execute-response', payload: reply({ requestId: call.tool, result }) }, this.success ? 'EXT-REQ-003' : 'EXT-REQ-004')]
  }
  override update(m: WorkerModel) {
    m.calls = m.calls.slice(1)
  }
  toString() {
    return `Respond(${this.success ? 'success' : 'failure'})`
  }
}

/** Opens a fetch stream through the `fetch-stream` tool (EXT-FETCH-002). */
export class FetchStartCommand extends Command {
  check(m: Readonly<WorkerModel>) {
    return m.active && m.streams.length < 2
  }
  private stream = { tool: '', capture: '' }
  steps(m: WorkerModel): Step[] {
    this.stream = { tool: m.fresh('t'), capture: m.fresh('stream') }
    return [
      { send: { type: 'tool-execute-request', id: this.stream.tool, payload: { toolId: 'fetch-stream', params: { url: 'https://example.com/s' } } } },
      exp({ type: 'request', id: { $capture: this.stream.capture }, method: 'network.fetch-stream', payload: { requestId: { $ref: this.stream.capture } } }, 'EXT-REQ-001'),
      { send: { type: 'response', id: m.fresh('h'), payload: { requestId: { $ref: this.stream.capture }, success: true, data: { status: 'streaming' } } } },
    ]
  }
  override update(m: WorkerModel) {
    m.streams = [...m.streams, { ...this.stream, chunks: [] }]
  }
  toString() {
    return 'FetchStart'
  }
}

/** One data chunk of the oldest open stream; it must be acknowledged (EXT-FETCH-001). */
export class ChunkCommand extends Command {
  constructor(readonly text: string) {
    super()
  }
  check(m: Readonly<WorkerModel>) {
    return m.active && m.streams.length > 0
  }
  steps(m: WorkerModel): Step[] {
    const s = m.streams[0] as { capture: string }
    return [
      { send: { type: 'streaming-fetch-chunk', id: m.fresh('f'), payload: { requestId: { $ref: s.capture }, chunk: this.text, done: false } } },
      exp({ type: 'streaming-fetch-ack', payload: { requestId: { $ref: s.capture } } }, 'EXT-FETCH-001'),
    ]
  }
  override update(m: WorkerModel) {
    m.streams[0]?.chunks.push(this.text)
  }
  toString() {
    return `Chunk(${JSON.stringify(this.text)})`
  }
}

/** Ends the oldest open stream, normally or with an error (EXT-FETCH-001, EXT-FETCH-006). */
export class EndStreamCommand extends Command {
  constructor(readonly error: boolean) {
    super()
  }
  check(m: Readonly<WorkerModel>) {
    return m.active && m.streams.length > 0
  }
  steps(m: WorkerModel): Step[] {
    const s = m.streams[0] as { tool: string; capture: string; chunks: string[] }
    const payload = this.error ? { requestId: { $ref: s.capture }, chunk: '', done: true, error: 'HTTP 500' } : { requestId: { $ref: s.capture }, chunk: '', done: true }
    const result = this.error ? { success: false, error: 'HTTP 500', data: { chunks: [...s.chunks] } } : { success: true, data: { chunks: [...s.chunks] } }
    return [
      { send: { type: 'streaming-fetch-chunk', id: m.fresh('f'), payload } },
      { unordered: [
        { expect: { type: 'streaming-fetch-ack', payload: { requestId: { $ref: s.capture } } }, requirement: 'EXT-FETCH-001' },
        { expect: { type: 'tool-execute-response', payload: { requestId: s.tool, result } }, requirement: this.error ? 'EXT-FETCH-006' : 'EXT-FETCH-001' },
      ] },
    ]
  }
  override update(m: WorkerModel) {
    m.streams = m.streams.slice(1)
  }
  toString() {
    return `EndStream(${this.error ? 'error' : 'done'})`
  }
}

/** A chunk for a stream the worker does not know: acknowledged anyway (EXT-FETCH-004). */
export class StrayChunkCommand extends Command {
  check() {
    return true
  }
  steps(m: WorkerModel): Step[] {
    const stream = m.fresh('ghost')
    return [
      { send: { type: 'streaming-fetch-chunk', id: m.fresh('f'), payload: { requestId: stream, chunk: 'x', done: false } } },
      exp({ type: 'streaming-fetch-ack', payload: { requestId: stream } }, 'EXT-FETCH-004'),
    ]
  }
  toString() {
    return 'StrayChunk'
  }
}

/** `background-task-start` (EXT-BG-002..006). */
export class TaskStartCommand extends Command {
  constructor(readonly task: (typeof TASKS)[number] | 'ghost') {
    super()
  }
  check() {
    return true
  }
  steps(m: WorkerModel): Step[] {
    const send: Step = { send: { type: 'background-task-start', id: m.fresh('b'), payload: { taskId: this.task } } }
    if (!m.active) return [send, none({ type: 'background-task-status', payload: { taskId: this.task } }, 'EXT-LIFE-011')]
    const state = m.tasks.get(this.task)
    const status = (s: string, requirement: string, error?: string) => exp({ type: 'background-task-status', payload: { taskId: this.task, status: s, error: error ?? { $match: 'absent' } } }, requirement)
    if (state === undefined) return [send, status('failed', 'EXT-BG-006', `Unknown background task ${this.task}`)]
    if (state === 'running') return [send, none({ type: 'background-task-status', payload: { taskId: this.task } }, 'EXT-BG-004')]
    if (state === 'disposed') return [send, none({ type: 'background-task-status', payload: { taskId: this.task } }, 'EXT-BG-005')]
    const end = this.task === 'never-task' ? [status('stopped', 'EXT-BG-003')] : this.task === 'on-failure-task' ? [status('failed', 'EXT-BG-003', 'task failed')] : []
    return [send, status('running', 'EXT-BG-002'), ...end]
  }
  override update(m: WorkerModel) {
    const state = m.tasks.get(this.task)
    if (!m.active || state === undefined || state === 'running' || state === 'disposed') return
    m.tasks.set(this.task, this.task === 'always-task' ? 'running' : 'done')
  }
  toString() {
    return `TaskStart(${this.task})`
  }
}

/** `background-task-stop` of a running or never-run task (EXT-BG-009). */
export class TaskStopCommand extends Command {
  constructor(readonly task: (typeof TASKS)[number]) {
    super()
  }
  check(m: Readonly<WorkerModel>) {
    const state = m.tasks.get(this.task)
    return m.active && (state === 'running' || state === 'registered')
  }
  steps(m: WorkerModel): Step[] {
    return [
      { send: { type: 'background-task-stop', id: m.fresh('b'), payload: { taskId: this.task } } },
      exp({ type: 'background-task-status', payload: { taskId: this.task, status: 'stopped' } }, 'EXT-BG-009'),
    ]
  }
  override update(m: WorkerModel) {
    m.tasks.set(this.task, 'done')
  }
  toString() {
    return `TaskStop(${this.task})`
  }
}

/** The extension disposes a task; later starts are refused (EXT-BG-005). */
export class TaskDisposeCommand extends Command {
  constructor(readonly task: (typeof TASKS)[number]) {
    super()
  }
  check(m: Readonly<WorkerModel>) {
    return m.active && m.tasks.has(this.task) && m.tasks.get(this.task) !== 'disposed'
  }
  steps(m: WorkerModel): Step[] {
    const id = m.fresh('t')
    const state = m.tasks.get(this.task)
    const stopped = state === 'running' || state === 'registered' ? [{ expect: { type: 'background-task-status', payload: { taskId: this.task, status: 'stopped' } }, requirement: 'EXT-BG-009' }] : []
    return [
      { send: { type: 'tool-execute-request', id, payload: { toolId: 'background', params: { op: 'dispose', taskId: this.task } } } },
      { unordered: [...stopped, { expect: { type: 'tool-execute-response', payload: { requestId: id, result: { success: true } } }, requirement: 'EXT-TOOL-001' }] },
    ]
  }
  override update(m: WorkerModel) {
    m.tasks.set(this.task, 'disposed')
  }
  toString() {
    return `TaskDispose(${this.task})`
  }
}

/** `scheduler-fire` (EXT-SCHED-001, EXT-LIFE-011). */
export class FireCommand extends Command {
  constructor(readonly fail: boolean) {
    super()
  }
  check() {
    return true
  }
  steps(m: WorkerModel): Step[] {
    const send: Step = { send: { type: 'scheduler-fire', id: m.fresh('s'), payload: { id: 'job-1', payload: { fail: this.fail }, scheduledFor: '2026-01-01T00:00:00.000Z', firedAt: '2026-01-01T00:00:00.000Z', delayMs: 0, userId: 'u1' } } }
    if (!m.active) return [send, none({ type: 'log', payload: { message: 'fired job-1' } }, 'EXT-LIFE-011')]
    // A failing first callback does not prevent the second; reporting the failure is a SHOULD (EXT-SCHED-101).
    return [send, { expect: { type: 'log', payload: { level: 'info', message: 'fired job-1' } }, requirement: 'EXT-SCHED-001' }]
  }
  toString() {
    return `Fire(${this.fail ? 'failing' : 'ok'})`
  }
}

/** `settings-changed` (EXT-SCHED-002, EXT-LIFE-011). */
export class SettingsCommand extends Command {
  constructor(readonly value: string) {
    super()
  }
  check() {
    return true
  }
  steps(m: WorkerModel): Step[] {
    const send: Step = { send: { type: 'settings-changed', id: m.fresh('x'), payload: { key: 'greeting', value: this.value } } }
    if (!m.active) return [send, none({ type: 'log', payload: { message: 'setting greeting changed' } }, 'EXT-LIFE-011')]
    return [send, exp({ type: 'log', payload: { level: 'info', message: 'setting greeting changed', data: { value: this.value } } }, 'EXT-SCHED-002')]
  }
  toString() {
    return `Settings(${JSON.stringify(this.value)})`
  }
}

/** Invalid input: garbage, an unknown type, or an invalid correlated request (EXT-IN-001). */
export class GarbageCommand extends Command {
  constructor(readonly kind: 'null' | 'number' | 'unknown-type' | 'invalid-tool-request') {
    super()
  }
  check() {
    return true
  }
  steps(m: WorkerModel): Step[] {
    // Invalid messages without a readable id may be dropped silently (EXT-IN-001); later commands check that the worker still serves.
    switch (this.kind) {
      case 'null':
        return [{ sendRaw: null }]
      case 'number':
        return [{ sendRaw: 42 }]
      case 'unknown-type':
        return [{ send: { type: 'provider-cancel', id: m.fresh('x') }, invalid: true }]
      default: {
        const id = m.fresh('t')
        return [
          { send: { type: 'tool-execute-request', id, payload: { toolId: 'echo', params: 'not-an-object' } }, invalid: true },
          exp({ type: 'tool-execute-response', payload: { requestId: id, result: { success: false, error: ANY_TEXT }, error: ANY_TEXT } }, 'EXT-IN-001'),
        ]
      }
    }
  }
  toString() {
    return `Garbage(${this.kind})`
  }
}

/** Every command, as arbitraries for `fc.commands`. */
export function commandArbitraries(): Array<fc.Arbitrary<FuzzCommand>> {
  const text = fc.string({ minLength: 1, maxLength: 6 })
  return [
    fc.constant(new ActivateCommand()),
    fc.constant(new ActivateCommand()),
    fc.constant(new DeactivateCommand()),
    fc.tuple(fc.constantFrom('echo', 'fail', 'soft-fail', 'nope') as fc.Arbitrary<'echo' | 'fail' | 'soft-fail' | 'nope'>, text).map(([t, s]) => new ToolCommand(t, s)),
    fc.constantFrom('echo-action', 'fail-action').map((a) => new ActionCommand(a as 'echo-action' | 'fail-action')),
    fc.tuple(fc.constantFrom(...(Object.keys(CHAT_EVENTS) as Array<keyof typeof CHAT_EVENTS>)), fc.constantFrom('echo', 'echo', 'nope') as fc.Arbitrary<'echo' | 'nope'>).map(([mode, p]) => new ChatCommand(mode, p)),
    fc.constantFrom('echo', 'nope').map((p) => new ModelsCommand(p as 'echo' | 'nope')),
    text.map((k) => new CallCommand(k)),
    fc.boolean().map((s) => new RespondCommand(s)),
    fc.constant(new FetchStartCommand()),
    text.map((t) => new ChunkCommand(t)),
    fc.boolean().map((e) => new EndStreamCommand(e)),
    fc.constant(new StrayChunkCommand()),
    fc.constantFrom(...TASKS, 'ghost' as const).map((t) => new TaskStartCommand(t)),
    fc.constantFrom(...TASKS).map((t) => new TaskStopCommand(t)),
    fc.constantFrom(...TASKS).map((t) => new TaskDisposeCommand(t)),
    fc.boolean().map((f) => new FireCommand(f)),
    text.map((v) => new SettingsCommand(v)),
    fc.constantFrom('null', 'number', 'unknown-type', 'invalid-tool-request').map((k) => new GarbageCommand(k as 'null')),
  ]
}
