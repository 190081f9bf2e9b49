/** `extwire conformance` end to end, in-process: selection, reporters, expected failures, exit codes. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { XMLValidator } from 'fast-xml-parser'
import { describe, expect, it } from 'vitest'
import { run } from '../src/cli/main.js'
import { PACKAGE_ROOT } from './cli.js'

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
      expect(r.out).toContain('1 fixtures against')
    })
  })

  it('runs against a worker module (--worker)', async () => {
    const r = await cli('conformance', '--worker', 'dist/conformance-worker.js', '--filter', 'lifecycle/ready-once-first', '--filter', 'tools/echo-result-unchanged')
    expect(r.code).toBe(0)
    expect(r.out).toContain('2 passed')
  }, 30_000)

  it('reports a worker that cannot start as a failure, not a hang', async () => {
    const r = await cli('conformance', '--cmd', 'node -e "process.exit(7)"', '--filter', 'lifecycle/ready-once-first', '--timeout', '5000')
    expect(r.code).toBe(1)
    expect(r.out).toContain('exited with code 7')
  }, 30_000)
})
