/**
 * The host example runs exactly as the README's "Host kit" section says (after `npm ci`, which
 * builds dist/; `npm test` builds before it runs this), exits 0, and prints what it promises.
 */
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../scripts/generate.js'

/** A bound on the run on a busy machine, not an expectation of speed. */
const DEADLINE_MS = 120_000

function readmeCommand(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Host kit'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  const command = block.split('&&').map((part) => part.trim()).find((part) => part.startsWith('node '))
  if (!command) throw new Error('the Host kit section of README.md shows no `node …` command')
  return command
}

function run(command: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd: ROOT, shell: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    const timer = setTimeout(() => child.kill('SIGKILL'), DEADLINE_MS)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

describe('examples/host', () => {
  it('runs as the README says and prints the session', async () => {
    const command = readmeCommand()
    expect(command).toBe('node examples/host/run.mjs')
    const { code, stdout, stderr } = await run(command)
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toContain('loaded conformance 1.0.0: active')
    expect(stdout).toContain('tool   echo -> {"success":true,"data":{"greeting":"hello"}}')
    expect(stdout).toContain('chat   chunk-0 | chunk-1 | chunk-2 | done')
    expect(stdout).toContain('task   on-failure-task: restarting (in 10 ms)')
    expect(stdout).toContain('tasks  on-failure-task: failed, 2 restarts, exhausted')
    expect(stdout).toContain('tasks  always-task: stopped, 0 restarts, stopped by the host')
    expect(stdout).toContain('event  extension-unloaded')
    expect(stdout.trimEnd().endsWith('unloaded; 0 extension errors')).toBe(true)
  }, DEADLINE_MS + 10_000)
})
