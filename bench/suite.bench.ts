/**
 * Full conformance suite wall time over worker_threads against its floor (issue 12): the floor is
 * what the suite would take if starting a worker cost no more than starting an empty one and those
 * starts were spread perfectly over the cores, on top of the suite's own waits (measured in
 * process): empty-worker start × fixtures ÷ cores + in-process suite time, all in the same run.
 * The worker is the built, bundled reference worker (`npm run build` first), and the empty worker
 * is in its module format (CommonJS): an empty ES module worker, printed for scale, starts slower,
 * and would lower the bar.
 *
 * Beside the ratio it prints where the time goes, because a wall time alone cannot say: the CPU
 * of the run (all threads) and of its main thread, how busy the cores were, the CPU one worker
 * costs from start to end (reference and empty), and each fixture's phases (waiting for its
 * worker's `ready`, its steps, ending its worker).
 */
import { fileURLToPath } from 'node:url'
import { existsSync, readFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { runSuite } from '../conformance/runner.js'
import { workerTarget, type ConnectContext, type Lease, type PoolOptions, type Target, type WorkerPool } from '../conformance/targets.js'
import { embeddedTarget } from '../conformance/reference/target.js'
import type { Transport } from '../src/transport/types.js'
import { allFixtures } from '../test/helpers/suite.js'
import { loadLine, median, printRatio, printSummary, type SummaryRow } from './lib.js'
import { emptyWorkersFor } from './empty-worker.js'

/** Fixtures at once, as the transport tests run the suite. */
const CONCURRENCY = 4

/** CPU time of this process, every thread (ms). */
function processCpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/** CPU time of the main thread alone (ms), where Linux reports it (schedstat, in ns); undefined elsewhere. */
function mainThreadCpuMs(): number | undefined {
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6
  } catch {
    return undefined
  }
}

interface StartFigures {
  /** Median start-to-ready (ms). */
  readonly readyMs: number
  /** Mean CPU of this process per worker from its start to its end (ms): nothing else runs meanwhile. */
  readonly cpuMs: number
}

/** Start-to-ready of a worker module, started and ended one at a time; and the CPU of each worker's whole life. */
async function startToReady(file: string, rounds = 8): Promise<StartFigures> {
  const starts: number[] = []
  const cpu0 = processCpuMs()
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    const transport = await workerTarget(file, [], []).connect()
    await new Promise<void>((resolve) => transport.onMessage((m) => (m as { type?: string }).type === 'ready' && resolve()))
    starts.push(performance.now() - t0)
    await transport.close()
  }
  return { readyMs: median(starts), cpuMs: (processCpuMs() - cpu0) / rounds }
}

/** One fixture's worker, as the suite used it (ms since the run began). */
interface Timeline {
  /** The fixture asked for its worker. */
  readonly taken: number
  /** How long before that the worker had been started (0: started when asked for). */
  readonly age: number
  /** The worker had said `ready` before it was handed out (it was started ahead). */
  readyAtTake: boolean
  /** The fixture saw `ready`. */
  ready?: number
  /** The fixture asked for its worker to end. */
  ending?: number
  /** The worker had ended. */
  ended?: number
}

/**
 * The worker target as the suite sees it, recording each fixture's timeline: the same workers and
 * pool, each transport passed through as it is (messages, errors and close untouched).
 */
function recordingTarget(inner: Target, t0: number, timelines: Timeline[]): Target {
  const watch = (lease: Lease, taken: number): Lease => {
    const t: Timeline = { taken, age: lease.ageMs, readyAtTake: false }
    timelines.push(t)
    const tr = lease.transport
    const at = () => performance.now() - t0
    const transport: Transport = {
      send: (m) => tr.send(m),
      onMessage: (listener) =>
        tr.onMessage((m) => {
          if (t.ready === undefined && (m as { type?: unknown } | null)?.type === 'ready') {
            t.ready = at()
            // Held messages are delivered in a microtask after the listener is added: ready "at once" means it was waiting.
            t.readyAtTake = t.ready - taken < 1 && lease.ageMs > 0
          }
          listener(m)
        }),
      onError: (listener) => tr.onError(listener),
      onClose: (listener) => tr.onClose(listener),
      close: async () => {
        t.ending ??= at()
        await tr.close()
        t.ended ??= at()
      },
      get closed() {
        return tr.closed
      },
    }
    return { transport, ageMs: lease.ageMs }
  }
  const pool = inner.pool
  return {
    name: inner.name,
    features: inner.features,
    connect: async (context?: ConnectContext) => {
      const taken = performance.now() - t0
      return watch({ transport: await inner.connect(context), ageMs: 0 }, taken).transport
    },
    ...(pool
      ? {
          pool: (options: PoolOptions): WorkerPool => {
            const p = pool(options)
            return {
              get idle() {
                return p.idle
              },
              prepare: (context) => p.prepare(context),
              take: async (context) => {
                const taken = performance.now() - t0
                return watch(await p.take(context), taken)
              },
              close: () => p.close(),
            }
          },
        }
      : {}),
  }
}

/** Runs the suite-time benchmark; prints its summary and adds its rows to `rows` (for a summary of every bench). */
export async function suiteBench(rows: SummaryRow[] = []): Promise<void> {
  const fixtures = allFixtures()
  const worker = fileURLToPath(new URL('../dist/conformance-worker.cjs', import.meta.url))
  const cores = availableParallelism()
  console.log(`\nFull conformance suite (${fixtures.length} fixtures, ${CONCURRENCY} at a time; ${loadLine()})`)
  if (!existsSync(worker)) {
    console.log('  dist/conformance-worker.cjs is missing: run `npm run build` first')
    return
  }
  const line = (label: string, value: string, note = '') => console.log(`  ${label.padEnd(58)} ${value.padStart(10)}${note ? `   ${note}` : ''}`)
  const time = async (name: string, target: Target) => {
    const t0 = performance.now()
    const results = await runSuite(fixtures, target, { concurrency: CONCURRENCY })
    const ms = performance.now() - t0
    const failed = results.filter((r) => r.status !== 'pass').length
    line(name, `${(ms / 1000).toFixed(2)} s`, `${failed} failed`)
    return ms
  }
  // The baselines are measured around the suite, so that a change of load in between hits both sides.
  const empty = emptyWorkersFor(worker)
  const emptyBefore = await startToReady(empty.same)
  const inProcess = await time('in-process (memory transport)', embeddedTarget())
  // execArgv []: the workers must not inherit this process's tsx loader, as they do not under `extwire conformance`.
  const timelines: Timeline[] = []
  const cpu0 = processCpuMs()
  const main0 = mainThreadCpuMs()
  const t0 = performance.now()
  const threads = await time('worker_threads (one fresh worker per fixture)', recordingTarget(workerTarget(worker, ['short-request-timeout'], []), t0, timelines))
  const suiteCpu = processCpuMs() - cpu0
  const main1 = mainThreadCpuMs()
  const emptyAfter = await startToReady(empty.same)
  const reference = await startToReady(worker)
  const emptyOther = await startToReady(empty.other)
  const emptyMs = (emptyBefore.readyMs + emptyAfter.readyMs) / 2
  const emptyCpu = (emptyBefore.cpuMs + emptyAfter.cpuMs) / 2
  const floor = (emptyMs * fixtures.length) / cores + inProcess
  line('reference worker, start to ready (median of 8)', `${reference.readyMs.toFixed(0)} ms`)
  line(`empty worker, ${empty.sameFormat} (only says ready), start to ready`, `${emptyMs.toFixed(0)} ms`, `(${emptyBefore.readyMs.toFixed(0)} before, ${emptyAfter.readyMs.toFixed(0)} after the suites)`)
  line(`empty worker, ${empty.otherFormat} (for scale; not the floor's)`, `${emptyOther.readyMs.toFixed(0)} ms`)
  line(`floor: empty starts × ${fixtures.length} / ${cores} cores + in-process suite`, `${(floor / 1000).toFixed(2)} s`)
  printRatio('worker_threads suite / floor', threads / floor, 1.3, false)
  // For scale only: the floor with the other format's empty worker (before the Node workers were CommonJS, the floor was ES).
  const otherFloor = (emptyOther.readyMs * fixtures.length) / cores + inProcess
  line(`suite / a floor of ${empty.otherFormat} empty starts (no target)`, `${(threads / otherFloor).toFixed(2)}×`, `floor ${(otherFloor / 1000).toFixed(2)} s`)
  // No target: how much the threads cost over the same fixtures in process, for scale.
  line('worker_threads suite / in-process suite (no target)', `${(threads / inProcess).toFixed(2)}×`)

  // Where the time goes (no targets): CPU first, since a suite that keeps every core busy can only get faster by spending less.
  const n = fixtures.length
  console.log('  where the worker_threads suite\'s time goes (no targets):')
  line('  CPU of the run, all threads', `${(suiteCpu / 1000).toFixed(2)} s`, `${(suiteCpu / n).toFixed(0)} ms per fixture; cores busy ${((100 * suiteCpu) / (threads * cores)).toFixed(0)}% of the run`)
  if (main0 !== undefined && main1 !== undefined) line('  of which the main thread (runner, transports)', `${((main1 - main0) / 1000).toFixed(2)} s`, `${((main1 - main0) / n).toFixed(1)} ms per fixture`)
  line('  CPU of one reference worker, start to end (alone)', `${reference.cpuMs.toFixed(0)} ms`, `empty worker ${emptyCpu.toFixed(0)} ms (${empty.sameFormat}), ${emptyOther.cpuMs.toFixed(0)} ms (${empty.otherFormat})`)
  line('  CPU per fixture beyond its reference worker\'s start and end', `${(suiteCpu / n - reference.cpuMs).toFixed(0)} ms`, 'steps in the worker and the runner, and contention')
  line('  run time if that CPU were spread perfectly over the cores', `${(suiteCpu / cores / 1000).toFixed(2)} s`)
  const mean = (f: (t: Timeline) => number | undefined) => {
    const v = timelines.map(f).filter((x): x is number => x !== undefined)
    return v.length === 0 ? 0 : v.reduce((a, b) => a + b, 0) / v.length
  }
  line('  per fixture: worker started before the fixture asked for it', `${mean((t) => t.age).toFixed(0)} ms`, `${timelines.filter((t) => t.age > 0).length} of ${timelines.length} workers were started ahead`)
  line('  per fixture: taken to ready (waiting for its worker)', `${mean((t) => (t.ready === undefined ? undefined : t.ready - t.taken)).toFixed(0)} ms`, `${timelines.filter((t) => t.readyAtTake).length} of ${timelines.length} workers had said ready when taken`)
  line('  per fixture: ready to end asked (its steps and settle)', `${mean((t) => (t.ready === undefined || t.ending === undefined ? undefined : t.ending - t.ready)).toFixed(0)} ms`)
  line('  per fixture: end asked to worker ended (in the background)', `${mean((t) => (t.ending === undefined || t.ended === undefined ? undefined : t.ended - t.ending)).toFixed(0)} ms`)
  const mine: SummaryRow[] = [{ target: 'worker_threads suite / floor', measured: threads / floor, bound: 1.3, higherIsBetter: false }]
  printSummary('suite bench', mine)
  rows.push(...mine)
}
