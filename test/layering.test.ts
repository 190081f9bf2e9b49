/**
 * The layers of the code base, held by a test: each folder may import only the layers below it.
 * Imports are read from the sources (static `import`/`export … from` and literal `import()`),
 * resolved to files, and checked against the rules; test files may import anything.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, normalize } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PACKAGE_ROOT } from '../conformance/paths.js'

/** A layer: a path prefix, and the prefixes it may import (besides itself). */
interface Layer {
  readonly name: string
  readonly prefix: string
  readonly may: readonly string[]
}

const LAYERS: readonly Layer[] = [
  { name: 'protocol', prefix: 'src/protocol/', may: [] },
  { name: 'validate', prefix: 'src/validate/', may: ['src/protocol/'] },
  { name: 'transport', prefix: 'src/transport/', may: ['src/protocol/'] },
  { name: 'runtime (the worker)', prefix: 'src/runtime/', may: ['src/protocol/', 'src/validate/', 'src/transport/'] },
  { name: 'host', prefix: 'src/host/', may: ['src/protocol/', 'src/validate/', 'src/transport/'] },
  // The implementations the suite is measured with: the reference runtime as a target, mutants, variants.
  { name: 'conformance/reference', prefix: 'conformance/reference/', may: ['src/protocol/', 'src/validate/', 'src/transport/', 'src/runtime/', 'src/host/', 'conformance/'] },
  // The conformance extension's permission list is data of its specification, free for the suite.
  { name: 'conformance extension data', prefix: 'conformance/extension/permissions.ts', may: [] },
  // The conformance extension, and its entries on the reference runtime.
  { name: 'conformance/extension', prefix: 'conformance/extension/', may: ['src/protocol/', 'src/validate/', 'src/transport/', 'src/runtime/', 'conformance/extension/'] },
  // The package entry of extwire/conformance re-exports the reference implementations too.
  { name: 'conformance entry', prefix: 'conformance/index.ts', may: ['src/protocol/', 'src/validate/', 'src/transport/', 'src/host/', 'conformance/'] },
  // The suite itself knows implementations only as targets handed to it: no runtime, no reference host,
  // no reference, no CLI. Of src/host it uses only HostPeer, its own end of a worker connection.
  { name: 'conformance (the suite)', prefix: 'conformance/', may: ['src/protocol/', 'src/validate/', 'src/transport/', 'src/host/peer.ts', 'conformance/extension/permissions.ts'] },
  { name: 'package entry', prefix: 'src/index.ts', may: ['src/protocol/', 'src/validate/', 'src/transport/', 'src/runtime/', 'src/host/'] },
  { name: 'cli', prefix: 'src/cli/', may: ['src/', 'conformance/'] },
]

/** The most specific layer of a file. */
function layerOf(file: string): Layer | undefined {
  return [...LAYERS].sort((a, b) => b.prefix.length - a.prefix.length).find((l) => file.startsWith(l.prefix))
}

/** Relative imports of a source text, as repository paths. */
export function importsOf(file: string, text: string): string[] {
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"](\.[^'"]+)['"]/g)]
  return specs.map((m) => normalize(join(dirname(file), (m[1] ?? m[2] ?? m[3]) as string)).replace(/\.js$/, '.ts'))
}

/** The violations of the layer rules among `files` (path -> text). */
export function violations(files: ReadonlyMap<string, string>): string[] {
  const out: string[] = []
  for (const [file, text] of files) {
    const from = layerOf(file)
    if (!from) continue
    for (const target of importsOf(file, text)) {
      if (layerOf(target) === from) continue
      if (!target.startsWith('src/') && !target.startsWith('conformance/')) continue
      if (!from.may.some((p) => target.startsWith(p))) out.push(`${file} (${from.name}) imports ${target} (${layerOf(target)?.name ?? 'outside every layer'})`)
    }
  }
  return out
}

/** Folders that must run on any JS platform (browser, Deno, workers): no Node built-in imports. */
const PLATFORM_FREE: readonly string[] = ['src/host/']

/** Node built-in modules a source text imports (`node:fs`, `fs`, `fs/promises`, …). */
export function nodeImportsOf(text: string): string[] {
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g)]
  const builtins = new Set(builtinModules)
  return specs.map((m) => (m[1] ?? m[2] ?? m[3]) as string).filter((spec) => spec.startsWith('node:') || builtins.has(spec.split('/')[0] as string))
}

function sources(dir: string): string[] {
  return readdirSync(join(PACKAGE_ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`
    if (e.isDirectory()) return sources(path)
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : []
  })
}

describe('layers', () => {
  const files = new Map([...sources('src'), ...sources('conformance')].map((f) => [f, readFileSync(join(PACKAGE_ROOT, f), 'utf8')]))

  it('reads the sources', () => {
    expect(files.size).toBeGreaterThan(60)
    expect(importsOf('src/runtime/runtime.ts', files.get('src/runtime/runtime.ts') as string).length).toBeGreaterThan(3)
  })

  it('no folder imports a layer it must not', () => {
    expect(violations(files)).toEqual([])
  })

  it('nothing below the CLI imports it', () => {
    const users = [...files].filter(([f, t]) => !f.startsWith('src/cli/') && importsOf(f, t).some((i) => i.startsWith('src/cli/')))
    expect(users.map(([f]) => f)).toEqual([])
  })

  it('the host pieces import no Node built-in module', () => {
    const users = [...files].filter(([f, t]) => PLATFORM_FREE.some((p) => f.startsWith(p)) && nodeImportsOf(t).length > 0)
    expect(users.map(([f, t]) => `${f}: ${nodeImportsOf(t).join(', ')}`)).toEqual([])
  })

  it('finds Node built-in imports in every form', () => {
    const text = "import { a } from 'node:fs'\nimport b from 'path'\nexport { c } from 'fs/promises'\nconst d = await import('node:worker_threads')\nimport 'node:process'\nimport e from 'typebox'\nimport f from './x.js'"
    expect(nodeImportsOf(text)).toEqual(['node:fs', 'path', 'fs/promises', 'node:worker_threads', 'node:process'])
  })

  it('catches what it is meant to catch', () => {
    const bad = new Map([
      ['src/protocol/x.ts', "import { a } from '../validate/index.js'"],
      ['src/runtime/x.ts', "import type { HostPeer } from '../host/peer.js'"],
      ['src/host/x.ts', "export { b } from '../runtime/runtime.js'"],
      ['conformance/runner2.ts', "const m = await import('../src/runtime/runtime.js')"],
      ['conformance/fixture/y.ts', "import { embeddedTarget } from '../reference/target.js'"],
      ['conformance/z.ts', "import { run } from '../src/cli/main.js'"],
      ['src/validate/ok.ts', "import { T } from '../protocol/index.js'"],
    ])
    expect(violations(bad).map((v) => v.split(' ')[0])).toEqual(['src/protocol/x.ts', 'src/runtime/x.ts', 'src/host/x.ts', 'conformance/runner2.ts', 'conformance/fixture/y.ts', 'conformance/z.ts'])
  })
})
