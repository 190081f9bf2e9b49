/**
 * Model-based tests of the task supervisor: arbitrary interleavings of worker statuses (duplicates
 * and stale ones included), health reports, host stops and starts, re-registrations, dropped
 * extensions and clock advances, played against a small model written from EXT-HOST-050..061.
 * After every command the supervisor must agree with the model, and these invariants must hold:
 * - never more automatic restarts than `maxRestarts` (EXT-HOST-053);
 * - never a start after exhaustion or after a host stop, until a host start (EXT-HOST-053, -055);
 * - every restart delay follows the formula and its start comes exactly when due (EXT-HOST-052);
 * - at most one timer per task (EXT-HOST-058): the clock holds exactly the model's timers.
 *
 * Runs: `EXTWIRE_PROPERTY_RUNS` (default 150; `npm run fuzz` uses 10,000). A failure prints the
 * policies and the shrunk command list, with fast-check's seed and path to replay it.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { BackgroundRestartPolicy } from '../protocol/types.js'
import { VirtualClock } from './clock.js'
import { TaskSupervisor, type ResolvedRestartPolicy, type TaskEvent, type TaskState } from './supervisor.js'

const RUNS = Number.parseInt(process.env['EXTWIRE_PROPERTY_RUNS'] ?? '150', 10)
/** Two tasks with the same task id in two extensions: keys must not collide, a drop must not cross. */
const TASKS = [
  { ext: 'ext.a', id: 'job' },
  { ext: 'ext.b', id: 'job' },
] as const
type Slot = 0 | 1

// ---------------------------------------------------------------------------------------------
// Model
// ---------------------------------------------------------------------------------------------

interface ModelTask {
  registered: boolean
  policy: ResolvedRestartPolicy
  state: TaskState
  count: number
  exhausted: boolean
  stopRequested: boolean
  unconfirmed: boolean
  /** A start was sent and its running has not come. */
  awaiting: boolean
  /** A running came and no terminal status since. */
  open: boolean
  restartAt: number | undefined
  confirmAt: number | undefined
  health: { status: string; timestamp: string } | undefined
  /** What the supervisor must have sent for this task, in order: `start@t` / `stop@t`. */
  sent: string[]
  autoStarts: number
}

class Model {
  now = 0
  readonly tasks: ModelTask[]
  constructor(
    readonly policies: readonly [ResolvedRestartPolicy, ResolvedRestartPolicy],
    readonly startTimeoutMs: number,
  ) {
    this.tasks = policies.map((policy) => fresh(policy))
  }

  register(slot: Slot): boolean {
    const t = this.tasks[slot]!
    if (t.registered) return false
    const sent = t.sent
    Object.assign(t, fresh(t.policy), { registered: true, sent, autoStarts: 0 })
    this.sendStart(t)
    return true
  }

  sendStart(t: ModelTask): void {
    t.state = 'starting'
    t.awaiting = true
    t.unconfirmed = false
    t.restartAt = undefined
    t.confirmAt = this.now + this.startTimeoutMs
    t.sent.push(`start@${this.now}`)
  }

  status(slot: Slot, status: 'running' | 'stopped' | 'failed'): void {
    const t = this.tasks[slot]!
    if (!t.registered) return
    if (status === 'running') {
      if (t.open || !t.awaiting) return
      Object.assign(t, { awaiting: false, unconfirmed: false, open: true, state: 'running', confirmAt: undefined })
      return
    }
    if (!t.open) return
    t.open = false
    t.state = status
    const p = t.policy
    const wanted = p.type === 'always' || (p.type === 'on-failure' && status === 'failed')
    if (!wanted || t.stopRequested || t.exhausted) return
    if (p.maxRestarts > 0 && t.count >= p.maxRestarts) {
      t.exhausted = true
      return
    }
    t.restartAt = this.now + formulaDelay(p, t.count)
    t.count++
    t.state = 'restarting'
  }

  stop(slot: Slot): boolean {
    const t = this.tasks[slot]!
    if (!t.registered || t.stopRequested) return false
    Object.assign(t, { stopRequested: true, open: false, awaiting: false, state: 'stopped', restartAt: undefined, confirmAt: undefined })
    t.sent.push(`stop@${this.now}`)
    return true
  }

  start(slot: Slot): boolean {
    const t = this.tasks[slot]!
    if (!t.registered || t.open || t.state === 'starting') return false
    t.stopRequested = false
    t.exhausted = false
    this.sendStart(t)
    return true
  }

  advanceTo(target: number): void {
    for (const t of this.tasks) {
      for (;;) {
        if (t.restartAt !== undefined && t.restartAt <= target) {
          this.now = t.restartAt
          t.autoStarts++
          this.sendStart(t)
        } else if (t.confirmAt !== undefined && t.confirmAt <= target) {
          Object.assign(t, { state: 'stopped', unconfirmed: true, confirmAt: undefined })
        } else break
      }
    }
    this.now = target
  }

  nextDue(): number | undefined {
    const due = this.tasks.flatMap((t) => [t.restartAt, t.confirmAt]).filter((x): x is number => x !== undefined)
    return due.length === 0 ? undefined : Math.min(...due)
  }
}

/** EXT-HOST-052, as the spec states it; 0 × Infinity (after very many restarts with a zero initial delay) counts as 0. */
function formulaDelay(p: ResolvedRestartPolicy, count: number): number {
  const grown = p.initialDelayMs * p.backoffMultiplier ** count
  return Math.min(Number.isNaN(grown) ? 0 : grown, p.maxDelayMs)
}

function fresh(policy: ResolvedRestartPolicy): ModelTask {
  return {
    registered: false, policy, state: 'pending', count: 0, exhausted: false, stopRequested: false, unconfirmed: false,
    awaiting: false, open: false, restartAt: undefined, confirmAt: undefined, health: undefined, sent: [], autoStarts: 0,
  }
}

// ---------------------------------------------------------------------------------------------
// The system under test
// ---------------------------------------------------------------------------------------------

class Real {
  readonly clock = new VirtualClock()
  readonly sent: [string[], string[]] = [[], []]
  /** Starts sent while the clock advanced, that is by a restart timer. */
  readonly autoStarts: [number, number] = [0, 0]
  readonly events: TaskEvent[] = []
  advancing = false
  readonly sup: TaskSupervisor
  constructor(readonly policies: readonly BackgroundRestartPolicy[], startTimeoutMs: number) {
    const slotOf = (ext: string): Slot => (ext === TASKS[0].ext ? 0 : 1)
    this.sup = new TaskSupervisor({
      clock: this.clock,
      startTimeoutMs,
      sendStart: (ext) => {
        this.sent[slotOf(ext)].push(`start@${this.clock.now()}`)
        if (this.advancing) this.autoStarts[slotOf(ext)]++
      },
      sendStop: (ext) => void this.sent[slotOf(ext)].push(`stop@${this.clock.now()}`),
      onEvent: (e) => void this.events.push(e),
    })
  }
  register(slot: Slot): boolean {
    const { ext, id } = TASKS[slot]
    const accepted = this.sup.register(ext, { taskId: id, name: id, userId: 'u', restartPolicy: this.policies[slot]! })
    if (accepted) this.autoStarts[slot] = 0 // a new task: its restart budget is its own
    return accepted
  }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

type Cmd = fc.Command<Model, Real>

/** Compares the supervisor with the model and checks the invariants; `before` is the state before the command. */
function agree(m: Model, r: Real, before: ReturnType<typeof snapshot>): void {
  expect(r.clock.now()).toBe(m.now)
  TASKS.forEach(({ ext, id }, i) => {
    const t = m.tasks[i]!
    const v = r.sup.task(ext, id)
    expect(r.sent[i], `messages of ${ext}/${id}`).toEqual(t.sent)
    if (!t.registered) {
      expect(v).toBeUndefined()
      return
    }
    expect(v, `view of ${ext}/${id}`).toMatchObject({
      state: t.state, restartCount: t.count, exhausted: t.exhausted, stopRequested: t.stopRequested, unconfirmed: t.unconfirmed,
    })
    expect(v?.nextStartAt).toBe(t.restartAt)
    expect(v?.health).toEqual(t.health)
    // Invariants, stated on what the supervisor did rather than on the model.
    const max = t.policy.maxRestarts
    if (max > 0) expect(r.autoStarts[i], 'automatic restarts').toBeLessThanOrEqual(max)
    if (before.blocked[i]) expect(r.sent[i]!.slice(before.sent[i]).filter((s) => s.startsWith('start')), 'a start after exhaustion or a host stop').toEqual([])
  })
  // EXT-HOST-058: exactly the model's timers, at most one per task.
  const timers = m.tasks.filter((t) => t.restartAt !== undefined || t.confirmAt !== undefined).length
  expect(r.clock.pending, 'timers on the clock').toBe(timers)
  expect(r.clock.pending).toBeLessThanOrEqual(TASKS.length)
  // EXT-HOST-052: every restart scheduled by this command has the formula's delay.
  for (const e of r.events.slice(before.events)) {
    if (e.type !== 'restarting') continue
    const p = m.tasks[e.extensionId === TASKS[0].ext ? 0 : 1]!.policy
    expect(e.delayMs, 'restart delay').toBe(formulaDelay(p, e.restartCount - 1))
  }
}

/** What a command is checked against: counts before it, and which tasks may not start (exhausted or host-stopped). */
function snapshot(r: Real) {
  return {
    sent: r.sent.map((s) => s.length),
    events: r.events.length,
    blocked: TASKS.map(({ ext, id }) => {
      const v = r.sup.task(ext, id)
      return v !== undefined && (v.exhausted || v.stopRequested)
    }),
  }
}

abstract class Base implements Cmd {
  /** A host start and a new registration are the only commands allowed to start a blocked task. */
  protected readonly unblocks: boolean = false
  check(): boolean {
    return true
  }
  run(m: Model, r: Real): void {
    const before = snapshot(r)
    if (this.unblocks) before.blocked = before.blocked.map(() => false)
    this.play(m, r)
    agree(m, r, before)
  }
  protected abstract play(m: Model, r: Real): void
  abstract toString(): string
}

class Status extends Base {
  constructor(readonly slot: Slot, readonly status: 'running' | 'stopped' | 'failed') {
    super()
  }
  play(m: Model, r: Real): void {
    const { ext, id } = TASKS[this.slot]
    r.sup.status(ext, this.status === 'failed' ? { taskId: id, status: 'failed', error: 'boom' } : { taskId: id, status: this.status })
    m.status(this.slot, this.status)
  }
  toString(): string {
    return `Status(${this.slot}, ${this.status})`
  }
}

class Health extends Base {
  constructor(readonly slot: Slot, readonly status: string) {
    super()
  }
  play(m: Model, r: Real): void {
    const { ext, id } = TASKS[this.slot]
    const timestamp = new Date(Date.UTC(2026, 0, 1) + m.now).toISOString()
    r.sup.health(ext, { taskId: id, status: this.status, timestamp })
    const t = m.tasks[this.slot]!
    if (t.registered) t.health = { status: this.status, timestamp }
  }
  toString(): string {
    return `Health(${this.slot}, ${JSON.stringify(this.status)})`
  }
}

class HostStop extends Base {
  constructor(readonly slot: Slot) {
    super()
  }
  play(m: Model, r: Real): void {
    expect(r.sup.stop(TASKS[this.slot].ext, TASKS[this.slot].id), 'stop() result').toBe(m.stop(this.slot))
  }
  toString(): string {
    return `HostStop(${this.slot})`
  }
}

class HostStart extends Base {
  protected override readonly unblocks = true
  constructor(readonly slot: Slot) {
    super()
  }
  play(m: Model, r: Real): void {
    expect(r.sup.start(TASKS[this.slot].ext, TASKS[this.slot].id), 'start() result').toBe(m.start(this.slot))
  }
  toString(): string {
    return `HostStart(${this.slot})`
  }
}

class Register extends Base {
  protected override readonly unblocks = true
  constructor(readonly slot: Slot) {
    super()
  }
  play(m: Model, r: Real): void {
    expect(r.register(this.slot), 'register() result').toBe(m.register(this.slot))
  }
  toString(): string {
    return `Register(${this.slot})`
  }
}

class Drop extends Base {
  constructor(readonly slot: Slot) {
    super()
  }
  play(m: Model, r: Real): void {
    r.sup.dropExtension(TASKS[this.slot].ext)
    const t = m.tasks[this.slot]!
    Object.assign(t, { registered: false, restartAt: undefined, confirmAt: undefined })
  }
  toString(): string {
    return `Drop(${this.slot})`
  }
}

class Advance extends Base {
  constructor(readonly ms: number | 'next') {
    super()
  }
  play(m: Model, r: Real): void {
    const target = this.ms === 'next' ? m.nextDue() ?? m.now : m.now + this.ms
    if (this.ms === 'next') expect(r.clock.nextDue()).toBe(m.nextDue())
    r.advancing = true
    try {
      r.clock.advanceTo(target)
    } finally {
      r.advancing = false
    }
    m.advanceTo(target)
  }
  toString(): string {
    return this.ms === 'next' ? 'AdvanceToNextTimer' : `Advance(${this.ms})`
  }
}

// ---------------------------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------------------------

const slot = fc.constantFrom<Slot>(0, 1)
/** `running` as often as both terminal statuses together, so that runs open and close often. */
const status = fc.tuple(slot, fc.constantFrom('running', 'running', 'stopped', 'failed' as const)).map(([s, st]) => new Status(s, st))
const advance = fc
  .oneof(fc.constant<'next'>('next'), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 70_000 }))
  .map((ms) => new Advance(ms))
const commands = fc.commands(
  [
    fc.oneof(
      // Weights: statuses and advances drive restarts to exhaustion; stops and drops interrupt them.
      { arbitrary: status, weight: 12 },
      { arbitrary: advance, weight: 6 },
      { arbitrary: fc.tuple(slot, fc.constantFrom('ok', 'slow')).map(([s, h]) => new Health(s, h)), weight: 1 },
      { arbitrary: slot.map((s) => new HostStop(s)), weight: 1 },
      { arbitrary: slot.map((s) => new HostStart(s)), weight: 1 },
      { arbitrary: slot.map((s) => new Register(s)), weight: 1 },
      { arbitrary: slot.map((s) => new Drop(s)), weight: 1 },
    ),
  ],
  // fast-check's default size gives about 5 commands; restarts and exhaustion need longer runs.
  { maxCommands: 100, size: 'max' },
)

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })
const policy: fc.Arbitrary<BackgroundRestartPolicy> = fc
  .record({
    type: fc.constantFrom('always', 'on-failure', 'never' as const),
    maxRestarts: opt(fc.integer({ min: 0, max: 3 })),
    initialDelayMs: opt(fc.constantFrom(0, 1, 10, 1000, 5000)),
    maxDelayMs: opt(fc.constantFrom(0, 5, 3000, 60_000)),
    backoffMultiplier: opt(fc.constantFrom(1, 1.5, 2, 10)),
  })
  .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as BackgroundRestartPolicy)
const startTimeout = fc.constantFrom(0, 50, 10_000, 10_000)

/** The defaults of EXT-HOST-050, written out here so that the model does not borrow the supervisor's. */
function withDefaults(p: BackgroundRestartPolicy): ResolvedRestartPolicy {
  return { type: p.type, maxRestarts: p.maxRestarts ?? 0, initialDelayMs: p.initialDelayMs ?? 1000, maxDelayMs: p.maxDelayMs ?? 60_000, backoffMultiplier: p.backoffMultiplier ?? 2 }
}

describe('TaskSupervisor against its model (EXT-HOST-050..061)', () => {
  it(
    `agrees with the model and keeps the invariants over ${RUNS} runs`,
    () => {
      fc.assert(
        fc.property(policy, policy, startTimeout, commands, (p0, p1, timeout, cmds) => {
          const setup = () => {
            const model = new Model([withDefaults(p0), withDefaults(p1)], timeout)
            const real = new Real([p0, p1], timeout)
            for (const s of [0, 1] as const) {
              model.register(s)
              real.register(s)
            }
            return { model, real }
          }
          fc.modelRun(setup, cmds)
        }),
        { numRuns: RUNS },
      )
    },
    60_000 + RUNS * 50,
  )
})
