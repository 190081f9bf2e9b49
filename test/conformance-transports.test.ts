/**
 * The same fixtures pass against the reference runtime over every transport: in-memory with
 * structured clone, in-memory with JSON copies, worker_threads, and a child process over stdio.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { runSuite, type FixtureResult } from '../conformance/runner.js'
import { commandTarget, workerTarget, type Target } from '../conformance/targets.js'
import { embeddedTarget } from '../conformance/reference/target.js'
import { allFixtures } from './helpers/suite.js'

const fixtures = allFixtures()
const root = fileURLToPath(new URL('..', import.meta.url))

function failures(results: readonly FixtureResult[]): string[] {
  return results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status} ${r.failures.map((f) => `${f.requirement} ${f.message}`).join('; ')}`)
}

const targets: Array<[string, () => Target]> = [
  ['memory (structured clone)', () => embeddedTarget()],
  ['memory (JSON)', () => embeddedTarget({ copy: 'json' })],
  // The built, bundled entries (npm test builds first): a TypeScript worker would spend seconds in tsx per fixture.
  ['worker_threads', () => workerTarget(fileURLToPath(new URL('../dist/conformance-worker.js', import.meta.url)), ['short-request-timeout'])],
  ['stdio', () => commandTarget('node dist/conformance-stdio.js', ['short-request-timeout'], root)],
]

describe('every fixture passes over every transport', () => {
  it('there are at least 100 fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(100)
  })
  for (const [name, target] of targets) {
    it(name, async () => {
      const results = await runSuite(fixtures, target(), { concurrency: 4, stepTimeoutMs: 5000 })
      expect(results).toHaveLength(fixtures.length)
      expect(failures(results)).toEqual([])
    }, 600_000)
  }
})
