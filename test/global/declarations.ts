/**
 * Vitest global setup: builds the package's declarations (`dist/*.d.cts`, and the `*.d.ts` that
 * scripts/dedupe-declarations.ts writes from them) while the tests run, instead of before them. The
 * declaration build is most of the build's CPU (about 30 s against 4 s for the JavaScript), and only
 * two test files read its output (test/package.test.ts and test/docs-host-kit.test.ts): they wait
 * for it through {@link declarationsReady}, every other file starts at once. `npm test` builds the JavaScript first (`tsup --no-dts`), which keeps the
 * declarations already in `dist/`.
 *
 * The build is keyed by the content of everything the declarations derive from: when `dist/` holds
 * declarations built from the same content (a targeted `vitest run` after `npm test`), none are
 * rebuilt. The record of the last build, with its key, is the signal the waiting files read.
 */
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Where the record of the last declaration build is kept (outside `dist/`, which ships). */
export const DECLARATIONS_RECORD = join(ROOT, 'node_modules/.cache/extwire-test/declarations.json')

/** What {@link DECLARATIONS_RECORD} holds: the content key the declarations were built from, and the failure, if any. */
export interface DeclarationsRecord {
  readonly key: string
  readonly error?: string
  /** A hash of the declarations the build left in `dist/` ({@link distDeclarationsHash}). */
  readonly dts?: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The content key of this run's declarations: a file waits until the record carries it. */
    extwireDeclarationsKey: string
  }
}

/** Every file below `dir` whose name passes `keep`, sorted, as paths relative to the root. */
function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const abs = join(ROOT, dir)
  if (!existsSync(abs)) return []
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).replaceAll('\\', '/'))
    .sort()
}

/** A hash of every input of the declaration build: the TypeScript sources, the build and compiler settings, its post-step, and the locked dependencies. */
export function declarationsKey(): string {
  const hash = createHash('sha256')
  const inputs = [...filesUnder('src', (n) => n.endsWith('.ts')), ...filesUnder('conformance', (n) => n.endsWith('.ts')), 'tsup.config.ts', 'scripts/dedupe-declarations.ts', 'tsconfig.json', 'package.json', 'package-lock.json']
  for (const file of inputs) {
    if (!existsSync(join(ROOT, file))) continue
    hash.update(file).update('\0').update(readFileSync(join(ROOT, file))).update('\0')
  }
  return hash.digest('hex')
}

/**
 * A hash of the declarations now in `dist/`: a build of other sources since the record (another
 * branch's `npm run build`) changes it, so the record is not trusted then. Undefined when there are none.
 */
export function distDeclarationsHash(): string | undefined {
  const files = filesUnder('dist', (n) => n.endsWith('.d.ts') || n.endsWith('.d.cts'))
  if (files.length === 0) return undefined
  const hash = createHash('sha256')
  for (const file of files) hash.update(file).update('\0').update(readFileSync(join(ROOT, file))).update('\0')
  return hash.digest('hex')
}

function record(value: DeclarationsRecord): void {
  mkdirSync(dirname(DECLARATIONS_RECORD), { recursive: true })
  writeFileSync(DECLARATIONS_RECORD, JSON.stringify(value))
}

/** The record of the last declaration build, if there is one that parses. */
export function recorded(): DeclarationsRecord | undefined {
  try {
    return JSON.parse(readFileSync(DECLARATIONS_RECORD, 'utf8')) as DeclarationsRecord
  } catch {
    return undefined
  }
}

/** The declaration element of tsup.config.ts (the one `tsup --no-dts` leaves out), built on its own, then its post-step. */
async function buildDeclarations(): Promise<void> {
  const [{ build }, config] = await Promise.all([import('tsup'), import('../../tsup.config.js')])
  const made = config.default
  const elements = [typeof made === 'function' ? await made({}) : made].flat()
  const dts = elements.filter((e) => typeof e.dts === 'object' && e.dts.only === true)
  if (dts.length !== 1) throw new Error(`tsup.config.ts: expected one declarations-only element, found ${dts.length}`)
  await build({ ...dts[0], config: false, silent: true })
  // As `npm run build` and `prepack` do: each declaration ships once (scripts/dedupe-declarations.ts).
  const { dedupeDeclarations } = await import('../../scripts/dedupe-declarations.js')
  dedupeDeclarations(ROOT)
}

/** The test files that read the declarations, and so wait for them. */
export const READERS = ['test/package.test.ts', 'test/docs-host-kit.test.ts']

/**
 * Whether this run includes a file of {@link READERS}. Vitest keeps the run's file filters on an
 * internal field; when it is absent (another vitest version), every run counts as including them.
 */
async function runIncludesReaders(project: TestProject): Promise<boolean> {
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern
  if (filters === undefined || filters.length === 0) return true
  const specs = await project.vitest.getRelevantTestSpecifications(filters)
  return specs.some((s) => READERS.some((r) => s.moduleId.replaceAll('\\', '/').endsWith(r)))
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const key = declarationsKey()
  project.provide('extwireDeclarationsKey', key)
  const last = recorded()
  if (last?.key === key && last.error === undefined && last.dts !== undefined && last.dts === distDeclarationsHash()) return async () => undefined
  // A targeted run without the files that read them does not pay for the declarations.
  if (!(await runIncludesReaders(project))) return async () => undefined
  rmSync(DECLARATIONS_RECORD, { force: true })
  const building = buildDeclarations().then(
    () => {
      const dts = distDeclarationsHash()
      record(dts === undefined ? { key, error: 'the declaration build left no declarations in dist/' } : { key, dts })
    },
    (error: unknown) => record({ key, error: error instanceof Error ? error.stack ?? error.message : String(error) }),
  )
  // Teardown waits for the build: nothing is left running after the tests.
  return async () => {
    await building
  }
}
