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
import type { Fixture } from '../../conformance/fixture/schema.js'
import { DEFAULT_PROFILE, PROFILE_VERSIONS } from '../../src/protocol/versions.js'
import { appliesTo } from '../../conformance/fixture/select.js'
import { createValidator } from '../../src/validate/compile.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** The transports every fixture must pass over. */
export const TRANSPORTS = {
  'memory (structured clone)': (): Target => embeddedTarget(),
  'memory (JSON)': (): Target => embeddedTarget({ copy: 'json' }),
  // The built, bundled entries (npm test builds first): a TypeScript worker would spend seconds in tsx per fixture.
  worker_threads: (): Target => workerTarget(fileURLToPath(new URL('../../dist/conformance-worker.cjs', import.meta.url)), ['short-request-timeout']),
  stdio: (): Target => commandTarget('node dist/conformance-stdio.cjs', ['short-request-timeout'], root),
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

/** The reference runtime speaking `protocol`, over memory or worker_threads (the bundled worker, told the version by EXTWIRE_PROTOCOL). */
export function profileTarget(transport: 'memory' | 'worker_threads', protocol: string): Target {
  return transport === 'memory'
    ? embeddedTarget({ runtime: { protocol } })
    : workerTarget(fileURLToPath(new URL('../../dist/conformance-worker.cjs', import.meta.url)), ['short-request-timeout'], undefined, { protocol })
}

/** The versions {@link everyProfilePassesOver} runs: every profile but the default (the transport tests' own). */
export const OTHER_VERSIONS: readonly string[] = PROFILE_VERSIONS.filter((v) => v !== DEFAULT_PROFILE)

/**
 * Declares, for every protocol version other than the default, the test that every fixture of that
 * version passes against the reference runtime speaking it over `transport`, judged by that
 * version's strict schema (the default version is the transport tests' own). With `subset`, each
 * version runs only what `subset.take` selects from its fixtures.
 */
export function everyProfilePassesOver(transport: 'memory' | 'worker_threads', only?: readonly string[], subset?: { readonly name: string; readonly take: (fixtures: readonly Fixture[], version: string) => Fixture[] }): void {
  for (const version of OTHER_VERSIONS.filter((v) => only === undefined || only.includes(v))) {
    const fixtures = subset ? subset.take(allFixtures(version), version) : allFixtures(version)
    it(`${version} over ${transport}${subset ? ` (${fixtures.length} fixtures: ${subset.name})` : ''}`, async () => {
      const validator = createValidator({ mode: 'strict', protocol: version, compile: 'lazy' })
      const results = await runSuite(fixtures, profileTarget(transport, version), { concurrency: 4, validator, ...PASSING_RUN })
      expect(results).toHaveLength(fixtures.length)
      expect(failures(results)).toEqual([])
    }, 600_000)
  }
}

/**
 * The fixtures whose outcome can differ between the versions from 0.22.1 on: those that start after
 * 0.22.0 or end at some version. The rest run alike in every version from 0.22.0 (the default's own
 * transport tests run them over every transport).
 */
export function versionSpecific(fixture: Fixture): boolean {
  return fixture.until !== undefined || (fixture.since !== '0.21.0' && fixture.since !== '0.22.0')
}

/**
 * The versions of {@link OTHER_VERSIONS} where a fixture's outcome changes: the first one it
 * applies to, and, when it ends (`until`), the last one.
 */
export function edgeVersions(fixture: Fixture, versions: readonly string[] = OTHER_VERSIONS): string[] {
  const at = versions.filter((v) => appliesTo(fixture, v))
  const first = at[0]
  const last = at[at.length - 1]
  if (first === undefined || last === undefined) return []
  return fixture.until === undefined || last === first ? [first] : [first, last]
}

/**
 * The fixtures `npm test` runs for one version over a real transport (the memory runs and
 * `npm run test:profiles` run them all). What a real transport adds per version is the worker
 * being told its version; every rule of every version is judged over memory. So each version runs:
 * - the version-specific fixtures at their edges ({@link edgeVersions}): each one runs over the
 *   real transport in the first version it applies to and, when it ends, in the last, so every one
 *   runs at least once and every version runs what is new or last in it;
 * - every `every`-th of its other version-specific fixtures, starting at the version's index, so a
 *   version with nothing new (0.33.0, 0.36.0) still runs a rotating share of what changed;
 * - every `every * 4`-th of the fixtures common to all versions, rotating by the version's index
 *   as well, so each version's worker is seen doing the common things (activation, tools,
 *   providers), and different versions different ones.
 */
export function versionSample(fixtures: readonly Fixture[], version: string, every = 4): Fixture[] {
  const index = Math.max(0, OTHER_VERSIONS.indexOf(version))
  const byId = (a: Fixture, b: Fixture) => a.id.localeCompare(b.id)
  const specific = fixtures.filter(versionSpecific).sort(byId)
  const edges = new Set(specific.filter((f) => edgeVersions(f).includes(version)))
  const rotating = specific.filter((f) => !edges.has(f)).filter((_, i) => i % every === index % every)
  const common = fixtures.filter((f) => !versionSpecific(f)).sort(byId).filter((_, i) => i % (every * 4) === index % (every * 4))
  const taken = new Set([...edges, ...rotating, ...common])
  return fixtures.filter((f) => taken.has(f))
}
