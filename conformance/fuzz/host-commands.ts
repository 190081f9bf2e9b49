/**
 * The host fuzzer's commands: worker messages (valid, invalid and hostile) and driver commands.
 * Each has a pure precondition (`check`), turns the model into the host-role steps every conforming
 * host satisfies (only what a MUST of docs/spec/host.md fixes: where a host may choose, the step
 * does not look), plays them and updates the model. What no single step can see (a restart after a
 * host stop or after exhaustion, a second `activate`, a second response, a message after an unload)
 * the trace invariants of the host-role runner judge after the sequence.
 */
import fc from 'fast-check'
import type { Step } from '../fixture/schema.js'
import { FUZZ_EXTENSION, type HostFuzzCommand, type HostFuzzSession, type HostModel } from './host-model.js'

const TOOLS = ['echo', 'calc'] as const
const TASKS = ['t1', 't2'] as const
const POLICIES = ['always', 'on-failure', 'never'] as const
/** Advance steps chosen so that no sum of a short sequence lands exactly on a timeout (10 s ready, 60 s tool call). */
const ADVANCES = [7, 999, 14_999, 70_000] as const
const READY_TIMEOUT_MS = 10_000
const TOOL_TIMEOUT_MS = 60_000

const exp = (pattern: Record<string, unknown>, requirement: string): Step => ({ expect: pattern, requirement })
const result = (label: string, expected: Record<string, unknown>, requirement: string): Step => ({ awaitResult: label, expectResult: expected, requirement })
/** The worker can send: its connection is open, and loaded (a transport may hold what arrives before the load for the host, so nothing is sent before it). */
const sendable = (m: Readonly<HostModel>) => m.phase !== 'gone' && m.phase !== 'idle'

/** Base with the boilerplate of fast-check's AsyncCommand. */
abstract class Command implements HostFuzzCommand {
  abstract check(m: Readonly<HostModel>): boolean
  abstract toString(): string
  protected abstract steps(m: HostModel): Step[]
  protected update(_m: HostModel): void {}
  async run(m: HostModel, r: HostFuzzSession): Promise<void> {
    const steps = this.steps(m)
    this.update(m)
    await r.play(...steps)
  }
}

/** Every pending call settles with an error (EXT-HOST-071 on unload and loss, EXT-HOST-074 at its timeout). */
function settleAll(m: HostModel, requirement: string): Step[] {
  return m.pending.map((c) => result(c.label, { ok: false }, requirement))
}

/** `load`: the host then waits for the worker's `ready`. */
export class LoadCommand extends Command {
  check(m: Readonly<HostModel>) {
    return m.phase === 'idle' && m.commands.has('load')
  }
  steps(): Step[] {
    return [{ do: 'load', label: 'load' }]
  }
  override update(m: HostModel) {
    m.phase = 'loading'
    m.sinceLoad = 0
  }
  toString() {
    return 'Load'
  }
}

/** `ready`: the first after the load is answered by one `activate` and completes the load; any other changes nothing (EXT-HOST-001, 013). */
export class ReadyCommand extends Command {
  check(m: Readonly<HostModel>) {
    return sendable(m)
  }
  steps(m: HostModel): Step[] {
    const send: Step = { send: { type: 'ready' } }
    if (m.phase !== 'loading') return [send]
    return [send, exp({ type: 'activate', payload: { extensionId: FUZZ_EXTENSION } }, 'EXT-HOST-001'), result('load', { ok: true }, 'EXT-HOST-001')]
  }
  override update(m: HostModel) {
    if (m.phase === 'loading') m.phase = 'active'
  }
  toString() {
    return 'Ready'
  }
}

/** `tool-registered`: accepted only while active and with `tools.register` (EXT-HOST-006, 013). */
export class RegisterToolCommand extends Command {
  constructor(readonly tool: (typeof TOOLS)[number]) {
    super()
  }
  check(m: Readonly<HostModel>) {
    return m.phase === 'active' || m.phase === 'unloaded'
  }
  steps(): Step[] {
    return [{ send: { type: 'tool-registered', payload: { id: this.tool, name: this.tool, description: 'fuzzed tool', parameters: { type: 'object' } } } }]
  }
  override update(m: HostModel) {
    if (m.phase === 'active' && m.granted('tools.register')) m.tools.add(this.tool)
  }
  toString() {
    return `RegisterTool(${this.tool})`
  }
}

/** `executeTool`: sent to the worker for an accepted tool of an active extension, refused at once otherwise (EXT-HOST-073). */
export class ExecuteToolCommand extends Command {
  constructor(
    readonly tool: (typeof TOOLS)[number] | 'ghost',
    readonly n: number,
  ) {
    super()
  }
  check(m: Readonly<HostModel>) {
    return m.commands.has('executeTool') && m.pending.length < 3
  }
  private call = { label: '', capture: '' }
  steps(m: HostModel): Step[] {
    this.call = { label: m.fresh('tool'), capture: m.fresh('call') }
    const run: Step = { do: 'executeTool', args: { extensionId: FUZZ_EXTENSION, toolId: this.tool, params: { n: this.n } }, label: this.call.label }
    if (m.phase === 'active' && this.tool !== 'ghost' && m.tools.has(this.tool)) {
      return [run, exp({ type: 'tool-execute-request', id: { $capture: this.call.capture }, payload: { toolId: this.tool, params: { $exact: { n: this.n } } } }, 'EXT-HOST-073')]
    }
    return [run, result(this.call.label, { ok: false }, 'EXT-HOST-073')]
  }
  override update(m: HostModel) {
    if (m.phase === 'active' && this.tool !== 'ghost' && m.tools.has(this.tool)) m.pending = [...m.pending, { ...this.call, age: 0 }]
  }
  toString() {
    return `ExecuteTool(${this.tool}, ${this.n})`
  }
}

/** The worker answers the oldest pending tool call: resolved with `result`, rejected on a top-level `error` (EXT-HOST-075). */
export class AnswerToolCommand extends Command {
  constructor(readonly kind: 'success' | 'soft-fail' | 'error') {
    super()
  }
  check(m: Readonly<HostModel>) {
    return m.phase === 'active' && m.pending.length > 0
  }
  steps(m: HostModel): Step[] {
    const call = m.pending[0] as { label: string; capture: string }
    const answer = this.kind === 'success' ? { result: { success: true, data: { ok: 1 } } } : this.kind === 'soft-fail' ? { result: { success: false, error: 'soft' } } : { result: { success: false, error: 'boom' }, error: 'boom' }
    const expected = this.kind === 'error' ? { ok: false } : { ok: true, value: { $exact: answer.result } }
    return [{ send: { type: 'tool-execute-response', payload: { requestId: { $ref: call.capture }, ...answer } } }, result(call.label, expected, 'EXT-HOST-075')]
  }
  override update(m: HostModel) {
    const [call, ...rest] = m.pending
    m.pending = rest
    if (call) m.settled = [...m.settled, call.capture]
  }
  toString() {
    return `AnswerTool(${this.kind})`
  }
}

/** A duplicate answer to a settled call, or one to a call that never was: it settles nothing (EXT-HOST-015). */
export class LateAnswerCommand extends Command {
  constructor(readonly duplicate: boolean) {
    super()
  }
  check(m: Readonly<HostModel>) {
    return sendable(m) && (!this.duplicate || m.settled.length > 0)
  }
  steps(m: HostModel): Step[] {
    const requestId = this.duplicate ? { $ref: m.settled[m.settled.length - 1] as string } : m.fresh('ghost')
    return [{ send: { type: 'tool-execute-response', payload: { requestId, result: { success: true, data: { late: true } } } } }]
  }
  toString() {
    return this.duplicate ? 'DuplicateAnswer' : 'StrayAnswer'
  }
}

const REQUESTS = {
  storage: { method: 'storage.get', payload: { key: 'k' }, gate: 'storage.local' },
  emit: { method: 'events.emit', payload: { name: 'ping', payload: {} }, gate: 'events.emit' },
  settings: { method: 'settings.get', payload: { key: 'k' }, gate: 'settings.register' },
  profile: { method: 'user.getProfile', payload: {}, gate: 'user.profile.read' },
  unknown: { method: 'nope.method', payload: {}, gate: undefined },
  invalid: { method: 'storage.get', payload: { key: 5 }, gate: 'storage.local' },
  'user-id-separator': { method: 'storage.getForUser', payload: { userId: 'u1/../u2', key: 'k' }, gate: 'storage.local' },
} as const

/** A worker `request`: exactly one response while active (EXT-HOST-020), refused without its permission (021), for an unknown method (025) or an invalid payload (011). */
export class RequestCommand extends Command {
  constructor(readonly kind: keyof typeof REQUESTS) {
    super()
  }
  check(m: Readonly<HostModel>) {
    return m.phase === 'active' || m.phase === 'unloaded'
  }
  steps(m: HostModel): Step[] {
    const r = REQUESTS[this.kind]
    const id = m.fresh('r')
    const invalid = this.kind === 'unknown' || this.kind === 'invalid' || this.kind === 'user-id-separator'
    const send: Step = { send: { type: 'request', id, method: r.method, payload: r.payload }, ...(invalid ? { invalid: true } : {}) }
    // Not active: dropped (EXT-HOST-013); the trace invariants see any answer after an unload.
    if (m.phase !== 'active') return [send]
    if (this.kind === 'unknown') return [send, exp({ type: 'response', payload: { requestId: id, success: false, error: 'Unknown method: nope.method' } }, 'EXT-HOST-025')]
    if (this.kind === 'invalid') return [send, exp({ type: 'response', payload: { requestId: id, success: false } }, 'EXT-HOST-011')]
    if (this.kind === 'user-id-separator') return [send, exp({ type: 'response', payload: { requestId: id, success: false } }, 'EXT-HOST-022')]
    if (r.gate !== undefined && !m.granted(r.gate)) {
      const refused = exp({ type: 'response', payload: { requestId: id, success: false } }, 'EXT-HOST-021')
      // No event sees a refused request; only checked while no granted emit can have reported one.
      return this.kind === 'emit' && !m.emitted ? [send, refused, { expectNoEvent: { type: 'extension-event' }, withinMs: 0, requirement: 'EXT-HOST-021' }] : [send, refused]
    }
    return [send, exp({ type: 'response', payload: { requestId: id } }, 'EXT-HOST-020')]
  }
  override update(m: HostModel) {
    if (m.phase === 'active' && this.kind === 'emit' && m.granted('events.emit')) m.emitted = true
  }
  toString() {
    return `Request(${this.kind})`
  }
}

const HOSTILE: Record<string, Step> = {
  null: { sendRaw: null },
  number: { sendRaw: 42 },
  'unknown-type': { send: { type: 'provider-cancel', id: 'x-1' }, invalid: true },
  'stream-event-without-payload': { send: { type: 'stream-event', id: 'x-2' }, invalid: true },
  'ack-for-unknown-stream': { send: { type: 'streaming-fetch-ack', payload: { requestId: 'ghost-stream' } } },
  'bad-task-status': { send: { type: 'background-task-status', payload: { taskId: 't1', status: 'exploded' } }, invalid: true },
  'registration-without-policy': { send: { type: 'background-task-registered', payload: { taskId: 't2', name: 'Task', userId: 'u1' } }, invalid: true },
  'health-of-unknown-task': { send: { type: 'background-task-health', payload: { taskId: 'ghost-task', status: 'ok', timestamp: '2026-01-01T00:00:00.000Z' } } },
  'response-as-worker': { send: { type: 'response', id: 'x-3', payload: { requestId: 'ghost', success: true } }, invalid: true },
}

/** Invalid and hostile input: the host neither crashes nor acts on it (EXT-HOST-010, 015, 046, 061); later commands check it still serves. */
export class HostileCommand extends Command {
  constructor(readonly kind: keyof typeof HOSTILE) {
    super()
  }
  check(m: Readonly<HostModel>) {
    return sendable(m)
  }
  steps(): Step[] {
    return [HOSTILE[this.kind] as Step]
  }
  toString() {
    return `Hostile(${this.kind})`
  }
}

/** `background-task-registered`: accepted while active with `background.workers`, once per task id, and started at once (EXT-HOST-050). */
export class RegisterTaskCommand extends Command {
  constructor(
    readonly task: (typeof TASKS)[number],
    readonly policy: (typeof POLICIES)[number],
    readonly maxRestarts: number,
  ) {
    super()
  }
  check(m: Readonly<HostModel>) {
    return m.phase === 'active' || m.phase === 'unloaded'
  }
  private accepted(m: Readonly<HostModel>): boolean {
    return m.phase === 'active' && m.granted('background.workers') && !m.tasks.has(this.task)
  }
  steps(m: HostModel): Step[] {
    const send: Step = { send: { type: 'background-task-registered', payload: { taskId: this.task, name: 'Task', userId: 'u1', restartPolicy: { type: this.policy, maxRestarts: this.maxRestarts, initialDelayMs: 10 } } } }
    // A worker answers the start with `running` (EXT-BG-002), opening the task's first run.
    return this.accepted(m) ? [send, exp({ type: 'background-task-start', payload: { taskId: this.task } }, 'EXT-HOST-050'), { send: { type: 'background-task-status', payload: { taskId: this.task, status: 'running' } } }] : [send]
  }
  override update(m: HostModel) {
    if (this.accepted(m)) m.tasks.add(this.task)
  }
  toString() {
    return `RegisterTask(${this.task}, ${this.policy}, max ${this.maxRestarts})`
  }
}

/** `background-task-status`, valid, possibly duplicate or stale: the invariants judge what the host starts afterwards (EXT-HOST-051..058). */
export class TaskStatusCommand extends Command {
  constructor(
    readonly task: (typeof TASKS)[number],
    readonly status: 'running' | 'stopped' | 'failed',
  ) {
    super()
  }
  check(m: Readonly<HostModel>) {
    return m.phase === 'active' || m.phase === 'unloaded'
  }
  steps(): Step[] {
    return [{ send: { type: 'background-task-status', payload: { taskId: this.task, status: this.status, ...(this.status === 'failed' ? { error: 'task failed' } : {}) } } }]
  }
  toString() {
    return `TaskStatus(${this.task}, ${this.status})`
  }
}

/** A whole run as the worker reports it: `running` (answering a pending start, if any) then a terminal status; compresses restart cycles so that exhaustion is reached in few commands. */
export class TaskRunCommand extends Command {
  constructor(
    readonly task: (typeof TASKS)[number],
    readonly end: 'stopped' | 'failed',
  ) {
    super()
  }
  check(m: Readonly<HostModel>) {
    return m.phase === 'active'
  }
  steps(): Step[] {
    const status = (s: string) => ({ send: { type: 'background-task-status', payload: { taskId: this.task, status: s, ...(s === 'failed' ? { error: 'task failed' } : {}) } } })
    return [status('running'), status(this.end)]
  }
  toString() {
    return `TaskRun(${this.task}, ${this.end})`
  }
}

/** `stopTask` / `startTask`: refused at once for a task the host did not accept (EXT-HOST-073); otherwise awaited, so that the invariants see when the host answered. */
export class TaskCommand extends Command {
  constructor(
    readonly command: 'stopTask' | 'startTask',
    readonly task: (typeof TASKS)[number],
  ) {
    super()
  }
  check(m: Readonly<HostModel>) {
    return m.commands.has(this.command)
  }
  steps(m: HostModel): Step[] {
    const known = m.phase === 'active' && m.tasks.has(this.task)
    const step: Step = { do: this.command, args: { extensionId: FUZZ_EXTENSION, taskId: this.task }, expectResult: known ? { ok: { $match: 'boolean' } } : { ok: false }, requirement: 'EXT-HOST-073' }
    // A worker answers a stop with `stopped` (EXT-BG-009): the status a host must not take for a reason to restart (EXT-HOST-055).
    if (known && this.command === 'stopTask') return [step, { send: { type: 'background-task-status', payload: { taskId: this.task, status: 'stopped' } } }]
    return [step]
  }
  toString() {
    return `${this.command === 'stopTask' ? 'StopTask' : 'StartTask'}(${this.task})`
  }
}

/** `advanceClock`: runs every host timer that falls due; the ready timeout (EXT-HOST-003) and the tool-call timeout (EXT-HOST-074) follow. */
export class AdvanceCommand extends Command {
  constructor(readonly ms: number) {
    super()
  }
  check(m: Readonly<HostModel>) {
    return m.commands.has('advanceClock')
  }
  steps(m: HostModel): Step[] {
    const steps: Step[] = [{ do: 'advanceClock', args: { ms: this.ms }, expectResult: { ok: true } }]
    if (m.phase === 'loading' && m.sinceLoad + this.ms >= READY_TIMEOUT_MS) {
      return [...steps, result('load', { ok: false }, 'EXT-HOST-003'), { expectClosed: 'main', requirement: 'EXT-HOST-003' }]
    }
    return [...steps, ...m.pending.filter((c) => c.age + this.ms >= TOOL_TIMEOUT_MS).map((c) => result(c.label, { ok: false }, 'EXT-HOST-074'))]
  }
  override update(m: HostModel) {
    if (m.phase === 'loading') {
      m.sinceLoad += this.ms
      if (m.sinceLoad >= READY_TIMEOUT_MS) m.phase = 'gone'
      return
    }
    for (const c of m.pending) c.age += this.ms
    const timedOut = m.pending.filter((c) => c.age >= TOOL_TIMEOUT_MS)
    m.pending = m.pending.filter((c) => c.age < TOOL_TIMEOUT_MS)
    m.settled = [...m.settled, ...timedOut.map((c) => c.capture)]
  }
  toString() {
    return `Advance(${this.ms})`
  }
}

/** `unload`: `deactivate`, then the worker exits (or stays silent for the grace period); pending calls settle at once (EXT-HOST-070, 071). */
export class UnloadCommand extends Command {
  constructor(readonly exit: boolean) {
    super()
  }
  check(m: Readonly<HostModel>) {
    return m.phase === 'active' && m.commands.has('unload')
  }
  private exits(m: Readonly<HostModel>): boolean {
    return this.exit || !m.commands.has('advanceClock')
  }
  steps(m: HostModel): Step[] {
    const label = m.fresh('unload')
    const exits = this.exits(m)
    return [
      { do: 'unload', args: { extensionId: FUZZ_EXTENSION }, label },
      exp({ type: 'deactivate' }, 'EXT-HOST-070'),
      exits ? { closeWorker: 'main' } : { do: 'advanceClock', args: { ms: 1000 }, expectResult: { ok: true } },
      result(label, { ok: true }, 'EXT-HOST-070'),
      // A deliberate unload reports no error, whatever the close (the model unloads only an extension that reported none).
      { expectNoEvent: { type: 'extension-error' }, withinMs: 0, requirement: 'EXT-HOST-070' },
      ...(exits ? [] : [{ expectClosed: 'main', requirement: 'EXT-HOST-070' }]),
      ...settleAll(m, 'EXT-HOST-071'),
    ]
  }
  override update(m: HostModel) {
    m.phase = this.exits(m) ? 'gone' : 'unloaded'
    m.settled = [...m.settled, ...m.pending.map((c) => c.capture)]
    m.pending = []
    m.tools.clear()
    m.tasks.clear()
  }
  toString() {
    return `Unload(${this.exit ? 'worker exits' : 'silent worker'})`
  }
}

/** The worker goes away unasked: its pending calls settle at once (EXT-HOST-071, 072). */
export class WorkerLossCommand extends Command {
  check(m: Readonly<HostModel>) {
    return m.phase === 'active'
  }
  steps(m: HostModel): Step[] {
    return [{ closeWorker: 'main' }, ...settleAll(m, 'EXT-HOST-071')]
  }
  override update(m: HostModel) {
    m.phase = 'gone'
    m.pending = []
    m.tools.clear()
    m.tasks.clear()
  }
  toString() {
    return 'WorkerLoss'
  }
}

/** Every command, as arbitraries for `fc.commands` (the frequent ones twice). */
export function hostCommandArbitraries(): Array<fc.Arbitrary<HostFuzzCommand>> {
  const tool = fc.constantFrom(...TOOLS)
  const task = fc.constantFrom(...TASKS)
  return [
    fc.constant(new LoadCommand()),
    fc.constant(new ReadyCommand()),
    fc.constant(new ReadyCommand()),
    tool.map((t) => new RegisterToolCommand(t)),
    fc.tuple(fc.constantFrom('echo', ...TOOLS, 'ghost') as fc.Arbitrary<(typeof TOOLS)[number] | 'ghost'>, fc.integer({ min: 0, max: 9 })).map(([t, n]) => new ExecuteToolCommand(t, n)),
    fc.constantFrom('success', 'soft-fail', 'error').map((k) => new AnswerToolCommand(k as 'success')),
    fc.boolean().map((d) => new LateAnswerCommand(d)),
    fc.constantFrom(...(Object.keys(REQUESTS) as Array<keyof typeof REQUESTS>)).map((k) => new RequestCommand(k)),
    fc.constantFrom(...Object.keys(HOSTILE)).map((k) => new HostileCommand(k)),
    fc.tuple(task, fc.constantFrom(...POLICIES), fc.constantFrom(0, 1, 2)).map(([t, p, n]) => new RegisterTaskCommand(t, p, n)),
    fc.tuple(task, fc.constantFrom('always', 'on-failure') as fc.Arbitrary<(typeof POLICIES)[number]>, fc.constantFrom(1, 1, 2)).map(([t, p, n]) => new RegisterTaskCommand(t, p, n)),
    fc.tuple(task, fc.constantFrom('running', 'stopped', 'failed')).map(([t, s]) => new TaskStatusCommand(t, s as 'running')),
    fc.tuple(task, fc.constantFrom('stopped', 'failed')).map(([t, s]) => new TaskRunCommand(t, s as 'stopped')),
    fc.tuple(fc.constantFrom('stopTask', 'startTask'), task).map(([c, t]) => new TaskCommand(c as 'stopTask', t)),
    fc.constantFrom(...ADVANCES).map((ms) => new AdvanceCommand(ms)),
    fc.constantFrom(...ADVANCES).map((ms) => new AdvanceCommand(ms)),
    fc.boolean().map((e) => new UnloadCommand(e)),
    fc.constant(new WorkerLossCommand()),
  ]
}
