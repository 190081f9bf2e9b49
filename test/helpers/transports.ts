/**
 * Test helper: the suite over one transport. Each transport has its own test file, so that vitest
 * runs them side by side instead of one after another.
 */
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'
import { runSuite, type FixtureResult } from '../../conformance/runner.js'
import { commandTarget, workerTarget, type Target } from '../../conformance/targets.js'
import { embeddedTarget } from '../../conformance/reference/target.js'
import { allFixtures } from './suite.js'
import { DEFAULT_PROFILE, PROFILE_VERSIONS } from '../../src/protocol/versions.js'
import { createValidator } from '../../src/validate/compile.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The transports every fixture must pass over. */
export const TRANSPORTS = {
  'memory (structured clone)': (): Target => embeddedTarget(),
  'memory (JSON)': (): Target => embeddedTarget({ copy: 'json' }),
  // The built, bundled entries (npm test builds first): a TypeScript worker would spend seconds in tsx per fixture.
  worker_threads: (): Target => workerTarget(fileURLToPath(new URL('../../dist/conformance-worker.js', import.meta.url)), ['short-request-timeout']),
  stdio: (): Target => commandTarget('node dist/conformance-stdio.js', ['short-request-timeout'], root),
} as const

/**
 * Waits of a run that must pass. A passing fixture never waits one out (each ends as soon as the
 * awaited message arrives), so they can be long at no cost, and must be: on a loaded 2-core
 * machine a fresh worker's first messages (validator compile, first tool call) can take seconds.
 */
export const PASSING_RUN = { stepTimeoutMs: 30_000, readyTimeoutMs: 60_000 } as const

function failures(results: readonly FixtureResult[]): string[] {
  return results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status} ${r.failures.map((f) => `${f.requirement} ${f.message}`).join('; ')}`)
}

/**
 * Over stdio each fixture starts a whole Node process (about 0.3 s of CPU), the largest single cost
 * of `npm test` on 2 cores. What stdio adds to the in-memory JSON transport is the process: its
 * start, framing, exit and crash. So `npm test` runs every lifecycle fixture (the process's whole
 * life) and every fourth of the others, in a fixed order; `npm run test:full` (EXTWIRE_FULL_SUITES=1)
 * runs them all.
 */
export function stdioSample<F extends { readonly id: string }>(fixtures: readonly F[], full = process.env['EXTWIRE_FULL_SUITES'] === '1'): F[] {
  if (full) return [...fixtures]
  const others = fixtures.filter((f) => !f.id.startsWith('lifecycle/')).sort((a, b) => (a.id < b.id ? -1 : 1))
  return [...fixtures.filter((f) => f.id.startsWith('lifecycle/')), ...others.filter((_, i) => i % 4 === 0)]
}

/** Declares the test that every fixture passes over `name` (over stdio, the {@link stdioSample}). */
export function everyFixturePassesOver(name: keyof typeof TRANSPORTS): void {
  const fixtures = name === 'stdio' ? stdioSample(allFixtures()) : allFixtures()
  it(`there are at least ${name === 'stdio' ? 50 : 100} fixtures`, () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(name === 'stdio' ? 50 : 100)
  })
  it(name, async () => {
    const results = await runSuite(fixtures, TRANSPORTS[name](), { concurrency: 4, ...PASSING_RUN })
    expect(results).toHaveLength(fixtures.length)
    expect(failures(results)).toEqual([])
  }, 600_000)
}

/** The reference runtime speaking `protocol`, over memory or worker_threads (the TypeScript entry through tsx: the bundled worker speaks 0.22.1 only). */
export function profileTarget(transport: 'memory' | 'worker_threads', protocol: string): Target {
  return transport === 'memory'
    ? embeddedTarget({ runtime: { protocol } })
    : workerTarget(fileURLToPath(new URL('../../conformance/extension/versioned-worker.ts', import.meta.url)), ['short-request-timeout'], ['--import', 'tsx'], { protocol })
}

/**
 * Declares, for every protocol version other than the default, the test that every fixture of that
 * version passes against the reference runtime speaking it over `transport`, judged by that
 * version's strict schema (the default version is the transport tests' own).
 */
export function everyProfilePassesOver(transport: 'memory' | 'worker_threads', only?: readonly string[]): void {
  for (const version of PROFILE_VERSIONS.filter((v) => v !== DEFAULT_PROFILE && (only === undefined || only.includes(v)))) {
    it(`${version} over ${transport}`, async () => {
      const fixtures = allFixtures(version)
      const validator = createValidator({ mode: 'strict', protocol: version, compile: 'lazy' })
      const results = await runSuite(fixtures, profileTarget(transport, version), { concurrency: 4, validator, ...PASSING_RUN })
      expect(results).toHaveLength(fixtures.length)
      expect(failures(results)).toEqual([])
    }, 600_000)
  }
}
