/** A worker written in another language (examples/python-worker) passes the handshake and tool fixtures over stdio. */
import { describe, expect, it } from 'vitest'
import { run } from '../src/cli/main.js'
import { ROOT } from './helpers/examples.js'
import { python3 } from './helpers/python.js'

describe('the Python example worker', () => {
  it('passes the handshake, not-active and tool-execute fixtures', async () => {
    let out = ''
    const code = await run({
      argv: ['conformance', '--cmd', `${JSON.stringify(python3())} examples/python-worker/worker.py`, '--filter', 'lifecycle/ready-once-first', '--filter', 'lifecycle/*-before-activation', '--filter', 'lifecycle/tool-after-deactivate', '--filter', 'tools/**'],
      cwd: ROOT,
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (out += t) },
    })
    expect(out).toContain('17 passed, 0 failed')
    expect(code).toBe(0)
  }, 120_000)
})
