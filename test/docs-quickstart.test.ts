/**
 * docs/quickstart.md is runnable as written: every file it shows is written into a fresh folder
 * where `extwire` is installed (a symlink to this package, as `npm install` of a local path makes),
 * and every command it shows runs there and must exit 0, and a conformance summary it prints must
 * show nothing failed or untested. `npx extwire` and `npx vitest` run this package's own binaries,
 * which is what npx finds in such a folder. The `--cmd` command is also the check of the Python
 * example worker (examples/python-worker): it passes the handshake and tool fixtures.
 */
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { python3Dir } from './helpers/python.js'
import { ROOT } from '../scripts/generate.js'

const doc = readFileSync(join(ROOT, 'docs/quickstart.md'), 'utf8')
const files = [...doc.matchAll(/<!-- quickstart:file (\S+) -->\n```\w*\n([\s\S]*?)```/g)].map((m) => ({ name: m[1] as string, content: m[2] as string }))
const commands = [...doc.matchAll(/<!-- quickstart:run -->\n```sh\n([\s\S]*?)```/g)].flatMap((m) =>
  (m[1] as string)
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#')),
)

/** How long one command may take before it is killed and the test fails (a bound, not an expectation). */
const DEADLINE_MS = 150_000

const folder = mkdtempSync(join(tmpdir(), 'extwire-quickstart-'))
mkdirSync(join(folder, 'node_modules'))
symlinkSync(ROOT, join(folder, 'node_modules', 'extwire'), 'dir')
for (const file of files) writeFileSync(join(folder, file.name), file.content)

afterAll(() => rmSync(folder, { recursive: true, force: true }))

/** The command as npx would run it in the folder. */
function resolveNpx(command: string): string {
  return command
    .replace(/^npx extwire /, `node ${JSON.stringify(join(ROOT, 'bin/extwire.js'))} `)
    .replace(/^npx vitest /, `node ${JSON.stringify(join(ROOT, 'node_modules/vitest/vitest.mjs'))} `)
}

const python = python3Dir()

/** Runs a shell command in its own process group; on the deadline the whole group is killed. */
function run(command: string): Promise<{ code: number | null; output: string }> {
  // The outer vitest's variables would make the inner one think it is a worker of ours.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'))
  if (python) env['PATH'] = `${python}${delimiter}${env['PATH'] ?? ''}`
  const child = spawn('sh', ['-c', command], { cwd: folder, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d))
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      output += `\n(killed after ${DEADLINE_MS} ms)`
      try {
        process.kill(-(child.pid as number), 'SIGKILL')
      } catch {
        // already gone
      }
    }, DEADLINE_MS)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

describe('docs/quickstart.md', () => {
  it('shows the three ways in: a --worker module, a --cmd worker and describeConformance', () => {
    expect(files.map((f) => f.name)).toEqual(['my-worker.mjs', 'reference-worker.mjs', 'conformance.test.mjs'])
    expect(commands.map((c) => c.split(' ').slice(0, 4).join(' '))).toEqual([
      'npx extwire conformance --worker',
      'npx extwire conformance --worker',
      'npx extwire conformance --cmd',
      'npx vitest run conformance.test.mjs',
    ])
  })

  for (const command of commands) {
    it(`runs as written: ${command.slice(0, 90)}`, async () => {
      const { code, output } = await run(resolveNpx(command))
      expect(output).not.toMatch(/\b0 passed\b/)
      const summaries = [...output.matchAll(/(\d+) passed, (\d+) failed \(\d+ known\), (\d+) untested/g)]
      if (command.startsWith('npx extwire conformance')) expect(summaries.length, output).toBeGreaterThan(0)
      for (const m of summaries) expect({ failed: Number(m[2]), untested: Number(m[3]) }, output).toEqual({ failed: 0, untested: 0 })
      expect(code, output).toBe(0)
    }, DEADLINE_MS + 10_000)
  }
})
