/**
 * docs/upstream.md is where the spec's "upstream Bn" citations lead, so that the spec cites nothing
 * outside the repository: every B-number that a fixture or docs/spec cites has an entry, a fixture
 * that names an upstream bug is listed under that bug, and every fixture named there exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../scripts/generate.js'

const upstream = readFileSync(join(ROOT, 'docs/upstream.md'), 'utf8')

/** The entry under `### Bn`, up to the next heading. */
function entry(bug: string): string | undefined {
  const start = upstream.indexOf(`\n### ${bug}\n`)
  if (start < 0) return undefined
  const rest = upstream.slice(start + bug.length + 6)
  const end = rest.search(/\n#{2,3} /)
  return end < 0 ? rest : rest.slice(0, end)
}

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name), ext) : e.name.endsWith(ext) ? [join(dir, e.name)] : [],
  )
}

/** Every conformance fixture (the examples are message samples, not fixtures). */
const fixtures = filesUnder(join(ROOT, 'fixtures'), '.json')
  .filter((f) => !f.includes(`${join('fixtures', 'examples')}`) && !f.endsWith('untestable.json'))
  .map((f) => JSON.parse(readFileSync(f, 'utf8')) as { id: string; upstream?: string })

/** The B-numbers cited in a text (`B7`, `B12`, …), however they are written around. */
function cited(text: string): string[] {
  return [...text.matchAll(/\bB([1-9][0-9]?)\b/g)].map((m) => `B${m[1]}`)
}

describe('docs/upstream.md', () => {
  it('has an entry for every B-number a fixture cites, naming that fixture', () => {
    const withBug = fixtures.filter((f) => f.upstream !== undefined)
    expect(withBug.length).toBeGreaterThan(30)
    for (const f of withBug) {
      const text = entry(f.upstream as string)
      expect(text, `### ${f.upstream} (cited by ${f.id})`).toBeDefined()
      expect(text, `### ${f.upstream} names ${f.id}`).toContain(`\`${f.id}\``)
    }
  })

  it('has an entry for every B-number docs/spec cites', () => {
    const spec = filesUnder(join(ROOT, 'docs/spec'), '.md').map((f) => readFileSync(f, 'utf8')).join('\n')
    const bugs = new Set(cited(spec))
    expect(bugs.size).toBeGreaterThan(10)
    for (const bug of bugs) expect(entry(bug), `### ${bug}`).toBeDefined()
  })

  it('names only fixtures that exist', () => {
    const ids = new Set(fixtures.map((f) => f.id))
    const named = [...upstream.matchAll(/`((?:lifecycle|permissions|requests|providers|tools|fetch|scheduler|settings|background|inbound)\/[a-z0-9-]+)`/g)].map((m) => m[1] as string)
    expect(named.length).toBeGreaterThan(30)
    for (const id of named) expect(ids.has(id), id).toBe(true)
  })

  it('has the entries B1 to B36, in order', () => {
    const headings = [...upstream.matchAll(/^### (B\d+)$/gm)].map((m) => m[1])
    expect(headings).toEqual(Array.from({ length: 36 }, (_, i) => `B${i + 1}`))
  })

  it('is what the spec links to, and the spec names no file outside the repository', () => {
    const docs = [...filesUnder(join(ROOT, 'docs'), '.md'), join(ROOT, 'README.md')]
    for (const file of docs) {
      const text = readFileSync(file, 'utf8')
      expect(text, file).not.toMatch(/upstream-protocol-[\d.]+\.md|shared\/reference/)
    }
    expect(readFileSync(join(ROOT, 'docs/spec/worker.md'), 'utf8')).toContain('](../upstream.md')
    expect(existsSync(join(ROOT, 'docs/upstream.md'))).toBe(true)
  })
})
