/**
 * Every worker requirement that applies to a protocol version is checked by at least one fixture of
 * that version (docs/spec/worker.md, "Which versions each requirement applies to"), and so is every
 * host requirement (docs/spec/host.md, "Which versions each host requirement applies to"): a fixture
 * that ends at a version must have a successor that checks the same requirement from there on.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { requirementVersions, uncoveredAt } from '../conformance/fixture/coverage.js'
import { loadFixtures } from '../conformance/fixture/load.js'
import { DEFAULT_PROFILE, PROFILE_VERSIONS } from '../src/protocol/versions.js'
import { ROOT } from './helpers/examples.js'
import { requirements } from './helpers/suite.js'

const { fixtures: loaded, errors } = loadFixtures(join(ROOT, 'fixtures'), ROOT)
const fixtures = loaded.map((f) => f.fixture).filter((f) => f.role !== 'host')
const loadedHost = loadFixtures(join(ROOT, 'fixtures'), ROOT, { role: 'host' })
const hostFixtures = loadedHost.fixtures.map((f) => f.fixture)
const untestable = JSON.parse(readFileSync(join(ROOT, 'fixtures/untestable.json'), 'utf8')) as Record<string, string>
const ranges = requirementVersions(readFileSync(join(ROOT, 'docs/spec/worker.md'), 'utf8'))
const hostRanges = requirementVersions(readFileSync(join(ROOT, 'docs/spec/host.md'), 'utf8'))
const registry = requirements()

describe('every requirement that applies to a version has a fixture of that version', () => {
  it('loads every fixture and reads a version table that names only defined requirements', () => {
    expect(errors).toEqual([])
    expect(loadedHost.errors).toEqual([])
    expect(hostFixtures.length).toBeGreaterThan(0)
    expect(ranges.size).toBeGreaterThan(0)
    expect([...ranges.keys()].filter((id) => !registry.has(id))).toEqual([])
    expect(hostRanges.size).toBeGreaterThan(0)
    expect([...hostRanges.keys()].filter((id) => registry.get(id)?.role !== 'host')).toEqual([])
  })

  for (const version of PROFILE_VERSIONS) {
    it(`${version}, host role`, () => {
      expect(uncoveredAt(version, hostFixtures, { requirements: registry, ranges: hostRanges, untestable, role: 'host' })).toEqual([])
    })
  }

  it('finds a host requirement whose only fixtures end before the version', () => {
    const ending = hostFixtures.filter((f) => f.requirements.includes('EXT-HOST-032'))
    expect(ending.some((f) => f.until !== undefined)).toBe(true)
    const without = hostFixtures.filter((f) => !(f.requirements.includes('EXT-HOST-032') && f.until === undefined))
    expect(uncoveredAt('0.36.0', without, { requirements: registry, ranges: hostRanges, untestable, role: 'host' })).toContain('EXT-HOST-032')
    expect(uncoveredAt('0.22.1', without, { requirements: registry, ranges: hostRanges, untestable, role: 'host' })).not.toContain('EXT-HOST-032')
  })

  for (const version of PROFILE_VERSIONS) {
    it(version, () => {
      // The default version's fixtures are the unchanged default suite, which names no EXT-VER requirement.
      const exempt = version === DEFAULT_PROFILE ? (id: string) => id.startsWith('EXT-VER-') : undefined
      expect(uncoveredAt(version, fixtures, { requirements: registry, ranges, untestable, ...(exempt ? { exempt } : {}) })).toEqual([])
    })
  }

  it('finds a requirement whose only fixture ends before the version', () => {
    const only = fixtures.filter((f) => f.requirements.includes('EXT-REQ-002') && f.until === undefined)
    const without = fixtures.filter((f) => !only.includes(f))
    expect(only.length).toBeGreaterThan(0)
    expect(uncoveredAt('0.36.0', without, { requirements: registry, ranges, untestable })).toContain('EXT-REQ-002')
    expect(uncoveredAt('0.22.1', without, { requirements: registry, ranges, untestable, exempt: (id) => id.startsWith('EXT-VER-') })).not.toContain('EXT-REQ-002')
  })
})
