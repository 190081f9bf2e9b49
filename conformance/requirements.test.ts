/**
 * The requirement registry's roles: host.md binds hosts, every other spec file binds workers, and
 * the fixture lint asks worker fixtures to cover worker requirements only (host-role fixtures come
 * with the host-role suite).
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PACKAGE_ROOT } from './paths.js'
import { lintFixtures } from './fixture/lint.js'
import { loadRequirements, requirementsOfRole, roleOfFile } from './requirements.js'

const registry = loadRequirements(join(PACKAGE_ROOT, 'docs/spec'))

describe('requirement roles', () => {
  it('gives host.md the host role and every other file the worker role', () => {
    expect(roleOfFile('host.md')).toBe('host')
    expect(roleOfFile('docs/spec/host.md')).toBe('host')
    for (const name of ['worker.md', 'wire.md', 'permissions.md', 'diagnostics.md', 'texts.md', 'hosts.md']) expect(roleOfFile(name), name).toBe('worker')
    for (const r of registry.values()) expect(r.role, r.id).toBe(r.file === 'docs/spec/host.md' ? 'host' : 'worker')
  })

  it('lists the requirements of one role, and the two roles partition the registry', () => {
    const host = requirementsOfRole(registry, 'host')
    const worker = requirementsOfRole(registry, 'worker')
    expect(host.length).toBeGreaterThanOrEqual(50)
    expect(host.every((r) => r.id.startsWith('EXT-HOST-'))).toBe(true)
    expect(worker.some((r) => r.id.startsWith('EXT-HOST-'))).toBe(false)
    expect(worker.map((r) => r.id)).toEqual(expect.arrayContaining(['EXT-LIFE-001', 'EXT-WIRE-001', 'EXT-PERM-001', 'EXT-IN-101']))
    expect(host.length + worker.length).toBe(registry.size)
  })

  it('defines every EXT-HOST ID the shared host design fixes, at its level', () => {
    const must = [1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 40, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 70, 71, 72, 73, 74, 75, 76]
    for (const n of must) expect(registry.get(`EXT-HOST-${String(n).padStart(3, '0')}`)?.level, `EXT-HOST-${n}`).toBe('MUST')
    for (const n of [101, 102, 103, 104]) expect(registry.get(`EXT-HOST-${n}`)?.level, `EXT-HOST-${n}`).toBe('SHOULD')
  })

  it('has the lint ask worker fixtures to cover worker requirements only', () => {
    const problems = lintFixtures([], [], registry, {}).filter((p) => p.includes('covered by no fixture'))
    expect(problems.some((p) => p.includes('EXT-LIFE-001'))).toBe(true)
    expect(problems.filter((p) => p.includes('EXT-HOST-'))).toEqual([])
  })
})
