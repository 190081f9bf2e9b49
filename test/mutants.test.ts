/**
 * Proof that the suite catches bugs: every deliberately broken variant of the reference runtime
 * fails the suite, on the requirement it breaks.
 */
import { describe, expect, it } from 'vitest'
import { MUTANTS } from '../conformance/mutants.js'
import { runSuite } from '../conformance/runner.js'
import { buildReport } from '../conformance/verdicts.js'
import { allFixtures, requirements } from './helpers/suite.js'

const fixtures = allFixtures()
const registry = requirements()

describe('deliberately broken runtimes', () => {
  it('there are at least 15', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(15)
    expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length)
  })

  for (const mutant of MUTANTS) {
    it(`${mutant.name}: fails on ${mutant.requirement}`, async () => {
      const results = await runSuite(fixtures, mutant.target(), { stepTimeoutMs: 300, readyTimeoutMs: 300, concurrency: 8 })
      const report = buildReport({ target: mutant.name, startedAt: new Date(), durationMs: 0, results, requirements: registry, expected: [] })
      const failed = report.requirements.filter((v) => v.status === 'fail').map((v) => v.id)
      expect(report.exitCode).toBe(1)
      expect(failed).toContain(mutant.requirement)
    }, 60_000)
  }
})
