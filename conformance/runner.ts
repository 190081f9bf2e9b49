/**
 * The conformance runner: plays the host side of each fixture against a fresh worker, checks every
 * message in both directions against the schemas, checks the trace invariants, and reports the
 * first divergence with the requirement it breaks.
 */
import { HostPeer, WaitError, describeClose, type Received } from '../src/host/peer.js'
import { validatorFor } from '../src/validate/index.js'
import type { ProtocolValidator } from '../src/validate/validator.js'
import type { Fixture, Step, ExpectStep } from './fixture/schema.js'
import { probeUnordered } from './fixture/unordered.js'
import { match, show, substitute, type Bindings, type Mismatch } from './fixture/match.js'
import { availableParallelism } from 'node:os'
import { checkInvariants } from './invariants.js'
import type { ConnectContext, Lease, Target, WorkerPool } from './targets.js'
import { isHostTarget, type HostTarget } from './host/driver.js'
import { playHost } from './host/runner.js'
import { roleOf } from './fixture/schema.js'
import { FixtureStop, sleep, Stopped } from './wait.js'

/** What went wrong in a fixture. */
export interface Failure {
  /** Requirement broken. */
  readonly requirement: string
  /** `expect`: an expected message did not arrive or differed; `expect-none`: a forbidden one arrived;
   * `wire-schema`: the worker sent an invalid message; `invariant`: a trace invariant broke;
   * `transport`: the worker went away, flooded or broke the wire; `suite`: the fixture itself is wrong;
   * `deadline`: the fixture's deadline passed and it was stopped (not an expectation that failed). */
  readonly kind: 'expect' | 'expect-none' | 'wire-schema' | 'invariant' | 'transport' | 'suite' | 'deadline'
  /** 1-based step number, when a step failed. */
  readonly step?: number
  readonly message: string
  /** The expected pattern (JSON). */
  readonly expected?: string
  /** The nearest actual message (JSON). */
  readonly actual?: string
  /** JSON pointer where expected and actual first differ. */
  readonly path?: string
}

/** Outcome of one fixture. */
export type FixtureStatus = 'pass' | 'fail' | 'untested' | 'suite-error'

/** The result of one fixture. */
export interface FixtureResult {
  readonly id: string
  readonly title: string
  readonly level: Fixture['level']
  readonly requirements: readonly string[]
  readonly status: FixtureStatus
  readonly durationMs: number
  /** Failures (empty on pass). */
  readonly failures: readonly Failure[]
  /** SHOULD-level findings that do not fail the fixture (undeclared properties, EXT-WIRE-006). */
  readonly warnings: readonly Failure[]
  /** Why the fixture did not run (status `untested`). */
  readonly reason?: string
  /** Every message exchanged, when the run keeps traces. */
  readonly trace?: ReadonlyArray<{ readonly direction: string; readonly message: unknown }>
}

/** Options of a run. */
export interface RunOptions {
  /** Default wait of an `expect` step (ms). */
  readonly stepTimeoutMs?: number
  /** Wait for the worker's `ready`, counted from when the worker was started (ms, default {@link DEFAULT_READY_TIMEOUT_MS}). */
  readonly readyTimeoutMs?: number
  /** Deadline of one fixture (ms); default derived from its steps ({@link fixtureDeadline}). */
  readonly deadlineMs?: number
  /** Most messages accepted from the worker in one fixture (default: HostPeer's, 10,000); more is a flood. */
  readonly maxMessages?: number
  /** Keep the message trace in each result. */
  readonly keepTraces?: boolean
  /** Time allowed after the last step for outstanding answers before invariants are checked (ms). */
  readonly settleMs?: number
  /** Strict validator of the run's protocol version, for what the worker sends and the fixture sends (default 0.22.1's). */
  readonly validator?: ProtocolValidator
}

const hostValidator = () => validatorFor({ mode: 'strict' })

/** The activation log the conformance extension writes (docs/conformance-extension.md). */
export const ACTIVATED_LOG = 'conformance extension activated'

/** Default wait for `ready`: generous, because starting an interpreter on a busy machine is slow. */
export const DEFAULT_READY_TIMEOUT_MS = 10_000
/** Most a derived fixture deadline can be; an explicit `deadlineMs` may be longer. */
export const MAX_DERIVED_DEADLINE_MS = 120_000
/** Margin a derived fixture deadline adds for the runner's own work and the teardown (ms). */
const DEADLINE_MARGIN_MS = 5000

/**
 * The default deadline of a fixture: the `ready` wait plus the most every step may take (its
 * timeouts and waits) plus a margin, capped at {@link MAX_DERIVED_DEADLINE_MS}, so that a fixture
 * with huge timeouts or thousands of waits ends anyway.
 */
export function fixtureDeadline(fixture: Fixture, options: Pick<RunOptions, 'stepTimeoutMs' | 'readyTimeoutMs' | 'settleMs'> = {}): number {
  const step = options.stepTimeoutMs ?? 1000
  const expectBudget = (e: ExpectStep) => e.timeoutMs ?? step
  let total = (options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS) + (options.settleMs ?? 20) + DEADLINE_MARGIN_MS
  for (const s of fixture.steps) {
    if ('waitMs' in s) total += s.waitMs
    else if ('expectNone' in s) total += s.withinMs
    else if ('activate' in s) total += Math.max(step, options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS)
    else if ('unordered' in s) total += Math.max(0, ...s.unordered.map(expectBudget))
    else if ('expect' in s) total += expectBudget(s)
    else if ('do' in s) total += s.expectResult !== undefined ? (s.timeoutMs ?? step) : 0
    else if ('awaitResult' in s || 'expectEvent' in s || 'expectClosed' in s || 'expectHttpClosed' in s) total += s.timeoutMs ?? step
    else if ('expectNoEvent' in s) total += s.withinMs
    if (total >= MAX_DERIVED_DEADLINE_MS) return MAX_DERIVED_DEADLINE_MS
  }
  return Math.min(total, MAX_DERIVED_DEADLINE_MS)
}

/** Thrown by a failing step; carries the failure. */
export class StepFailure extends Error {
  constructor(readonly failure: Failure) {
    super(`${failure.requirement}: ${failure.message}`)
    this.name = 'StepFailure'
  }
}

/**
 * Plays the steps of one fixture against one connection. The runner plays whole fixtures with it;
 * the fuzzer plays the steps its commands generate one by one, so both share one semantics.
 */
export class FixtureRun {
  private readonly bindings: Bindings = new Map()
  private readonly consumed = new Set<number>()
  private position = -1
  private activations = 0
  private step = 0

  constructor(
    private readonly fixture: Fixture,
    private readonly peer: HostPeer,
    private readonly timeoutMs: number,
    /**
     * `readyTimeoutMs` (default {@link DEFAULT_READY_TIMEOUT_MS}); `readyElapsedMs`, how long ago the
     * worker was started (a pre-started one), which the ready wait has already spent; `signal` stops
     * every wait (deadlines).
     */
    private readonly control: { readonly readyTimeoutMs?: number; readonly readyElapsedMs?: number; readonly signal?: AbortSignal; readonly validator?: ProtocolValidator } = {},
  ) {}

  /** The 1-based step being played (0 while waiting for `ready`). */
  get currentStep(): number {
    return this.step
  }

  /** True once the worker's `ready` arrived. */
  get isReady(): boolean {
    return this.position >= 0
  }

  /** A wait that ended because the worker flooded fails as the flood (EXT-WIRE-001), not as what was awaited. */
  private failIfFlooded(): void {
    const overflow = this.peer.overflow
    if (overflow !== undefined) this.fail({ requirement: 'EXT-WIRE-001', kind: 'transport', message: overflow })
  }

  /** Values captured so far. */
  get captured(): ReadonlyMap<string, unknown> {
    return this.bindings
  }

  private requirementOf(step?: { requirement?: string }): string {
    return step?.requirement ?? (this.fixture.requirements[0] as string)
  }

  private fail(failure: Omit<Failure, 'step'>): never {
    throw new StepFailure({ ...failure, step: this.step })
  }

  async run(): Promise<void> {
    await this.ready()
    for (const step of this.fixture.steps) await this.next(step)
  }

  /** Waits for the worker's `ready`, which every fixture starts with (EXT-LIFE-001). */
  async ready(): Promise<void> {
    const readyTimeoutMs = this.control.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS
    try {
      const ready = await this.peer.waitForType('ready', Math.max(0, readyTimeoutMs - (this.control.readyElapsedMs ?? 0)))
      this.position = ready.index
      this.consumed.add(ready.index)
    } catch (error) {
      if (this.control.signal?.aborted) throw new Stopped()
      this.step = 0
      this.failIfFlooded()
      this.fail({ requirement: 'EXT-LIFE-001', kind: 'expect', message: `the worker did not send ready (ready timeout ${readyTimeoutMs} ms): ${(error as Error).message}`, expected: '{"type":"ready"}' })
    }
  }

  /** Plays the next step; throws {@link StepFailure} when it fails. */
  async next(step: Step): Promise<void> {
    this.step++
    await this.runStep(step)
  }

  private async runStep(step: Step): Promise<void> {
    if ('send' in step) return this.send(step.send, step.invalid === true)
    if ('sendRaw' in step) return this.peer.send(step.sendRaw)
    if ('activate' in step) return this.activate(step.activate)
    if ('waitMs' in step) return sleep(step.waitMs, this.control.signal)
    if ('expectNone' in step) return this.expectNone(step.expectNone, step.withinMs, step.requirement)
    if ('unordered' in step) return this.unordered(step.unordered)
    if ('expect' in step) return this.expectOne(step)
    this.fail({ requirement: this.requirementOf(), kind: 'suite', message: `fixture error: a ${Object.keys(step)[0] ?? ''} step belongs to host-role fixtures` })
  }

  private send(template: Record<string, unknown>, invalid: boolean): void {
    let message: unknown
    try {
      message = substitute(template, this.bindings)
    } catch (error) {
      this.fail({ requirement: this.requirementOf(), kind: 'suite', message: `fixture error: ${(error as Error).message}` })
    }
    const checked = (this.control.validator ?? hostValidator()).validateHostToWorker(message)
    if (!invalid && !checked.ok) {
      this.fail({ requirement: this.requirementOf(), kind: 'suite', message: `fixture error: the fixture sends an invalid message: ${checked.errors[0]?.message}`, actual: show(message) })
    }
    this.peer.send(message)
  }

  private async activate(options: { extensionId?: string; permissions?: string[]; noWait?: boolean }): Promise<void> {
    const from = this.peer.received.length
    this.send(
      {
        type: 'activate',
        id: `activate-${++this.activations}`,
        payload: {
          extensionId: options.extensionId ?? this.fixture.extensionId ?? 'conformance',
          extensionVersion: '1.0.0',
          storagePath: '/data/conformance',
          permissions: options.permissions ?? this.fixture.permissions,
          settings: {},
        },
      },
      false,
    )
    if (options.noWait) return
    try {
      await this.peer.waitFor(
        (r) => {
          const m = r.message as { type?: unknown; payload?: { message?: unknown } } | null
          return m?.type === 'log' && m.payload?.message === ACTIVATED_LOG
        },
        Math.max(this.timeoutMs, this.control.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS), // activation is start-up work: it gets the ready timeout, not a step's
        from,
        `the log "${ACTIVATED_LOG}"`,
      )
    } catch (error) {
      if (this.control.signal?.aborted) throw new Stopped()
      this.failIfFlooded()
      this.fail({
        requirement: 'EXT-LIFE-002',
        kind: 'expect',
        message: `activation did not complete: ${(error as Error).message}`,
        expected: JSON.stringify({ type: 'log', payload: { level: 'info', message: ACTIVATED_LOG } }),
        ...this.nearest({ type: 'log' }, from - 1),
      })
    }
  }

  /** The first unconsumed message after `after` that matches; does not wait. */
  private scan(pattern: unknown, after: number): { r: Received; captures: Bindings } | undefined {
    // Most messages differ in type: compare that first, before the full (allocating) match.
    const p = pattern as { type?: unknown; $exact?: { type?: unknown } } | null
    const type = typeof p?.type === 'string' ? p.type : typeof p?.$exact?.type === 'string' ? p.$exact.type : undefined
    for (let i = after + 1; i < this.peer.received.length; i++) {
      if (this.consumed.has(i)) continue
      const r = this.peer.received[i] as Received
      if (type !== undefined && (r.message as { type?: unknown } | null)?.type !== type) continue
      const m = match(pattern, r.message, this.bindings)
      if (m.ok) return { r, captures: m.captures }
    }
    return undefined
  }

  /** Waits until `probe` finds something, the deadline passes, or the transport closes. */
  private async until<T>(probe: () => T | undefined, deadline: number): Promise<T | undefined> {
    for (;;) {
      const found = probe()
      if (found !== undefined) return found
      const remaining = deadline - performance.now()
      if (remaining <= 0) return undefined
      const seen = this.peer.received.length
      try {
        await this.peer.waitFor((r) => r.index >= seen, remaining, seen)
      } catch (error) {
        if (this.control.signal?.aborted) throw new Stopped()
        if (error instanceof WaitError && error.reason === 'closed') {
          const found2 = probe()
          if (found2 !== undefined) return found2
          this.failIfFlooded()
          const info = this.peer.closedWith
          this.fail({ requirement: this.requirementOf(), kind: 'transport', message: `the worker went away: ${info ? describeClose(info) : error.message}` })
        }
        return probe()
      }
    }
  }

  /** The message closest to what `pattern` wanted, for the divergence report. */
  private nearest(pattern: unknown, after: number): { actual?: string; path?: string; message?: string } {
    const type = (pattern as { type?: unknown } | null)?.type
    let best: { r: Received; mismatch: Mismatch } | undefined
    for (let i = after + 1; i < this.peer.received.length; i++) {
      if (this.consumed.has(i)) continue
      const r = this.peer.received[i] as Received
      if (typeof type === 'string' && (r.message as { type?: unknown } | null)?.type !== type) continue
      const m = match(pattern, r.message, this.bindings)
      if (!m.ok && (!best || m.mismatch.path.length > best.mismatch.path.length)) best = { r, mismatch: m.mismatch }
    }
    if (best) return { actual: show(best.r.message), path: best.mismatch.path, message: `at ${best.mismatch.path || '(message)'}: expected ${best.mismatch.expected}, got ${best.mismatch.actual}` }
    const after2 = this.peer.received.slice(after + 1).map((r) => String((r.message as { type?: unknown } | null)?.type))
    return { message: after2.length > 0 ? `received instead: ${after2.slice(0, 12).join(', ')}` : 'nothing was received' }
  }

  private async expectOne(step: ExpectStep): Promise<void> {
    const deadline = performance.now() + (step.timeoutMs ?? this.timeoutMs)
    const found = await this.until(() => this.scan(step.expect, this.position), deadline)
    if (found) {
      this.commit(found)
      this.position = found.r.index
      return
    }
    const early = this.scan(step.expect, -1)
    const near = this.nearest(step.expect, this.position)
    this.fail({
      requirement: this.requirementOf(step),
      kind: 'expect',
      message: early
        ? `expected message arrived out of order (message #${early.r.index}, before the previous expectation's match #${this.position})`
        : `expected message did not arrive within ${step.timeoutMs ?? this.timeoutMs} ms; ${near.message ?? ''}`,
      expected: show(step.expect),
      ...(early ? { actual: show(early.r.message) } : near.actual !== undefined ? { actual: near.actual, path: near.path as string } : {}),
    })
  }

  private commit(found: { r: Received; captures: Bindings }): void {
    this.consumed.add(found.r.index)
    for (const [k, v] of found.captures) this.bindings.set(k, v)
  }

  private async unordered(members: readonly ExpectStep[]): Promise<void> {
    const start = this.position
    const matched = new Map<number, number>() // member -> message index
    const labels = new Map<string, number>()
    const deadline = performance.now() + Math.max(...members.map((m) => m.timeoutMs ?? this.timeoutMs))
    const probe = () =>
      probeUnordered(
        members,
        start,
        matched,
        labels,
        (member, after) => this.scan(member.expect, after),
        (found) => {
          this.commit(found)
          return found.r.index
        },
      ) || undefined
    const done = await this.until(probe, deadline)
    if (done) {
      this.position = Math.max(start, ...matched.values())
      return
    }
    const missing = members.findIndex((_, i) => !matched.has(i))
    const member = members[missing] as ExpectStep
    const near = this.nearest(member.expect, start)
    this.fail({
      requirement: this.requirementOf(member),
      kind: 'expect',
      message: `unordered group: member ${missing + 1} of ${members.length} did not arrive; ${near.message ?? ''}`,
      expected: show(member.expect),
      ...(near.actual !== undefined ? { actual: near.actual, path: near.path as string } : {}),
    })
  }

  private async expectNone(pattern: Record<string, unknown>, withinMs: number, requirement?: string): Promise<void> {
    await sleep(withinMs, this.control.signal)
    // On a busy event loop (many in-process fuzz lanes) the window's timer can fire before the
    // turns that carry an in-process worker's direct answer: let two more turns pass, so the window
    // never closes before the worker has had its turn (a worker thread has its own loop anyway).
    await nextTurn()
    await nextTurn()
    const found = this.scan(pattern, this.position)
    if (found) {
      this.fail({
        requirement: requirement ?? this.requirementOf(),
        kind: 'expect-none',
        message: `a message that must not arrive did (message #${found.r.index})`,
        expected: `nothing matching ${show(pattern)}`,
        actual: show(found.r.message),
      })
    }
  }
}

/** Resolves after the event loop's next check phase (every immediate queued before it has run). */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** The target could not start (no `ready` from any worker yet): {@link runSuite} stops the run with it. */
export class TargetStartError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TargetStartError'
  }
}

/** Fixtures at once by default: one per core, since every fixture starts a worker that needs one. */
export function defaultConcurrency(): number {
  return Math.max(1, Math.min(availableParallelism(), 8))
}

interface Outcome {
  readonly result: FixtureResult
  /** Set when the worker never got as far as `ready`: why. */
  readonly startFailure?: string
  /** Settles when the fixture's connection has closed (the worker ended); the result does not wait for it. */
  readonly closed?: Promise<void>
}

interface PlayHooks {
  /** Aborts the fixture from outside (the run's deadline, or a start failure elsewhere); its reason is said in the result. */
  readonly signal?: AbortSignal
  /** Called when the worker's `ready` arrived. */
  readonly onReady?: () => void
  /** Where a worker-role fixture's worker comes from (default: `target.connect`): a run's pool of pre-started workers. */
  readonly lease?: (context: ConnectContext) => Promise<Lease>
}

function describeStep(step: Step | undefined): string {
  if (step === undefined) return 'waiting for ready'
  const kind = Object.keys(step).find((k) => ['send', 'sendRaw', 'activate', 'waitMs', 'expectNone', 'unordered', 'expect'].includes(k))
  return kind ?? 'step'
}

/** Plays a fixture of either role on a target of either role; a fixture of the other role is untested. */
async function playAny(fixture: Fixture, target: Target | HostTarget, options: RunOptions, hooks: PlayHooks): Promise<Outcome> {
  const targetRole = isHostTarget(target) ? 'host' : 'worker'
  if (roleOf(fixture) !== targetRole) {
    const result: FixtureResult = { id: fixture.id, title: fixture.title, level: fixture.level, requirements: fixture.requirements, status: 'untested', durationMs: 0, failures: [], warnings: [], reason: `a ${roleOf(fixture)}-role fixture; the target is a ${targetRole}` }
    return { result }
  }
  if (isHostTarget(target)) return playHost(fixture, target, { ...options, deadlineMs: options.deadlineMs ?? fixtureDeadline(fixture, options) }, hooks)
  return play(fixture, target, options, hooks)
}

async function play(fixture: Fixture, target: Target, options: RunOptions, hooks: PlayHooks): Promise<Outcome> {
  const started = performance.now()
  const base = { id: fixture.id, title: fixture.title, level: fixture.level, requirements: fixture.requirements }
  const missing = (fixture.features ?? []).filter((f) => !target.features.has(f))
  if (missing.length > 0) {
    return { result: { ...base, status: 'untested', durationMs: 0, failures: [], warnings: [], reason: `needs feature(s) ${missing.join(', ')} (declare with --features)` } }
  }
  let lease: Lease
  try {
    const context = { features: fixture.features ?? [] }
    lease = hooks.lease ? await hooks.lease(context) : { transport: await target.connect(context), ageMs: 0 }
  } catch (error) {
    const message = `could not start the worker: ${(error as Error).message}`
    return { startFailure: message, result: { ...base, status: 'fail', durationMs: performance.now() - started, warnings: [], failures: [{ requirement: 'EXT-LIFE-001', kind: 'transport', message }] } }
  }
  const peer = new HostPeer(lease.transport, { ...(options.maxMessages !== undefined ? { maxMessages: options.maxMessages } : {}), ...(options.validator ? { validator: options.validator } : {}) })
  const failures: Failure[] = []
  const warnings: Failure[] = []
  const readyTimeoutMs = options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS
  const deadlineMs = options.deadlineMs ?? fixtureDeadline(fixture, options)
  const stopper = new FixtureStop(() => peer.close(), deadlineMs, hooks.signal)
  const run = new FixtureRun(fixture, peer, options.stepTimeoutMs ?? 1000, { readyTimeoutMs, readyElapsedMs: lease.ageMs, signal: stopper.signal, ...(options.validator ? { validator: options.validator } : {}) })
  try {
    await run.ready()
    hooks.onReady?.()
    for (const step of fixture.steps) await run.next(step)
    await sleep(options.settleMs ?? 20, stopper.signal)
    for (const v of checkInvariants(peer.timeline, { complete: true })) failures.push({ requirement: v.requirement, kind: 'invariant', message: v.message })
  } catch (error) {
    if (stopper.stoppedBy !== undefined) {
      // Stopped by a deadline: said below, whatever the interrupted wait threw.
    } else if (error instanceof StepFailure) failures.push(error.failure)
    else failures.push({ requirement: fixture.requirements[0] as string, kind: 'suite', message: `runner error: ${(error as Error).stack ?? String(error)}` })
  } finally {
    stopper.disarm()
  }
  const stoppedBy = stopper.stoppedBy
  const where = `step ${run.currentStep} (${describeStep(fixture.steps[run.currentStep - 1])})`
  if (stoppedBy === 'outside') {
    const why = typeof hooks.signal?.reason === 'string' ? hooks.signal.reason : 'the run was stopped'
    return { closed: stopper.close(), result: { ...base, status: 'untested', durationMs: performance.now() - started, failures: [], warnings: [], reason: `stopped at ${where}: ${why}` } }
  }
  if (stoppedBy === 'fixture') {
    failures.push({
      requirement: fixture.requirements[0] as string,
      kind: 'deadline',
      step: run.currentStep,
      message: `the fixture deadline of ${deadlineMs} ms passed at ${where} and the fixture was stopped (a deadline, not a failed expectation)`,
    })
  }
  for (const r of peer.received) {
    for (const e of r.errors) {
      const entry: Failure = { requirement: e.code, kind: 'wire-schema', message: `message #${r.index}: ${e.message}`, actual: show(r.message), path: e.path }
      if (e.code === 'EXT-WIRE-006') warnings.push(entry)
      else failures.push(entry)
    }
  }
  for (const e of peer.transportErrors) failures.push({ requirement: 'EXT-WIRE-001', kind: 'transport', message: `transport error: ${e.message}` })
  const overflow = peer.overflow
  if (overflow !== undefined && !failures.some((f) => f.message === overflow)) failures.push({ requirement: 'EXT-WIRE-001', kind: 'transport', message: overflow })
  const trace = options.keepTraces ? peer.timeline.map((t) => ({ direction: t.direction, message: t.message })) : undefined
  // Everything the verdict reads was taken above: the worker ends while the run goes on.
  const closed = stopper.close()
  const status: FixtureStatus = failures.some((f) => f.kind === 'suite') ? 'suite-error' : failures.length > 0 ? 'fail' : 'pass'
  const result: FixtureResult = { ...base, status, durationMs: performance.now() - started, failures, warnings, ...(trace ? { trace } : {}) }
  const first = failures[0]
  const startFailure = !run.isReady && stoppedBy === undefined && first?.requirement === 'EXT-LIFE-001' ? first.message : undefined
  return startFailure !== undefined ? { result, startFailure, closed } : { result, closed }
}

/** Runs one fixture against a fresh worker (or, for a host-role fixture, a fresh host) from `target`, within its deadline. */
export async function runFixture(fixture: Fixture, target: Target | HostTarget, options: RunOptions = {}): Promise<FixtureResult> {
  const { result, closed } = await playAny(fixture, target, options, {})
  await closed
  return result
}

/** Options of {@link runSuite}. */
export interface SuiteOptions extends RunOptions {
  /** Fixtures run at once (default {@link defaultConcurrency}). */
  readonly concurrency?: number
  /** Stop starting fixtures after the first failure. */
  readonly bail?: boolean
  /** Called after each fixture (progress). */
  readonly onResult?: (result: FixtureResult, done: number, total: number) => void
  /** Deadline of the whole run (ms): fixtures running then are stopped, and they and those not started are `untested`. */
  readonly runDeadlineMs?: number
  /**
   * Throw {@link TargetStartError} at once when a worker fails before `ready` (cannot be started,
   * crashes, or stays silent) and no worker of this target has sent `ready` yet.
   */
  readonly stopOnStartFailure?: boolean
}

/** Whether a fixture starts a worker of `target` (its role and features fit): only those get one started ahead. */
function startsWorker(fixture: Fixture, target: Target): boolean {
  return roleOf(fixture) === 'worker' && (fixture.features ?? []).every((f) => target.features.has(f))
}

/**
 * Runs fixtures against `target` (a worker or a host), several at a time; results come back in fixture order.
 * A target with a {@link Target.pool} gets the next fixtures' workers started while others run (as
 * many ahead as run at once); every worker, taken or not, has ended when this returns, on every path.
 */
export async function runSuite(fixtures: readonly Fixture[], target: Target | HostTarget, options: SuiteOptions = {}): Promise<FixtureResult[]> {
  const results: Array<FixtureResult | undefined> = new Array(fixtures.length)
  const controller = new AbortController()
  const concurrency = Math.max(1, options.concurrency ?? defaultConcurrency())
  let next = 0
  let done = 0
  let stop = false
  let anyReady = false
  let startFailure: string | undefined
  const runDeadline = options.runDeadlineMs
  const runTimer = runDeadline === undefined ? undefined : setTimeout(() => controller.abort(`the run deadline of ${runDeadline} ms passed`), runDeadline)
  const pool: WorkerPool | undefined = !isHostTarget(target) && target.pool ? target.pool({ capacity: concurrency, maxAgeMs: options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS }) : undefined
  // Fixtures before this index have had a worker started ahead, or need none.
  let prepared = concurrency
  const prepareAhead = () => {
    if (pool === undefined || stop || controller.signal.aborted) return
    for (; prepared < fixtures.length && prepared < next + concurrency; prepared++) {
      const fixture = fixtures[prepared] as Fixture
      if (startsWorker(fixture, target as Target) && !pool.prepare({ features: fixture.features ?? [] })) break
    }
  }
  const closing = new Set<Promise<void>>()
  const hooks: PlayHooks = {
    signal: controller.signal,
    onReady: () => void (anyReady = true),
    // Taken first, then the next ones started: a worker started ahead is for a later fixture, not this one.
    ...(pool
      ? {
          lease: async (context: ConnectContext) => {
            const lease = await pool.take(context)
            prepareAhead()
            return lease
          },
        }
      : {}),
  }
  const worker = async () => {
    // One earlier connection of this lane may still be closing while the next fixture runs; never two.
    let previous: Promise<void> = Promise.resolve()
    while (!stop && !controller.signal.aborted && next < fixtures.length) {
      const index = next++
      const { result, startFailure: failed, closed } = await playAny(fixtures[index] as Fixture, target, options, hooks)
      if (failed !== undefined && options.stopOnStartFailure && !anyReady && startFailure === undefined) {
        startFailure = failed
        stop = true
        controller.abort('the target could not start')
      }
      results[index] = result
      done++
      options.onResult?.(result, done, fixtures.length)
      if (options.bail && result.status !== 'pass' && result.status !== 'untested') stop = true
      await previous
      if (closed) {
        closing.add(closed)
        previous = closed
      } else previous = Promise.resolve()
    }
  }
  // A lane that throws (a failing callback) stops the others, and the run rethrows only once every worker has ended.
  let thrown: { error: unknown } | undefined
  const lane = () =>
    worker().catch((error: unknown) => {
      thrown ??= { error }
      stop = true
      controller.abort('the run failed')
    })
  try {
    await Promise.all(Array.from({ length: concurrency }, lane))
  } finally {
    clearTimeout(runTimer)
    await pool?.close()
    await Promise.all([...closing])
  }
  if (thrown !== undefined) throw thrown.error
  if (startFailure !== undefined) throw new TargetStartError(startFailure)
  // Every fixture is accounted for: those never started (the run deadline, or --bail) are untested, with
  // the reason, so that a stopped run can never read as a complete one.
  const why = controller.signal.aborted ? String(controller.signal.reason) : '--bail stopped the run after a failure'
  return fixtures.map(
    (f, i) => results[i] ?? { id: f.id, title: f.title, level: f.level, requirements: f.requirements, status: 'untested', durationMs: 0, failures: [], warnings: [], reason: `not run: ${why}` },
  )
}
