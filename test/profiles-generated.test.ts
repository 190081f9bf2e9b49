/**
 * The profile-derived files: nothing stale in their folders (the drift gate checks content; this
 * checks that no file is left over from a removed profile or pair), stable `$id`s, and per-version
 * references that say what each version has.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../scripts/generate.js'
import { COMPAT_PAIRS, profileFiles, profileSchemaIdBase } from '../scripts/profiles.js'
import { PROFILE_VERSIONS } from '../src/protocol/versions.js'

function list(dir: string): string[] {
  if (!existsSync(dir)) return []
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(join(dir, e.name)) : [join(dir, e.name)]))
}

describe('profile-derived files', () => {
  const expected = profileFiles()

  it('leave nothing stale in asyncapi/, docs/compat/, docs/reference/ and schema/<version>/', () => {
    const dirs = ['asyncapi', 'docs/compat', 'docs/reference', ...PROFILE_VERSIONS.map((v) => `schema/${v}`)]
    const stale = dirs.flatMap((d) => list(join(ROOT, d))).map((f) => relative(ROOT, f).split('\\').join('/')).filter((f) => !expected.has(f))
    expect(stale).toEqual([])
  })

  it('give every schema a stable $id under its profile', () => {
    for (const v of PROFILE_VERSIONS) {
      const schema = JSON.parse(expected.get(`schema/${v}/messages/activate.json`) as string) as { $id: string }
      expect(schema.$id).toBe(`${profileSchemaIdBase(v)}/messages/activate.json`)
    }
    expect(expected.has('schema/0.36.0/methods/storage.putManyForUser.payload.json')).toBe(true)
    expect(expected.has('schema/0.22.0/methods/storage.putManyForUser.payload.json')).toBe(false)
    expect(expected.has('schema/0.22.0/methods/storage.set.payload.json')).toBe(true)
    expect(expected.has('schema/0.23.0/methods/storage.set.payload.json')).toBe(false)
  })

  it('check in every consecutive pair and 0.22.1 -> 0.36.0', () => {
    expect(COMPAT_PAIRS).toHaveLength(PROFILE_VERSIONS.length)
    expect(COMPAT_PAIRS).toContainEqual(['0.22.1', '0.36.0'])
    for (const [a, b] of COMPAT_PAIRS) expect(expected.get(`docs/compat/${a}-${b}.md`)).toMatch(new RegExp(`^# Compatibility: ${a.replace(/\./g, '\\.')} → ${b.replace(/\./g, '\\.')}`))
  })

  it('write a reference per version with the version each field appeared in', () => {
    const ref = expected.get('docs/reference/0.36.0.md') as string
    expect(ref).toContain('| `/context` | [ChatContext](#chatcontext) | no | 0.30.0 |')
    expect(ref).toContain('| `/model` | string | no | 0.21.0 |')
    expect(ref).toContain('Since 0.23.0 (the name since 0.21.0, with another payload before). Read a document by id')
    expect(ref).toContain('| `user.list` | 0.31.0 |')
    expect(expected.get('docs/reference/0.22.0.md')).not.toContain('ChatContext')
    expect(readFileSync(join(ROOT, 'docs/reference/0.36.0.md'), 'utf8')).toBe(ref)
  })
})
