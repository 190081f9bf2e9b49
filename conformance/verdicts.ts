/**
 * From fixture results to verdicts: one per requirement, a summary, an overall verdict that says
 * exactly what it covers, and the exit code.
 *
 * The overall verdict is one of:
 * - `CONFORMANT`: every MUST requirement the suite tests was exercised and passed (exit 0).
 * - `NOT CONFORMANT`: the worker failed a MUST requirement (exit 1; exit 0 only when every such
 *   failure is listed in the expected-failures file and nothing else is wrong).
 * - `INCOMPLETE`: nothing failed, but some MUST requirements were not judged: not selected
 *   (`--filter`, `--level`, `--fixture`…), untested (a feature the target lacks), blocked by another
 *   failure, or in a fixture with a suite error. Exit 0 when the only gap is the run's own selection,
 *   4 otherwise.
 * Suite errors (the fixture is wrong) are reported apart and never count as the worker's failures;
 * they, stale entries and entries that match no fixture at all make the exit code 4 when nothing
 * worse (1) applies.
 */
import type { FixtureError } from './fixture/load.js'
import type { Requirement } from './requirements.js'
import type { FixtureResult } from './runner.js'
import { PROTOCOL_VERSION } from '../src/protocol/descriptor.js'

/** Exit code of a run whose worker failed a MUST requirement. */
export const EXIT_NOT_CONFORMANT = 1
/** Exit code of a run that cannot vouch for what it selected (suite errors, untested or blocked MUSTs, a stale expected-failures file). */
export const EXIT_INCOMPLETE = 4

/** Verdict of one requirement. */
export interface RequirementVerdict {
  readonly id: string
  readonly level: 'MUST' | 'SHOULD' | 'MAY'
  /** `pass`: every fixture covering it passed; `fail`: a failure was attributed to it;
   * `blocked`: a covering fixture failed on another requirement; `untested`: no covering fixture ran
   * to a judgement (a missing feature, or a suite error in the fixture). */
  readonly status: 'pass' | 'fail' | 'blocked' | 'untested'
  readonly fixtures: readonly string[]
  /** Fixtures whose failure names this requirement. */
  readonly failedIn: readonly string[]
}

/** A result with its expected-failure classification. */
export interface ClassifiedResult extends FixtureResult {
  /** `known`: failed and listed; `stale`: listed but passed. */
  readonly expectation?: 'known' | 'stale'
}

/** One entry of an expected-failures file, compiled. */
export interface ExpectedFailure {
  /** The line as written. */
  readonly entry: string
  /** A fixture id glob … */
  readonly fixture?: RegExp
  /** … or a requirement (`id:EXT-…`): a fixture whose every failure is on listed requirements is a known failure. */
  readonly requirement?: string
}

/** What became of an expected-failures entry. */
export interface ExpectedFailureStatus {
  readonly entry: string
  /** `matched`: a selected fixture failed as listed; `stale`: what it lists passed; `unselected`:
   * it lists only fixtures outside this run's selection; `unmatched`: it lists no fixture of the suite. */
  readonly status: 'matched' | 'stale' | 'unselected' | 'unmatched'
}

/** The overall verdict. */
export interface OverallVerdict {
  readonly status: 'conformant' | 'not-conformant' | 'incomplete'
  /** One line that says exactly what the run covers. */
  readonly line: string
  /** Details: which requirements were not judged and why, suite errors, expected-failures problems. */
  readonly notes: readonly string[]
  readonly must: {
    /** MUST requirements the suite tests. */
    readonly total: number
    /** Of those, judged by this run (pass or fail). */
    readonly exercised: number
    readonly passed: number
    /** Failed, listed as known or not. */
    readonly failed: readonly string[]
    readonly notSelected: readonly string[]
    readonly untested: readonly string[]
    readonly blocked: readonly string[]
  }
}

/** Everything a reporter needs. */
export interface SuiteReport {
  readonly target: string
  /** The protocol version the target was judged at (default 0.22.1). */
  readonly protocol: string
  readonly startedAt: string
  readonly durationMs: number
  readonly results: readonly ClassifiedResult[]
  readonly requirements: readonly RequirementVerdict[]
  /** Fixture files that could not be run because they are wrong (found at load time). */
  readonly suiteErrors: readonly FixtureError[]
  readonly expectedFailures: readonly ExpectedFailureStatus[]
  readonly summary: {
    readonly fixtures: number
    readonly passed: number
    readonly failed: number
    readonly knownFailures: number
    readonly stale: number
    readonly untested: number
    /** Fixtures with a suite error: found at load time plus found while running. */
    readonly suiteErrors: number
    readonly mustFailed: number
    readonly shouldFailed: number
  }
  readonly verdict: OverallVerdict
  /** 0, {@link EXIT_NOT_CONFORMANT} or {@link EXIT_INCOMPLETE}; see the module comment. */
  readonly exitCode: number
}

/** Parses an expected-failures file: one fixture id (or glob, or `id:EXT-REQ-ID`) per line; `#` comments. */
export function parseExpectedFailures(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '')
}

/** A malformed expected-failures entry (the CLI turns it into a usage error). */
export class ExpectedFailuresError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ExpectedFailuresError'
  }
}

/** Compiles entries: `id:EXT-XXX-NNN` names a requirement; anything else is a fixture id glob. */
export function compileExpectedFailures(entries: readonly string[], glob: (pattern: string) => RegExp): ExpectedFailure[] {
  return entries.map((entry) => {
    if (!entry.startsWith('id:')) return { entry, fixture: glob(entry) }
    const requirement = entry.slice(3).trim()
    if (!/^EXT-[A-Z]+-\d{3}$/.test(requirement)) throw new ExpectedFailuresError(`expected-failures entry ${JSON.stringify(entry)}: expected id:EXT-XXX-NNN (a requirement id)`)
    return { entry, requirement }
  })
}

/** What a fixture of the whole suite covers (for the denominator and for entries outside the selection). */
export interface SuiteFixture {
  readonly id: string
  readonly level: 'MUST' | 'SHOULD' | 'MAY'
  readonly requirements: readonly string[]
}

/** The failures that are the worker's: not the fixture's own mistakes, and not a fixture deadline (every
 * step has its own bound, so a fixture's deadline passes only when its budget is over the cap). */
const workerFailures = (r: FixtureResult) => r.failures.filter((f) => f.kind !== 'suite' && f.kind !== 'deadline')

function classify(r: FixtureResult, expected: readonly ExpectedFailure[]): ClassifiedResult {
  const byId = expected.some((e) => e.fixture?.test(r.id))
  const requirements = new Set(expected.flatMap((e) => (e.requirement ? [e.requirement] : [])))
  if (r.status === 'fail') {
    const failures = workerFailures(r)
    if (byId || (failures.length > 0 && failures.every((f) => requirements.has(f.requirement)))) return { ...r, expectation: 'known' }
    return r
  }
  if (byId && r.status === 'untested') return { ...r, expectation: 'known' }
  if (byId && r.status === 'pass') return { ...r, expectation: 'stale' }
  return r
}

function entryStatus(e: ExpectedFailure, results: readonly ClassifiedResult[], suite: readonly SuiteFixture[]): ExpectedFailureStatus['status'] {
  if (e.fixture) {
    const hit = results.filter((r) => e.fixture?.test(r.id))
    if (hit.length === 0) return suite.some((f) => e.fixture?.test(f.id)) ? 'unselected' : 'unmatched'
    return hit.some((r) => r.expectation === 'stale') ? 'stale' : 'matched'
  }
  const id = e.requirement as string
  const covering = results.filter((r) => r.requirements.includes(id) || r.failures.some((f) => f.requirement === id))
  if (covering.some((r) => r.status === 'fail' && workerFailures(r).some((f) => f.requirement === id))) return 'matched'
  if (covering.some((r) => r.status === 'pass')) return 'stale'
  if (covering.length > 0) return 'unselected' // covered, but nothing judged it in this run
  return suite.some((f) => f.requirements.includes(id)) ? 'unselected' : 'unmatched'
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`
const list = (ids: readonly string[]) => ids.join(', ')

/** Builds the report from results. */
export function buildReport(args: {
  target: string
  /** The protocol version of the run (default 0.22.1). */
  protocol?: string
  startedAt: Date
  durationMs: number
  results: readonly FixtureResult[]
  requirements: ReadonlyMap<string, Requirement>
  expected: readonly ExpectedFailure[]
  /** Fixture files refused at load time (suite errors). */
  suiteErrors?: readonly FixtureError[]
  /** Every fixture of the suite before selection (default: the results), for the MUST denominator. */
  suite?: readonly SuiteFixture[]
}): SuiteReport {
  const results = args.results.map((r) => classify(r, args.expected))
  const suite = args.suite ?? results
  const loadErrors = args.suiteErrors ?? []
  const levelOf = (id: string, fallback: SuiteFixture['level']) => args.requirements.get(id)?.level ?? fallback

  const byRequirement = new Map<string, { level: SuiteFixture['level']; fixtures: string[]; failedIn: string[]; knownIn: string[]; blocked: boolean; blockedUnlisted: boolean; ran: boolean; gap: boolean }>()
  const entry = (id: string, level: SuiteFixture['level']) => {
    let e = byRequirement.get(id)
    if (!e) {
      e = { level: levelOf(id, level), fixtures: [], failedIn: [], knownIn: [], blocked: false, blockedUnlisted: false, ran: false, gap: false }
      byRequirement.set(id, e)
    }
    return e
  }
  for (const r of results) {
    const attributed = new Set(workerFailures(r).map((f) => f.requirement))
    for (const id of new Set([...r.requirements, ...attributed])) {
      const e = entry(id, r.level)
      e.fixtures.push(r.id)
      if (r.status === 'pass' || r.status === 'fail') e.ran = true
      // A covering fixture that did not run (or did not run through) leaves the requirement unjudged.
      else if (r.expectation !== 'known') e.gap = true
      if (attributed.has(id)) (r.expectation === 'known' ? e.knownIn : e.failedIn).push(r.id)
      else if (r.status === 'fail') {
        e.blocked = true
        if (r.expectation !== 'known') e.blockedUnlisted = true
      }
    }
  }
  const requirements: RequirementVerdict[] = [...byRequirement.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, e]) => ({
      id,
      level: e.level,
      status: e.failedIn.length + e.knownIn.length > 0 ? 'fail' : e.blocked ? 'blocked' : e.ran && !e.gap ? 'pass' : 'untested',
      fixtures: e.fixtures,
      failedIn: [...e.failedIn, ...e.knownIn],
    }))

  // The MUST requirements the suite tests: cited by any fixture of the suite, or failed in this run.
  const mustIds = new Set<string>()
  for (const f of suite) for (const id of f.requirements) if (levelOf(id, f.level) === 'MUST') mustIds.add(id)
  for (const v of requirements) if (v.level === 'MUST') mustIds.add(v.id)
  const verdictOf = new Map(requirements.map((v) => [v.id, v]))
  const must = [...mustIds].sort()
  const failed = must.filter((id) => verdictOf.get(id)?.status === 'fail')
  const failedUnexpected = failed.filter((id) => (byRequirement.get(id)?.failedIn.length ?? 0) > 0)
  const passed = must.filter((id) => verdictOf.get(id)?.status === 'pass')
  const blocked = must.filter((id) => verdictOf.get(id)?.status === 'blocked')
  const untested = must.filter((id) => verdictOf.get(id)?.status === 'untested')
  const notSelected = must.filter((id) => !verdictOf.has(id))
  const blockedUnlisted = blocked.filter((id) => byRequirement.get(id)?.blockedUnlisted === true)
  // An untested MUST whose every covering fixture is listed as a known failure is a gap the user chose.
  const untestedUnlisted = untested.filter((id) => results.some((r) => r.requirements.includes(id) && r.status !== 'pass' && r.status !== 'fail' && r.expectation !== 'known'))

  const expectedFailures = args.expected.map((e) => ({ entry: e.entry, status: entryStatus(e, results, suite) }))
  const failedUnexpectedly = results.filter((r) => r.status === 'fail' && r.expectation !== 'known')
  const mustFailed = failedUnexpectedly.filter((r) => workerFailures(r).some((f) => levelOf(f.requirement, r.level) === 'MUST')).length
  const runSuiteErrors = results.filter((r) => r.status === 'suite-error').length
  const summary = {
    fixtures: results.length,
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    knownFailures: results.filter((r) => r.expectation === 'known').length,
    // Stale fixtures, plus stale `id:` entries (which name a requirement, not a fixture).
    stale: results.filter((r) => r.expectation === 'stale').length + args.expected.filter((e, i) => e.requirement !== undefined && expectedFailures[i]?.status === 'stale').length,
    untested: results.filter((r) => r.status === 'untested').length,
    suiteErrors: runSuiteErrors + loadErrors.length,
    mustFailed,
    shouldFailed: failedUnexpectedly.length - mustFailed,
  }

  const exercised = passed.length + failed.length
  const coverage = `${exercised} of ${must.length} MUST requirements exercised`
  const notes: string[] = []
  if (failed.length > 0) notes.push(`failed (${failed.length}): ${list(failed)}${failedUnexpected.length < failed.length ? ` (${failed.length - failedUnexpected.length} only in known failures)` : ''}`)
  if (notSelected.length > 0) notes.push(`not selected by this run (${notSelected.length}): ${list(notSelected)}`)
  if (untested.length > 0) {
    const reasons = [...new Set(results.filter((r) => r.requirements.some((id) => untested.includes(id))).map((r) => (r.status === 'suite-error' ? 'a suite error in its fixture' : (r.reason ?? 'not run'))))]
    notes.push(`untested (${untested.length}): ${list(untested)} (${reasons.join('; ')})`)
  }
  if (blocked.length > 0) notes.push(`blocked by another failure in the same fixture (${blocked.length}): ${list(blocked)}`)
  if (summary.suiteErrors > 0) notes.push(`${plural(summary.suiteErrors, 'suite error')}: the fixture is wrong, not the worker; not counted as its failure`)
  const stale = expectedFailures.filter((e) => e.status === 'stale').map((e) => e.entry)
  const unmatched = expectedFailures.filter((e) => e.status === 'unmatched').map((e) => e.entry)
  const unselected = expectedFailures.filter((e) => e.status === 'unselected').map((e) => e.entry)
  if (stale.length > 0) notes.push(`expected-failures entries that now pass (stale, remove them): ${list(stale)}`)
  if (unmatched.length > 0) notes.push(`expected-failures entries that match no fixture of the suite (remove or fix them): ${list(unmatched)}`)
  if (unselected.length > 0) notes.push(`expected-failures entries not judged in this run (outside the selection): ${list(unselected)}`)

  let status: OverallVerdict['status']
  let line: string
  if (failed.length > 0) {
    status = 'not-conformant'
    line = `NOT CONFORMANT: ${plural(failed.length, 'MUST requirement')} failed${failedUnexpected.length === 0 ? ', all listed as known failures' : ''}; ${coverage}`
  } else if (passed.length === must.length && summary.suiteErrors === 0) {
    status = 'conformant'
    line = `CONFORMANT: all ${must.length} MUST requirements of the suite exercised and passed`
  } else {
    status = 'incomplete'
    const gaps = [
      notSelected.length > 0 ? `${notSelected.length} not selected` : '',
      untested.length > 0 ? `${untested.length} untested` : '',
      blocked.length > 0 ? `${blocked.length} blocked` : '',
    ].filter(Boolean)
    line = `INCOMPLETE: ${coverage}, none failed${gaps.length > 0 ? ` (${gaps.join(', ')})` : ''}${summary.suiteErrors > 0 ? `; ${plural(summary.suiteErrors, 'suite error')}` : ''}: no conformance verdict`
  }
  const exitCode =
    failedUnexpected.length > 0 ? EXIT_NOT_CONFORMANT : summary.suiteErrors > 0 || stale.length > 0 || unmatched.length > 0 || untestedUnlisted.length > 0 || blockedUnlisted.length > 0 ? EXIT_INCOMPLETE : 0
  const verdict: OverallVerdict = { status, line, notes, must: { total: must.length, exercised, passed: passed.length, failed, notSelected, untested, blocked } }
  return {
    target: args.target,
    protocol: args.protocol ?? PROTOCOL_VERSION,
    startedAt: args.startedAt.toISOString(),
    durationMs: args.durationMs,
    results,
    requirements,
    suiteErrors: loadErrors,
    expectedFailures,
    summary,
    verdict,
    exitCode,
  }
}
