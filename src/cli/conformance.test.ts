/** `extwire conformance` end to end, in-process: selection, reporters, expected failures, exit codes. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { run } from './main.js'
import { UsageError } from './io.js'
import { PACKAGE_ROOT } from '../../conformance/paths.js'
import type { LoadedFixture } from '../../conformance/fixture/load.js'
import type { Fixture } from '../../conformance/fixture/schema.js'
import { globToRegExp, SelectionError, selectFixtures } from '../../conformance/fixture/select.js'
import { selectTarget } from './target.js'

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await run({ argv, cwd: PACKAGE_ROOT, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } })
  return { code, out, err }
}

const tmp = () => mkdtempSync(join(tmpdir(), 'extwire-cli-'))

describe('extwire conformance', () => {
  it('runs a selection against the embedded runtime and passes', async () => {
    const r = await cli('conformance', '--filter', 'tools/**')
    expect(r.code).toBe(0)
    // A filtered run says what it covers and never claims conformance.
    expect(r.out).toMatch(/INCOMPLETE: \d+ of \d+ MUST requirements exercised, none failed \(\d+ not selected\): no conformance verdict/)
    expect(r.out).not.toMatch(/^CONFORMANT/m)
    expect(r.out).toMatch(/not selected by this run \(\d+\): .*EXT-LIFE-001/)
    expect(r.out).toMatch(/\[ *1\/11\] ✓/)
  })

  it('--list shows the selection, --level and --since narrow it', async () => {
    const all = await cli('conformance', '--list')
    const should = await cli('conformance', '--list', '--level', 'SHOULD')
    const bg = await cli('conformance', '--list', '--since', '0.22.0')
    const count = (t: string) => Number(/(\d+) fixture\(s\)/.exec(t)?.[1])
    expect(count(all.out)).toBeGreaterThanOrEqual(100)
    expect(count(should.out)).toBeGreaterThan(0)
    expect(should.out.split('\n').filter((l) => l.includes('  MUST  '))).toEqual([])
    expect(bg.out).toContain('background/')
    expect(bg.out).not.toContain('tools/')
    const old = await cli('conformance', '--list', '--protocol', '0.21.0')
    expect(old.out).not.toContain('background/')
  })

  it('a filter that matches nothing is a usage error', async () => {
    const r = await cli('conformance', '--filter', 'nothing/**')
    expect(r.code).toBe(2)
    expect(r.err).toContain('matches no fixture')
  })

  it('writes a JSON report that validates against the published schema', async () => {
    const out = join(tmp(), 'report.json')
    const r = await cli('conformance', '--filter', 'providers/**', '--reporter', 'json', '--output', out, '--trace')
    expect(r.code).toBe(0)
    const report = JSON.parse(readFileSync(out, 'utf8')) as { results: Array<{ trace?: unknown[] }>; requirements: Array<{ id: string; status: string }> }
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema/conformance-report.schema.json'), 'utf8')) as object)
    expect(validate(report), JSON.stringify(validate.errors)).toBe(true)
    expect(report.results[0]?.trace?.length).toBeGreaterThan(0)
    expect(report.requirements.find((v) => v.id === 'EXT-PROV-002')?.status).toBe('pass')
  })

  it('writes well-formed JUnit XML and TAP', async () => {
    const junit = await cli('conformance', '--filter', 'scheduler/**', '--reporter', 'junit')
    expect(XMLValidator.validate(junit.out.slice(junit.out.indexOf('<?xml')))).toBe(true)
    expect(junit.out).toContain('<testcase classname="extwire.scheduler"')
    const tap = await cli('conformance', '--filter', 'settings/**', '--reporter', 'tap')
    expect(tap.out).toContain('TAP version 13\n1..2\nok 1 - settings/')
  })

  describe('with a fixture that fails against the reference runtime', () => {
    const dir = tmp()
    const failing = join(dir, 'failing.json')
    writeFileSync(
      failing,
      JSON.stringify({
        id: 'local/expects-the-impossible',
        title: 'Expects a tool to answer with the wrong data',
        requirements: ['EXT-TOOL-003'],
        level: 'MUST',
        since: '0.21.0',
        permissions: ['tools.register'],
        steps: [
          { activate: {} },
          { send: { type: 'tool-execute-request', id: 't-1', payload: { toolId: 'echo', params: { a: 1 } } } },
          { expect: { type: 'tool-execute-response', payload: { requestId: 't-1', result: { success: true, data: { a: 2 } } } }, timeoutMs: 200 },
        ],
      }),
    )
    const passing = join(PACKAGE_ROOT, 'fixtures/tools/echo-result-unchanged.json')

    it('prints the first divergence: expected, actual, path and requirement', async () => {
      const r = await cli('conformance', '--fixture', failing)
      expect(r.code).toBe(1)
      expect(r.out).toContain('EXT-TOOL-003 expect at step 3')
      expect(r.out).toContain('differs at: /payload/result/data/a')
      expect(r.out).toContain('"a":2')
      expect(r.out).toContain('"a":1')
      expect(r.out).toContain('NOT CONFORMANT')
    })

    it('a listed failure does not fail the run; a listed pass fails it as stale', async () => {
      const list = join(dir, 'expected-failures.txt')
      writeFileSync(list, '# known\nlocal/expects-the-impossible\n')
      expect((await cli('conformance', '--fixture', failing, '--expected-failures', list)).code).toBe(0)
      writeFileSync(list, 'local/expects-the-impossible\ntools/echo-result-unchanged\n')
      const stale = await cli('conformance', '--fixture', failing, '--fixture', passing, '--expected-failures', list)
      expect(stale.code).toBe(4)
      expect(stale.out).toContain('PASSED: remove it from the expected-failures file')
      expect(stale.out).toContain('expected-failures entries that now pass (stale, remove them): tools/echo-result-unchanged')
    })

    it('--bail stops after the first failure', async () => {
      const r = await cli('conformance', '--fixture', failing, '--fixture', passing, '--bail', '--concurrency', '1')
      expect(r.code).toBe(1)
      // The fixture never started is accounted for as untested, with the reason, not dropped.
      expect(r.out).toContain('2 fixtures against')
      expect(r.out).toContain('0 passed, 1 failed (0 known), 1 untested')
      expect(r.out).toContain('not run: --bail stopped the run after a failure')
    })
  })

  it('runs against a worker module (--worker)', async () => {
    const r = await cli('conformance', '--worker', 'dist/conformance-worker.cjs', '--filter', 'lifecycle/ready-once-first', '--filter', 'tools/echo-result-unchanged')
    expect(r.code).toBe(0)
    expect(r.out).toContain('2 passed')
  }, 30_000)

  it('reports a worker that cannot start as such (exit 3), not a hang', async () => {
    const r = await cli('conformance', '--cmd', 'node -e "process.exit(7)"', '--filter', 'lifecycle/ready-once-first', '--timeout', '5000')
    expect(r.code).toBe(3)
    expect(r.err).toContain('exited with code 7')
  }, 30_000)
  describe('suite errors', () => {
    const dir = tmp()
    const good = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'fixtures/tools/echo-result-unchanged.json'), 'utf8')) as Fixture
    const broken = (id: string, steps: unknown[]) => writeFileSync(join(dir, `${id}.json`), JSON.stringify({ ...good, id: `local/${id}`, steps }))
    writeFileSync(join(dir, 'good.json'), JSON.stringify(good))
    broken('unknown-match', [{ activate: {} }, { expect: { type: 'log', payload: { level: { $match: 'strnig' } } } }])
    broken('unbound-ref-expect', [{ activate: {} }, { expect: { type: 'request', id: { $ref: 'never' } } }])
    broken('unbound-ref-send', [{ activate: {} }, { send: { type: 'tool-execute-request', id: { $ref: 'never' }, payload: { toolId: 'echo', params: {} } } }])
    broken('huge-timeout', [{ activate: {} }, { expect: { type: 'log' }, timeoutMs: 3_000_000_000 }])
    broken('redos', [{ activate: {} }, { expect: { type: 'log', payload: { message: { $match: 'regex', pattern: '(a+)+$' } } } }])

    it('are reported apart, are never run, never count as the worker failures, and the verdict says so', async () => {
      const out = join(tmp(), 'r.json')
      const r = await cli('conformance', '--fixtures', dir, '--reporter', 'json', '--output', out)
      expect(r.code).toBe(4)
      const report = JSON.parse(readFileSync(out, 'utf8')) as { summary: { fixtures: number; passed: number; mustFailed: number; suiteErrors: number }; suiteErrors: Array<{ id: string; message: string }>; verdict: { status: string; line: string }; requirements: Array<{ status: string }> }
      expect(report.summary).toMatchObject({ fixtures: 1, passed: 1, mustFailed: 0, suiteErrors: 5 })
      expect(report.suiteErrors.map((e) => e.id).sort()).toEqual(['local/huge-timeout', 'local/redos', 'local/unbound-ref-expect', 'local/unbound-ref-send', 'local/unknown-match'])
      expect(report.requirements.some((v) => v.status === 'fail')).toBe(false)
      expect(report.verdict.status).toBe('incomplete')
      expect(report.verdict.line).toContain('5 suite errors')
      expect(r.err).toContain('suite error (not run)')
      const text = await cli('conformance', '--fixtures', dir)
      expect(text.out).toContain("Suite errors (the fixture is wrong; not the target's failures):")
      expect(text.out).not.toContain('NOT CONFORMANT')
    })

    it('a filter that selects only a broken fixture reports its suite error', async () => {
      const r = await cli('conformance', '--fixtures', dir, '--filter', 'local/redos')
      expect(r.code).toBe(4)
      expect(r.out).toContain('refused: a repeated group that itself repeats')
    })
  })

  it('fuzz: a target that cannot start is not a counterexample: one line, exit 3', async () => {
    const r = await cli('fuzz', '--cmd', 'exit 0', '--runs', '1')
    expect(r.code).toBe(3)
    expect(r.err.trim().split('\n')).toEqual([expect.stringMatching(/^extwire fuzz: the target cannot start \(command exit 0\): /)])
  }, 30_000)

  it.each([
    ['worker', '100000', ['--threads', '1']],
    ['host', '4000', ['--role', 'host']],
  ])('fuzz (%s role): Ctrl-C stops a campaign where it is, reports what it played with its seed, and leaves no SIGINT listener', async (_role, runs, flags) => {
    const listeners = process.listenerCount('SIGINT')
    let out = ''
    let err = ''
    let interrupted = false
    const code = await run({
      argv: ['fuzz', '--runs', runs, '--seed', '3', ...flags],
      cwd: PACKAGE_ROOT,
      stdout: { write: (t: string) => (out += t) },
      stderr: {
        write: (t: string) => {
          err += t
          // The first progress line: the campaign is playing.
          if (!interrupted && /\d+\/\d+ sequences/.test(t)) {
            interrupted = true
            setImmediate(() => process.emit('SIGINT'))
          }
        },
      },
    })
    expect(err).toContain('stopping at Ctrl-C')
    expect(out).toMatch(new RegExp(`^no counterexample in \\d+ sequences \\(seed 3, .*stopped by Ctrl-C before ${runs}\\)`))
    expect(code).toBe(0)
    expect(process.listenerCount('SIGINT')).toBe(listeners)
  }, 120_000)

  describe('usage errors: one line, exit 2, no stack, before any fixture runs', () => {
    const dir = tmp()
    writeFileSync(join(dir, 'bad.txt'), 'id:tools/x\n')
    const cases: Array<[string, string[], RegExp]> = [
      ['a missing fixture file', ['conformance', '--fixture', 'nope.json'], /--fixture nope\.json: no such file/],
      ['a missing fixtures folder', ['conformance', '--fixtures', 'nope-dir'], /--fixtures nope-dir: no such directory/],
      ['a missing expected-failures file', ['conformance', '--expected-failures', 'nope.txt'], /--expected-failures nope\.txt: no such file/],
      ['a malformed expected-failures entry', ['conformance', '--expected-failures', 'bad.txt'], /id:tools\/x/],
      ['an output path that is a folder', ['conformance', '--output', dir], /is a directory/],
      ['a bad reporter', ['conformance', '--reporter', 'xml'], /--reporter xml: expected one of console, json, junit, tap/],
      ['a bad level', ['conformance', '--level', 'MUSTN'], /--level MUSTN/],
      ['a bad version', ['conformance', '--since', 'banana'], /--since banana: expected a version such as 0\.22\.0/],
      ['an unknown feature', ['conformance', '--features', 'teleport'], /--features teleport: expected one of short-request-timeout/],
      ['a timeout that overflows a timer', ['conformance', '--timeout', '3000000000'], /--timeout 3000000000: expected a whole number of milliseconds from 1 to 60000/],
      ['an empty --cmd', ['conformance', '--cmd', ''], /--cmd is empty/],
      ['--worker and --cmd', ['conformance', '--worker', 'a.js', '--cmd', 'b'], /give one of/],
      ['an unknown mutant', ['conformance', '--mutant', 'nope'], /unknown --mutant nope/],
      ['an unknown option', ['conformance', '--nope'], /Unknown option/],
      ['validate --direction sideways', ['validate', '--direction', 'sideways', 'x.json'], /--direction sideways: expected worker-to-host, host-to-worker or any/],
      ['a missing validate input', ['validate', 'nope.json'], /input nope\.json: no such file/],
      ['fuzz with an empty --cmd', ['fuzz', '--cmd', ''], /--cmd is empty/],
      ['fuzz with an empty --worker', ['fuzz', '--worker', ''], /--worker is empty/],
      ['fuzz with a huge --timeout', ['fuzz', '--timeout', '3000000000'], /--timeout 3000000000/],
      ['fuzz with a bad --max-message-bytes', ['fuzz', '--cmd', 'x', '--max-message-bytes', 'lots'], /--max-message-bytes lots: expected a positive whole number of bytes/],
      ['conformance with a bad --max-message-bytes', ['conformance', '--max-message-bytes', '0'], /--max-message-bytes 0: expected a positive whole number of bytes/],
      ['record without a target', ['record', '--out', 'x.json'], /give --cmd or --worker/],
      ['record with a mutant', ['record', '--mutant', 'x', '--out', 'x.json'], /Unknown option '--mutant'/],
    ]
    for (const [name, argv, message] of cases) {
      it(name, async () => {
        let out = ''
        let err = ''
        const code = await run({ argv, cwd: dir, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } })
        expect(code).toBe(2)
        expect(err).toMatch(message)
        expect(err.trimEnd().split('\n')).toHaveLength(1)
        expect(err).not.toMatch(/\n\s+at /)
        expect(out).toBe('') // nothing ran
      })
    }
  })

  it('--output into a missing folder creates it before the run', async () => {
    const out = join(tmp(), 'new', 'deeper', 'report.xml')
    const r = await cli('conformance', '--filter', 'settings/**', '--reporter', 'junit', '--output', out)
    expect(r.code).toBe(0)
    expect(readFileSync(out, 'utf8')).toContain('<testsuites')
  })

  it('--version prints the package version', async () => {
    const r = await cli('--version')
    expect(r.code).toBe(0)
    expect(r.out).toBe(`extwire ${(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version}\n`)
  })

  it('globs treat ? and other regex characters literally', () => {
    expect(globToRegExp('tools/echo?result-unchanged').test('tools/echo-result-unchanged')).toBe(false)
    expect(globToRegExp('tools/echo?result-unchanged').test('tools/echresult-unchanged')).toBe(false)
    expect(globToRegExp('tools/echo-result-unchanged').test('tools/echo-result-unchanged')).toBe(true)
    expect(globToRegExp('tools/(echo)+').test('tools/echoecho')).toBe(false)
    expect(globToRegExp('tools/*').test('tools/a')).toBe(true)
    expect(globToRegExp('**').test('a/b/c')).toBe(true)
  })

  it('selection (library code) throws its own error, not a CLI usage error', () => {
    const loaded: LoadedFixture[] = [{ file: 'x.json', fixture: { id: 'a/b' } as Fixture }]
    let error: unknown
    try {
      selectFixtures(loaded, { filter: ['nothing/**'], skip: [], levels: [] })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SelectionError)
    expect(error).not.toBeInstanceOf(UsageError)
  })

  it('one target selection serves conformance, fuzz and record, and prints flags that select the same target', () => {
    const cmd = selectTarget({ cmd: "node 'my worker.js'", cwd: 'sub' }, '/repo', { defaultFeatures: ['short-request-timeout'] })
    expect(cmd.flags.join(' ')).toBe(`--cmd 'node '\\''my worker.js'\\''' --cwd /repo/sub --features short-request-timeout`)
    expect(cmd.target().name).toBe("command node 'my worker.js'")
    expect(selectTarget({ worker: 'w.js', features: ['a,b'] }, '/repo').flags).toEqual(['--worker', '/repo/w.js', '--features', 'a,b'])
    expect(selectTarget({ mutant: 'missing-ack' }, '/repo').flags).toEqual(['--mutant', 'missing-ack'])
    expect(selectTarget({}, '/repo').kind).toBe('embedded')
    expect(() => selectTarget({ cmd: '  ' }, '/repo')).toThrow(/--cmd is empty/)
    expect(() => selectTarget({ cwd: 'x' }, '/repo')).toThrow(/--cwd applies only to --cmd/)
  })
})
