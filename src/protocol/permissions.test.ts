import { describe, expect, it } from 'vitest'
import { hasAnyNetworkPermission, hasPermission, isKnownPermission, permissionGrants, PERMISSIONS } from './permissions.js'

describe('EXT-PERM-001 permission matching', () => {
  it('grants an exact match', () => {
    expect(permissionGrants('storage.local', 'storage.local')).toBe(true)
    expect(permissionGrants('storage.local', 'storage.locals')).toBe(false)
  })
  it('grants everything below a trailing :* wildcard, keeping the colon', () => {
    expect(permissionGrants('network:*', 'network:example.com')).toBe(true)
    expect(permissionGrants('network:*', 'network:localhost:8080')).toBe(true)
    expect(permissionGrants('network:*', 'network:')).toBe(true)
    expect(permissionGrants('network:*', 'network')).toBe(false)
    expect(permissionGrants('network:*', 'networks:x')).toBe(false)
  })
  it('treats * without a colon before it, or in the middle, literally', () => {
    expect(permissionGrants('network*', 'network:x')).toBe(false)
    expect(permissionGrants('*', 'storage.local')).toBe(false)
    expect(permissionGrants(':*', ':x')).toBe(true)
    expect(permissionGrants('a:*:b', 'a:x:b')).toBe(false)
  })
  it('checks a list, ignoring non-strings', () => {
    expect(hasPermission(['tools.register', 'network:*'], 'network:api.example.com')).toBe(true)
    expect(hasPermission([], 'tools.register')).toBe(false)
    expect(hasPermission([5 as unknown as string, 'tools.register'], 'tools.register')).toBe(true)
  })
})

describe('EXT-PERM-002 network presence', () => {
  it('is on for any network: permission', () => {
    expect(hasAnyNetworkPermission(['network:example.com'])).toBe(true)
    expect(hasAnyNetworkPermission(['storage.local'])).toBe(false)
  })
})

describe('the permission list', () => {
  it('knows every literal and the network patterns', () => {
    for (const p of PERMISSIONS) expect(isKnownPermission(p)).toBe(true)
    expect(isKnownPermission('network:localhost:3000')).toBe(true)
    expect(isKnownPermission('network:api.example.com:443')).toBe(true)
    expect(isKnownPermission('network:bad host')).toBe(false)
    expect(isKnownPermission('root')).toBe(false)
    expect(PERMISSIONS).toHaveLength(22)
  })
})
