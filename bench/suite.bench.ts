/**
 * Full conformance suite wall time (issue "Conformance suite"): every fixture against the
 * reference runtime over worker_threads (the built, bundled worker: run `npm run build` first),
 * and in-process for comparison.
 */
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { runSuite } from '../conformance/runner.js'
import { workerTarget } from '../conformance/targets.js'
import { embeddedTarget } from '../conformance/reference/target.js'
import { allFixtures } from '../test/helpers/suite.js'
import { median, printRatio } from './lib.js'

/** Runs the suite-time benchmark. */
export async function suiteBench(): Promise<void> {
  const fixtures = allFixtures()
  const worker = fileURLToPath(new URL('../dist/conformance-worker.js', import.meta.url))
  console.log(`\nFull conformance suite (${fixtures.length} fixtures, 4 at a time)`)
  if (!existsSync(worker)) {
    console.log('  dist/conformance-worker.js is missing: run `npm run build` first')
    return
  }
  const time = async (name: string, target: Parameters<typeof runSuite>[1]) => {
    const t0 = performance.now()
    const results = await runSuite(fixtures, target, { concurrency: 4 })
    const ms = performance.now() - t0
    const failed = results.filter((r) => r.status !== 'pass').length
    console.log(`  ${name.padEnd(58)} ${(ms / 1000).toFixed(2).padStart(8)} s   ${failed} failed`)
    return ms
  }
  const inProcess = await time('in-process (memory transport)', embeddedTarget())
  // execArgv []: the workers must not inherit this process's tsx loader, as they do not under `extwire conformance`.
  const threads = await time('worker_threads (one fresh worker per fixture)', workerTarget(worker, ['short-request-timeout'], []))
  const startup = async (file: string) => {
    const starts: number[] = []
    for (let i = 0; i < 8; i++) {
      const t0 = performance.now()
      const transport = await workerTarget(file, [], []).connect()
      await new Promise<void>((resolve) => transport.onMessage((m) => (m as { type?: string }).type === 'ready' && resolve()))
      starts.push(performance.now() - t0)
      await transport.close()
    }
    return median(starts)
  }
  const startMs = await startup(worker)
  const emptyMs = await startup(fileURLToPath(new URL('./empty-worker.mjs', import.meta.url)))
  const floor = (emptyMs * fixtures.length) / 2000 + inProcess / 1000
  console.log(`  ${'reference worker, start to ready (median of 8)'.padEnd(58)} ${startMs.toFixed(0).padStart(8)} ms`)
  console.log(`  ${'empty worker (only says ready), start to ready'.padEnd(58)} ${emptyMs.toFixed(0).padStart(8)} ms`)
  console.log(`  ${'floor: empty-worker starts / 2 cores + in-process suite'.padEnd(58)} ${floor.toFixed(2).padStart(8)} s`)
  const met = threads <= 3000
  console.log(`  ${'worker_threads suite wall time'.padEnd(58)} ${(threads / 1000).toFixed(2).padStart(8)} s   target ≤ 3 s  ${met ? 'MET' : 'NOT MET'}`)
  printRatio('worker_threads suite / in-process suite (same run)', threads / inProcess, 2, false)
}
