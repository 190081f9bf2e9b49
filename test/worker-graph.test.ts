/**
 * A worker of the default version loads only the checks it runs: the module graph the built Node
 * worker entries import statically leaves out the checks that only other versions, modes and
 * scopes need, which they import (dynamically) only when asked to speak another version.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PACKAGE_ROOT } from '../conformance/paths.js'

const DIST = join(PACKAGE_ROOT, 'dist')

/** The files `entry` imports statically, transitively (itself included). */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>()
  const pending = [entry]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue
    seen.add(file)
    const text = readFileSync(join(DIST, file), 'utf8')
    for (const m of text.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w${}*,\s]+?from\s*)?["']\.\/([^"']+)["']/g)) pending.push(m[1] as string)
  }
  return seen
}

/** The chunks `file` imports dynamically. */
function dynamicImports(file: string): string[] {
  return [...readFileSync(join(DIST, file), 'utf8').matchAll(/\bimport\(\s*["']\.\/([^"']+)["']\s*\)/g)].map((m) => m[1] as string)
}

const size = (files: Iterable<string>) => [...files].reduce((n, f) => n + statSync(join(DIST, f)).size, 0)

describe('the built worker entries', () => {
  for (const entry of ['conformance-worker.js', 'conformance-stdio.js', 'conformance-browser-worker.js']) {
    it(`${entry} statically loads no check that only other versions, modes or scopes need`, () => {
      const own = staticGraph(entry)
      const lazy = [...own].flatMap(dynamicImports)
      // The one way to the other checks: the module that gives any version's runtime validators.
      expect(lazy.filter((f) => f.startsWith('profile-validators'))).toHaveLength(1)
      const rest = new Set([...lazy].flatMap((f) => [...staticGraph(f)]).filter((f) => !own.has(f)))
      // What it loads on demand: the checks of the rest, most of the generated code.
      expect(size(rest)).toBeGreaterThan(200_000)
      expect(size(rest)).toBeGreaterThan(size(own))
    })
  }

  it('the library entries hold every check statically (the synchronous API serves every version)', () => {
    const lazyChunk = readdirSync(DIST).find((f) => f.startsWith('profile-validators') && f.endsWith('.js')) as string
    const rest = [...staticGraph(lazyChunk)].filter((f) => !staticGraph('conformance-worker.js').has(f))
    // The largest of them: the checks only other versions, modes and scopes need.
    const checks = rest.sort((a, b) => size([b]) - size([a]))[0] as string
    expect(size([checks])).toBeGreaterThan(200_000)
    for (const entry of ['validate.js', 'index.js', 'host.js', 'runtime.js']) expect(staticGraph(entry).has(checks), entry).toBe(true)
  })
})
