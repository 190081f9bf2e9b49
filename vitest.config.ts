/**
 * Test run settings, chosen for `npm test` on a 2-core machine. Most slow files wait (on child
 * processes, worker threads and timers) rather than compute, so more files run at once than there
 * are cores; and the slowest files start first, so that no long file starts last and runs alone.
 */
import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * The slowest files, slowest first (measured on a loaded 2-core machine). Vitest orders by the
 * durations it cached from an earlier run, but a fresh clone (CI) has none.
 */
const SLOW_FIRST = [
  'test/conformance-transports-worker-threads.test.ts',
  'test/conformance-transports-stdio.test.ts',
  'test/browser.test.ts',
  'conformance/fuzz/campaign.test.ts',
  'test/mutants.test.ts',
  'test/variants.test.ts',
  'test/docs-quickstart.test.ts',
  'conformance/fuzz/replay.test.ts',
  'test/docs-host-kit.test.ts',
  'test/mutants-blind-spots.test.ts',
  'test/python-example.test.ts',
  'test/hostile.test.ts',
  'test/host-role-reference.test.ts',
  'conformance/record-exit.test.ts',
  'src/cli/conformance.test.ts',
]

/** Puts the files of {@link SLOW_FIRST} first, in its order; the rest keep vitest's order. */
class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files)
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((name) => f.moduleId.replaceAll('\\', '/').endsWith(name))
      return i === -1 ? SLOW_FIRST.length : i
    }
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f)
  }
}

export default defineConfig({
  test: {
    pool: 'forks',
    // Two files per core: the slow files mostly wait, and vitest's default (cores - 1) runs one file at a time on 2 cores.
    maxWorkers: Math.max(2, availableParallelism() * 2),
    sequence: { sequencer: SlowFirst },
    // Bounds for a stuck test only. The 5 s default fails CPU-heavy tests (schema compiles, type checks)
    // on a loaded machine with files side by side; a test that passes never waits one out.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
