/**
 * docs/upstream.md is where the spec's "upstream Bn" citations lead, so that the spec cites nothing
 * outside the repository: every B-number that a fixture or docs/spec cites has an entry, a fixture
 * that names an upstream bug is listed under that bug, and every fixture named there exists. The
 * host-side facts H1 to H7 each have an entry naming the EXT-HOST requirements of docs/spec/host.md
 * that decide them (they are decided by host requirements, so no worker fixture is asked of them).
 * Host-role fixtures that cite a B-number are named in its entry too, and each fact H1 to H7 names
 * the host-role fixtures that show it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../scripts/generate.js'
import { loadRequirements } from '../conformance/requirements.js'

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

/** The host-side facts cited in a text (`H1` … `H7`). */
function citedFacts(text: string): string[] {
  return [...text.matchAll(/\bH([1-9])\b/g)].map((m) => `H${m[1]}`)
}

const requirements = loadRequirements(join(ROOT, 'docs/spec'))

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

  it('has the upstream field on every host-role fixture whose description cites an upstream bug', () => {
    const hostFixtures = fixtures.filter((f) => f.id.startsWith('host/'))
    expect(hostFixtures.filter((f) => f.upstream !== undefined).length).toBeGreaterThan(15)
    for (const f of hostFixtures as Array<{ id: string; upstream?: string; description?: string }>) {
      const bug = /upstream (B\d+) \(docs\/upstream\.md#b\d+\)/.exec(f.description ?? '')?.[1]
      if (bug !== undefined) expect(f.upstream, f.id).toBe(bug)
    }
  })

  it('names, under each host-side fact H1 to H7, the host-role fixtures that show it', () => {
    const ids = new Set(fixtures.map((f) => f.id))
    for (let i = 1; i <= 7; i++) {
      const text = entry(`H${i}`) as string
      const named = [...text.matchAll(/`(host\/[a-z0-9-]+\/[a-z0-9-]+)`/g)].map((m) => m[1] as string)
      expect(named.length, `### H${i} names a host-role fixture`).toBeGreaterThan(0)
      for (const id of named) expect(ids.has(id), `${id} in ### H${i}`).toBe(true)
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
    const named = [...upstream.matchAll(/`((?:host\/)?(?:lifecycle|permissions|requests|providers|tools|fetch|scheduler|settings|background|inbound|handshake|api|unload|diagnostics)\/[a-z0-9-]+)`/g)].map((m) => m[1] as string)
    expect(named.length).toBeGreaterThan(30)
    expect(named.filter((id) => id.startsWith('host/')).length).toBeGreaterThan(5)
    for (const id of named) expect(ids.has(id), id).toBe(true)
  })

  it('has the entries B1 to B36, in order', () => {
    const headings = [...upstream.matchAll(/^### (B\d+)$/gm)].map((m) => m[1])
    expect(headings).toEqual(Array.from({ length: 36 }, (_, i) => `B${i + 1}`))
  })

  it('has the host-side facts H1 to H7, in order, each decided by host requirements that docs/spec/host.md defines', () => {
    const headings = [...upstream.matchAll(/^### (H\d+)$/gm)].map((m) => m[1])
    expect(headings).toEqual(Array.from({ length: 7 }, (_, i) => `H${i + 1}`))
    for (const fact of headings) {
      const text = entry(fact as string) as string
      const decided = text.slice(text.indexOf('Decided by'))
      const ids = [...decided.matchAll(/EXT-HOST-\d{3}/g)].map((m) => m[0])
      expect(text, `### ${fact}`).toContain('Decided by')
      expect(ids.length, `### ${fact} names an EXT-HOST requirement`).toBeGreaterThan(0)
      for (const id of ids) expect(requirements.get(id)?.role, `${id} in ### ${fact}`).toBe('host')
    }
  })

  it('has an entry for every H-number docs/spec cites, and host.md cites each of them', () => {
    const host = readFileSync(join(ROOT, 'docs/spec/host.md'), 'utf8')
    const spec = filesUnder(join(ROOT, 'docs/spec'), '.md').map((f) => readFileSync(f, 'utf8')).join('\n')
    for (const fact of new Set(citedFacts(spec))) expect(entry(fact), `### ${fact}`).toBeDefined()
    expect(new Set(citedFacts(host))).toEqual(new Set(Array.from({ length: 7 }, (_, i) => `H${i + 1}`)))
  })

  it('names only requirement IDs that docs/spec defines', () => {
    const named = [...upstream.matchAll(/\bEXT-[A-Z]+-\d{3}\b/g)].map((m) => m[0])
    expect(named.length).toBeGreaterThan(50)
    for (const id of named) expect(requirements.has(id), id).toBe(true)
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
