/**
 * Proof that the host-role suite judges the protocol and not the reference host's choices: every
 * conforming host variant (conformance/reference/host-variants.ts) passes every MUST host fixture and
 * fails exactly the SHOULDs it declares. Through the in-process driver, in seconds.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadFixtures } from '../conformance/fixture/load.js'
import { appliesTo } from '../conformance/fixture/select.js'
import { HOST_VARIANTS } from '../conformance/reference/host-variants.js'
import { referenceHostDriver } from '../conformance/reference/host-driver.js'
import { driverHostTarget, type HostTarget } from '../conformance/host/driver.js'
import { runSuite, type FixtureResult } from '../conformance/runner.js'
import { buildReport } from '../conformance/verdicts.js'
import { ROOT } from './helpers/examples.js'
import { requirements } from './helpers/suite.js'

const { fixtures: loaded, errors } = loadFixtures(join(ROOT, 'fixtures'), ROOT, { role: 'host' })
// The default host speaks 0.22.1: the fixtures of that version (the versioned ones run in host-role-versions.test.ts).
const fixtures = loaded.map((f) => f.fixture).filter((f) => appliesTo(f, '0.22.1'))
const registry = requirements()

describe('conforming variants of the reference host', () => {
  it('there are at least 6, with distinct names, each naming the clause that allows it', () => {
    expect(errors).toEqual([])
    expect(HOST_VARIANTS.length).toBeGreaterThanOrEqual(6)
    expect(new Set(HOST_VARIANTS.map((v) => v.name)).size).toBe(HOST_VARIANTS.length)
    for (const v of HOST_VARIANTS) expect(v.allowedBy, v.name).toMatch(/EXT-HOST-\d{3}|docs\//)
    for (const v of HOST_VARIANTS) if (v.witness !== undefined) expect(fixtures.map((f) => f.id), v.name).toContain(v.witness)
    for (const v of HOST_VARIANTS) for (const id of v.shouldFailures) expect(registry.get(id)?.level, `${v.name}: ${id}`).toBe('SHOULD')
  })

  it.concurrent.each(HOST_VARIANTS.filter((v) => v.witness !== undefined).map((v) => [v.name, v] as const))('%s: differs from the reference host in its witness fixture', async (_name, variant) => {
    const witness = fixtures.filter((f) => f.id === variant.witness)
    expect(witness.map((f) => f.id)).toEqual([variant.witness])
    /** What the host did: the messages it sent and the events it reported, in order. */
    const seen = async (target: HostTarget) => {
      const [result] = (await runSuite(witness, target, { keepTraces: true, stepTimeoutMs: 3000 })) as [FixtureResult]
      return (result.trace ?? []).filter((t) => t.direction.startsWith('host-to-worker') || t.direction === 'host-event').map((t) => JSON.stringify(t.message))
    }
    const reference = await seen(driverHostTarget(referenceHostDriver(), 'reference host'))
    expect(reference.length).toBeGreaterThan(0)
    expect(await seen(variant.target())).not.toEqual(reference)
  }, 60_000)

  it.concurrent.each(HOST_VARIANTS.map((v) => [v.name, v] as const))('%s: passes every MUST and fails only the SHOULDs it declares', async (_name, variant) => {
    // A generous step timeout: a passing fixture never waits it out, and a busy machine must not fail a variant.
    const results = await runSuite(fixtures, variant.target(), { concurrency: 4, stepTimeoutMs: 3000 })
    const report = buildReport({ target: variant.name, startedAt: new Date(), durationMs: 0, results, requirements: registry, expected: [] })
    const failures = results.flatMap((r) => r.failures.map((f) => `${r.id} [${r.level}] ${f.requirement}: ${f.message}`)).join('\n')
    const mustFailures = results.flatMap((r) => r.failures.filter((f) => (registry.get(f.requirement)?.level ?? r.level) === 'MUST').map((f) => `${r.id}: ${f.requirement}: ${f.message}`))
    expect(mustFailures).toEqual([])
    expect(results.filter((r) => r.status !== 'pass' && r.status !== 'fail').map((r) => [r.id, r.status]), failures).toEqual([])
    expect(report.summary.suiteErrors, failures).toBe(0)
    expect(report.exitCode, failures).toBe(0)
    const failed = report.requirements.filter((v) => v.status === 'fail').map((v) => v.id)
    expect(failed.sort(), failures).toEqual([...variant.shouldFailures].sort())
  }, 60_000)
})
