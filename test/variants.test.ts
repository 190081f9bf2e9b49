/**
 * Proof that the suite judges the protocol and not the reference runtime's choices: every
 * conforming variant (conformance/variants.ts) passes every MUST fixture, and fails exactly the
 * SHOULDs it declares it skips.
 */
import { describe, expect, it } from 'vitest'
import { VARIANTS } from '../conformance/reference/variants.js'
import { runSuite } from '../conformance/runner.js'
import { buildReport } from '../conformance/verdicts.js'
import { allFixtures, requirements } from './helpers/suite.js'

const fixtures = allFixtures()
const registry = requirements()

describe('conforming variants of the reference runtime', () => {
  it('there are at least 10, with distinct names, each naming the clause that allows it', () => {
    expect(VARIANTS.length).toBeGreaterThanOrEqual(10)
    expect(new Set(VARIANTS.map((v) => v.name)).size).toBe(VARIANTS.length)
    for (const v of VARIANTS) expect(v.allowedBy, v.name).toMatch(/EXT-[A-Z]+-\d{3}|docs\/spec|wire\.md/)
    for (const v of VARIANTS) for (const id of v.shouldFailures) expect(registry.get(id)?.level, `${v.name}: ${id}`).toBe('SHOULD')
  })

  // Concurrent (vitest's maxConcurrency at a time): a run mostly waits (the fixtures' quiet windows and timeouts).
  for (const variant of VARIANTS) {
    it.concurrent(`${variant.name}: passes every MUST${variant.shouldFailures.length > 0 ? `, fails only ${variant.shouldFailures.join(', ')}` : ' and every SHOULD'}`, async () => {
      // A generous step timeout: a passing fixture never waits it out, and a busy machine must not fail a variant.
      const results = await runSuite(fixtures, variant.target(), { concurrency: 8, stepTimeoutMs: 3000 })
      const report = buildReport({ target: variant.name, startedAt: new Date(), durationMs: 0, results, requirements: registry, expected: [] })
      const failures = results.flatMap((r) => r.failures.map((f) => `${r.id} [${r.level}] ${f.requirement}: ${f.message}`))
      const mustFailures = results.flatMap((r) => r.failures.filter((f) => (registry.get(f.requirement)?.level ?? r.level) === 'MUST').map((f) => `${r.id}: ${f.requirement}: ${f.message}`))
      expect(mustFailures).toEqual([])
      expect(report.summary.suiteErrors, failures.join('\n')).toBe(0)
      expect(report.exitCode, failures.join('\n')).toBe(0)
      const failed = report.requirements.filter((v) => v.status === 'fail').map((v) => v.id)
      expect(failed.sort(), failures.join('\n')).toEqual([...variant.shouldFailures].sort())
    }, 600_000) // an upper bound for a stuck run only: a loaded machine with files side by side must not trip it
  }
})
