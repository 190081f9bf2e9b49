/**
 * The blind spots are closed: each broken runtime of `BLIND_SPOT_MUTANTS` fails the suite on its
 * requirement, and the fixture written for it is one of the fixtures that fail, on that
 * requirement. The same fixtures pass the reference runtime.
 * Each mutant runs on the fixtures that cite its requirement (its own fixture among them): the
 * others cannot fail on that requirement, so leaving them out changes none of the checks.
 */
import { describe, expect, it } from 'vitest'
import { BLIND_SPOT_FIXTURES, BLIND_SPOT_MUTANTS } from '../conformance/reference/blind-spots.js'
import { runSuite } from '../conformance/runner.js'
import { embeddedTarget } from '../conformance/reference/target.js'
import { buildReport } from '../conformance/verdicts.js'
import { allFixtures, requirements } from './helpers/suite.js'

const fixtures = allFixtures()
const registry = requirements()

/** A fixture cites a requirement in its `requirements` or in one of its steps. */
function cites(fixture: (typeof fixtures)[number], requirement: string): boolean {
  return (
    fixture.requirements.includes(requirement) ||
    fixture.steps.some((s) => ('requirement' in s && s.requirement === requirement) || ('unordered' in s && s.unordered.some((m) => m.requirement === requirement)))
  )
}

describe('blind-spot mutants', () => {
  it('one per blind spot, each with its fixture', () => {
    expect(BLIND_SPOT_MUTANTS.map((m) => m.name).sort()).toEqual(Object.keys(BLIND_SPOT_FIXTURES).sort())
    const ids = new Set(fixtures.map((f) => f.id))
    for (const id of Object.values(BLIND_SPOT_FIXTURES)) expect(ids, id).toContain(id)
  })

  it('their fixtures pass the reference runtime', async () => {
    const own = fixtures.filter((f) => Object.values(BLIND_SPOT_FIXTURES).includes(f.id))
    expect(own).toHaveLength(new Set(Object.values(BLIND_SPOT_FIXTURES)).size)
    const results = await runSuite(own, embeddedTarget(), { concurrency: 4, stepTimeoutMs: 5000 })
    expect(results.map((r) => [r.id, r.status])).toEqual(own.map((f) => [f.id, 'pass']))
  }, 300_000)

  for (const mutant of BLIND_SPOT_MUTANTS) {
    it(`${mutant.name}: fails on ${mutant.requirement}, in ${BLIND_SPOT_FIXTURES[mutant.name]}`, async () => {
      const selected = fixtures.filter((f) => cites(f, mutant.requirement) || f.id === BLIND_SPOT_FIXTURES[mutant.name])
      // A step timeout long enough that a busy machine does not fail the fixture at an earlier step, on another requirement.
      const results = await runSuite(selected, mutant.target(), { stepTimeoutMs: 2000, concurrency: 8 })
      const report = buildReport({ target: mutant.name, startedAt: new Date(), durationMs: 0, results, requirements: registry, expected: [] })
      expect(report.exitCode).toBe(1)
      expect(report.requirements.filter((v) => v.status === 'fail').map((v) => v.id)).toContain(mutant.requirement)
      const own = results.find((r) => r.id === BLIND_SPOT_FIXTURES[mutant.name])
      expect(own?.status).toBe('fail')
      expect(own?.failures.map((f) => f.requirement)).toContain(mutant.requirement)
    }, 300_000)
  }
})
