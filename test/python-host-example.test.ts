/** A host written in another language (examples/python-host) passes the handshake, inbound and request fixtures of the host role over --host-cmd. */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { run } from '../src/cli/main.js'
import { ROOT } from './helpers/examples.js'
import { python3 } from './helpers/python.js'

/** The areas the example claims (its README lists the same filters). */
const AREAS = ['handshake', 'inbound', 'requests', 'api', 'unload']

describe('the Python example host', () => {
  it('passes every fixture of its areas through the CLI', async () => {
    // Every fixture of the claimed areas must pass, however many there are when this runs.
    const count = AREAS.reduce((n, area) => n + readdirSync(join(ROOT, 'fixtures/host', area)).filter((f) => f.endsWith('.json')).length, 0)
    expect(count).toBeGreaterThanOrEqual(19)
    let out = ''
    const code = await run({
      // A patient wait per expectation: one Python process per fixture is slow to answer on a loaded machine.
      argv: ['conformance', '--role', 'host', '--timeout', '10000', '--host-cmd', `${JSON.stringify(python3())} examples/python-host/host.py`, ...AREAS.flatMap((a) => ['--filter', `host/${a}/**`])],
      cwd: ROOT,
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: (t: string) => (out += t) },
    })
    expect(out).toContain(`${count} passed, 0 failed (0 known), 0 untested`)
    expect(code).toBe(0)
  }, 240_000)
})
