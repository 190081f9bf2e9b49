/** `extwire record` exits non-zero, and says why, when the worker it records fails. */
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PACKAGE_ROOT } from './paths.js'

interface Session {
  code: number | null
  err: string
  out: string
}

/** Starts `extwire record` as a host would; `host` plays the host on its stdin/stdout. */
function recordSession(worker: string, host: (stdin: NodeJS.WritableStream, stdout: AsyncIterable<string>) => Promise<void>): Promise<Session> {
  const out = join(mkdtempSync(join(tmpdir(), 'extwire-record-exit-')), 'session.json')
  const child = spawn('node', [join(PACKAGE_ROOT, 'bin/extwire.js'), 'record', '--cmd', worker, '--out', out], { cwd: PACKAGE_ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  child.stdout.setEncoding('utf8')
  let err = ''
  let text = ''
  child.stderr.setEncoding('utf8').on('data', (t: string) => (err += t))
  const lines = (async function* () {
    for await (const chunk of child.stdout) {
      text += chunk as string
      yield chunk as string
    }
  })()
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  const guard = setTimeout(() => child.kill('SIGKILL'), 60_000)
  return host(child.stdin, lines)
    .then(() => closed)
    .then((code) => ({ code, err, out: text }))
    .finally(() => clearTimeout(guard))
}

async function waitForReady(stdout: AsyncIterable<string>): Promise<void> {
  let seen = ''
  for await (const chunk of stdout) {
    seen += chunk
    if (seen.includes('"type":"ready"')) return
  }
}

describe('extwire record exit code', () => {
  it('fails when the worker exits before ready', async () => {
    const r = await recordSession('node -e "process.exit(3)"', async () => undefined)
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/the worker failed: it never sent ready; .*exited with code 3/)
  }, 60_000)

  it('fails when the worker crashes during the session', async () => {
    const r = await recordSession('sh test/workers/exit-on-first-message.sh', async (stdin, stdout) => {
      await waitForReady(stdout)
      stdin.write('{"type":"settings-changed","id":"s-1","payload":{"key":"k","value":1}}\n')
    })
    expect(r.code).toBe(1)
    expect(r.err).toMatch(/the worker failed: .*exited with code 5/)
    expect(r.err).not.toContain('never sent ready')
  }, 60_000)

  it('succeeds when the worker does its part and the host closes', async () => {
    const r = await recordSession('node dist/conformance-stdio.cjs', async (stdin, stdout) => {
      await waitForReady(stdout)
      stdin.end()
    })
    expect(r.err).toContain('fixture written to')
    expect(r.code).toBe(0)
    expect(readFileSync(/fixture written to (\S+)/.exec(r.err)?.[1] as string, 'utf8')).toContain('"steps"')
  }, 60_000)
})
