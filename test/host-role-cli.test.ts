/**
 * `extwire conformance --role host`: the same CLI, selection, reporters, expected failures and exit
 * codes as the worker role, over --host (in process) and --host-cmd (a process).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { run } from '../src/cli/main.js'
import { ROOT } from './helpers/examples.js'

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await run({ argv, cwd: ROOT, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } })
  return { code, out, err }
}

const fixture = (name: string, requirement: string, result: unknown) => ({
  role: 'host',
  id: `host/cli/${name}`,
  title: `tool result ${name}`,
  requirements: [requirement],
  level: 'MUST',
  since: '0.21.0',
  permissions: ['tools.register'],
  steps: [
    { do: 'load', expectResult: { ok: true } },
    { send: { type: 'ready' } },
    { expect: { type: 'activate', payload: { permissions: ['tools.register'] } } },
    { do: 'executeTool', args: { extensionId: 'conformance', toolId: 'echo', params: {} }, label: 'run' },
    { expect: { type: 'tool-execute-request', id: { $capture: 'tid' } } },
    { send: { type: 'tool-execute-response', payload: { requestId: { $ref: 'tid' }, result: { success: true, data: 1 } } } },
    { awaitResult: 'run', expectResult: result },
  ],
})

/** A fixture folder with one worker fixture (which a host run must not take) and host fixtures. */
function folder(wrong: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'extwire-host-cli-'))
  mkdirSync(join(dir, 'host/cli'), { recursive: true })
  writeFileSync(join(dir, 'host/cli/good.json'), JSON.stringify(fixture('good', 'EXT-HOST-075', { ok: true, value: { success: true, data: 1 } })))
  writeFileSync(join(dir, 'host/cli/other.json'), JSON.stringify(fixture('other', 'EXT-HOST-073', wrong ? { ok: true, value: { data: 2 } } : { ok: true })))
  mkdirSync(join(dir, 'tools'))
  writeFileSync(join(dir, 'tools/w.json'), JSON.stringify({ id: 'tools/w', title: 'w', requirements: ['EXT-TOOL-001'], level: 'MUST', since: '0.21.0', permissions: [], steps: [{ expect: { type: 'ready' } }] }))
  writeFileSync(join(dir, 'untestable.json'), '{}')
  return dir
}

describe('extwire conformance --role host', () => {
  it('certifies an in-process host driver (--host): CONFORMANT, exit 0, only host fixtures', async () => {
    const r = await cli('conformance', '--host', 'test/host-role/fake-module.ts', '--fixtures', folder(false))
    expect(r.err).toBe('')
    expect(r.out).toContain('2 fixture(s) against host driver')
    expect(r.out).toMatch(/^CONFORMANT: all 2 MUST requirements/m)
    expect(r.code).toBe(0)
  })

  it('reports a failing host with the requirement, the divergence and exit 1; --expected-failures turns it known', async () => {
    const dir = folder(true)
    const r = await cli('conformance', '--role', 'host', '--host-cmd', 'node test/host-role/echo-host.mjs', '--fixtures', dir)
    expect(r.code).toBe(1)
    expect(r.out).toMatch(/NOT CONFORMANT: 1 MUST requirement failed/)
    expect(r.out).toContain('EXT-HOST-073 expect at step 7')
    expect(r.out).toContain('differs at: /value/data')
    const known = join(dir, 'known.txt')
    writeFileSync(known, 'host/cli/other\n')
    const k = await cli('conformance', '--host-cmd', 'node test/host-role/echo-host.mjs', '--fixtures', dir, '--expected-failures', known, '--reporter', 'json')
    expect(k.code).toBe(0)
    const report = JSON.parse(k.out) as { requirements: Array<{ id: string; status: string }>; results: Array<{ id: string; expectation?: string }> }
    expect(report.requirements.map((v) => [v.id, v.status])).toEqual([['EXT-HOST-073', 'fail'], ['EXT-HOST-075', 'pass']])
    expect(report.results.find((x) => x.id === 'host/cli/other')?.expectation).toBe('known')
  }, 60_000)

  it('filters, lists and reports in junit and tap as the worker role does', async () => {
    const dir = folder(false)
    const list = await cli('conformance', '--role', 'host', '--host', 'test/host-role/fake-module.ts', '--fixtures', dir, '--list', '--filter', 'host/cli/good')
    expect(list.out).toContain('host/cli/good  MUST  EXT-HOST-075')
    expect(list.out).toContain('1 fixture(s)')
    const tap = await cli('conformance', '--host', 'test/host-role/fake-module.ts', '--fixtures', dir, '--reporter', 'tap', '--filter', 'host/**')
    expect(tap.out).toMatch(/^ok 1 .*host\/cli\/good/m)
    const junit = await cli('conformance', '--host', 'test/host-role/fake-module.ts', '--fixtures', dir, '--reporter', 'junit', '--level', 'MUST')
    expect(junit.out).toContain('host/cli/other')
  })

  it('refuses contradictory flags before any fixture runs (exit 2)', async () => {
    for (const argv of [
      ['--role', 'worker', '--host', 'x.js'],
      ['--role', 'host', '--cmd', 'x'],
      ['--host', 'x.js', '--host-cmd', 'y'],
      ['--role', 'sideways'],
      ['--role', 'host', '--host', 'x.js', '--fixture', 'fixtures/tools/action-result-unchanged.json'],
    ]) {
      const r = await cli('conformance', ...argv)
      expect([argv, r.code]).toEqual([argv, 2])
    }
  })

  it('says the target cannot start (exit 3) when the --host module does not exist or the driver never answers', async () => {
    const r = await cli('conformance', '--host', 'test/host-role/nothing-here.ts', '--fixtures', folder(false))
    expect(r.code).toBe(3)
    expect(r.err).toContain('module not found')
    const silent = await cli('conformance', '--host-cmd', 'sleep 30', '--fixtures', folder(false), '--ready-timeout', '300')
    expect(silent.code).toBe(3)
    expect(silent.err).toContain('no answer to describe')
  }, 30_000)
})
