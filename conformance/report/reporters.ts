/**
 * Reporters: console (people), json (machines; validates against the published schema), junit
 * (CI dashboards) and tap. Each is a function from the report to text.
 */
import { PROTOCOL_VERSION } from '../../src/protocol/descriptor.js'
import type { Failure } from '../runner.js'
import type { ClassifiedResult, SuiteReport } from '../verdicts.js'
import type { ConformanceReport } from './schema.js'

/** The reporter names. */
export const REPORTERS = ['console', 'json', 'junit', 'tap'] as const
/** A reporter name. */
export type ReporterName = (typeof REPORTERS)[number]

/** Package version, for reports. */
export const EXTWIRE_VERSION = '0.1.0'

const mark = (r: ClassifiedResult) =>
  r.expectation === 'known' ? '~' : r.expectation === 'stale' ? '!' : r.status === 'pass' ? '✓' : r.status === 'untested' ? '-' : '✗'

/** One progress line per fixture (console reporter, during the run). */
export function progressLine(r: ClassifiedResult, done: number, total: number): string {
  const width = String(total).length
  const note = r.status === 'untested' ? `  (untested: ${r.reason})` : r.status === 'pass' ? '' : `  [${[...new Set(r.failures.map((f) => f.requirement))].join(', ')}]`
  return `[${String(done).padStart(width)}/${total}] ${mark(r)} ${r.id}${note}\n`
}

function failureBlock(f: Failure): string {
  const lines = [`    ${f.requirement} ${f.kind}${f.step !== undefined ? ` at step ${f.step}` : ''}: ${f.message}`]
  if (f.expected !== undefined) lines.push(`      expected: ${f.expected}`)
  if (f.actual !== undefined) lines.push(`      actual:   ${f.actual}`)
  if (f.path !== undefined) lines.push(`      differs at: ${f.path || '(message)'}`)
  return lines.join('\n')
}

/** The console summary: every failure with its first divergence, then verdicts by requirement. */
export function consoleReport(report: SuiteReport, requirementText: (id: string) => string | undefined): string {
  const out: string[] = []
  const bad = report.results.filter((r) => r.status === 'fail' || r.status === 'suite-error' || r.expectation === 'stale')
  for (const r of bad) {
    out.push(`\n${mark(r)} ${r.id} (${r.level}${r.expectation === 'known' ? ', known failure' : ''}${r.expectation === 'stale' ? ', listed as expected to fail but PASSED: remove it from the expected-failures file' : ''})`)
    out.push(`  ${r.title}`)
    for (const f of r.failures) out.push(failureBlock(f))
  }
  const warned = report.results.filter((r) => r.warnings.length > 0)
  if (warned.length > 0) {
    out.push(`\nWarnings (SHOULD):`)
    for (const r of warned) for (const w of r.warnings.slice(0, 3)) out.push(`  ${r.id}: ${w.message}`)
  }
  const failedReqs = report.requirements.filter((v) => v.status === 'fail')
  if (failedReqs.length > 0) {
    out.push(`\nRequirements broken:`)
    for (const v of failedReqs) out.push(`  ${v.id} ${v.level}: ${requirementText(v.id) ?? ''}\n      in ${v.failedIn.join(', ')}`)
  }
  const s = report.summary
  const reqs = report.requirements
  const count = (level: string, status: string) => reqs.filter((v) => v.level === level && v.status === status).length
  out.push(
    `\n${s.fixtures} fixtures against ${report.target}: ${s.passed} passed, ${s.failed} failed (${s.knownFailures} known), ${s.untested} untested, ${s.stale} stale, ${s.suiteErrors} suite errors in ${(report.durationMs / 1000).toFixed(2)} s`,
    `requirements: MUST ${count('MUST', 'pass')} pass / ${count('MUST', 'fail')} fail / ${count('MUST', 'blocked')} blocked; SHOULD ${count('SHOULD', 'pass')} pass / ${count('SHOULD', 'fail')} fail`,
    report.exitCode === 0 ? 'CONFORMANT: every MUST passed' : 'NOT CONFORMANT',
  )
  return `${out.join('\n')}\n`
}

/** The JSON report (see ./schema.ts). */
export function jsonReport(report: SuiteReport): string {
  const data: ConformanceReport = {
    $schema: 'https://extwire.dev/schema/0.22.1/conformance-report.schema.json',
    tool: 'extwire',
    version: EXTWIRE_VERSION,
    protocol: PROTOCOL_VERSION,
    target: report.target,
    startedAt: report.startedAt,
    durationMs: report.durationMs,
    exitCode: report.exitCode,
    summary: report.summary,
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
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
}

/** JUnit XML: one testsuite per fixture family, one testcase per fixture. */
export function junitReport(report: SuiteReport): string {
  const families = new Map<string, ClassifiedResult[]>()
  for (const r of report.results) {
    const family = r.id.split('/')[0] as string
    families.set(family, [...(families.get(family) ?? []), r])
  }
  const isFailure = (r: ClassifiedResult) => (r.status === 'fail' && r.expectation !== 'known') || r.status === 'suite-error' || r.expectation === 'stale'
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="extwire conformance" tests="${report.results.length}" failures="${report.results.filter(isFailure).length}" time="${(report.durationMs / 1000).toFixed(3)}">`,
  ]
  for (const [family, results] of families) {
    const skipped = results.filter((r) => r.status === 'untested' || r.expectation === 'known').length
    out.push(`  <testsuite name="${xml(family)}" tests="${results.length}" failures="${results.filter(isFailure).length}" skipped="${skipped}" time="${(results.reduce((t, r) => t + r.durationMs, 0) / 1000).toFixed(3)}">`)
    for (const r of results) {
      out.push(`    <testcase classname="extwire.${xml(family)}" name="${xml(r.id)}" time="${(r.durationMs / 1000).toFixed(3)}">`)
      if (r.status === 'untested') out.push(`      <skipped message="${xml(r.reason ?? 'untested')}"/>`)
      else if (r.expectation === 'known') out.push(`      <skipped message="known failure: ${xml(r.failures[0]?.message ?? '')}"/>`)
      else if (r.expectation === 'stale') out.push(`      <failure message="listed as an expected failure, but passed" type="stale"/>`)
      else if (isFailure(r)) {
        const first = r.failures[0]
        const body = r.failures.map(failureBlock).join('\n')
        out.push(`      <failure message="${xml(`${first?.requirement ?? ''}: ${first?.message ?? ''}`)}" type="${xml(first?.kind ?? 'fail')}">${xml(body)}</failure>`)
      }
      out.push('    </testcase>')
    }
    out.push('  </testsuite>')
  }
  out.push('</testsuites>')
  return `${out.join('\n')}\n`
}

function yamlString(text: string): string {
  return JSON.stringify(text)
}

/** TAP version 13. */
export function tapReport(report: SuiteReport): string {
  const out = ['TAP version 13', `1..${report.results.length}`]
  report.results.forEach((r, i) => {
    const n = i + 1
    if (r.status === 'untested') out.push(`ok ${n} - ${r.id} # SKIP ${r.reason ?? 'untested'}`)
    else if (r.status === 'pass' && r.expectation !== 'stale') out.push(`ok ${n} - ${r.id}`)
    else {
      const directive = r.expectation === 'known' ? ' # TODO known failure' : ''
      out.push(`not ok ${n} - ${r.id}${directive}`)
      const f = r.failures[0]
      out.push('  ---')
      if (r.expectation === 'stale') out.push('  message: "listed as an expected failure, but passed"')
      if (f) {
        out.push(`  requirement: ${f.requirement}`, `  kind: ${f.kind}`, `  message: ${yamlString(f.message)}`)
        if (f.expected !== undefined) out.push(`  expected: ${yamlString(f.expected)}`)
        if (f.actual !== undefined) out.push(`  actual: ${yamlString(f.actual)}`)
        if (f.path !== undefined) out.push(`  path: ${yamlString(f.path)}`)
      }
      out.push('  ...')
    }
  })
  return `${out.join('\n')}\n`
}
