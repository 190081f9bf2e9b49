/**
 * The declaration dedupe step (scripts/dedupe-declarations.ts) on a small made-up package: what it
 * writes for dual, ESM-only and format-dependent entries, what it removes, that consumers of both
 * formats type-check against the result, and its errors. The real package is checked packed, in
 * test/package.test.ts.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import ts from 'typescript'
import { afterEach, describe, expect, it } from 'vitest'
import { dedupeDeclarations } from '../scripts/dedupe-declarations.js'

const made: string[] = []
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true })
})

function write(root: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
}

/** A class with a private member: two declarations of it are two types, as with fast-check's `Stream`. */
const arbClass = (format: string) => `export declare class Arb { private readonly format; readonly kind: '${format}' }\n`

/**
 * A project folder holding a package `pkg` (in `pkg/`) and, in `node_modules/`, a dependency whose
 * declarations differ by format (`dual-types`), one whose do not (`same-types`), and `pkg` itself.
 */
function project(dist: Record<string, string>, exportsField?: unknown): { readonly root: string; readonly pkg: string } {
  const root = mkdtempSync(join(tmpdir(), 'extwire-dedupe-'))
  made.push(root)
  const pkg = join(root, 'pkg')
  const both = (name: string) => ({ import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` }, require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` } })
  write(root, {
    'node_modules/dual-types/package.json': JSON.stringify({ name: 'dual-types', type: 'module', exports: { import: { types: './esm.d.ts', default: './esm.js' }, require: { types: './cjs.d.cts', default: './cjs.cjs' } } }),
    'node_modules/dual-types/esm.d.ts': arbClass('esm'),
    'node_modules/dual-types/cjs.d.cts': arbClass('cjs'),
    'node_modules/same-types/package.json': JSON.stringify({ name: 'same-types', type: 'module', exports: { types: './index.d.ts', default: './index.js' } }),
    'node_modules/same-types/index.d.ts': 'export interface Shape { readonly side: number }\n',
    'pkg/package.json': JSON.stringify({
      name: 'pkg',
      type: 'module',
      types: './dist/index.d.cts',
      exports: exportsField ?? { '.': both('index'), './fuzz': both('fuzz'), './only-esm': { import: { types: './dist/only-esm.d.ts', default: './dist/only-esm.js' } }, './package.json': './package.json' },
    }),
    ...Object.fromEntries(Object.entries(dist).map(([name, text]) => [`pkg/dist/${name}`, text])),
  })
  symlinkSync(pkg, join(root, 'node_modules/pkg'), 'dir')
  return { root, pkg }
}

const DIST = {
  'chunk-AAAA.d.cts': "import { Shape } from 'same-types';\ndeclare class Failure extends Error {\n    private readonly code;\n    readonly shape: Shape;\n}\nexport { Failure as F };\n",
  'index.d.cts': "export { F as Failure } from './chunk-AAAA.cjs';\nimport 'same-types';\n",
  'fuzz.d.cts': [
    "import { Arb } from 'dual-types';",
    "import { F as Failure } from './chunk-AAAA.cjs';",
    '/** Not exported, needed by a copy: copied, and so is every declaration referring to it. */',
    'declare class Hidden {\n    private readonly state;\n}',
    'interface Options {\n    readonly size: number;\n}',
    '/** Uses a format-dependent type. */',
    'declare function arb(options: Options, hidden?: Hidden): Arb;',
    'declare function play(hidden: Hidden): void;',
    'declare function hidden(): Hidden;',
    'declare function plain(options: Options): Failure;',
    'export { arb, hidden, plain, play, type Options };',
    '',
  ].join('\n'),
  'only-esm.d.cts': "import { F as Failure } from './chunk-AAAA.cjs';\ndeclare function fail(): Failure;\nexport { fail };\n",
  // An earlier build's leftovers.
  'chunk-OLD0.d.cts': 'export {};\n',
  'chunk-OLD0.d.ts': 'export {};\n',
}

/** Type errors of consumer files in `root`, compiled as a Node16 consumer would. */
function typeErrors(root: string, files: Record<string, string>): string {
  write(root, { 'package.json': JSON.stringify({ name: 'consumer', type: 'module' }), ...files })
  const names = Object.keys(files).map((f) => join(root, f))
  const program = ts.createProgram(names, { strict: true, noEmit: true, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts'], types: [] })
  return ts.formatDiagnostics(ts.getPreEmitDiagnostics(program), { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' })
}

describe('dedupeDeclarations', () => {
  it('writes dual entries as re-exports, copies only the format-dependent names, copies ESM-only entries and removes the rest', () => {
    const { pkg } = project(DIST)
    const report = dedupeDeclarations(pkg)
    expect(report).toEqual({ stubs: ['index.d.ts'], partial: ['fuzz.d.ts'], copies: ['only-esm.d.ts'], removed: ['chunk-OLD0.d.cts', 'chunk-OLD0.d.ts', 'only-esm.d.cts'], formatDependent: ['dual-types'], esmOnly: ['same-types'] })
    const dist = join(pkg, 'dist')
    expect(readdirSync(dist).sort()).toEqual(['chunk-AAAA.d.cts', 'fuzz.d.cts', 'fuzz.d.ts', 'index.d.cts', 'index.d.ts', 'only-esm.d.ts'])
    expect(readFileSync(join(dist, 'index.d.ts'), 'utf8')).toMatch(/^export \* from '\.\/index\.cjs';$/m)
    const fuzz = readFileSync(join(dist, 'fuzz.d.ts'), 'utf8')
    expect(fuzz).toMatch(/^export \* from '\.\/fuzz\.cjs';$/m)
    // The ESM declarations of what uses Arb, of the class they need and of what refers to that class; not of `plain`.
    for (const declared of ['function arb(', 'function play(', 'function hidden(', 'class Hidden']) expect(fuzz).toContain(`declare ${declared}`)
    expect(fuzz).not.toContain('declare function plain(')
    expect(fuzz).toContain('/** Uses a format-dependent type. */')
    expect(fuzz).toMatch(/^export \{ arb, hidden, play \};$/m)
    // Shared, exported names come from the CommonJS declaration; non-exported structural ones would be copied.
    expect(fuzz).toMatch(/^import \{ Options \} from '\.\/fuzz\.cjs';$/m)
    expect(readFileSync(join(dist, 'only-esm.d.ts'), 'utf8')).toBe(DIST['only-esm.d.cts'])
  })

  it('gives consumers of both formats one declaration of shared classes and their own format of dependent types', () => {
    const { root, pkg } = project(DIST)
    dedupeDeclarations(pkg)
    const consumer = [
      "import { Failure } from 'pkg'",
      "import { arb, play, hidden, plain } from 'pkg/fuzz'",
      "import { Arb } from 'dual-types'",
      // The same Failure class whichever way it came (it has a private member: two declarations would not mix).
      'export const failure: Failure = plain({ size: 1 })',
      'export const value: Arb = arb({ size: 1 })',
      'play(hidden())',
      '',
    ].join('\n')
    expect(typeErrors(root, { 'esm.mts': consumer + "import { fail } from 'pkg/only-esm'\nexport const failed: Failure = fail()\n", 'cjs.cts': consumer })).toBe('')
  })

  it('copies for a reason: with a plain re-export, an ESM consumer gets the CommonJS format of a dependent type', () => {
    const { root, pkg } = project({ ...DIST, 'fuzz.d.ts': "export * from './fuzz.cjs';\n" })
    const consumer = { 'esm.mts': "import { arb } from 'pkg/fuzz'\nimport { Arb } from 'dual-types'\nexport const value: Arb = arb({ size: 1 })\n" }
    expect(typeErrors(root, consumer)).toMatch(/esm\.mts.*error TS2322/)
    dedupeDeclarations(pkg)
    expect(typeErrors(root, consumer)).toBe('')
  })

  it('names a missing declaration, and who needs it', () => {
    const withoutFuzz = Object.fromEntries(Object.entries(DIST).filter(([name]) => name !== 'fuzz.d.cts'))
    expect(() => dedupeDeclarations(project(withoutFuzz).pkg)).toThrow("dist/fuzz.d.cts: missing (needed by package.json exports); build the declarations first (the declarations element of tsup.config.ts")
    const withoutChunk = Object.fromEntries(Object.entries(DIST).filter(([name]) => name !== 'chunk-AAAA.d.cts'))
    expect(() => dedupeDeclarations(project(withoutChunk).pkg)).toThrow(/^dist\/chunk-AAAA\.d\.cts: missing \(needed by dist\/(index|fuzz|only-esm)\.d\.cts\)/)
  })

  it('refuses a dual entry with a default export, and exports types that are not in dist/', () => {
    const { pkg } = project({ ...DIST, 'index.d.cts': 'declare function main(): void;\nexport { main as default };\n' })
    expect(() => dedupeDeclarations(pkg)).toThrow("dist/index.d.cts: has a default export, which the re-export in index.d.ts cannot carry; give the entry named exports only")
    const odd = project(DIST, { '.': { import: { types: './types/index.d.ts', default: './dist/index.js' } } })
    expect(() => dedupeDeclarations(odd.pkg)).toThrow('package.json: exports["."].import.types: expected "./dist/<name>.d.ts" or ".d.cts", received "./types/index.d.ts"')
    expect(existsSync(join(odd.pkg, 'dist/index.d.ts'))).toBe(false)
  })
})
