/**
 * A fuzzing campaign against any target: random command sequences played through the runner,
 * the trace invariants checked after every sequence, unhandled rejections caught. A failure is
 * shrunk by fast-check, replayed once more to capture its steps, and returned as a fixture.
 */
import fc from 'fast-check'
import { HostPeer } from '../../src/host/peer.js'
import { checkInvariants } from '../invariants.js'
import { FixtureRun, StepFailure } from '../runner.js'
import type { Fixture } from '../fixture/schema.js'
import type { Target } from '../targets.js'
import { commandArbitraries } from './commands.js'
import { FuzzSession, WorkerModel, fuzzFixture, type FuzzCommand } from './model.js'

/** Options of a campaign. */
export interface CampaignOptions {
  /** Sequences to run. */
  readonly runs: number
  /** fast-check seed (default: random; printed either way). */
  readonly seed?: number
  /** Replay path of an earlier failure (with its seed). */
  readonly path?: string
  /** fast-check's command replay path of that failure (which commands of the sequence ran); needed with `path`. */
  readonly replayPath?: string
  /** Commands per sequence at most (default 20). */
  readonly maxCommands?: number
  /** fast-check size of the sequences (default `medium`; `max` draws sequences close to maxCommands). */
  readonly size?: fc.SizeForArbitrary
  /** Wait per expectation (ms, default 1000). */
  readonly stepTimeoutMs?: number
  /** Wait for `ready` and for activation (ms, default the runner's ready timeout): in-process targets can use a short one. */
  readonly readyTimeoutMs?: number
  /** Called every `every` sequences. */
  readonly onProgress?: (done: number, total: number) => void
  readonly progressEvery?: number
  /** Id of the fixture written for a counterexample. */
  readonly fixtureId?: string
  /** Deadline of the whole campaign (ms): no new sequence starts after it (the result says `interrupted`). */
  readonly deadlineMs?: number
  /**
   * Sequences played at once (default 1; a worker-role campaign on an in-process target plays
   * {@link IN_PROCESS_LANES}). Each lane is a fast-check run of its own with a seed derived from
   * `seed`; a counterexample's path names its lane (`<lane>/<path>`), so a replay needs no more flags.
   */
  readonly lanes?: number
  /** Stops the campaign: no sequence starts after it (the result says `interrupted`). */
  readonly signal?: AbortSignal
}

/**
 * Lanes of an in-process campaign: a sequence mostly waits (for the worker's next turn, or out an
 * `expectNone` window of 20 ms), so many at once keep the one core busy without shortening any
 * wait. A sequence holds about five such windows, so n lanes at once play at most n / 0.1 s
 * sequences per second: 32 capped a thread near 320, about what one core plays; 64 leaves room.
 * Profiled: at 4 lanes the process was idle about two thirds of the time. A step still waits only
 * for the other lanes' turns (milliseconds, against a step timeout of a second).
 */
export const IN_PROCESS_LANES = 64

/** What a campaign found. */
export interface CampaignResult {
  readonly runs: number
  readonly seed: number
  /** `clean`: nothing found; `counterexample`: the worker broke a requirement; `harness-error`: the
   * fuzzer itself (its model, a command, fast-check) failed, which says nothing about the worker. */
  readonly outcome: 'clean' | 'counterexample' | 'harness-error'
  /** True unless the outcome is `clean`. */
  readonly failed: boolean
  readonly durationMs: number
  /** The campaign deadline (or an abort) stopped it before `runs` sequences (a clean result then covers only `runs`). */
  readonly interrupted?: boolean
  /** Messages the host side sent to workers, every sequence played included (shrink steps too), when the plan counts them. */
  readonly hostMessages?: number
  /** Threads that played the campaign's lanes (`count` 1: this thread alone, with the reason when more were asked for). */
  readonly threads?: { readonly count: number; readonly note?: string }
  /** When failed: fast-check's replay paths, the requirement broken (none for a harness error), the message, the shrunk commands and their fixture. */
  readonly counterexample?: {
    readonly path: string
    /** fast-check's command replay path (`fc.commands({ replayPath })`). */
    readonly replayPath: string
    readonly requirement: string
    readonly message: string
    readonly commands: readonly string[]
    readonly fixture: Fixture
  }
}

/** The error a failed sequence throws: names the requirement. */
export class SequenceFailure extends Error {
  constructor(
    readonly requirement: string,
    message: string,
    readonly steps: Fixture['steps'],
  ) {
    super(`${requirement}: ${message}`)
    this.name = 'SequenceFailure'
  }
}

/** The fuzzer itself failed (its model, a command's code, fast-check): not the worker's failure. */
export class HarnessError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'HarnessError'
  }
}

/**
 * Unhandled rejections, watched by one process listener for every sequence in flight, so that
 * lanes playing at once do not each add a listener of their own.
 */
export class RejectionWatch {
  private readonly sinks = new Set<unknown[]>()
  private readonly listener = (reason: unknown): void => {
    for (const sink of this.sinks) sink.push(reason)
  }

  /** Starts collecting into a new list; `stop` ends it (and removes the process listener with the last one). */
  watch(): { readonly rejections: readonly unknown[]; stop(): void } {
    const rejections: unknown[] = []
    if (this.sinks.size === 0) process.on('unhandledRejection', this.listener)
    this.sinks.add(rejections)
    return {
      rejections,
      stop: () => {
        if (this.sinks.delete(rejections) && this.sinks.size === 0) process.off('unhandledRejection', this.listener)
      },
    }
  }
}

/** Plays one command sequence against a fresh worker; throws SequenceFailure on any violation, HarnessError when the fuzzer itself fails. */
export async function playSequence(target: Target, commands: Iterable<FuzzCommand>, stepTimeoutMs = 1000, readyTimeoutMs?: number, watch: RejectionWatch = new RejectionWatch(), tally?: MessageTally): Promise<Fixture['steps']> {
  let transport
  try {
    // No features: the model answers a worker's request several commands later, so the worker must
    // keep its normal request timeout (a short one turned a busy machine into false counterexamples).
    transport = await target.connect({ features: [] })
  } catch (error) {
    throw new SequenceFailure('EXT-LIFE-001', `could not start the worker: ${(error as Error).message}`, [])
  }
  const peer = new HostPeer(transport)
  const run = new FixtureRun(fuzzFixture('fuzz/sequence', []), peer, stepTimeoutMs, readyTimeoutMs === undefined ? {} : { readyTimeoutMs })
  const session = new FuzzSession(run, peer)
  const watching = watch.watch()
  const rejections = watching.rejections
  try {
    await run.ready()
    await fc.asyncModelRun(() => ({ model: new WorkerModel(), real: session }), commands)
    await new Promise((resolve) => setImmediate(resolve)) // let the last messages arrive
    for (const r of peer.received) {
      const e = r.errors[0]
      if (e && e.code !== 'EXT-WIRE-006') throw new SequenceFailure(e.code, `invalid message from the worker: ${e.message}`, session.steps)
    }
    const violations = checkInvariants(peer.timeline, { complete: false })
    if (violations.length > 0) throw new SequenceFailure(violations[0]!.requirement, violations[0]!.message, session.steps)
    if (rejections.length > 0) {
      // Only an implementation in this process can cause a rejection here; otherwise it is the harness's.
      if (target.inProcess === true) throw new SequenceFailure('EXT-IN-001', `unhandled promise rejection: ${String(rejections[0])}`, session.steps)
      throw new HarnessError(`unhandled promise rejection in the fuzzer: ${String(rejections[0])}`)
    }
    if (peer.closedWith) throw new SequenceFailure('EXT-IN-001', 'the worker went away', session.steps)
    return session.steps
  } catch (error) {
    if (error instanceof SequenceFailure) throw error
    if (error instanceof StepFailure) {
      if (error.failure.kind === 'suite') throw new HarnessError(`the fuzzer generated a wrong step: ${error.failure.message}`)
      throw new SequenceFailure(error.failure.requirement, `${error.failure.message}${error.failure.expected ? `; expected ${error.failure.expected}` : ''}${error.failure.actual ? `; actual ${error.failure.actual}` : ''}`, session.steps)
    }
    // Anything else was thrown by the model, a command's own code or fast-check: the harness, not the worker.
    throw new HarnessError(error instanceof Error ? `${error.name}: ${error.message}` : String(error))
  } finally {
    watching.stop()
    if (tally) for (const entry of peer.timeline) if (entry.direction === 'host-to-worker') tally.messages++
    await peer.close().catch(() => undefined)
  }
}

/**
 * What a campaign plays, whatever the role: how one run is drawn (fast-check value), how it is
 * played (throwing {@link SequenceFailure} or {@link HarnessError}), which commands it holds (for the
 * report and the replay path), and the fixture its steps make.
 */
export interface CampaignPlan<T> {
  /** A fresh arbitrary per lane: `fc.commands` records, across every value it draws, which commands ran (its replay path). */
  arbitrary(): fc.Arbitrary<T>
  play(value: T): Promise<Fixture['steps']>
  commandsOf(value: T): Iterable<FuzzCommandLike>
  fixture(id: string, steps: Fixture['steps'], value: T | undefined): Fixture
  /** Id of a counterexample fixture without `fixtureId`, before `-<seed>` (default `fuzz/counterexample`). */
  readonly idPrefix?: string
  /** Messages the host side sent so far, when the plan counts them (reported as {@link CampaignResult.hostMessages}). */
  hostMessages?(): number
}

/** What the report needs of a command: its text (fast-check's command lists print their replay path). */
export type FuzzCommandLike = { toString(): string }

/** A counter of the host messages sequences sent (the fuzzing bench's unit). */
export interface MessageTally {
  messages: number
}

/** The worker-role plan: fast-check command sequences played against `target`. */
export function workerPlan(target: Target, options: Pick<CampaignOptions, 'maxCommands' | 'size' | 'replayPath' | 'stepTimeoutMs' | 'readyTimeoutMs'>, tally: MessageTally = { messages: 0 }): CampaignPlan<Iterable<FuzzCommand>> {
  const arbitrary = () =>
    fc.commands(commandArbitraries(), {
      maxCommands: options.maxCommands ?? 20,
      size: options.size ?? 'medium',
      ...(options.replayPath !== undefined ? { replayPath: options.replayPath } : {}),
    })
  const watch = new RejectionWatch()
  return {
    arbitrary,
    play: (commands) => playSequence(target, commands, options.stepTimeoutMs, options.readyTimeoutMs, watch, tally),
    commandsOf: (commands) => commands,
    fixture: (id, steps) => fuzzFixture(id, [...steps]),
    hostMessages: () => tally.messages,
  }
}

/** Runs a worker-role campaign against `target` (in this thread: see `runThreadedCampaign` for in-process targets on every core). */
export async function runCampaign(target: Target, options: CampaignOptions): Promise<CampaignResult> {
  return runPlan(workerPlan(target, options), { ...options, lanes: options.lanes ?? (target.inProcess === true ? IN_PROCESS_LANES : 1) })
}

/** The seed of lane `lane` of a campaign seeded `seed` (lane 0 keeps the campaign's seed). */
export function laneSeed(seed: number, lane: number): number {
  return lane === 0 ? seed : Math.imul(seed ^ Math.imul(lane, 0x9e3779b9), 0x85ebca6b) ^ lane
}

/** Splits a printed path into its lane and fast-check's own path (`3/7:1:0` is lane 3; a bare path is lane 0). */
export function splitLanePath(path: string): { lane: number; path: string } {
  const m = /^(\d+)\/(.*)$/.exec(path)
  return m ? { lane: Number(m[1]), path: m[2] as string } : { lane: 0, path }
}

/**
 * Which lanes of a campaign one thread plays, and how: plain data, so that a worker thread gets it
 * as it is. A lane's runs and seed depend only on the campaign (its runs, seed and lane count), never
 * on the share, so a campaign plays the same sequences however its lanes are shared out.
 */
export interface LaneShare {
  readonly seed: number
  readonly runs: number
  readonly laneCount: number
  readonly lanes: readonly number[]
  /** A replay: its lane (the only one in `lanes`) and fast-check's path. */
  readonly replay?: { readonly lane: number; readonly path: string }
  /** Campaign deadline as a `Date.now()` time: no sequence starts after it. */
  readonly deadlineAt?: number
  /** Lanes played at once in one thread (default: all of `lanes`). */
  readonly inFlight?: number
}

/**
 * What the lanes of one campaign share, wherever they run. The first lane to fail (`failedLane`)
 * shrinks alone: every other lane stops playing (its remaining runs pass without a sequence).
 */
export interface LaneControl {
  failedLane: number | undefined
  /** Every lane stops playing (the campaign was aborted, or failed elsewhere). */
  stopped: boolean
  /** A sequence of the campaign completed (shrink steps are not counted). */
  played(): void
  /** A lane of this share failed: called before it shrinks. */
  failed(lane: number): void
}

/**
 * The campaign's own lane control: counts the sequences played (`count`), reports progress as the
 * options ask, and calls `failed` when a lane of this thread fails.
 */
export function campaignControl(options: CampaignOptions, failed: (lane: number) => void): LaneControl & { count(): number } {
  let played = 0
  return {
    failedLane: undefined,
    stopped: false,
    played: () => {
      played++
      if (options.onProgress && played % (options.progressEvery ?? 100) === 0) options.onProgress(played, options.runs)
    },
    failed,
    count: () => played,
  }
}

/** One lane's fast-check run (its counterexample is a value of the plan that played it). */
export interface LaneRun {
  readonly lane: number
  readonly details: fc.RunDetails<unknown>
}

/**
 * What a lane's fast-check run says. A lane the deadline stopped before its first run is reported
 * failed by fast-check, without a counterexample: that is an interruption, not a failure.
 */
export function laneOutcome<V>(details: fc.RunDetails<V>): { readonly failed: boolean; readonly interrupted: boolean; readonly error?: string } {
  const counterexample = details.failed && details.counterexample !== null
  if (details.failed && !counterexample && !details.interrupted) return { failed: false, interrupted: false, error: `fast-check failed without a counterexample: ${String(details.errorInstance)}` }
  return { failed: counterexample, interrupted: details.interrupted }
}

/** Runs of `lane` in a campaign of `runs` sequences over `laneCount` lanes. */
export function laneRuns(runs: number, laneCount: number, lane: number): number {
  return Math.floor(runs / laneCount) + (lane < runs % laneCount ? 1 : 0)
}

/**
 * Plays lanes, each its own fast-check run, `share.inFlight` at once (default: all of `share.lanes`):
 * first `share.lanes`, then those `source` hands out (as threads ask) until it has none;
 * throws when fast-check itself fails. Once a lane has failed or the campaign is stopped, no further
 * lane starts (they would only pass without playing).
 */
export async function playLanes<T>(plan: CampaignPlan<T>, share: LaneShare, control: LaneControl, source?: () => number | undefined | Promise<number | undefined>): Promise<LaneRun[]> {
  const check = (lane: number, numRuns: number) => {
    const property = fc.asyncProperty(plan.arbitrary(), async (value) => {
      if (control.stopped || (control.failedLane !== undefined && control.failedLane !== lane)) return // another lane failed first and is shrinking alone
      try {
        await plan.play(value)
      } catch (error) {
        if (control.failedLane === undefined) {
          control.failedLane = lane
          control.failed(lane)
        }
        throw error
      }
      if (control.failedLane !== undefined || control.stopped) return // a shrink step, not a sequence of the campaign
      control.played()
    })
    const remaining = share.deadlineAt === undefined ? undefined : Math.max(0, share.deadlineAt - Date.now())
    return fc.check(property, {
      numRuns,
      seed: laneSeed(share.seed, lane),
      ...(share.replay ? { path: share.replay.path } : {}),
      endOnFailure: false,
      ...(remaining !== undefined ? { plugins: [fc.interruptAfterTimeLimit(remaining)] } : {}),
    })
  }
  const runs: LaneRun[] = []
  const queue = [...share.lanes]
  const next = () => queue.shift() ?? source?.()
  // `inFlight` lanes at once: each takes the next lane when it ends, until no lane is left (or the campaign stops).
  const player = async () => {
    for (let lane = await next(); lane !== undefined; lane = control.stopped || control.failedLane !== undefined ? undefined : await next()) {
      runs.push({ lane, details: await check(lane, share.replay ? share.runs : laneRuns(share.runs, share.laneCount, lane)) })
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(share.inFlight ?? share.lanes.length, source ? Number.MAX_SAFE_INTEGER : share.lanes.length)) }, player))
  return runs
}

/** A counterexample as the report carries it. */
export type Counterexample = NonNullable<CampaignResult['counterexample']>

/** The lane whose failure the campaign reports: the first to fail, else any failed one. */
export function failingLane<L extends { readonly lane: number; readonly failed: boolean }>(lanes: readonly L[], failedLane: number | undefined): L | undefined {
  return lanes.find((l) => l.lane === failedLane && l.failed) ?? lanes.find((l) => l.failed)
}

/** Turns a failed lane into the report's counterexample: its path, its commands, and its steps replayed once more into a fixture. */
export async function counterexampleOf<T>(plan: CampaignPlan<T>, seed: number, fixtureId: string, failing: LaneRun): Promise<{ readonly harness: boolean; readonly counterexample: Counterexample }> {
  const details = failing.details
  const path = failing.lane === 0 ? (details.counterexamplePath ?? '') : `${failing.lane}/${details.counterexamplePath ?? ''}`
  const [value] = details.counterexample as [T]
  const commands = plan.commandsOf(value)
  const listed = [...commands].map(String)
  // fast-check appends the command replay path to the sequence's text: /*replayPath="..."*/
  const replayPath = replayPathOf(String(commands))
  // Replay the shrunk sequence once more to capture exactly its steps.
  let failure: SequenceFailure | HarnessError | undefined
  try {
    await plan.play(value)
  } catch (error) {
    failure = error instanceof SequenceFailure || error instanceof HarnessError ? error : new HarnessError(String(error))
  }
  const first = details.errorInstance
  const cause = first instanceof SequenceFailure || first instanceof HarnessError ? first : failure
  const fixture = plan.fixture(fixtureId, failure instanceof SequenceFailure ? [...failure.steps] : [], value)
  if (cause instanceof SequenceFailure) fixture.requirements = [cause.requirement]
  fixture.description = `extwire fuzz --seed ${seed} --path ${path} --replay-path ${replayPath}: ${listed.join(', ')}`
  return {
    harness: cause instanceof HarnessError || cause === undefined,
    counterexample: {
      path,
      replayPath,
      requirement: cause instanceof SequenceFailure ? cause.requirement : '',
      message: cause?.message ?? String(first),
      commands: listed,
      fixture,
    },
  }
}

/** The share of every lane of a campaign (or of the replayed one), in one thread. */
export function campaignShare(options: CampaignOptions, seed: number): LaneShare {
  const replay = options.path ? splitLanePath(options.path) : undefined
  const laneCount = replay ? 1 : Math.max(1, Math.min(options.lanes ?? 1, options.runs))
  return {
    seed,
    runs: options.runs,
    laneCount,
    lanes: replay ? [replay.lane] : Array.from({ length: laneCount }, (_, lane) => lane),
    ...(replay ? { replay } : {}),
    ...(options.deadlineMs !== undefined ? { deadlineAt: Date.now() + options.deadlineMs } : {}),
  }
}

/** The result of a campaign that failed before any lane could report (fast-check itself, a thread): a harness error. */
export function harnessResult(options: CampaignOptions, seed: number, fixture: Fixture, played: number, durationMs: number, message: string, interrupted = false): CampaignResult {
  return { runs: played, seed, outcome: 'harness-error', failed: true, durationMs, ...(interrupted ? { interrupted: true } : {}), counterexample: { path: interrupted ? '' : (options.path ?? ''), replayPath: interrupted ? '' : (options.replayPath ?? ''), requirement: '', message, commands: [], fixture } }
}

/** The result of a campaign whose lanes all passed: clean, or a harness error when a deadline stopped it before one sequence. */
export function passedResult(options: CampaignOptions, seed: number, fixture: () => Fixture, played: number, durationMs: number, interrupted: boolean): CampaignResult {
  // Nothing was played before the deadline (or the abort): that is no evidence of anything, never a green.
  if (interrupted && played === 0) {
    const why = options.signal?.aborted === true ? 'the campaign was stopped' : `the campaign deadline of ${options.deadlineMs ?? 0} ms passed`
    return harnessResult(options, seed, fixture(), 0, durationMs, `${why} before one sequence completed`, true)
  }
  return { runs: played, seed, outcome: 'clean', failed: false, durationMs, ...(interrupted ? { interrupted: true } : {}) }
}

/**
 * Runs any campaign plan in this thread: checks, shrinks, replays the shrunk run once more to
 * capture its steps. With several lanes, each lane is its own fast-check run over its share of
 * `runs` (`inFlight` of them at once, default all); the first lane to fail shrinks alone (the others
 * stop playing), and its path names it.
 */
export async function runPlan<T>(plan: CampaignPlan<T>, options: CampaignOptions, inFlight?: number): Promise<CampaignResult> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31)
  const started = performance.now()
  const fixtureId = options.fixtureId ?? `${plan.idPrefix ?? 'fuzz/counterexample'}-${seed}`
  const control = campaignControl(options, () => undefined)
  const counted = (r: CampaignResult): CampaignResult => (plan.hostMessages ? { ...r, hostMessages: plan.hostMessages() } : r)
  const stop = () => {
    control.stopped = true
  }
  if (options.signal?.aborted === true) stop()
  options.signal?.addEventListener('abort', stop)
  let lanes
  try {
    lanes = await playLanes(plan, { ...campaignShare(options, seed), ...(inFlight !== undefined ? { inFlight } : {}) }, control)
  } catch (error) {
    // fast-check itself failed (for instance a replay path that does not fit this generator): a harness error.
    return counted(harnessResult(options, seed, plan.fixture(fixtureId, [], undefined), control.count(), performance.now() - started, `fast-check: ${(error as Error).message}`))
  } finally {
    options.signal?.removeEventListener('abort', stop)
  }
  const outcomes = lanes.map((l) => ({ ...l, ...laneOutcome(l.details) }))
  const durationMs = performance.now() - started
  const error = outcomes.find((l) => l.error !== undefined)?.error
  if (error !== undefined) return counted(harnessResult(options, seed, plan.fixture(fixtureId, [], undefined), control.count(), durationMs, error))
  const failing = failingLane(outcomes, control.failedLane)
  if (failing === undefined) return counted(passedResult(options, seed, () => plan.fixture(fixtureId, [], undefined), control.count(), durationMs, options.signal?.aborted === true || outcomes.some((l) => l.interrupted)))
  const { harness, counterexample } = await counterexampleOf(plan, seed, fixtureId, failing)
  return counted({ runs: control.count() + 1, seed, outcome: harness ? 'harness-error' : 'counterexample', failed: true, durationMs, counterexample })
}

/** The command replay path fast-check writes into a sequence's text, or `''`. */
export function replayPathOf(text: string): string {
  const m = /\/\*replayPath=("(?:[^"\\]|\\.)*")\*\//.exec(text)
  return m ? (JSON.parse(m[1] as string) as string) : ''
}
