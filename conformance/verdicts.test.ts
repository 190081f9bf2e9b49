/** Verdicts say exactly what a run covers; suite errors and expected failures are kept apart from the worker's failures. */
import { Ajv2020 } from 'ajv/dist/2020.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { PACKAGE_ROOT } from './paths.js'
import { globToRegExp } from './fixture/select.js'
import { consoleReport, jsonReport, junitReport, progressLine, tapReport } from './report/reporters.js'
import type { Requirement } from './requirements.js'
import type { Failure, FixtureResult } from './runner.js'
import { buildReport, compileExpectedFailures, ExpectedFailuresError, type SuiteFixture } from './verdicts.js'

const registry = new Map<string, Requirement>(
  [
    ['EXT-A-001', 'MUST'],
    ['EXT-A-002', 'MUST'],
    ['EXT-A-003', 'MUST'],
    ['EXT-B-001', 'SHOULD'],
  ].map(([id, level]) => [id as string, { id: id as string, level: level as Requirement['level'], text: `${id} text`, file: 'docs/spec/x.md', role: 'worker', texts: [] }]),
)

const suite: SuiteFixture[] = [
  { id: 'a/one', level: 'MUST', requirements: ['EXT-A-001'] },
  { id: 'a/two', level: 'MUST', requirements: ['EXT-A-002'] },
  { id: 'a/three', level: 'MUST', requirements: ['EXT-A-003'] },
  { id: 'b/one', level: 'SHOULD', requirements: ['EXT-B-001'] },
]

function result(id: string, status: FixtureResult['status'], failures: Failure[] = [], reason?: string): FixtureResult {
  const f = suite.find((s) => s.id === id) as SuiteFixture
  return { id, title: `${id} title`, level: f.level, requirements: f.requirements, status, durationMs: 1, failures, warnings: [], ...(reason ? { reason } : {}) }
}

const fail = (requirement: string, kind: Failure['kind'] = 'expect'): Failure => ({ requirement, kind, step: 2, message: `broke ${requirement}` })
const pass = (id: string) => result(id, 'pass')
const report = (results: FixtureResult[], extra: Partial<Parameters<typeof buildReport>[0]> = {}) =>
  buildReport({ target: 't', startedAt: new Date(0), durationMs: 1, results, requirements: registry, expected: [], suite, ...extra })
const all = () => suite.map((s) => pass(s.id))

describe('the overall verdict', () => {
  it('a MUST with one covering fixture passed and another untested is untested, not passed (no false CONFORMANT)', () => {
    const twoCover: SuiteFixture[] = [...suite, { id: 'a/one-more', level: 'MUST', requirements: ['EXT-A-001'] }]
    const results = [...all(), { ...pass('a/one'), id: 'a/one-more', status: 'untested' as const, reason: 'stopped at step 3: the run deadline of 1000 ms passed' }]
    const r = report(results, { suite: twoCover })
    expect(r.requirements.find((v) => v.id === 'EXT-A-001')?.status).toBe('untested')
    expect(r.verdict.status).toBe('incomplete')
    expect(r.exitCode).toBe(4)
  })

  it("a fixture stopped by its own deadline is not the worker's failure: its requirement is blocked, exit 4", () => {
    const r = report([pass('a/one'), pass('a/two'), result('a/three', 'fail', [fail('EXT-A-003', 'deadline')]), pass('b/one')])
    expect(r.requirements.find((v) => v.id === 'EXT-A-003')?.status).toBe('blocked')
    expect(r.verdict.status).not.toBe('not-conformant')
    expect(r.exitCode).toBe(4)
  })

  it('CONFORMANT only when every MUST requirement of the suite was exercised and passed', () => {
    const r = report(all())
    expect(r.verdict.line).toBe('CONFORMANT: all 3 MUST requirements of the suite exercised and passed')
    expect(r.exitCode).toBe(0)
  })

  it('a filtered run is INCOMPLETE, says how much it covers and names what it left out, and exits 0', () => {
    const r = report([pass('a/one')])
    expect(r.verdict.status).toBe('incomplete')
    expect(r.verdict.line).toBe('INCOMPLETE: 1 of 3 MUST requirements exercised, none failed (2 not selected): no conformance verdict')
    expect(r.verdict.notes).toContain('not selected by this run (2): EXT-A-002, EXT-A-003')
    expect(r.exitCode).toBe(0)
  })

  it('an untested MUST is INCOMPLETE with its reason, exit 4, never NOT CONFORMANT', () => {
    const r = report([pass('a/one'), pass('a/two'), result('a/three', 'untested', [], 'needs feature(s) short-request-timeout'), pass('b/one')])
    expect(r.verdict.line).toBe('INCOMPLETE: 2 of 3 MUST requirements exercised, none failed (1 untested): no conformance verdict')
    expect(r.verdict.notes.join('\n')).toContain('untested (1): EXT-A-003 (needs feature(s) short-request-timeout)')
    expect(r.exitCode).toBe(4)
    expect(consoleReport(r, () => undefined)).not.toContain('NOT CONFORMANT')
  })

  it('a suite error is never the worker failure: no MUST failure, the requirement is untested, exit 4', () => {
    const r = report([pass('a/one'), pass('a/two'), result('a/three', 'suite-error', [fail('EXT-A-003', 'suite')]), pass('b/one')])
    expect(r.summary.mustFailed).toBe(0)
    expect(r.summary.suiteErrors).toBe(1)
    expect(r.requirements.find((v) => v.id === 'EXT-A-003')?.status).toBe('untested')
    expect(r.verdict.status).toBe('incomplete')
    expect(r.verdict.line).toContain('1 suite error')
    expect(r.exitCode).toBe(4)
  })

  it('suite errors found at load time are reported apart and make the run INCOMPLETE (exit 4)', () => {
    const r = report(all(), { suiteErrors: [{ file: 'x.json', id: 'a/four', message: 'x.json: unknown $match kind "strnig"' }] })
    expect(r.verdict.line).toContain('1 suite error')
    expect(r.summary.suiteErrors).toBe(1)
    expect(r.summary.mustFailed).toBe(0)
    expect(r.exitCode).toBe(4)
  })

  it('a MUST failure is NOT CONFORMANT, exit 1, with its coverage', () => {
    const r = report([pass('a/one'), result('a/two', 'fail', [fail('EXT-A-002')]), pass('a/three'), pass('b/one')])
    expect(r.verdict.line).toBe('NOT CONFORMANT: 1 MUST requirement failed; 3 of 3 MUST requirements exercised')
    expect(r.exitCode).toBe(1)
  })

  it('a SHOULD failure that blocks a MUST leaves the verdict INCOMPLETE (exit 4)', () => {
    const r = report([pass('a/one'), result('a/two', 'fail', [fail('EXT-B-001')]), pass('a/three')])
    expect(r.requirements.find((v) => v.id === 'EXT-A-002')?.status).toBe('blocked')
    expect(r.verdict.status).toBe('incomplete')
    expect(r.exitCode).toBe(4)
  })
})

describe('expected failures', () => {
  const expected = (...entries: string[]) => compileExpectedFailures(entries, globToRegExp)

  it('id:EXT entries make a fixture failing only on that requirement a known failure', () => {
    const results = [pass('a/one'), result('a/two', 'fail', [fail('EXT-A-002')]), pass('a/three'), pass('b/one')]
    const r = report(results, { expected: expected('id:EXT-A-002') })
    expect(r.results.find((x) => x.id === 'a/two')?.expectation).toBe('known')
    expect(r.expectedFailures).toEqual([{ entry: 'id:EXT-A-002', status: 'matched' }])
    expect(r.verdict.line).toBe('NOT CONFORMANT: 1 MUST requirement failed, all listed as known failures; 3 of 3 MUST requirements exercised')
    expect(r.exitCode).toBe(0)
    // A failure on another requirement is not covered by the entry.
    const other = report([pass('a/one'), result('a/two', 'fail', [fail('EXT-A-002'), fail('EXT-A-001')])], { expected: expected('id:EXT-A-002') })
    expect(other.exitCode).toBe(1)
  })

  it('stale and unmatched entries are reported and fail the run (exit 4); entries outside the selection are only noted', () => {
    const stale = report(all(), { expected: expected('id:EXT-A-001', 'a/two') })
    expect(stale.expectedFailures.map((e) => e.status)).toEqual(['stale', 'stale'])
    expect(stale.summary.stale).toBe(2)
    expect(stale.exitCode).toBe(4)
    const unmatched = report(all(), { expected: expected('a/nope', 'id:EXT-Z-999') })
    expect(unmatched.expectedFailures.map((e) => e.status)).toEqual(['unmatched', 'unmatched'])
    expect(unmatched.verdict.notes.join('\n')).toContain('match no fixture of the suite (remove or fix them): a/nope, id:EXT-Z-999')
    expect(unmatched.exitCode).toBe(4)
    const outside = report([pass('a/one')], { expected: expected('a/three') })
    expect(outside.expectedFailures).toEqual([{ entry: 'a/three', status: 'unselected' }])
    expect(outside.exitCode).toBe(0)
  })

  it('a malformed id: entry is refused', () => {
    expect(() => expected('id:tools/x')).toThrow(ExpectedFailuresError)
  })
})

describe('reporters', () => {
  const hostile = '\u001b[2J\u001b[Hspoofed\r\nCONFORMANT\u009b31m\u202e'
  const results = [pass('a/one'), result('a/two', 'fail', [{ ...fail('EXT-A-002'), message: hostile, actual: hostile, expected: hostile }]), result('a/three', 'untested', [], hostile), result('b/one', 'suite-error', [fail('EXT-B-001', 'suite')])]
  const r = report(results, { suiteErrors: [{ file: 'bad.json', message: `bad.json: ${hostile}` }] })
  const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/

  it('escape control characters from the worker in every human-readable report and progress line', () => {
    const texts = { console: consoleReport(r, () => undefined), junit: junitReport(r), tap: tapReport(r), progress: results.map((x, i) => progressLine(x, i + 1, 4)).join('') }
    for (const [name, text] of Object.entries(texts)) {
      expect(raw.test(text), name).toBe(false)
      expect(text.split('\n').some((l) => l.startsWith('CONFORMANT')), name).toBe(false)
    }
    expect(texts.console).toContain('\\u001b[2J')
  })

  it('every reporter carries the verdict; suite errors are apart (JUnit <error>, TAP severity)', () => {
    expect(consoleReport(r, () => undefined)).toContain(r.verdict.line)
    expect(consoleReport(r, () => undefined)).toContain("Suite errors (the fixture is wrong; not the target's failures):")
    const junit = junitReport(r)
    expect(XMLValidator.validate(junit)).toBe(true)
    expect(junit).toContain('<property name="extwire.verdict" value="NOT CONFORMANT')
    expect(junit).toMatch(/errors="2"/)
    expect(junit).toContain('<error message="suite error (the fixture is wrong, not the worker)')
    const tap = tapReport(r)
    expect(tap).toContain('1..5')
    expect(tap).toContain('not ok 4 - suite error: b/one')
    expect(tap).toContain('severity: suite-error')
    expect(tap).toContain(`# ${r.verdict.line}`)
    const json = JSON.parse(jsonReport(r)) as { verdict: { line: string }; suiteErrors: unknown[] }
    expect(json.verdict.line).toBe(r.verdict.line)
    expect(json.suiteErrors).toHaveLength(1)
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema/conformance-report.schema.json'), 'utf8')) as object)
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true)
  })
})
