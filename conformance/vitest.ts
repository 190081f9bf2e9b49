/**
 * `describeConformance(...)`: the fixtures as vitest tests inside an implementer's own suite,
 * against a transport they supply (worker role) or a host driver factory (`host`, host role). Each fixture is one test whose failure message is the first
 * divergence; a fixture listed in `expectedFailures` runs as `it.fails`, so it turns red when it
 * starts passing (stale).
 */
import { join } from 'node:path'
import { describe, it } from 'vitest'
import type { Transport } from '../src/transport/types.js'
import { PACKAGE_ROOT } from './paths.js'
import { globToRegExp, selectFixtures } from './fixture/select.js'
import { loadFixtures, type LoadedFixture } from './fixture/load.js'
import { fixtureDeadline, runFixture, type Failure } from './runner.js'
import { driverHostTarget, type HostDriverFactory } from './host/driver.js'
import { isKnownVersion, KNOWN_VERSION_NAMES, resolveProfile } from '../src/protocol/versions.js'
import { validatorFor } from '../src/validate/index.js'

/** Options of {@link describeConformance}. */
export interface DescribeConformanceOptions {
  /** Worker role: opens a connection to a fresh worker for one fixture; the runner closes it. */
  readonly connect?: () => Promise<Transport> | Transport
  /**
   * Host role: a driver factory (docs/host-driver.md), called for a fresh host per fixture; the
   * host-role fixtures run instead of the worker ones. Give `connect` or `host`, not both.
   */
  readonly host?: HostDriverFactory
  /** Features the worker supports (e.g. `short-request-timeout`). */
  readonly features?: readonly string[]
  /** Fixture id globs to run (default: all). */
  readonly filter?: readonly string[]
  /** Fixture id globs to skip. */
  readonly skip?: readonly string[]
  /** Fixture id globs expected to fail (run as `it.fails`). */
  readonly expectedFailures?: readonly string[]
  /** Fixture folder (default: the package's). */
  readonly fixturesDir?: string
  /** Wait per expectation, ms (default 1000). */
  readonly stepTimeoutMs?: number
  /**
   * The protocol version the implementation speaks (default 0.22.1): only the fixtures that apply
   * to it run, and what a worker sends is judged by that version's strict schema. The worker must
   * be told the version itself (the runner cannot: `connect` is yours).
   */
  readonly protocol?: string
}

function explain(failures: readonly Failure[]): string {
  return failures
    .map((f) => [`${f.requirement} (${f.kind}${f.step !== undefined ? `, step ${f.step}` : ''}): ${f.message}`, f.expected && `  expected: ${f.expected}`, f.actual && `  actual:   ${f.actual}`, f.path !== undefined && `  differs at: ${f.path || '(message)'}`].filter(Boolean).join('\n'))
    .join('\n')
}

/** A fixture that is itself wrong (not the implementation under test). */
export class SuiteErrorInFixture extends Error {
  override name = 'SuiteErrorInFixture'
}

/**
 * The fixtures {@link describeConformance} declares for these options: of the role (`host` given or
 * not), matching the filters and applying to the protocol version. Exported so that a suite can
 * state what it certifies.
 */
export function conformanceSelection(options: Pick<DescribeConformanceOptions, 'host' | 'filter' | 'skip' | 'fixturesDir' | 'protocol'>): LoadedFixture[] {
  const { protocol } = options
  if (protocol !== undefined && !isKnownVersion(protocol)) throw new TypeError(`describeConformance: protocol ${JSON.stringify(protocol)} is not a protocol version; expected one of ${KNOWN_VERSION_NAMES.join(', ')}`)
  const dir = options.fixturesDir ?? join(PACKAGE_ROOT, 'fixtures')
  const { fixtures, errors } = loadFixtures(dir, process.cwd(), { role: options.host ? 'host' : 'worker' })
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n'))
  return selectFixtures(fixtures, { filter: [...(options.filter ?? [])], skip: [...(options.skip ?? [])], levels: [], ...(protocol === undefined ? {} : { protocol }) })
}

/** Declares one vitest test per selected fixture, inside a `describe(name)`. */
export function describeConformance(name: string, options: DescribeConformanceOptions): void {
  const { connect, host } = options
  if ((connect === undefined) === (host === undefined)) throw new TypeError('describeConformance: give connect (a worker) or host (a host driver factory), exactly one')
  const selected = conformanceSelection(options)
  const { protocol } = options
  const expected = (options.expectedFailures ?? []).map(globToRegExp)
  // A host driver learns the version from its context (docs/host-driver.md, "Protocol versions").
  const target = host ? driverHostTarget(host, name, protocol === undefined ? {} : { protocol }) : { name, features: new Set(options.features ?? []), connect: async () => (connect as () => Promise<Transport> | Transport)() }
  // A worker or host of another version is judged by that version's schema; the default run keeps the runner's own validator.
  const validator = protocol === undefined ? undefined : validatorFor({ mode: 'strict', protocol })
  describe(protocol === undefined ? name : `${name} (protocol ${resolveProfile(protocol) === protocol ? protocol : `${protocol} = ${resolveProfile(protocol)}`})`, () => {
    for (const { fixture } of selected) {
      const listed = expected.some((re) => re.test(fixture.id))
      const test = listed ? it.fails : it
      const runOptions = { stepTimeoutMs: options.stepTimeoutMs ?? 1000, ...(validator ? { validator } : {}) }
      test(`${fixture.id} [${fixture.requirements.join(', ')}] ${fixture.title}`, async () => {
        const result = await runFixture(fixture, target, runOptions)
        if (result.status === 'untested') throw new Error(`not testable: ${result.reason ?? ''}`)
        // A suite error is the fixture's fault, never a known failure of the implementation: under
        // it.fails the test must then fail, which it does only when this function returns normally.
        if (result.status === 'suite-error') {
          if (!listed) throw new SuiteErrorInFixture(explain(result.failures))
          console.error(`suite error in ${fixture.id}, listed as an expected failure:\n${explain(result.failures)}`)
          return
        }
        if (result.status !== 'pass') throw new Error(explain(result.failures))
        // The runner's own fixture deadline bounds the test, so vitest never abandons a running worker.
      }, fixtureDeadline(fixture, runOptions) + 10_000)
    }
  })
}
