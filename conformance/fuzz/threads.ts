/**
 * A worker-role campaign against an in-process target on every core. Its lanes are shared out:
 * lane `l` plays in thread `l % threads`, thread 0 being this one and the others worker threads
 * started from the built `dist/fuzz-lanes.cjs`, each of which builds its own target from a
 * {@link LaneTarget} (a function cannot cross a thread). A lane's runs and seed depend only on the
 * campaign's seed, runs and lane count, so every lane plays the same sequences whatever the thread
 * count; the campaign reports the first lane to fail (as in one thread, timing decides which lane
 * that is when several fail), and its printed path replays it in one thread.
 *
 * The threads are owned: at most one per core by default, told to stop when any lane fails or the
 * campaign is aborted, and terminated before the campaign returns on every path.
 */
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { PACKAGE_ROOT } from '../paths.js'
import type { Target } from '../targets.js'
import {
  IN_PROCESS_LANES,
  campaignControl,
  campaignShare,
  counterexampleOf,
  failingLane,
  laneOutcome,
  harnessResult,
  passedResult,
  playLanes,
  runPlan,
  workerPlan,
  type CampaignOptions,
  type CampaignResult,
  type Counterexample,
  type LaneRun,
  type LaneShare,
} from './campaign.js'

/** An in-process target a worker thread can build for itself: the reference runtime, or one of its mutants by name. */
export type LaneTarget = { readonly kind: 'reference' } | { readonly kind: 'mutant'; readonly name: string }

/**
 * Lanes of a threaded campaign: many short lanes, handed out as threads ask for them (each plays
 * {@link IN_PROCESS_LANES} at once), so that a thread that starts late or a lane that runs long
 * leaves no core idle at the end. At most this many ({@link threadedLanes}): the count follows from
 * the runs alone, so a seed plays the same sequences whatever the thread count (one thread included).
 */
export const THREADED_LANES = 1024

/**
 * Runs per lane. Short lanes leave a short tail: once no lane is left to hand out, a thread plays
 * fewer lanes at once, and its core idles while they wait. One thread, 1,500 runs, quiet machine:
 * 315–324 sequences/s at 32 lanes at once of 16 runs, 368–466 at 64 of 4 (the CPU of the process,
 * against the wall clock, went from 0.86–0.92 to 1.23–1.25). fast-check biases a run towards small values with a
 * probability that falls with the run's index (1 in 2 at first, 1 in 3 from the tenth run), so
 * 4-run lanes draw about as many biased runs as 16-run lanes, and sequences as long (20.2 against
 * 20.3 host messages on average, measured).
 */
export const RUNS_PER_LANE = 4

/** The lanes of a threaded campaign of `runs` sequences: a function of `runs` alone, never of the thread count. */
export function threadedLanes(runs: number): number {
  return Math.max(1, Math.min(THREADED_LANES, Math.floor(runs / RUNS_PER_LANE)))
}

/** Builds the target a {@link LaneTarget} names, in the calling thread (the suite knows implementations only through such a function). */
export type LaneTargetBuilder = (spec: LaneTarget) => Target

/**
 * The thread entry, built by tsup (`npm run build`, `npm test` and `npm run bench` build it) from
 * `conformance/reference/fuzz-lanes.ts`: {@link serveLanes} with the reference implementations' builder.
 */
export const FUZZ_LANES_ENTRY = join(PACKAGE_ROOT, 'dist/fuzz-lanes.cjs')

/** Options of {@link runThreadedCampaign}. */
export interface ThreadedCampaignOptions extends CampaignOptions {
  /** Threads at most, this one included (default: `availableParallelism()`); 1 plays every lane here. */
  readonly threads?: number
  /** The thread entry (default {@link FUZZ_LANES_ENTRY}). */
  readonly threadEntry?: string
  /** Sees every worker thread as it starts (tests check that each has exited when the campaign returns). */
  readonly onThreadStart?: (thread: Worker) => void
}

/** What a worker thread is given: plain data. */
export interface LaneThreadData {
  readonly target: LaneTarget
  readonly share: LaneShare
  readonly fixtureId: string
  readonly plan: Pick<CampaignOptions, 'maxCommands' | 'size' | 'replayPath' | 'stepTimeoutMs' | 'readyTimeoutMs'>
}

/** What a worker thread reports. */
export type FromLaneThread =
  | { readonly kind: 'played' }
  /** It can play one more lane. */
  | { readonly kind: 'want' }
  | { readonly kind: 'failed'; readonly lane: number }
  /** Its lanes ended (`error`: fast-check itself failed, a harness error). */
  | { readonly kind: 'lanes'; readonly lanes: ReadonlyArray<{ readonly lane: number; readonly failed: boolean; readonly interrupted: boolean }>; readonly hostMessages: number; readonly error?: string }
  | { readonly kind: 'counterexample'; readonly harness: boolean; readonly counterexample: Counterexample; readonly hostMessages: number }

/** What a worker thread is told: the lane it asked for (none: no lane is left), stop (every lane, or all but the lane that failed first), or turn its failed lane into the counterexample. */
export type ToLaneThread = { readonly kind: 'stop'; readonly lane?: number } | { readonly kind: 'finish'; readonly lane: number } | { readonly kind: 'lane'; readonly lane: number | undefined }

type LanesReport = Extract<FromLaneThread, { kind: 'lanes' }>
type CounterexampleReport = Extract<FromLaneThread, { kind: 'counterexample' }>

/** One worker thread of a campaign: its reports as promises, which reject when it fails or exits early. */
class LaneThread {
  readonly worker: Worker
  private readonly waiting = new Map<string, { resolve(m: FromLaneThread): void; reject(e: Error): void }>()
  private gone: Error | undefined

  constructor(entry: string, data: LaneThreadData, onReport: (m: FromLaneThread, thread: LaneThread) => void, onGone: (e: Error) => void) {
    // Profiling flags carry over (so that a profile covers the threads); loaders do not: the entry is built JavaScript.
    this.worker = new Worker(entry, { workerData: data, execArgv: process.execArgv.filter((a) => a.startsWith('--cpu-prof')) })
    this.worker.on('message', (m: FromLaneThread) => {
      onReport(m, this)
      const w = this.waiting.get(m.kind)
      if (w) {
        this.waiting.delete(m.kind)
        w.resolve(m)
      }
    })
    const fail = (e: Error) => {
      if (this.gone) return
      this.gone = e
      for (const w of this.waiting.values()) w.reject(e)
      this.waiting.clear()
      onGone(e)
    }
    this.worker.on('error', (e) => fail(new Error(`a fuzz thread failed: ${e.message}`)))
    this.worker.on('exit', (code) => fail(new Error(`a fuzz thread exited (code ${code}) before it reported`)))
  }

  /** The next report of `kind` (a thread reports each kind once). */
  next<K extends FromLaneThread['kind']>(kind: K): Promise<Extract<FromLaneThread, { kind: K }>> {
    if (this.gone) return Promise.reject(this.gone)
    return new Promise((resolve, reject) => this.waiting.set(kind, { resolve: resolve as (m: FromLaneThread) => void, reject }))
  }

  tell(message: ToLaneThread): void {
    if (!this.gone) this.worker.postMessage(message)
  }

  /** Ends the thread and waits until it has (no report is waited for after this). */
  async end(): Promise<void> {
    this.gone ??= new Error('the fuzz thread was ended')
    await this.worker.terminate()
  }
}

/** How many threads a campaign can use, and why it uses one when it does. */
export function threadPlan(options: ThreadedCampaignOptions, laneCount: number): { readonly count: number; readonly note?: string } {
  const wanted = options.threads ?? availableParallelism()
  if (!Number.isInteger(wanted) || wanted < 1) throw new RangeError(`threads ${wanted}: expected a whole number from 1`)
  if (options.path !== undefined) return { count: 1, note: 'a replay plays one lane' }
  const count = Math.min(wanted, laneCount)
  if (count <= 1) return { count: 1, ...(wanted > 1 ? { note: `${laneCount} lane(s)` } : {}) }
  const entry = options.threadEntry ?? FUZZ_LANES_ENTRY
  if (!existsSync(entry)) return { count: 1, note: `${entry} is not built (npm run build): one thread` }
  return { count }
}

/**
 * Runs a worker-role campaign against an in-process target (`build(spec)` here; the thread entry
 * builds its own from `spec` with the same builder), its lanes shared out between this thread and
 * worker threads. Falls back to this thread alone (the result's `threads` says why)
 * for a replay, a campaign of one lane, or when the thread entry is not built.
 */
export async function runThreadedCampaign(spec: LaneTarget, build: LaneTargetBuilder, options: ThreadedCampaignOptions): Promise<CampaignResult> {
  const target = build(spec)
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31)
  const campaign: CampaignOptions = { ...options, seed, lanes: options.lanes ?? threadedLanes(options.runs) }
  const share = { ...campaignShare(campaign, seed), inFlight: IN_PROCESS_LANES }
  const threads = threadPlan(options, share.laneCount)
  if (threads.count === 1) {
    const result = await runPlan(workerPlan(target, options), campaign, IN_PROCESS_LANES)
    return { ...result, threads: threads.note === undefined ? { count: 1 } : { count: 1, note: threads.note } }
  }
  return playThreaded(spec, target, campaign, share, threads.count, options)
}

async function playThreaded(spec: LaneTarget, target: Target, options: CampaignOptions, share: LaneShare, count: number, threaded: ThreadedCampaignOptions): Promise<CampaignResult> {
  const seed = share.seed
  const started = performance.now()
  const plan = workerPlan(target, options)
  const fixtureId = options.fixtureId ?? `fuzz/counterexample-${seed}`
  let problem: Error | undefined
  // Each thread starts with its own lanes (lane l of the first `inFlight` per thread goes to thread
  // l % count); the others are handed out in order as threads ask, until none is left.
  const first = Math.min(share.lanes.length, count * (share.inFlight ?? 1))
  const initial = (k: number) => share.lanes.slice(0, first).filter((l) => l % count === k)
  const queue = share.lanes.slice(first)
  const nextLane = () => (control.stopped || control.failedLane !== undefined ? undefined : queue.shift())
  const threads: LaneThread[] = []
  const broadcast = (m: ToLaneThread) => {
    for (const t of threads) t.tell(m)
  }
  // This thread's control is the campaign's: its failedLane is the lane that failed first anywhere.
  const control = campaignControl(options, (lane) => broadcast({ kind: 'stop', lane }))
  const stopAll = () => {
    control.stopped = true
    broadcast({ kind: 'stop' })
  }
  const onReport = (m: FromLaneThread, thread: LaneThread) => {
    if (m.kind === 'played') control.played()
    else if (m.kind === 'want') thread.tell({ kind: 'lane', lane: nextLane() })
    else if (m.kind === 'failed' && control.failedLane === undefined) {
      control.failedLane = m.lane
      broadcast({ kind: 'stop', lane: m.lane })
    }
  }
  const onGone = (e: Error) => {
    problem ??= e
    stopAll()
  }
  const aborted = () => threaded.signal?.aborted === true
  threaded.signal?.addEventListener('abort', stopAll)
  try {
    for (let k = 1; k < count; k++) {
      const data: LaneThreadData = { target: spec, share: { ...share, lanes: initial(k) }, fixtureId, plan: pick(options) }
      const thread = new LaneThread(threaded.threadEntry ?? FUZZ_LANES_ENTRY, data, onReport, onGone)
      threads.push(thread)
      threaded.onThreadStart?.(thread.worker)
    }
    if (aborted()) stopAll()
    const own = playLanes(plan, { ...share, lanes: initial(0) }, control, nextLane).catch((e: unknown) => {
      stopAll()
      throw e
    })
    const reports = threads.map((t) => t.next('lanes'))
    const settled = await Promise.allSettled([own, ...reports])
    const ownRuns = settled[0].status === 'fulfilled' ? (settled[0].value as LaneRun[]) : []
    const counted = (r: CampaignResult): CampaignResult => ({
      ...r,
      hostMessages: (plan.hostMessages?.() ?? 0) + settled.slice(1).reduce((n, s) => n + (s.status === 'fulfilled' ? (s.value as LanesReport).hostMessages : 0), 0),
      threads: { count },
    })
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected')
    const fastCheck = settled.slice(1).map((s) => (s.status === 'fulfilled' ? (s.value as LanesReport).error : undefined)).find((e) => e !== undefined)
    if (failure || problem || fastCheck !== undefined) {
      const message = problem?.message ?? (failure ? `fast-check: ${(failure.reason as Error).message}` : (fastCheck ?? ''))
      return counted(harnessResult(options, seed, plan.fixture(fixtureId, [], undefined), control.count(), performance.now() - started, message))
    }
    const reported = settled.slice(1).flatMap((s, i) => (s as PromiseFulfilledResult<LanesReport>).value.lanes.map((l) => ({ ...l, thread: i })))
    const mine = ownRuns.map((r) => ({ lane: r.lane, ...laneOutcome(r.details), thread: -1 }))
    const ownError = mine.find((l) => l.error !== undefined)?.error
    if (ownError !== undefined) return counted(harnessResult(options, seed, plan.fixture(fixtureId, [], undefined), control.count(), performance.now() - started, ownError))
    const all = [...mine, ...reported]
    const failing = failingLane(all, control.failedLane)
    const durationMs = performance.now() - started
    if (failing === undefined) return counted(passedResult(options, seed, () => plan.fixture(fixtureId, [], undefined), control.count(), durationMs, aborted() || all.some((l) => l.interrupted)))
    let found: { readonly harness: boolean; readonly counterexample: Counterexample }
    if (failing.thread < 0) found = await counterexampleOf(plan, seed, fixtureId, ownRuns.find((r) => r.lane === failing.lane) as LaneRun)
    else {
      const owner = threads[failing.thread] as LaneThread
      const report = owner.next('counterexample')
      owner.tell({ kind: 'finish', lane: failing.lane })
      try {
        found = (await report) as CounterexampleReport
      } catch (error) {
        return counted(harnessResult(options, seed, plan.fixture(fixtureId, [], undefined), control.count(), durationMs, (error as Error).message))
      }
    }
    return counted({ runs: control.count() + 1, seed, outcome: found.harness ? 'harness-error' : 'counterexample', failed: true, durationMs, counterexample: found.counterexample })
  } finally {
    threaded.signal?.removeEventListener('abort', stopAll)
    await Promise.all(threads.map((t) => t.end()))
  }
}

/** The plan options a thread needs (plain data). */
function pick(options: CampaignOptions): LaneThreadData['plan'] {
  return {
    ...(options.maxCommands !== undefined ? { maxCommands: options.maxCommands } : {}),
    ...(options.size !== undefined ? { size: options.size } : {}),
    ...(options.replayPath !== undefined ? { replayPath: options.replayPath } : {}),
    ...(options.stepTimeoutMs !== undefined ? { stepTimeoutMs: options.stepTimeoutMs } : {}),
    ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}),
  }
}
