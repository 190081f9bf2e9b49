/**
 * Every per-version schema file compiles with plain ajv (Ajv2020), and each profile's bundle judges
 * messages by that version's rules: a collection-storage request is valid from 0.23.0 on and unknown
 * before, a key-value one the other way round, and ChatOptions.context only from 0.30.0.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { ROOT } from '../scripts/generate.js'
import { PROFILE_VERSIONS } from '../src/protocol/versions.js'

const load = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as object

function files(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(`${dir}/${e.name}`) : [`${dir}/${e.name}`]))
}

describe.each([...PROFILE_VERSIONS])('schema/%s', (version) => {
  it('compiles every file', () => {
    const ajv = new Ajv2020({ strict: false })
    const all = files(`schema/${version}`)
    expect(all.length).toBeGreaterThan(40)
    for (const f of all) expect(() => ajv.compile(load(f)), f).not.toThrow()
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
  })
})
