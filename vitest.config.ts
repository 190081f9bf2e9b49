/**
 * Test run settings, chosen for `npm test` on a 2-core machine. Most slow files wait (on child
 * processes, worker threads and timers) rather than compute, so more files run at once than there
 * are cores; and the slowest files start first, so that no long file starts last and runs alone.
 */
import { availableParallelism } from 'node:os'
import { defineConfig } from 'vitest/config'
import { BaseSequencer, type TestSpecification } from 'vitest/node'
import { ensureFreshDist } from './test/global/fresh-dist.js'

// Before any test: a targeted run after a source edit must not test the dist/ built before it.
ensureFreshDist()

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

/**
 * The files that get a process of their own. Every other file runs in a process shared with other
 * files (`isolate: false`), which saves, per file, starting a process and loading the package's
 * modules again (about 0.7 s of CPU a file on this machine, over 60 files). A file belongs here
 * when it changes process-wide state that it might not leave as it found it (environment,
 * globals, `Object.prototype`, process listeners), or when it is heavy enough that its own process
 * costs little beside it and keeps its memory away from the others (a browser, TypeScript
 * programs of the whole project).
 */
const ISOLATED = [
  'test/browser.test.ts',
  'test/typecheck.test.ts',
  'test/package.test.ts',
  'test/docs-host-kit.test.ts',
  'test/hostile.test.ts',
  'src/validate/validator.test.ts',
  'src/validate/precompiled.test.ts',
  'src/validate/unpolluted.test.ts',
  'src/host/backends.test.ts',
  'conformance/fuzz/races.test.ts',
]

const INCLUDE = ['**/*.test.ts']
const EXCLUDE = ['**/node_modules/**', 'dist/**']

export default defineConfig({
  test: {
    pool: 'forks',
    // Two files per core: the slow files mostly wait, and vitest's default (cores - 1) runs one file at a time on 2 cores.
    maxWorkers: Math.max(2, availableParallelism() * 2),
    sequence: { sequencer: SlowFirst },
    // Bounds for a stuck test only. The 5 s default fails CPU-heavy tests (schema compiles, type checks)
    // on a loaded machine with files side by side (at load 20 on 2 cores, a 5 s schema compile took
    // over 60 s); a test that passes never waits one out.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    projects: [
      {
        extends: true,
        // Builds the declarations beside the tests rather than before them (the files that read them wait).
        test: { name: 'isolated', include: ISOLATED, exclude: EXCLUDE, globalSetup: ['test/global/declarations.ts'] },
      },
      { extends: true, test: { name: 'shared', include: INCLUDE, exclude: [...EXCLUDE, ...ISOLATED], isolate: false } },
    ],
  },
})
