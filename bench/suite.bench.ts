/**
 * Full conformance suite wall time over worker_threads against its floor (issue 12): the floor is
 * what the suite would take if starting a worker cost no more than starting an empty one and those
 * starts were spread perfectly over the cores, on top of the suite's own waits (measured in
 * process): empty-worker start × fixtures ÷ cores + in-process suite time, all in the same run.
 * The worker is the built, bundled reference worker (`npm run build` first).
 */
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { runSuite } from '../conformance/runner.js'
import { workerTarget } from '../conformance/targets.js'
import { embeddedTarget } from '../conformance/reference/target.js'
import { allFixtures } from '../test/helpers/suite.js'
import { loadLine, median, printRatio, printSummary, type SummaryRow } from './lib.js'

/** Fixtures at once, as the transport tests run the suite. */
const CONCURRENCY = 4

/** Median start-to-ready of a worker module (ms), started and ended one at a time. */
async function startToReady(file: string, rounds = 8): Promise<number> {
  const starts: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    const transport = await workerTarget(file, [], []).connect()
    await new Promise<void>((resolve) => transport.onMessage((m) => (m as { type?: string }).type === 'ready' && resolve()))
    starts.push(performance.now() - t0)
    await transport.close()
  }
  return median(starts)
}

/** Runs the suite-time benchmark; prints its summary and adds its rows to `rows` (for a summary of every bench). */
export async function suiteBench(rows: SummaryRow[] = []): Promise<void> {
  const fixtures = allFixtures()
  const worker = fileURLToPath(new URL('../dist/conformance-worker.js', import.meta.url))
  const cores = availableParallelism()
  console.log(`\nFull conformance suite (${fixtures.length} fixtures, ${CONCURRENCY} at a time; ${loadLine()})`)
  if (!existsSync(worker)) {
    console.log('  dist/conformance-worker.js is missing: run `npm run build` first')
    return
  }
  const time = async (name: string, target: Parameters<typeof runSuite>[1]) => {
    const t0 = performance.now()
    const results = await runSuite(fixtures, target, { concurrency: CONCURRENCY })
    const ms = performance.now() - t0
    const failed = results.filter((r) => r.status !== 'pass').length
    console.log(`  ${name.padEnd(58)} ${(ms / 1000).toFixed(2).padStart(8)} s   ${failed} failed`)
    return ms
  }
  // The baselines are measured around the suite, so that a change of load in between hits both sides.
  const emptyFile = fileURLToPath(new URL('./empty-worker.mjs', import.meta.url))
  const emptyBefore = await startToReady(emptyFile)
  const inProcess = await time('in-process (memory transport)', embeddedTarget())
  // execArgv []: the workers must not inherit this process's tsx loader, as they do not under `extwire conformance`.
  const threads = await time('worker_threads (one fresh worker per fixture)', workerTarget(worker, ['short-request-timeout'], []))
  const emptyAfter = await startToReady(emptyFile)
  const startMs = await startToReady(worker)
  const emptyMs = (emptyBefore + emptyAfter) / 2
  const floor = (emptyMs * fixtures.length) / cores + inProcess
  console.log(`  ${'reference worker, start to ready (median of 8)'.padEnd(58)} ${startMs.toFixed(0).padStart(8)} ms`)
  console.log(`  ${'empty worker (only says ready), start to ready'.padEnd(58)} ${emptyMs.toFixed(0).padStart(8)} ms   (${emptyBefore.toFixed(0)} before, ${emptyAfter.toFixed(0)} after the suites)`)
  console.log(`  ${`floor: empty starts × ${fixtures.length} / ${cores} cores + in-process suite`.padEnd(58)} ${(floor / 1000).toFixed(2).padStart(8)} s`)
  printRatio('worker_threads suite / floor', threads / floor, 1.3, false)
  printRatio('worker_threads suite / in-process suite (information)', threads / inProcess, Number.POSITIVE_INFINITY, false)
  const mine: SummaryRow[] = [{ target: 'worker_threads suite / floor', measured: threads / floor, bound: 1.3, higherIsBetter: false }]
  printSummary('suite bench', mine)
  rows.push(...mine)
}
