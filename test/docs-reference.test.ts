/**
 * docs/reference.md is what an implementer in another language reads: it must name every enum
 * value, every union variant's fields and every field of every payload, not just exist (the drift
 * gate only proves that it is what the generator writes).
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DEFINITIONS, MESSAGES, METHODS } from '../src/protocol/index.js'
import { ROOT } from '../scripts/generate.js'

const reference = readFileSync(join(ROOT, 'docs/reference.md'), 'utf8')

/** The text of the section under `### heading`, up to the next heading of level 2 or 3. */
function section(heading: string): string {
  const start = reference.indexOf(`\n### ${heading}\n`)
  expect(start, `section "${heading}"`).toBeGreaterThanOrEqual(0)
  const rest = reference.slice(start + heading.length + 6)
  const end = rest.search(/\n##{1,2} /)
  return end < 0 ? rest : rest.slice(0, end)
}

type Node = Record<string, unknown>

/** Every enum (as its values) anywhere inside a schema. */
function enums(node: unknown, out: unknown[][] = []): unknown[][] {
  if (typeof node !== 'object' || node === null) return out
  if (Array.isArray((node as Node)['enum'])) out.push((node as Node)['enum'] as unknown[])
  for (const child of Object.values(node as Node)) enums(child, out)
  return out
}

describe('docs/reference.md', () => {
  it('never prints a bare "any" type', () => {
    expect(reference).not.toMatch(/\| any \|/)
  })

  it('describes every field', () => {
    const rows = reference.split('\n').filter((line) => /^\| `\//.test(line))
    expect(rows.length).toBeGreaterThan(200)
    for (const row of rows) expect(row, row).not.toMatch(/\|\s*\|$/)
  })

  it('lists the values of every enum', () => {
    const all = [...MESSAGES.map((d) => d.schema), ...Object.values(DEFINITIONS)].flatMap((s) => enums(s))
    expect(all.length).toBeGreaterThan(3)
    for (const values of all) expect(reference).toContain(`one of ${values.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}`)
  })

  it('lists every field of every variant of a tagged union type', () => {
    let variants = 0
    for (const [name, def] of Object.entries(DEFINITIONS)) {
      const anyOf = (def as Node)['anyOf']
      if (!Array.isArray(anyOf)) continue
      const text = section(name)
      for (const variant of anyOf as Node[]) {
        const properties = variant['properties'] as Node | undefined
        if (!properties) continue
        variants++
        const tag = (properties['type'] as Node)['const']
        const block = text.slice(text.indexOf(`**\`type\` = \`${JSON.stringify(tag)}\`**`))
        for (const key of Object.keys(properties)) expect(block, `${name} ${String(tag)}`).toContain(`| \`/${key}\` |`)
      }
    }
    expect(variants).toBe(9)
  })

  it('lists every payload field of every request method under the method', () => {
    for (const m of METHODS) {
      const text = section(`${m.method} (method)`)
      for (const key of Object.keys(((m.payload as Node)['properties'] as Node | undefined) ?? {})) {
        expect(text, m.method).toContain(`| \`/payload/${key}\` |`)
      }
    }
  })

  it('lists every field of every message, nested objects included (named types have their own section)', () => {
    const named = new Set(Object.values(DEFINITIONS).map((def) => JSON.stringify(def)))
    for (const d of MESSAGES) {
      if (d.type === 'request') continue
      const text = section(d.type)
      const walk = (node: unknown, path: string): void => {
        const properties = (node as Node)['properties'] as Record<string, Node> | undefined
        for (const [key, child] of Object.entries(properties ?? {})) {
          expect(text, d.type).toContain(`| \`${path}/${key}\` |`)
          if (!named.has(JSON.stringify(child))) walk(child, `${path}/${key}`)
        }
      }
      walk(d.schema, '')
    }
  })
})
