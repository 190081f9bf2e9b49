/**
 * From fixture results to verdicts: one per requirement, a summary, and the exit code. A run
 * passes only when every MUST passes; SHOULD failures are warnings; a known failure (listed in
 * the expected-failures file) does not fail the run, but a listed case that now passes does.
 */
import type { Requirement } from './requirements.js'
import type { FixtureResult } from './runner.js'

/** Verdict of one requirement. */
export interface RequirementVerdict {
  readonly id: string
  readonly level: 'MUST' | 'SHOULD' | 'MAY'
  /** `pass`: every fixture covering it passed; `fail`: a failure was attributed to it;
   * `blocked`: a covering fixture failed on another requirement; `untested`: no covering fixture ran. */
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

/** Everything a reporter needs. */
export interface SuiteReport {
  readonly target: string
  readonly startedAt: string
  readonly durationMs: number
  readonly results: readonly ClassifiedResult[]
  readonly requirements: readonly RequirementVerdict[]
  readonly summary: {
    readonly fixtures: number
    readonly passed: number
    readonly failed: number
    readonly knownFailures: number
    readonly stale: number
    readonly untested: number
    readonly suiteErrors: number
    readonly mustFailed: number
    readonly shouldFailed: number
  }
  /** 0 when every MUST passed and there is no stale entry and no suite error. */
  readonly exitCode: number
}

/** Parses an expected-failures file: one fixture id (or glob, or `id:EXT-REQ-ID`) per line; `#` comments. */
export function parseExpectedFailures(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l !== '')
}

function listed(result: FixtureResult, entries: readonly RegExp[]): boolean {
  return entries.some((re) => re.test(result.id))
}

/** Builds the report from results. `expected` are compiled expected-failure patterns. */
export function buildReport(args: {
  target: string
  startedAt: Date
  durationMs: number
  results: readonly FixtureResult[]
  requirements: ReadonlyMap<string, Requirement>
  expected: readonly RegExp[]
}): SuiteReport {
  const results: ClassifiedResult[] = args.results.map((r) => {
    if (!listed(r, args.expected)) return r
    if (r.status === 'fail' || r.status === 'untested') return { ...r, expectation: 'known' }
    if (r.status === 'pass') return { ...r, expectation: 'stale' }
    return r
  })
  const byRequirement = new Map<string, { fixtures: string[]; failedIn: string[]; blocked: boolean; ran: boolean }>()
  const entry = (id: string) => {
    let e = byRequirement.get(id)
    if (!e) {
      e = { fixtures: [], failedIn: [], blocked: false, ran: false }
      byRequirement.set(id, e)
    }
    return e
  }
  for (const r of results) {
    const attributed = new Set(r.failures.map((f) => f.requirement))
    for (const id of new Set([...r.requirements, ...attributed])) {
      const e = entry(id)
      e.fixtures.push(r.id)
      if (r.status !== 'untested') e.ran = true
      if (attributed.has(id)) e.failedIn.push(r.id)
      else if (r.status === 'fail' || r.status === 'suite-error') e.blocked = true
    }
  }
  const requirements: RequirementVerdict[] = [...byRequirement.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, e]) => ({
      id,
      level: args.requirements.get(id)?.level ?? 'MUST',
      status: e.failedIn.length > 0 ? 'fail' : e.blocked ? 'blocked' : e.ran ? 'pass' : 'untested',
      fixtures: e.fixtures,
      failedIn: e.failedIn,
    }))
  const failedUnexpectedly = results.filter((r) => r.status === 'fail' && r.expectation !== 'known')
  const mustFailed = failedUnexpectedly.filter((r) => r.failures.some((f) => (args.requirements.get(f.requirement)?.level ?? r.level) === 'MUST')).length
  const summary = {
    fixtures: results.length,
    passed: results.filter((r) => r.status === 'pass').length,
    failed: results.filter((r) => r.status === 'fail').length,
    knownFailures: results.filter((r) => r.expectation === 'known').length,
    stale: results.filter((r) => r.expectation === 'stale').length,
    untested: results.filter((r) => r.status === 'untested').length,
    suiteErrors: results.filter((r) => r.status === 'suite-error').length,
    mustFailed,
    shouldFailed: failedUnexpectedly.length - mustFailed,
  }
  const untestedMust = results.filter((r) => r.status === 'untested' && r.level === 'MUST' && r.expectation === undefined).length
  const exitCode = summary.mustFailed > 0 || summary.stale > 0 || summary.suiteErrors > 0 || untestedMust > 0 ? 1 : 0
  return { target: args.target, startedAt: args.startedAt.toISOString(), durationMs: args.durationMs, results, requirements, summary, exitCode }
}
