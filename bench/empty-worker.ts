/**
 * The empty workers the start-up baselines use, one per module format. A worker's start depends on
 * its format (an ES module worker starts the ES loader, and loads the same code about twice as
 * slowly), so a worker is measured against the empty worker of its own format: against the other
 * one, a CommonJS worker would look cheaper than it is. The other format's is printed for scale.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** A module format Node loads a worker file in. */
export type ModuleFormat = 'commonjs' | 'module'

/** The empty worker of each format: each only says ready. */
export const EMPTY_WORKERS: Readonly<Record<ModuleFormat, string>> = {
  commonjs: fileURLToPath(new URL('./empty-worker.cjs', import.meta.url)),
  module: fileURLToPath(new URL('./empty-worker.mjs', import.meta.url)),
}

/** The format Node loads `file` in: by its extension, and for `.js` by the nearest package.json's `type`. */
export function moduleFormatOf(file: string): ModuleFormat {
  if (file.endsWith('.cjs')) return 'commonjs'
  if (file.endsWith('.mjs')) return 'module'
  if (!file.endsWith('.js')) throw new Error(`${file}: not a .js, .cjs or .mjs file, so its module format is unknown`)
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module' ? 'module' : 'commonjs'
    if (dirname(dir) === dir) return 'commonjs'
  }
}

/** The empty worker to measure `file` against (same format), and the other one (for scale), with labels. */
export function emptyWorkersFor(file: string): { same: string; other: string; sameFormat: string; otherFormat: string } {
  const format = moduleFormatOf(file)
  const other: ModuleFormat = format === 'commonjs' ? 'module' : 'commonjs'
  const label = (f: ModuleFormat) => (f === 'commonjs' ? 'CommonJS' : 'ES module')
  return { same: EMPTY_WORKERS[format], other: EMPTY_WORKERS[other], sameFormat: label(format), otherFormat: label(other) }
}
