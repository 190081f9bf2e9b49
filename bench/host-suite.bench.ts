/**
 * Host-role suite wall time (issue 11, "Done when"): every host-role fixture against the reference
 * host behind its in-process driver (virtual clock), as a ratio to the worker-role suite against the
 * reference runtime in process, both measured in alternating rounds of the same run.
 */
import { join } from 'node:path'
import { loadFixtures } from '../conformance/fixture/load.js'
import type { Fixture } from '../conformance/fixture/schema.js'
import { appliesTo, DEFAULT_SELECTION_PROTOCOL } from '../conformance/fixture/select.js'
import { driverHostTarget } from '../conformance/host/driver.js'
import { referenceHostDriver } from '../conformance/reference/host-driver.js'
import { embeddedTarget } from '../conformance/reference/target.js'
import { runSuite } from '../conformance/runner.js'
import { ROOT } from '../test/helpers/examples.js'
import { median, printRatio } from './lib.js'

const ROUNDS = 3

/** The fixtures of `role` that apply to the default protocol version (the others would fail against a 0.22.1 runtime and host). */
function fixturesOf(role: 'worker' | 'host'): Fixture[] {
  const { fixtures, errors } = loadFixtures(join(ROOT, 'fixtures'), ROOT, { role })
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'))
  return fixtures.map((f) => f.fixture).filter((f) => appliesTo(f, DEFAULT_SELECTION_PROTOCOL))
}

/** Runs the host-suite benchmark and prints wall times and ratios. */
export async function hostSuiteBench(): Promise<void> {
  const host = fixturesOf('host')
  const worker = fixturesOf('worker')
  console.log(`\nHost-role suite (${host.length} fixtures) vs worker-role suite (${worker.length} fixtures), in process, 4 at a time, median of ${ROUNDS}`)
  const time = async (fixtures: Fixture[], target: Parameters<typeof runSuite>[1]) => {
    const t0 = performance.now()
    const results = await runSuite(fixtures, target, { concurrency: 4 })
    return { ms: performance.now() - t0, failed: results.filter((r) => r.status !== 'pass').length }
  }
  const hostMs: number[] = []
  const workerMs: number[] = []
  const ratios: number[] = []
  let failed = 0
  await time(host, driverHostTarget(referenceHostDriver())) // warm-up: module loading and validator compilation
  for (let r = 0; r < ROUNDS; r++) {
    const h = await time(host, driverHostTarget(referenceHostDriver(), 'reference host'))
    const w = await time(worker, embeddedTarget())
    hostMs.push(h.ms)
    workerMs.push(w.ms)
    ratios.push(h.ms / w.ms)
    failed += h.failed + w.failed
  }
  const hostWall = median(hostMs)
  const workerWall = median(workerMs)
  const row = (label: string, ms: number, n: number) => console.log(`  ${label.padEnd(58)} ${(ms / 1000).toFixed(2).padStart(8)} s   ${(ms / n).toFixed(1).padStart(6)} ms/fixture`)
  row('host role: reference host, in-process driver', hostWall, host.length)
  row('worker role: reference runtime, in process', workerWall, worker.length)
  if (failed > 0) console.log(`  ${failed} fixture runs did not pass: the figures are not comparable`)
  const met = hostWall <= 5000
  console.log(`  ${'host-role suite wall time'.padEnd(58)} ${(hostWall / 1000).toFixed(2).padStart(8)} s   target ≤ 5 s  ${met ? 'MET' : 'NOT MET'}`)
  printRatio('host-role suite / worker-role suite (wall time)', median(ratios), 1, false)
  printRatio('host-role / worker-role, per fixture', median(ratios) * (worker.length / host.length), 1, false)
}
