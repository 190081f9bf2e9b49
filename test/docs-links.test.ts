/**
 * An implementer reads docs/ alone, following links: every relative link in docs/ and the README
 * must reach a file of the repository, and every `#anchor` a heading of that file (GitHub's
 * anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../scripts/generate.js'

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? markdownFiles(join(dir, e.name)) : e.name.endsWith('.md') ? [join(dir, e.name)] : [],
  )
}

/** The anchors GitHub gives the headings of a Markdown text. */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '')
  for (const m of withoutCode.matchAll(/^#{1,6} (.+)$/gm)) {
    const base = (m[1] as string)
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    out.add(n === 0 ? base : `${base}-${n}`)
  }
  return out
}

const files = [...markdownFiles(join(ROOT, 'docs')), join(ROOT, 'README.md'), ...markdownFiles(join(ROOT, 'examples'))]

describe('links in docs/ and the README', () => {
  it('computes anchors the way GitHub does', () => {
    expect([...anchors('# A `b` (c)\n## 1. A worker_threads module (`--worker`)\n### §0 Transport\n### B1\n### B1\n')]).toEqual([
      'a-b-c',
      '1-a-worker_threads-module---worker',
      '0-transport',
      'b1',
      'b1-1',
    ])
  })

  for (const file of files) {
    it(relative(ROOT, file), () => {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '')
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const link = m[1] as string
        if (/^[a-z]+:/.test(link)) continue
        const [path, anchor] = link.split('#') as [string, string | undefined]
        const target = path === '' ? file : resolve(dirname(file), path)
        expect(existsSync(target), `${link} in ${relative(ROOT, file)}`).toBe(true)
        if (anchor !== undefined && statSync(target).isFile() && target.endsWith('.md')) {
          expect(anchors(readFileSync(target, 'utf8')).has(anchor), `${link} in ${relative(ROOT, file)}`).toBe(true)
        }
      }
    })
  }
})
