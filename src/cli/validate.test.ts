/** `extwire validate`: messages from JSON and JSON Lines files, with errors that name file, line and path. */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { run } from './main.js'

async function cli(cwd: string, ...argv: string[]) {
  let out = ''
  let err = ''
  const code = await run({ argv, cwd, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } })
  return { code, out, err }
}

describe('extwire validate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'extwire-validate-'))
  writeFileSync(join(dir, 'good.json'), JSON.stringify([{ type: 'ready' }, { type: 'streaming-fetch-ack', payload: { requestId: 'r' } }]))
  writeFileSync(join(dir, 'trace.jsonl'), [JSON.stringify({ type: 'ready' }), '', JSON.stringify({ type: 'log', payload: { level: 'loud', message: 'x' } }), 'not json'].join('\n'))

  it('accepts valid messages', async () => {
    const r = await cli(dir, 'validate', 'good.json')
    expect(r.code).toBe(0)
    expect(r.out).toContain('2 valid, 0 invalid')
  })

  it('reports invalid messages and unparsable lines with their line numbers', async () => {
    const r = await cli(dir, 'validate', 'trace.jsonl')
    expect(r.code).toBe(1)
    expect(r.out).toContain('trace.jsonl:3: log: /payload/level: expected "debug" | "info" | "warn" | "error", received string "loud" [EXT-WIRE-005]')
    expect(r.err).toContain('trace.jsonl:4: not JSON')
    expect(r.out).toContain('1 valid, 2 invalid')
  })

  it('checks direction and mode', async () => {
    expect((await cli(dir, 'validate', '--direction', 'host-to-worker', 'good.json')).code).toBe(1)
    writeFileSync(join(dir, 'extra.json'), JSON.stringify({ type: 'ready', extra: 1 }))
    expect((await cli(dir, 'validate', 'extra.json')).code).toBe(1)
    expect((await cli(dir, 'validate', '--mode', 'tolerant', 'extra.json')).code).toBe(0)
  })

  it('rejects bad usage with exit 2', async () => {
    expect((await cli(dir, 'validate')).code).toBe(2)
    expect((await cli(dir, 'validate', '--mode', 'loose', 'good.json')).code).toBe(2)
    expect((await cli(dir, 'nope')).code).toBe(2)
    expect((await cli(dir, '--help')).code).toBe(0)
  })
})
