/**
 * Test run settings, chosen for `npm test` on a 2-core machine. Most slow files wait (on child
 * processes, worker threads and timers) rather than compute, so more files run at once than there
 * are cores; and the slowest files start first, so that no long file starts last and runs alone.
 */
import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'

/**
 * The order files start in: the longest (in wall time on a loaded 2-core machine, waits included)
 * and the most CPU-hungry first, so that no long file starts last and runs alone. Vitest orders by
 * the durations it cached from an earlier run, but a fresh clone (CI) has none. The two files that
 * wait for the declaration build (package, docs-host-kit; see test/global/declarations.ts) come
 * after the first wave, when the build is under way or done.
 */
const SLOW_FIRST = [
  'test/browser.test.ts',
  'test/typecheck.test.ts',
  'test/conformance-profiles-worker-threads.test.ts',
  'test/conformance-transports-worker-threads.test.ts',
  'test/profile-schemas.test.ts',
  'test/host-role-versions.test.ts',
  'test/conformance-transports-stdio.test.ts',
  'test/docs-quickstart.test.ts',
  'test/mutants.test.ts',
  'conformance/fuzz/campaign.test.ts',
  'conformance/fuzz/replay.test.ts',
  'test/precompiled-profiles.test.ts',
  'test/package.test.ts',
  'test/variants.test.ts',
  'test/asyncapi.test.ts',
  'test/conformance-profiles-memory.test.ts',
  'test/docs-host-kit.test.ts',
  'test/hostile.test.ts',
  'conformance/fuzz/lanes.test.ts',
  'conformance/record-exit.test.ts',
  'test/python-host-example.test.ts',
  'test/conformance-profiles-cli.test.ts',
  'test/host-role-reference.test.ts',
  'conformance/pool.test.ts',
  'test/schema-drift.test.ts',
  'test/host-variants.test.ts',
  'test/mutants-blind-spots.test.ts',
  'test/python-example.test.ts',
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
    // Builds the declarations beside the tests rather than before them (the files that read them wait).
    globalSetup: ['test/global/declarations.ts'],
    // Bounds for a stuck test only. The 5 s default fails CPU-heavy tests (schema compiles, type checks)
    // on a loaded machine with files side by side; a test that passes never waits one out.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
})
