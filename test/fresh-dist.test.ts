/** The staleness check that rebuilds dist/ before a targeted run (test/global/fresh-dist.ts). */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { staleDist } from './global/fresh-dist.js'

const root = mkdtempSync(join(tmpdir(), 'extwire-fresh-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

/** Writes `file` under the fake root with its modification time `seconds` after the epoch. */
function at(file: string, seconds: number): void {
  const path = join(root, file)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, '')
  utimesSync(path, seconds, seconds)
}

describe('staleDist', () => {
  it('asks for a build when dist/ holds no JavaScript', () => {
    at('tsup.config.ts', 100)
    mkdirSync(join(root, 'src'), { recursive: true })
    mkdirSync(join(root, 'conformance'), { recursive: true })
    expect(staleDist(root)).toBe('dist/ holds no built JavaScript')
    at('dist/index.d.ts', 500)
    expect(staleDist(root)).toBe('dist/ holds no built JavaScript')
  })

  it('is satisfied when every built file is newer than every source, and names the newer source otherwise', () => {
    at('src/protocol/a.ts', 200)
    at('conformance/b.ts', 210)
    at('dist/index.js', 300)
    at('dist/index.cjs', 301)
    expect(staleDist(root)).toBeUndefined()
    at('conformance/fuzz/c.ts', 350)
    expect(staleDist(root)).toBe(join('conformance', 'fuzz', 'c.ts') + ' is newer than the build')
    at('dist/index.js', 400)
    expect(staleDist(root)).toMatch(/c\.ts is newer than the build$/) // the oldest built file (index.cjs) counts
    at('dist/index.cjs', 400)
    expect(staleDist(root)).toBeUndefined()
  })

  it('leaves test files and declarations out', () => {
    at('src/protocol/a.test.ts', 900)
    at('dist/index.d.ts', 1)
    expect(staleDist(root)).toBeUndefined()
    at('tsup.config.ts', 901)
    expect(staleDist(root)).toBe('tsup.config.ts is newer than the build')
    at('package-lock.json', 902)
    expect(staleDist(root)).toBe('package-lock.json is newer than the build')
  })
})
