/**
 * docs/host-kit.md compiles as written: every block marked `<!-- host-kit:check <file> -->` is
 * written into a fresh ESM folder and type-checked, strictly, against the package's public entry
 * points (`extwire/host`, `extwire/transport`, … resolved to their sources), so an example that names
 * something the kit does not export, or calls it wrongly, fails here. Then they run, in one tsx
 * process, and must exit cleanly and print what their comments say. The guide's requirement IDs must
 * be host requirements that docs/spec/host.md defines.
 */
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ts from 'typescript'
import { afterAll, describe, expect, it } from 'vitest'
import { loadRequirements } from '../conformance/requirements.js'
import { declarationsReady } from './helpers/declarations.js'
import { ROOT } from '../scripts/generate.js'

const doc = readFileSync(join(ROOT, 'docs/host-kit.md'), 'utf8')
const blocks = [...doc.matchAll(/<!-- host-kit:check (\S+) -->\n```ts\n([\s\S]*?)```/g)].map((m) => ({ name: m[1] as string, code: m[2] as string }))

/** The public subpaths an example may import, mapped to the sources tsup builds them from. */
const ENTRY_POINTS: Record<string, string> = {
  extwire: 'src/index.ts',
  'extwire/protocol': 'src/protocol/index.ts',
  'extwire/validate': 'src/validate/index.ts',
  'extwire/runtime': 'src/runtime/index.ts',
  'extwire/transport': 'src/transport/index.ts',
  'extwire/host': 'src/host/index.ts',
}

/** The entry points as tsconfig `paths`. */
function pathsOf(): Record<string, string[]> {
  return Object.fromEntries(Object.entries(ENTRY_POINTS).map(([name, path]) => [name, [join(ROOT, path)]]))
}

/**
 * The entry points' published declarations (`dist/*.d.ts`, built while the tests run), as
 * `paths` for the type check: what a user compiles against, and a fraction of the cost of checking
 * the whole source tree behind the examples.
 */
function declarationPathsOf(): Record<string, string[]> {
  return Object.fromEntries(
    Object.keys(ENTRY_POINTS).map((name) => {
      const file = join(ROOT, 'dist', `${name === 'extwire' ? 'index' : name.slice('extwire/'.length)}.d.ts`)
      if (!existsSync(file)) throw new Error(`${file} is missing: build the declarations first (npm run build; npm test does)`)
      return [name, [file]]
    }),
  )
}

const folder = mkdtempSync(join(tmpdir(), 'extwire-host-kit-'))
afterAll(() => rmSync(folder, { recursive: true, force: true }))

/** Type errors of the given files, one line each, compiled with the project's own strict options. */
function typeErrors(files: readonly string[]): string[] {
  const config = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path))
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, ROOT)
  const program = ts.createProgram(files, {
    ...options,
    noEmit: true,
    typeRoots: [join(ROOT, 'node_modules/@types')],
    paths: declarationPathsOf(),
  })
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file && d.start !== undefined ? `${d.file.fileName.replace(folder, 'docs/host-kit.md:')}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : ''
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`
  })
}

/** Writes the examples (and a deliberately wrong one) into the folder, as an ESM package whose tsconfig maps the entry points. */
function writeExamples(): string[] {
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ type: 'module' }))
  writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', paths: pathsOf() } }))
  writeFileSync(join(folder, 'wrong.ts'), "import { createHost } from 'extwire/host'\nconst host = createHost()\nawait host.unload(42)\n")
  return blocks.map((b) => {
    const file = join(folder, b.name)
    writeFileSync(file, b.code)
    return file
  })
}

/** How long running all the examples may take before the run is killed and the test fails (a bound, not an expectation). */
const RUN_DEADLINE_MS = 90_000

/** Runs the examples in order in one tsx process (which maps the entry points through the folder's tsconfig). */
function runExamples(): Promise<{ code: number | null; output: string }> {
  const runner = join(folder, 'run-all.ts')
  writeFileSync(runner, blocks.map((b) => `console.log('== ${b.name}')\nawait import('./${b.name}')\n`).join(''))
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_OPTIONS'))
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), runner], { cwd: folder, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d))
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d))
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      output += `\n(killed after ${RUN_DEADLINE_MS} ms)`
      try {
        process.kill(-(child.pid as number), 'SIGKILL')
      } catch {
        // already gone
      }
    }, RUN_DEADLINE_MS)
    child.once('close', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

describe('docs/host-kit.md', () => {
  const files = writeExamples()

  it('shows one checked example per piece: guard, dispatcher, supervisor, stream pump, createHost', () => {
    expect(blocks.map((b) => b.name)).toEqual(['guard.ts', 'dispatcher.ts', 'supervisor.ts', 'stream-pump.ts', 'create-host.ts'])
  })

  it('has examples that type-check against the public entry points, and the check catches a wrong call', async () => {
    // The declarations are built while the tests run (test/global/declarations.ts).
    await declarationsReady()
    const errors = typeErrors([...files, join(folder, 'wrong.ts')])
    expect(errors.filter((e) => !e.includes('wrong.ts'))).toEqual([])
    expect(errors.join('\n')).toMatch(/wrong\.ts:3 .*not assignable to parameter of type 'string'/)
  }, 900_000) // a bound for a stuck run: a loaded machine type-checks slowly, after the declaration build

  it('has examples that run and print what their comments say', async () => {
    const { code, output } = await runExamples()
    expect(output).not.toMatch(/killed after/)
    expect(code, output).toBe(0)
    for (const line of [
      "{ valid: { log: 1 }, invalid: { 'stream-event': 1 } }",
      "{ requestId: 'r1', success: true }",
      "[ 'start sync/poll', 'start sync/poll' ]",
      "[ 'caf', 'é au lait', '' ]",
      "{ success: true, data: 'hello Ada' }",
      'host event: extension-unloaded',
    ]) expect(output, line).toContain(line)
    expect(output).not.toContain('extension-error')
  }, 300_000) // a bound for a stuck run: a loaded machine type-checks slowly

  it('names only host requirements that docs/spec/host.md defines', () => {
    const requirements = loadRequirements(join(ROOT, 'docs/spec'))
    const named = [...doc.matchAll(/EXT-HOST-\d{3}/g)].map((m) => m[0])
    expect(named.length).toBeGreaterThan(10)
    for (const id of named) expect(requirements.get(id)?.role, id).toBe('host')
  })
})
