/** `extwire compat`: the report for any pair, Markdown and JSON, and usage errors that name the known versions. */
import { describe, expect, it } from 'vitest'
import { run } from './main.js'
import type { CompatReport } from '../protocol/versions-compat.js'

async function cli(...argv: string[]) {
  let out = ''
  let err = ''
  const code = await run({ argv, cwd: process.cwd(), stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } })
  return { code, out, err }
}

describe('extwire compat', () => {
  it('prints a Markdown table per direction', async () => {
    const r = await cli('compat', '0.22.1', '0.36.0')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/^# Compatibility: 0\.22\.1 → 0\.36\.0/)
    expect(r.out).toContain('## Host → worker')
    expect(r.out).toContain('## Worker → host (messages and request methods)')
    expect(r.out).toContain('| permission renamed | `storage.local` → `storage.collections` | both |')
    expect(r.out).toContain('| method removed | storage.set | workers |')
  })

  it('prints JSON with --json', async () => {
    const r = await cli('compat', '0.30.0', '0.31.0', '--json')
    expect(r.code).toBe(0)
    const report = JSON.parse(r.out) as CompatReport
    expect(report.changes.map((c) => [c.kind, c.change, c.subject, c.breaks])).toEqual([
      ['method', 'added', 'user.listIds', 'hosts'],
      ['permission', 'added', 'user.list', 'hosts'],
    ])
  })

  it('says so when nothing differs', async () => {
    const r = await cli('compat', '0.22.1', '0.22.0')
    expect(r.out).toContain('No differences.')
  })

  it('rejects unknown versions and a wrong argument count with exit 2, naming the known versions', async () => {
    for (const argv of [['compat', '0.22.1', '9.9.9'], ['compat', '0.22.1'], ['compat', 'a', 'b', 'c']]) {
      const r = await cli(...argv)
      expect(r.code, argv.join(' ')).toBe(2)
      expect(r.err).toMatch(/^extwire compat: .*known versions: 0\.21\.0, 0\.22\.0, 0\.22\.1, 0\.23\.0, 0\.26\.0, 0\.30\.0, 0\.31\.0, 0\.33\.0, 0\.36\.0 \(see extwire compat --help\)\n$/)
    }
    expect((await cli('compat', '--nope', '0.22.1', '0.36.0')).code).toBe(2)
    expect((await cli('compat', '--help')).out).toContain('Usage: extwire compat <from> <to> [--json]')
  })
})
