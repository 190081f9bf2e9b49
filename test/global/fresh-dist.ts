/**
 * Keeps a targeted `vitest run` from testing stale code. Many tests run the built `dist/` (worker
 * threads, the CLI's children, the browser worker, fuzz lanes): after a source edit, a run of one of
 * them without a build would test the code from before the edit, and pass or fail for the wrong
 * reason. So before any test starts, when a source the JavaScript build reads is newer than the
 * oldest built file, the JavaScript is built again (`tsup --no-dts`, a few seconds). `npm test`
 * builds first, so there it only checks.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** Settings and locked dependencies the build reads besides the sources (a missing one is skipped). */
const BUILD_SETTINGS = ['tsup.config.ts', 'tsconfig.json', 'package.json', 'package-lock.json']

/** Newest modification time (ms) of the build's inputs: non-test TypeScript under src/ and conformance/, and the build settings. */
function newestSource(root: string): { readonly file: string; readonly mtimeMs: number } {
  let newest = { file: join(root, 'tsup.config.ts'), mtimeMs: 0 }
  for (const name of BUILD_SETTINGS) {
    const file = join(root, name)
    if (!existsSync(file)) continue
    const mtimeMs = statSync(file).mtimeMs
    if (mtimeMs > newest.mtimeMs) newest = { file, mtimeMs }
  }
  for (const dir of ['src', 'conformance']) {
    for (const e of readdirSync(join(root, dir), { recursive: true, withFileTypes: true })) {
      if (!e.isFile() || !e.name.endsWith('.ts') || e.name.endsWith('.test.ts')) continue
      const file = join(e.parentPath, e.name)
      const mtimeMs = statSync(file).mtimeMs
      if (mtimeMs > newest.mtimeMs) newest = { file, mtimeMs }
    }
  }
  return newest
}

/** Oldest modification time (ms) of the built JavaScript in dist/ (declarations left out), or undefined when there is none. */
function oldestBuilt(root: string): number | undefined {
  const dist = join(root, 'dist')
  if (!existsSync(dist)) return undefined
  const built = readdirSync(dist).filter((n) => /\.(c?js)$/.test(n))
  if (built.length === 0) return undefined
  return Math.min(...built.map((n) => statSync(join(dist, n)).mtimeMs))
}

/** Why dist/ must be built again before the tests, or undefined when it is up to date. */
export function staleDist(root: string = ROOT): string | undefined {
  const built = oldestBuilt(root)
  if (built === undefined) return 'dist/ holds no built JavaScript'
  const source = newestSource(root)
  return source.mtimeMs > built ? `${source.file.slice(root.length).replace(/^[\\/]/, '')} is newer than the build` : undefined
}

/** Builds the JavaScript when dist/ is stale; throws when that build fails. */
export function ensureFreshDist(root: string = ROOT): void {
  const why = staleDist(root)
  if (why === undefined) return
  process.stderr.write(`dist/ is stale (${why}): building it first (tsup --no-dts)\n`)
  const result = spawnSync(process.execPath, [join(root, 'node_modules/tsup/dist/cli-default.js'), '--no-dts', '--silent'], { cwd: root, stdio: 'inherit' })
  if (result.status !== 0) throw new Error(`the build of dist/ failed (tsup --no-dts exited with ${result.status ?? result.signal})`)
}
