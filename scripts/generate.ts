/**
 * Regenerates everything derived from the TypeBox source: `schema/**`, `docs/reference.md`, and the
 * precompiled validators and protocol tables (`scripts/standalone.ts`).
 * `npm run schema` writes the files; `--check` exits 1 when a committed file differs (a test runs
 * the same comparison through {@link expectedFiles}).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Fixture } from '../conformance/fixture/schema.js'
import { ConformanceReport } from '../conformance/report/schema.js'
import { generateJsonSchemaFiles, SCHEMA_ID_BASE, standalone } from '../src/protocol/json-schema.js'
import { renderReference } from '../src/protocol/reference.js'
import { standaloneFiles } from './standalone.js'
import { profileFiles } from './profiles.js'

/** Repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')

/** Every generated file (path relative to the repository root -> content). */
export function expectedFiles(): Map<string, string> {
  const out = new Map<string, string>()
  for (const [path, schema] of generateJsonSchemaFiles()) out.set(`schema/${path}`, `${JSON.stringify(schema, null, 2)}\n`)
  const formats: Array<[string, string, typeof Fixture | typeof ConformanceReport, string]> = [
    ['conformance-fixture.schema.json', 'ConformanceFixture', Fixture, 'One conformance fixture: a script played against a fresh worker (worker role, the default) or a fresh host behind its driver ("role": "host").'],
    ['conformance-report.schema.json', 'ConformanceReport', ConformanceReport, 'The JSON report of one extwire conformance run.'],
  ]
  for (const [file, title, schema, description] of formats) {
    out.set(`schema/${file}`, `${JSON.stringify(standalone(`${SCHEMA_ID_BASE}/${file}`, title, schema, description), null, 2)}\n`)
  }
  out.set('docs/reference.md', renderReference())
  for (const [path, content] of standaloneFiles()) out.set(path, content)
  for (const [path, content] of profileFiles()) out.set(path, content)
  return out
}

function listSchemaFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listSchemaFiles(join(dir, e.name)) : e.name.endsWith('.json') ? [join(dir, e.name)] : [],
  )
}

/** Paths that differ between the committed tree and the generated files (missing, changed or stale). */
export function drift(): string[] {
  const expected = expectedFiles()
  const problems: string[] = []
  for (const [path, content] of expected) {
    const file = join(ROOT, path)
    if (!existsSync(file)) problems.push(`missing: ${path}`)
    else if (readFileSync(file, 'utf8') !== content) problems.push(`changed: ${path}`)
  }
  for (const file of listSchemaFiles(join(ROOT, 'schema'))) {
    const path = relative(ROOT, file).split('\\').join('/')
    if (!expected.has(path)) problems.push(`stale: ${path}`)
  }
  return problems
}

function main(argv: string[]): number {
  if (argv.includes('--check')) {
    const problems = drift()
    for (const p of problems) console.error(p)
    if (problems.length > 0) console.error('Generated files are out of date: run `npm run schema`.')
    return problems.length > 0 ? 1 : 0
  }
  const expected = expectedFiles()
  for (const file of listSchemaFiles(join(ROOT, 'schema'))) {
    if (!expected.has(relative(ROOT, file).split('\\').join('/'))) rmSync(file)
  }
  for (const [path, content] of expected) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true })
    writeFileSync(join(ROOT, path), content)
  }
  console.log(`wrote ${expected.size} files`)
  return 0
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2))
