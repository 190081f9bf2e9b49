/**
 * The published package, checked as a consumer receives it: the tarball `npm pack` makes from the
 * build that `npm test` has just run, never the working tree. Its size and file list, the two
 * packaging linters (`@arethetypeswrong/cli`, `publint`), what its code and declarations import,
 * CommonJS and ESM loading from an installed copy, and the protocol and validator declarations
 * type-checked without `@types/node`.
 *
 * The installed copy is the tarball unpacked into `node_modules/extwire` of a scratch project whose
 * dependencies are links to this repository's (no network, no install step).
 */
import { execFile } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { publint } from 'publint'
import { formatMessage } from 'publint/utils'
import ts from 'typescript'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { declarationsReady } from './helpers/declarations.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const MANIFEST = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string
  dependencies: Record<string, string>
  peerDependencies: Record<string, string>
}

/**
 * Size targets of the whole package, everything included (issue 12): gzipped and unpacked on disk,
 * as `npm pack` reports them, in its units (800 kB = 800,000 bytes, 4 MB = 4,000,000 bytes).
 */
const MAX_PACKED_BYTES = 800_000
const MAX_UNPACKED_BYTES = 4_000_000

/**
 * Bounds for a stuck step only, above vitest's 60 s: every check starts Node, npm or TypeScript
 * child processes on the whole package, side by side with the rest of `npm test` on a loaded machine,
 * and packing first waits for the declaration build.
 */
const STUCK_MS = 900_000

/** What may ship: the build, the launcher, and the data and documents the code reads or users read. */
const SHIPPED_DIRS = ['dist/', 'bin/', 'schema/', 'fixtures/', 'docs/', 'examples/', 'asyncapi/']
const SHIPPED_FILES = ['package.json', 'README.md', 'LICENSE']

/** The entries offered to both `import` and `require`, by subpath. */
const DUAL_ENTRIES = ['.', './protocol', './validate', './compile', './runtime', './transport', './host', './conformance']

/** What `npm pack --json` reports about one tarball (the same report as with `--dry-run`). */
interface PackReport {
  readonly filename: string
  readonly size: number
  readonly unpackedSize: number
  readonly files: readonly { readonly path: string; readonly size: number }[]
}

interface Ran {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command to its end, never throwing on a non-zero exit. */
function run(file: string, args: readonly string[], cwd: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error)
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr })
    })
  })
}

/** Runs a command that must succeed, failing with its output otherwise. */
async function ok(file: string, args: readonly string[], cwd: string): Promise<string> {
  const r = await run(file, args, cwd)
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`)
  return r.stdout
}

/** Runs a script with node in the scratch project. */
function node(args: readonly string[]): Promise<string> {
  return ok(process.execPath, args, scratch().app)
}

/** The package name a bare specifier belongs to (`@scope/name/sub` → `@scope/name`). */
function packageOf(specifier: string): string {
  const parts = specifier.split('/')
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!
}

/** Bare specifiers of the static imports, re-exports, literal `import()` and `require()` of a file. */
function bareSpecifiers(text: string): string[] {
  const found = new Set<string>()
  const pattern = /(?:^|[\s;})])(?:import|export)\s[^'"`;]*?\sfrom\s*["']([^"']+)["']|(?:^|[\s;})])import\s*["']([^"']+)["']|\bimport\s*\(\s*["']([^"']+)["']\s*\)|\brequire\s*\(\s*["']([^"']+)["']\s*\)/gm
  for (const m of text.matchAll(pattern)) {
    const specifier = m[1] ?? m[2] ?? m[3] ?? m[4]!
    if (!specifier.startsWith('.') && !specifier.startsWith('/')) found.add(specifier)
  }
  return [...found]
}

/** Every file below a directory, as paths relative to it. */
function walk(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path, base) : [relative(base, path).replaceAll('\\', '/')]
  })
}

interface Scratch {
  readonly dir: string
  readonly tarball: string
  readonly report: PackReport
  /** The consumer project; the package is unpacked in its `node_modules/extwire`. */
  readonly app: string
  readonly installed: string
}

const state: { scratch?: Scratch } = {}

function scratch(): Scratch {
  if (!state.scratch) throw new Error('the package was not packed (see beforeAll)')
  return state.scratch
}

beforeAll(async () => {
  // The declarations are built while the tests run (test/global/declarations.ts).
  await declarationsReady()
  const dir = mkdtempSync(join(tmpdir(), 'extwire-package-'))
  try {
    // The build is `npm test`'s (or `npm run build`'s); lifecycle scripts would rebuild it here.
    const out = await ok('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], ROOT)
    const report = (JSON.parse(out) as PackReport[])[0]!
    const tarball = join(dir, report.filename)
    const app = join(dir, 'app')
    const installed = join(app, 'node_modules', MANIFEST.name)
    mkdirSync(installed, { recursive: true })
    await ok('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], dir)
    // Dependencies and the optional vitest peer, linked from this repository.
    for (const dep of [...Object.keys(MANIFEST.dependencies), 'vitest']) {
      mkdirSync(join(app, 'node_modules', dep, '..'), { recursive: true })
      symlinkSync(join(ROOT, 'node_modules', dep), join(app, 'node_modules', dep), 'dir')
    }
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
    state.scratch = { dir, tarball, report, app, installed }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
}, STUCK_MS)

afterAll(() => {
  if (state.scratch) rmSync(state.scratch.dir, { recursive: true, force: true })
})

describe.concurrent('the packed tarball', { timeout: STUCK_MS }, () => {
  const largest = (files: PackReport['files']) => [...files].sort((a, b) => b.size - a.size).slice(0, 8).map((f) => `${f.path} ${f.size}`).join(', ')

  it(`is at most ${MAX_PACKED_BYTES / 1000} kB packed, everything included`, () => {
    const { report } = scratch()
    expect(report.size, `packed size; largest files: ${largest(report.files)}`).toBeLessThanOrEqual(MAX_PACKED_BYTES)
  })

  // Met by shipping each validator once per format, each declaration once for both formats
  // (scripts/dedupe-declarations.ts), per-version schema files that $ref the earlier identical ones,
  // the browser worker from the shared ESM chunks, and by leaving the per-version Markdown references
  // (docs/reference/0.*.md, about 380 KB) in the repository: the package carries every version's
  // machine-readable schema and AsyncAPI document, and the default's reference.
  it(`is at most ${MAX_UNPACKED_BYTES / 1000 / 1000} MB unpacked, everything included`, () => {
    const { report } = scratch()
    expect(report.unpackedSize, `unpacked size; largest files: ${largest(report.files)}`).toBeLessThanOrEqual(MAX_UNPACKED_BYTES)
  })

  it('ships no source maps, no sources and nothing outside what runs or documents', () => {
    const paths = scratch().report.files.map((f) => f.path)
    const stray = paths.filter((p) => !SHIPPED_FILES.includes(p) && !SHIPPED_DIRS.some((d) => p.startsWith(d)))
    expect(stray, 'files outside the shipped folders').toEqual([])
    expect(paths.filter((p) => p.endsWith('.map')), 'source maps').toEqual([])
    expect(paths.filter((p) => /\.test\.|(^|\/)__/.test(p)), 'tests').toEqual([])
    expect(paths.filter((p) => p.startsWith('dist/') && /\.[cm]?ts$/.test(p) && !/\.d\.c?ts$/.test(p)), 'TypeScript sources').toEqual([])
    // The ESM-only vitest entry has no CommonJS declarations to offer.
    expect(paths).not.toContain('dist/vitest.d.cts')
    expect(paths).toContain('LICENSE')
  })

  it('passes @arethetypeswrong/cli, apart from the ESM-only vitest entry refusing require', async () => {
    const { tarball, dir } = scratch()
    const attw = join(ROOT, 'node_modules', '.bin', 'attw')
    // Into a file, not a pipe: attw exits at once when it finds a problem, and Node drops what it had
    // not yet written to a pipe (a large report came back cut off); writes to a file are synchronous.
    const out = join(dir, 'attw.json')
    await run('/bin/sh', ['-c', `"$0" "$1" --format json > "$2"`, attw, tarball, out], dir)
    const result = JSON.parse(readFileSync(out, 'utf8')) as { analysis: { problems?: unknown[] } } | { problems?: unknown[] }
    const problems = 'analysis' in result ? result.analysis.problems ?? [] : result.problems ?? []
    // `extwire/vitest` has no `require` condition on purpose: vitest cannot be required.
    expect(problems).toEqual([{ kind: 'NoResolution', entrypoint: './vitest', resolutionKind: 'node16-cjs' }])
  })

  it('passes publint with no message at any level', async () => {
    const { tarball } = scratch()
    const bytes = readFileSync(tarball)
    const tarballData = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)
    const { messages, pkg } = await publint({ pack: { tarball: tarballData }, level: 'suggestion', strict: true })
    expect(messages.map((m) => `${m.type} ${m.code}: ${formatMessage(m, pkg, { color: false }) ?? ''}`)).toEqual([])
  })

  it('imports, in its code and declarations, only its dependencies, its peers and Node built-ins', () => {
    const { installed } = scratch()
    const allowed = new Set([...Object.keys(MANIFEST.dependencies), ...Object.keys(MANIFEST.peerDependencies)])
    const unlisted: string[] = []
    for (const file of walk(join(installed, 'dist'))) {
      for (const specifier of bareSpecifiers(readFileSync(join(installed, 'dist', file), 'utf8'))) {
        const name = packageOf(specifier)
        if (!specifier.startsWith('node:') && !builtinModules.includes(name) && !allowed.has(name)) unlisted.push(`dist/${file}: ${specifier}`)
      }
    }
    expect(unlisted).toEqual([])
    // The fuzzer's public types and `extwire fuzz` need fast-check at run time: a dependency, not a devDependency.
    expect(bareSpecifiers(readFileSync(join(installed, 'dist/conformance.d.ts'), 'utf8'))).toContain('fast-check')
  })

  it('loads one copy of each module behind every CommonJS entry', async () => {
    const script = `
      const root = require('extwire'), validate = require('extwire/validate'), assert = require('node:assert')
      assert.strictEqual(root.ProtocolValidationError, validate.ProtocolValidationError, 'one ProtocolValidationError class')
      let thrown
      try { root.assertWorkerToHostMessage({ type: 'no-such-type' }) } catch (e) { thrown = e }
      assert.ok(thrown instanceof validate.ProtocolValidationError, 'instanceof across extwire and extwire/validate')
      for (const entry of ${JSON.stringify(DUAL_ENTRIES.map((e) => e.replace(/^\./, 'extwire')))}) {
        assert.ok(Object.keys(require(entry)).length > 0, entry + ' exports nothing')
      }
      assert.throws(() => require('extwire/vitest'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' })
      process.stdout.write('ok')`
    expect(await node(['--input-type=commonjs', '-e', script])).toBe('ok')
  })

  it('loads every entry from ESM, vitest included', async () => {
    const script = `
      import assert from 'node:assert'
      for (const entry of ${JSON.stringify([...DUAL_ENTRIES, './vitest'].map((e) => e.replace(/^\./, 'extwire')))}) {
        assert.ok(Object.keys(await import(entry)).length > 0, entry + ' exports nothing')
      }
      const { describeConformance } = await import('extwire/vitest')
      assert.strictEqual(typeof describeConformance, 'function')
      process.stdout.write('ok')`
    expect(await node(['--input-type=module', '-e', script])).toBe('ok')
  })

  it('runs its CLI from the installed files (fixtures, spec and worker bundle included)', async () => {
    const { installed } = scratch()
    const cli = join(installed, 'bin/extwire.js')
    const filter = ['--filter', 'lifecycle/ready-once-first']
    expect(await node([cli, 'conformance', ...filter])).toMatch(/1 passed, 0 failed/)
    expect(await node([cli, 'conformance', '--worker', join(installed, 'dist/conformance-worker.cjs'), ...filter])).toMatch(/1 passed, 0 failed/)
  })

  it('type-checks extwire/protocol and extwire/validate without @types/node, from ESM and CommonJS, under nodenext and node16', () => {
    const { app, installed } = scratch()
    const consumer = `
      import { MESSAGES, type WorkerToHostMessage } from 'extwire/protocol'
      import { validateWorkerToHost, ProtocolValidationError, type ValidationError } from 'extwire/validate'
      const result = validateWorkerToHost({ type: 'ready' })
      export const message: WorkerToHostMessage | undefined = result.ok ? result.value : undefined
      export const errors: readonly ValidationError[] = result.ok ? [] : result.errors
      export const failure = new ProtocolValidationError([])
      export const types = Object.keys(MESSAGES)
    `
    const files = ['consumer.mts', 'consumer.cts'].map((name) => join(app, name))
    for (const file of files) writeFileSync(file, consumer)
    // `node16` as well: there a CommonJS declaration may import the ESM-only typebox only type-only
    // with `resolution-mode: import`, and ESM consumers read the shared `.d.cts` too.
    for (const [module, moduleResolution] of [
      [ts.ModuleKind.NodeNext, ts.ModuleResolutionKind.NodeNext],
      [ts.ModuleKind.Node16, ts.ModuleResolutionKind.Node16],
    ] as const) {
      const program = ts.createProgram(files, { strict: true, noEmit: true, module, moduleResolution, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], types: [] })
      // Only the consumer and extwire's own declarations are checked: dependencies' declarations are
      // theirs (and slow to check), and a Node type in ours is an error in ours.
      const ours = program.getSourceFiles().filter((f) => files.includes(f.fileName) || f.fileName.startsWith(installed.replaceAll('\\', '/')))
      const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...ours.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)])]
      const text = ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => app, getNewLine: () => '\n' })
      expect(text, `module ${ts.ModuleKind[module]}`).toBe('')
      expect(ours.map((f) => relative(installed, f.fileName).replaceAll('\\', '/'))).toEqual(expect.arrayContaining(['dist/protocol.d.ts', 'dist/protocol.d.cts', 'dist/validate.d.ts', 'dist/validate.d.cts']))
      expect(program.getSourceFiles().filter((f) => f.fileName.includes('/@types/node/')).map((f) => f.fileName)).toEqual([])
    }
  })

  // The declarations ship once (scripts/dedupe-declarations.ts): an ESM entry's `.d.ts` re-exports
  // the CommonJS `.d.cts`, so `import` and `require` see one declaration of every name. The
  // exception is what uses fast-check, whose declarations differ by format: `extwire/conformance`'s ESM
  // declaration copies those names, so that its `fc.Arbitrary` is the one an ESM consumer's `fast-check` declares.
  it('declares every name once for both formats, apart from the fast-check users ESM keeps its own', () => {
    const { app, installed } = scratch()
    const specifiers = DUAL_ENTRIES.map((e) => e.replace(/^\./, 'extwire'))
    // Also a consumer's own fast-check, combined with ours: that fails where the two are different declarations.
    const consumer =
      specifiers.map((e, i) => `import * as entry${i} from '${e}'\nexport { entry${i} }\n`).join('') +
      "import { arbitraryOf } from 'extwire/conformance'\nimport * as fc from 'fast-check'\nexport { arbitraryOf }\nexport const values = fc.array(arbitraryOf({ type: 'string' }))\n"
    const files = ['consumer.mts', 'consumer.cts'].map((name) => join(app, `declared-${name}`))
    for (const file of files) writeFileSync(file, consumer)
    const program = ts.createProgram(files, { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, types: [] })
    const diagnostics = files.flatMap((f) => [...program.getSyntacticDiagnostics(program.getSourceFile(f)), ...program.getSemanticDiagnostics(program.getSourceFile(f))])
    expect(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => app, getNewLine: () => '\n' })).toBe('')
    const checker = program.getTypeChecker()
    const where = (symbol: ts.Symbol): string => {
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
      const declaration = target.declarations?.[0]
      if (!declaration) return '(no declaration)'
      const file = declaration.getSourceFile().fileName
      const place = file.startsWith(installed) ? relative(installed, file) : relative(ROOT, file)
      return `${place.replaceAll('\\', '/')}:${declaration.getStart()}`
    }
    /** Where each export of each entry is declared, by `entry name`, as one format's consumer sees it. */
    const declared = (file: string): Map<string, string> => {
      const source = program.getSourceFile(file)!
      const found = new Map<string, string>()
      for (const statement of source.statements) {
        if (!ts.isImportDeclaration(statement)) continue
        const binding = statement.importClause?.namedBindings
        if (!binding || !ts.isNamespaceImport(binding)) continue
        const entry = (statement.moduleSpecifier as ts.StringLiteral).text
        if (!specifiers.includes(entry)) continue
        const namespace = checker.getAliasedSymbol(checker.getSymbolAtLocation(binding.name)!)
        const exported = checker.getExportsOfModule(namespace)
        expect(exported.length, `${entry} exports nothing to ${file}`).toBeGreaterThan(0)
        for (const symbol of exported) found.set(`${entry} ${symbol.name}`, where(symbol))
      }
      return found
    }
    const [esm, cjs] = files.map(declared) as [Map<string, string>, Map<string, string>]
    expect([...esm.keys()].sort()).toEqual([...cjs.keys()].sort())
    const differ = [...esm].filter(([name, place]) => cjs.get(name) !== place)
    // Only conformance's own declarations (those beside its fast-check import) differ, each in its own copy.
    expect(differ.filter(([, place]) => !place.startsWith('dist/conformance.d.ts:')), 'names declared twice').toEqual([])
    expect(differ.length).toBeGreaterThan(0)
    // One ProtocolValidationError class, whichever entry and format it is reached through.
    const error = new Set(['extwire', 'extwire/validate'].flatMap((e) => [esm.get(`${e} ProtocolValidationError`), cjs.get(`${e} ProtocolValidationError`)]))
    expect([...error]).toHaveLength(1)
    expect([...error][0]).toMatch(/^dist\/[^/]+\.d\.cts:/)
    // Each format's `fc.Arbitrary` is that format's fast-check declaration.
    const arbitrary = files.map((file) => {
      const symbol = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!).find((s) => s.name === 'arbitraryOf')!
      const signature = checker.getSignaturesOfType(checker.getTypeOfSymbol(checker.getAliasedSymbol(symbol)), ts.SignatureKind.Call)[0]!
      return where(checker.getReturnTypeOfSignature(signature).getSymbol()!)
    })
    expect(arbitrary[0]).toMatch(/^node_modules\/fast-check\/lib\/fast-check\.d\.ts:/)
    expect(arbitrary[1]).toMatch(/^node_modules\/fast-check\/lib\/cjs\/fast-check\.d\.ts:/)
  })
})
