/**
 * Full conformance suite wall time (issue "Conformance suite"): every fixture against the
 * reference runtime over worker_threads (the built, bundled worker: run `npm run build` first),
 * and in-process for comparison.
 */
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { runSuite } from '../conformance/runner.js'
import { embeddedTarget, workerTarget } from '../conformance/targets.js'
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
  const threads = await time('worker_threads (one fresh worker per fixture)', workerTarget(worker, ['short-request-timeout']))
  const starts: number[] = []
  for (let i = 0; i < 8; i++) {
    const t0 = performance.now()
    const transport = await workerTarget(worker).connect()
    await new Promise<void>((resolve) => transport.onMessage((m) => (m as { type?: string }).type === 'ready' && resolve()))
    starts.push(performance.now() - t0)
    await transport.close()
  }
  const startMs = median(starts)
  console.log(`  ${'one worker from start to ready (median of 8)'.padEnd(58)} ${startMs.toFixed(0).padStart(8)} ms   (x ${fixtures.length} fixtures / 2 cores = ${((startMs * fixtures.length) / 2000).toFixed(1)} s of the wall time)`)
  const met = threads <= 3000
  console.log(`  ${'worker_threads suite wall time'.padEnd(58)} ${(threads / 1000).toFixed(2).padStart(8)} s   target ≤ 3 s  ${met ? 'MET' : 'NOT MET'}`)
  printRatio('worker_threads suite / in-process suite (same run)', threads / inProcess, 2, false)
}
