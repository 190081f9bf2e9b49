/**
 * Reporters: console (people), json (machines; validates against the published schema), junit
 * (CI dashboards) and tap. Each is a function from the report to text.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Failure } from '../runner.js'
import type { ClassifiedResult, SuiteReport } from '../verdicts.js'
import type { ConformanceReport } from './schema.js'

/** The reporter names. */
export const REPORTERS = ['console', 'json', 'junit', 'tap'] as const
/** A reporter name. */
export type ReporterName = (typeof REPORTERS)[number]

/** The version in the package's package.json, found upwards from this file (source and built files sit at different depths). */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string }
      if (pkg.name === 'extwire' && typeof pkg.version === 'string') return pkg.version
    }
    const up = dirname(dir)
    if (up === dir) return 'unknown'
    dir = up
  }
}

/** Package version, for reports and `extwire --version`. */
export const EXTWIRE_VERSION = packageVersion()

/**
 * Makes text from a worker safe for a terminal or a line-based report: C0 and C1 controls (escape
 * sequences, carriage returns, newlines), DEL and bidirectional overrides become visible `\uXXXX`
 * escapes, so a worker can neither clear the screen nor forge a line of the report.
 */
export function escapeControl(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

const mark = (r: ClassifiedResult) =>
  r.expectation === 'known' ? '~' : r.expectation === 'stale' ? '!' : r.status === 'pass' ? '✓' : r.status === 'untested' ? '-' : '✗'

/** One progress line per fixture (console reporter, during the run). */
export function progressLine(r: ClassifiedResult, done: number, total: number): string {
  const width = String(total).length
  const note =
    r.status === 'untested'
      ? `  (untested: ${r.reason})`
      : r.status === 'pass'
        ? ''
        : r.status === 'suite-error'
          ? '  (suite error: the fixture is wrong)'
          : `  [${[...new Set(r.failures.map((f) => f.requirement))].join(', ')}]`
  return `[${String(done).padStart(width)}/${total}] ${mark(r)} ${escapeControl(`${r.id}${note}`)}\n`
}

function failureBlock(f: Failure): string {
  const e = escapeControl
  const lines = [`    ${e(f.requirement)} ${f.kind === 'suite' ? 'suite error (not the target\'s failure)' : f.kind}${f.step !== undefined ? ` at step ${f.step}` : ''}: ${e(f.message)}`]
  if (f.expected !== undefined) lines.push(`      expected: ${e(f.expected)}`)
  if (f.actual !== undefined) lines.push(`      actual:   ${e(f.actual)}`)
  if (f.path !== undefined) lines.push(`      differs at: ${e(f.path) || '(message)'}`)
  return lines.join('\n')
}

/** The verdict lines every human-readable reporter ends with. */
export function verdictLines(report: SuiteReport): string[] {
  return [escapeControl(report.verdict.line), ...report.verdict.notes.map((n) => `  ${escapeControl(n)}`), `exit code ${report.exitCode}${EXIT_MEANING[report.exitCode] ? `: ${EXIT_MEANING[report.exitCode]}` : ''}`]
}

const EXIT_MEANING: Readonly<Record<number, string>> = {
  0: 'nothing failed that was not listed as known',
  1: 'the target (worker or host) failed a MUST requirement',
  4: 'the run cannot vouch for its selection (suite errors, untested or blocked MUST requirements, or a stale expected-failures file)',
}

/** The console summary: every failure with its first divergence, then verdicts by requirement. */
export function consoleReport(report: SuiteReport, requirementText: (id: string) => string | undefined): string {
  const out: string[] = []
  const bad = report.results.filter((r) => r.status === 'fail' || r.expectation === 'stale')
  for (const r of bad) {
    out.push(`\n${mark(r)} ${escapeControl(r.id)} (${r.level}${r.expectation === 'known' ? ', known failure' : ''}${r.expectation === 'stale' ? ', listed as expected to fail but PASSED: remove it from the expected-failures file' : ''})`)
    out.push(`  ${escapeControl(r.title)}`)
    for (const f of r.failures) out.push(failureBlock(f))
  }
  const suiteErrors = report.results.filter((r) => r.status === 'suite-error')
  if (report.suiteErrors.length + suiteErrors.length > 0) {
    out.push(`\nSuite errors (the fixture is wrong; not the target's failures):`)
    for (const e of report.suiteErrors) out.push(`  ${escapeControl(e.message)}`)
    for (const r of suiteErrors) for (const f of r.failures.filter((x) => x.kind === 'suite')) out.push(`  ${escapeControl(r.id)}${f.step !== undefined ? ` step ${f.step}` : ''}: ${escapeControl(f.message)}`)
  }
  const warned = report.results.filter((r) => r.warnings.length > 0)
  if (warned.length > 0) {
    out.push(`\nWarnings (SHOULD):`)
    for (const r of warned) for (const w of r.warnings.slice(0, 3)) out.push(`  ${escapeControl(r.id)}: ${escapeControl(w.message)}`)
  }
  const failedReqs = report.requirements.filter((v) => v.status === 'fail')
  if (failedReqs.length > 0) {
    out.push(`\nRequirements broken:`)
    for (const v of failedReqs) out.push(`  ${v.id} ${v.level}: ${requirementText(v.id) ?? ''}\n      in ${escapeControl(v.failedIn.join(', '))}`)
  }
  const s = report.summary
  const reqs = report.requirements
  const count = (level: string, status: string) => reqs.filter((v) => v.level === level && v.status === status).length
  out.push(
    `\n${s.fixtures} fixtures against ${escapeControl(report.target)} at protocol ${report.protocol}: ${s.passed} passed, ${s.failed} failed (${s.knownFailures} known), ${s.untested} untested, ${s.stale} stale, ${s.suiteErrors} suite errors in ${(report.durationMs / 1000).toFixed(2)} s`,
    `requirements: MUST ${count('MUST', 'pass')} pass / ${count('MUST', 'fail')} fail / ${count('MUST', 'blocked')} blocked / ${count('MUST', 'untested')} untested / ${report.verdict.must.notSelected.length} not selected; SHOULD ${count('SHOULD', 'pass')} pass / ${count('SHOULD', 'fail')} fail`,
    ...verdictLines(report),
  )
  return `${out.join('\n')}\n`
}

/** The JSON report (see ./schema.ts). */
export function jsonReport(report: SuiteReport): string {
  const data: ConformanceReport = {
    $schema: 'https://extwire.dev/schema/0.22.1/conformance-report.schema.json',
    tool: 'extwire',
    version: EXTWIRE_VERSION,
    protocol: report.protocol,
    target: report.target,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    exitCode: report.exitCode,
    verdict: {
      status: report.verdict.status,
      line: report.verdict.line,
      notes: [...report.verdict.notes],
      must: { ...report.verdict.must, failed: [...report.verdict.must.failed], notSelected: [...report.verdict.must.notSelected], untested: [...report.verdict.must.untested], blocked: [...report.verdict.must.blocked] },
    },
    summary: report.summary,
    suiteErrors: report.suiteErrors.map((e) => ({ file: e.file, message: e.message, ...(e.id !== undefined ? { id: e.id } : {}) })),
    expectedFailures: report.expectedFailures.map((e) => ({ ...e })),
    requirements: report.requirements.map((v) => ({ ...v, fixtures: [...v.fixtures], failedIn: [...v.failedIn] })),
    results: report.results.map((r) => {
      const { trace, ...rest } = r
      return {
        ...rest,
        requirements: [...r.requirements],
        failures: [...r.failures],
        warnings: [...r.warnings],
        ...(trace ? { trace: trace.map((t) => ({ direction: t.direction, message: t.message })) } : {}),
      }
    }),
  }
  return `${JSON.stringify(data, null, 2)}\n`
}

function xml(text: string): string {
  return escapeControl(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/**
 * JUnit XML: one testsuite per fixture family, one testcase per fixture. The worker's failures are
 * `<failure>`s; suite errors (the fixture is wrong) are `<error>`s, in their family or, when found
 * at load time, in a `suite-errors` testsuite. Every testsuite carries the verdict as properties.
 */
export function junitReport(report: SuiteReport): string {
  const families = new Map<string, ClassifiedResult[]>()
  for (const r of report.results) {
    const family = r.id.split('/')[0] as string
    families.set(family, [...(families.get(family) ?? []), r])
  }
  const isFailure = (r: ClassifiedResult) => (r.status === 'fail' && r.expectation !== 'known') || r.expectation === 'stale'
  const isError = (r: ClassifiedResult) => r.status === 'suite-error'
  const properties = [
    '    <properties>',
    `      <property name="extwire.verdict" value="${xml(report.verdict.line)}"/>`,
    ...report.verdict.notes.map((n) => `      <property name="extwire.note" value="${xml(n)}"/>`),
    `      <property name="extwire.exitCode" value="${report.exitCode}"/>`,
    '    </properties>',
  ]
  const loadErrors = report.suiteErrors.length
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="extwire conformance" tests="${report.results.length + loadErrors}" failures="${report.results.filter(isFailure).length}" errors="${report.results.filter(isError).length + loadErrors}" time="${(report.durationMs / 1000).toFixed(3)}">`,
  ]
  for (const [family, results] of families) {
    const skipped = results.filter((r) => r.status === 'untested' || r.expectation === 'known').length
    out.push(
      `  <testsuite name="${xml(family)}" tests="${results.length}" failures="${results.filter(isFailure).length}" errors="${results.filter(isError).length}" skipped="${skipped}" time="${(results.reduce((t, r) => t + r.durationMs, 0) / 1000).toFixed(3)}">`,
      ...properties,
    )
    for (const r of results) {
      out.push(`    <testcase classname="extwire.${xml(family)}" name="${xml(r.id)}" time="${(r.durationMs / 1000).toFixed(3)}">`)
      if (r.status === 'untested') out.push(`      <skipped message="${xml(r.reason ?? 'untested')}"/>`)
      else if (r.expectation === 'known') out.push(`      <skipped message="known failure: ${xml(r.failures[0]?.message ?? '')}"/>`)
      else if (r.expectation === 'stale') out.push(`      <failure message="listed as an expected failure, but passed" type="stale"/>`)
      else if (isError(r)) {
        const first = r.failures.find((f) => f.kind === 'suite') ?? r.failures[0]
        out.push(`      <error message="${xml(`suite error (the fixture is wrong, not the worker): ${first?.message ?? ''}`)}" type="suite">${xml(r.failures.map(failureBlock).join('\n'))}</error>`)
      } else if (isFailure(r)) {
        const first = r.failures[0]
        const body = r.failures.map(failureBlock).join('\n')
        out.push(`      <failure message="${xml(`${first?.requirement ?? ''}: ${first?.message ?? ''}`)}" type="${xml(first?.kind ?? 'fail')}">${xml(body)}</failure>`)
      }
      out.push('    </testcase>')
    }
    out.push('  </testsuite>')
  }
  if (loadErrors > 0) {
    out.push(`  <testsuite name="suite-errors" tests="${loadErrors}" failures="0" errors="${loadErrors}" skipped="0" time="0.000">`, ...properties)
    for (const e of report.suiteErrors) {
      out.push(`    <testcase classname="extwire.suite-errors" name="${xml(e.id ?? e.file)}" time="0.000">`)
      out.push(`      <error message="${xml(`suite error (the fixture is wrong, not the worker): ${e.message}`)}" type="suite"/>`)
      out.push('    </testcase>')
    }
    out.push('  </testsuite>')
  }
  out.push('</testsuites>')
  return `${out.join('\n')}\n`
}

function yamlString(text: string): string {
  return JSON.stringify(escapeControl(text))
}

/**
 * TAP version 13. Suite errors are `not ok` lines marked `suite error` with `severity: suite-error`
 * (the fixture is wrong, not the worker); the verdict follows as `#` comment lines.
 */
export function tapReport(report: SuiteReport): string {
  const out = ['TAP version 13', `1..${report.results.length + report.suiteErrors.length}`]
  report.results.forEach((r, i) => {
    const n = i + 1
    const id = escapeControl(r.id)
    if (r.status === 'untested') out.push(`ok ${n} - ${id} # SKIP ${escapeControl(r.reason ?? 'untested')}`)
    else if (r.status === 'pass' && r.expectation !== 'stale') out.push(`ok ${n} - ${id}`)
    else {
      const directive = r.expectation === 'known' ? ' # TODO known failure' : ''
      const suite = r.status === 'suite-error'
      out.push(`not ok ${n} - ${suite ? 'suite error: ' : ''}${id}${directive}`)
      const f = suite ? (r.failures.find((x) => x.kind === 'suite') ?? r.failures[0]) : r.failures[0]
      out.push('  ---')
      if (suite) out.push('  severity: suite-error', '  note: "the fixture is wrong, not the worker; not counted as its failure"')
      if (r.expectation === 'stale') out.push('  message: "listed as an expected failure, but passed"')
      if (f) {
        out.push(`  requirement: ${yamlString(f.requirement)}`, `  kind: ${f.kind}`, `  message: ${yamlString(f.message)}`)
        if (f.expected !== undefined) out.push(`  expected: ${yamlString(f.expected)}`)
        if (f.actual !== undefined) out.push(`  actual: ${yamlString(f.actual)}`)
        if (f.path !== undefined) out.push(`  path: ${yamlString(f.path)}`)
      }
      out.push('  ...')
    }
  })
  report.suiteErrors.forEach((e, i) => {
    out.push(`not ok ${report.results.length + i + 1} - suite error: ${escapeControl(e.id ?? e.file)}`, '  ---', '  severity: suite-error', `  message: ${yamlString(e.message)}`, '  ...')
  })
  for (const line of verdictLines(report)) out.push(`# ${escapeControl(line)}`)
  return `${out.join('\n')}\n`
}
