/**
 * Every per-version schema file compiles with plain ajv (Ajv2020), given only the files it `$ref`s;
 * a file that refers to an earlier version's is the same schema as this version's source generates;
 * and each profile's bundle, and its request and chat-request files on their own, judge messages by
 * that version's rules: a collection-storage request is valid from 0.23.0 on and unknown before, a
 * key-value one the other way round, and ChatOptions.context only from 0.30.0.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../scripts/generate.js'
import { generateJsonSchemaFiles } from '../src/protocol/json-schema.js'
import { profile } from '../src/protocol/profiles.js'
import { PROFILE_VERSIONS } from '../src/protocol/versions.js'
import { profileSchemaIdBase } from '../scripts/profiles.js'

const load = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as object

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(`${dir}/${e.name}`) : [`${dir}/${e.name}`]))
}

/** The file a per-version file refers to by a relative top-level `$ref` (path from the root), if any. */
function refTarget(file: string): string | undefined {
  const ref = (load(file) as { $ref?: unknown }).$ref
  return typeof ref === 'string' && !ref.startsWith('#') ? relative(ROOT, join(ROOT, dirname(file), ref)) : undefined
}

/** A fresh ajv with the files `file` refers to, transitively, added under their own `$id`. */
function compileAlone(file: string) {
  const ajv = new Ajv2020({ strict: false })
  for (let t = refTarget(file); t !== undefined; t = refTarget(t)) ajv.addSchema(load(t))
  return ajv.compile(load(file))
}

/** Keywords a file that only points at an earlier identical file may carry besides its `$ref`. */
const POINTER_KEYWORDS = new Set(['$id', '$schema', '$ref', 'title', 'description'])

/**
 * A file is on its own valid when, given only the files it refers to, it compiles. A file that is
 * nothing but a `$ref` to another file compiles exactly when its `$ref` resolves to that file's
 * `$id` and that file compiles, which the target's own version checks (by compiling it, or by
 * this same rule along a chain): so such a file is checked by resolving its `$ref` and validating it
 * against the meta-schema, instead of recompiling its target once per later version (most files
 * of the later versions are such pointers, and compiling their targets again was most of this
 * file's time). Every other file is compiled alone.
 */
function checkAlone(file: string, meta: Ajv2020): void {
  const schema = load(file) as { $id?: unknown; $ref?: unknown }
  const target = refTarget(file)
  if (target !== undefined && Object.keys(schema).every((k) => POINTER_KEYWORDS.has(k))) {
    expect(meta.validateSchema(schema as Record<string, unknown>), `${file}: ${meta.errorsText(meta.errors)}`).toBe(true)
    expect(typeof schema.$id === 'string' && typeof schema.$ref === 'string' ? new URL(schema.$ref, schema.$id).href : undefined, `${file}: where its $ref resolves`).toBe((load(target) as { $id?: unknown }).$id)
  } else compileAlone(file)
}

const withoutId = (schema: object): object => {
  const { $id: _id, ...rest } = schema as { $id?: unknown }
  return rest
}

describe.each([...PROFILE_VERSIONS])('schema/%s', (version) => {
  it('compiles every file on its own, given only the files it refers to (a pointer to an earlier file: its $ref resolves to that file)', () => {
    const all = files(`schema/${version}`)
    expect(all.length).toBeGreaterThan(40)
    const meta = new Ajv2020({ strict: false })
    for (const f of all) expect(() => checkAlone(f, meta), f).not.toThrow()
  })

  it('refers to an earlier version only where that file is the same schema as this version generates', () => {
    const generated = generateJsonSchemaFiles({ ...profile(version), idBase: profileSchemaIdBase(version), version })
    let refs = 0
    for (const [path, schema] of generated) {
      const file = `schema/${version}/${path}`
      const target = refTarget(file)
      if (target === undefined) continue
      refs++
      expect(target, file).toMatch(/^schema\/0\.[0-9]+\.[0-9]+\//)
      expect(target.slice(target.indexOf('/', 'schema/'.length) + 1), file).toBe(path)
      expect((load(file) as { $id?: unknown }).$id, file).toBe(schema.$id)
      expect(withoutId(load(target)), file).toEqual(withoutId(schema))
    }
    if (version !== PROFILE_VERSIONS[0]) expect(refs).toBeGreaterThan(0)
  })
})

const bundle = (version: string) => new Ajv2020({ strict: false }).compile(load(`schema/${version}/extwire.schema.json`))

const storagePut = { type: 'request', id: 'r1', method: 'storage.put', payload: { collection: 'notes', id: 'n1', data: { text: 'hi' } } }
const storageSet = { type: 'request', id: 'r2', method: 'storage.set', payload: { key: 'k', value: 1 } }
const storageGetOld = { type: 'request', id: 'r3', method: 'storage.get', payload: { key: 'k' } }
const storageGetNew = { type: 'request', id: 'r4', method: 'storage.get', payload: { collection: 'notes', id: 'n1' } }
const listIds = { type: 'request', id: 'r5', method: 'user.listIds', payload: {} }
const chat = (options: object) => ({ type: 'provider-chat-request', id: 'c1', payload: { providerId: 'p', messages: [], options } })
const bgStart = { type: 'background-task-start', id: 'b1', payload: { taskId: 't' } }

describe('profile bundles', () => {
  it('judge each message by its version', () => {
    const expectations: Array<[object, string[]]> = [
      [storagePut, ['0.23.0', '0.26.0', '0.30.0', '0.31.0', '0.33.0', '0.36.0']],
      [storageGetNew, ['0.23.0', '0.26.0', '0.30.0', '0.31.0', '0.33.0', '0.36.0']],
      [storageSet, ['0.21.0', '0.22.0']],
      [storageGetOld, ['0.21.0', '0.22.0']],
      [listIds, ['0.31.0', '0.33.0', '0.36.0']],
      [chat({ context: { userId: 'u' } }), ['0.30.0', '0.31.0', '0.33.0', '0.36.0']],
      [chat({ model: 'm' }), [...PROFILE_VERSIONS]],
      [bgStart, PROFILE_VERSIONS.filter((v) => v !== '0.21.0')],
    ]
    const validators = Object.fromEntries(PROFILE_VERSIONS.map((v) => [v, bundle(v)]))
    for (const [message, valid] of expectations) {
      const accepted = PROFILE_VERSIONS.filter((v) => validators[v]?.(message) === true)
      expect(accepted, JSON.stringify(message)).toEqual(valid)
    }
    // The per-message files judge alike, whether a version's file is whole or refers to an earlier one.
    const alone = (file: string) => Object.fromEntries(PROFILE_VERSIONS.map((v) => [v, compileAlone(`schema/${v}/messages/${file}`)]))
    const request = alone('request.json')
    const chatRequest = alone('provider-chat-request.json')
    for (const [message, valid] of expectations) {
      const byFile = (message as { type: string }).type === 'request' ? request : chatRequest
      if (message === bgStart) continue
      const accepted = PROFILE_VERSIONS.filter((v) => byFile[v]?.(message) === true)
      expect(accepted, `per-file ${JSON.stringify(message)}`).toEqual(valid)
    }
  })
})
