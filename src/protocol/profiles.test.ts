import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { MESSAGES } from './catalogue.js'
import { DEFINITIONS } from './definitions.js'
import { generateJsonSchemaFiles } from './json-schema.js'
import { METHODS } from './methods.js'
import { PERMISSIONS } from './permissions.js'
import { profile, PROFILES } from './profiles.js'
import type { ProtocolTypes } from './profiles-types.js'
import { METHOD_HISTORY } from './versions-methods.js'
import { FIELD_HISTORY, fieldSince, MESSAGE_HISTORY, PERMISSION_HISTORY } from './versions-source.js'
import { compareVersions, inVersion, KNOWN_VERSION_NAMES, PROFILE_VERSIONS, resolveProfile, UnknownVersionError } from './versions.js'

const names = (v: string) => profile(v).methods.map((m) => m.method)

describe('versions', () => {
  it('orders versions numerically and treats until as exclusive', () => {
    expect(compareVersions('0.9.0', '0.10.0')).toBeLessThan(0)
    expect(inVersion('0.23.0', '0.21.0', '0.23.0')).toBe(false)
    expect(inVersion('0.22.0', '0.21.0', '0.23.0')).toBe(true)
    expect(inVersion('0.21.0', '0.22.0')).toBe(false)
  })

  it('resolves 0.22.1 to the 0.22.0 profile and names the known versions for anything else', () => {
    expect(resolveProfile('0.22.1')).toBe('0.22.0')
    expect(() => profile('0.35.0')).toThrow(UnknownVersionError)
    expect(() => profile('latest')).toThrow(/known versions: 0\.21\.0, 0\.22\.0, 0\.22\.1, 0\.23\.0, .*0\.36\.0/)
    expect(() => profile('__proto__')).toThrow(UnknownVersionError)
    expect(KNOWN_VERSION_NAMES).toContain('0.22.1')
  })
})

describe('the default profile', () => {
  it('is today\'s catalogue, methods and named types, by identity', () => {
    const p = profile('0.22.1')
    expect(p.messages).toEqual(MESSAGES)
    p.messages.forEach((m, i) => expect(m).toBe(MESSAGES[i]))
    expect(p.methods.map((m) => m.legacy)).toEqual(METHODS)
    p.methods.forEach((m, i) => expect(m.payload).toBe(METHODS[i]?.payload))
    expect(p.definitions).toBe(DEFINITIONS)
    expect(p.permissions.map((x) => x.name)).toEqual([...PERMISSIONS])
  })

  it('generates the same schema files as schema/, but for their $id', () => {
    const p = profile('0.22.0')
    const today = generateJsonSchemaFiles()
    const mine = generateJsonSchemaFiles({ ...p, idBase: 'https://extwire.dev/schema/0.22.1', version: '0.22.1' })
    expect([...mine.keys()]).toEqual([...today.keys()])
    for (const [path, schema] of today) expect(mine.get(path), path).toEqual(schema)
  })
})

describe('profiles', () => {
  it('has the eight profiles, each a superset or a revision of the one before', () => {
    expect(Object.keys(PROFILES)).toEqual([...PROFILE_VERSIONS])
  })

  it('0.21.0 lacks the background-task messages and background.workers', () => {
    const p = profile('0.21.0')
    expect(p.messages.filter((m) => m.type.startsWith('background-'))).toEqual([])
    expect(p.messages).toHaveLength(21)
    expect(p.isKnownPermission('background.workers')).toBe(false)
    expect(profile('0.22.0').isKnownPermission('background.workers')).toBe(true)
  })

  it('0.23.0 replaces key-value storage and database.execute with collections and secrets', () => {
    const n = names('0.23.0')
    for (const gone of ['database.execute', 'storage.set', 'storage.keys', 'storage.setForUser', 'storage.keysForUser']) expect(n).not.toContain(gone)
    const collections = ['put', 'get', 'delete', 'find', 'findOne', 'count', 'putMany', 'deleteMany', 'dropCollection', 'listCollections']
    for (const op of collections) {
      expect(n).toContain(`storage.${op}`)
      expect(n).toContain(`storage.${op}ForUser`)
    }
    for (const op of ['set', 'get', 'delete', 'list']) {
      expect(n).toContain(`secrets.${op}`)
      expect(n).toContain(`secrets.${op}ForUser`)
    }
    expect(n).toHaveLength(10 + 20 + 8)
    expect(names("0.36.0")).toHaveLength(42)
    expect(profile('0.23.0').isKnownPermission('storage.local')).toBe(false)
    expect(profile('0.23.0').isKnownPermission('storage.collections')).toBe(true)
    expect(profile('0.23.0').isKnownPermission('secrets.manage')).toBe(true)
    expect(profile('0.23.0').isKnownPermission('network:example.com')).toBe(true)
  })

  it('changes storage.get under the same name: two definitions, one per side of 0.23.0', () => {
    const defs = METHOD_HISTORY.filter((m) => m.method === 'storage.get')
    expect(defs.map((d) => [d.since, d.until])).toEqual([['0.21.0', '0.23.0'], ['0.23.0', undefined]])
    const old = profile('0.22.0').method('storage.get')
    const now = profile('0.23.0').method('storage.get')
    expect(Object.keys((old?.payload as { properties: object }).properties)).toEqual(['key'])
    expect(Object.keys((now?.payload as { properties: object }).properties)).toEqual(['collection', 'id'])
    expect(Object.keys((profile('0.23.0').method('storage.deleteForUser')?.payload as { properties: object }).properties)).toEqual(['userId', 'collection', 'id'])
  })

  it('adds reportFireResult at 0.26.0, tools.list/execute at 0.30.0 and user.listIds with user.list at 0.31.0', () => {
    expect(names('0.23.0')).not.toContain('scheduler.reportFireResult')
    expect(names('0.26.0')).toContain('scheduler.reportFireResult')
    expect(names('0.26.0')).not.toContain('tools.list')
    expect(names('0.30.0')).toEqual(expect.arrayContaining(['tools.list', 'tools.execute']))
    expect(profile('0.30.0').isKnownPermission('tools.execute')).toBe(true)
    expect(names('0.30.0')).not.toContain('user.listIds')
    expect(names('0.31.0')).toContain('user.listIds')
    expect(profile('0.31.0').method('user.listIds')?.hostGate).toBe('user.list')
    expect(profile('0.30.0').isKnownPermission('user.list')).toBe(false)
    expect(profile('0.31.0').isKnownPermission('user.list')).toBe(true)
  })

  it('adds ChatOptions.context at 0.30.0 (and only there)', () => {
    const options = (v: string) => {
      const chat = profile(v).message('provider-chat-request')?.schema as { properties: { payload: { properties: { options: { properties: object } } } } }
      return Object.keys(chat.properties.payload.properties.options.properties)
    }
    expect(options('0.26.0')).not.toContain('context')
    expect(options('0.30.0')).toContain('context')
    expect(fieldSince('ChatOptions', 'context', '0.21.0')).toBe('0.30.0')
    expect(fieldSince('ChatOptions', 'model', '0.21.0')).toBe('0.21.0')
    expect(FIELD_HISTORY).toHaveLength(1)
  })

  it('marks settings-changed unsent from 0.33.0 and the new fetch-stream error text from 0.35.0 (the 0.36.0 profile)', () => {
    expect(profile('0.31.0').behaviours.map((b) => b.id)).not.toContain('settings-changed-unsent')
    expect(profile('0.33.0').behaviours.map((b) => b.id)).toContain('settings-changed-unsent')
    expect(profile('0.33.0').message('settings-changed')).toBeDefined()
    expect(profile('0.33.0').texts.find((t) => t.id === 'fetch-stream-http-error')?.text).toBe('HTTP <status>: <statusText>')
    expect(profile('0.36.0').texts.find((t) => t.id === 'fetch-stream-http-error')?.text).toMatch(/^HTTP <status> <statusText>/)
  })

  it('builds each profile\'s request union from its own methods', () => {
    const req = profile('0.36.0').message('request')?.schema as { anyOf: Array<{ properties: { method: { const: string } } }> }
    expect(req.anyOf.map((v) => v.properties.method.const)).toEqual(names('0.36.0'))
    expect(profile('0.21.0').message('request')).toBe(profile('0.22.0').message('request'))
  })

  it('gives every message, method and permission a since, and never an until before it', () => {
    for (const e of [...MESSAGE_HISTORY, ...METHOD_HISTORY, ...PERMISSION_HISTORY]) {
      expect(e.since).toMatch(/^\d+\.\d+\.\d+$/)
      if (e.until) expect(compareVersions(e.since, e.until)).toBeLessThan(0)
    }
    // one definition per name at any version
    for (const v of PROFILE_VERSIONS) {
      const p = profile(v)
      expect(new Set(p.methods.map((m) => m.method)).size).toBe(p.methods.length)
      expect(new Set(p.messages.map((m) => m.type)).size).toBe(p.messages.length)
    }
  })

  it('exports types per profile', () => {
    const put: ProtocolTypes['0.36.0']['RequestPayloads']['storage.put'] = { collection: 'notes', id: 'a', data: { x: 1 } }
    const get: ProtocolTypes['0.22.0']['RequestPayloads']['storage.get'] = { key: 'k' }
    // @ts-expect-error storage.set is gone after 0.22
    const gone: ProtocolTypes['0.23.0']['RequestPayloads']['storage.set'] = { key: 'k' }
    const ctx: Extract<ProtocolTypes['0.30.0']['HostToWorkerMessage'], { type: 'provider-chat-request' }>['payload']['options'] = { context: { userId: 'u' } }
    expect([put, get, gone, ctx]).toHaveLength(4)
    expect(Type.Union([])).toBeDefined()
  })
})
