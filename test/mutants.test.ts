/**
 * Proof that the suite catches bugs: every deliberately broken variant of the reference runtime
 * fails on the requirement it breaks, in EVERY fixture that cites that requirement, except the
 * fixtures its `blind` list names with a reason (those must then not fail on it, so the list cannot
 * go stale), and in every fixture of its `observedIn` list (wire requirements, which no fixture cites).
 * Each mutant runs only on those fixtures plus a small smoke set, to stay fast.
 */
import { describe, expect, it } from 'vitest'
import type { Fixture } from '../conformance/fixture/schema.js'
import { ALL_MUTANTS as MUTANTS } from '../conformance/reference/index.js'
import { runSuite } from '../conformance/runner.js'
import { buildReport } from '../conformance/verdicts.js'
import { allFixtures, requirements } from './helpers/suite.js'

const fixtures = allFixtures()
const registry = requirements()
const SMOKE = ['lifecycle/ready-once-first', 'tools/echo-result-unchanged', 'providers/chat-echo']

/** A fixture cites a requirement in its `requirements` or in one of its steps. */
function cites(fixture: Fixture, requirement: string): boolean {
  return (
    fixture.requirements.includes(requirement) ||
    fixture.steps.some((s) => ('requirement' in s && s.requirement === requirement) || ('unordered' in s && s.unordered.some((m) => m.requirement === requirement)))
  )
}

describe('deliberately broken runtimes', () => {
  it('there are at least 15, with distinct names, and their blind and observedIn lists name real fixtures', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(15)
    expect(new Set(MUTANTS.map((m) => m.name)).size).toBe(MUTANTS.length)
    const ids = new Set(fixtures.map((f) => f.id))
    for (const m of MUTANTS) {
      for (const id of [...Object.keys(m.blind ?? {}), ...(m.observedIn ?? []), ...SMOKE]) expect(ids, `${m.name}: ${id}`).toContain(id)
      for (const id of Object.keys(m.blind ?? {})) expect(cites(fixtures.find((f) => f.id === id) as Fixture, m.requirement), `${m.name}: blind ${id} does not cite ${m.requirement}`).toBe(true)
    }
  })

  // Concurrent (vitest's maxConcurrency at a time): a mutant's run mostly waits out the step wait of the expectations it breaks.
  for (const mutant of MUTANTS) {
    it.concurrent(`${mutant.name}: fails on ${mutant.requirement} in every fixture that can see it`, async () => {
      const blind = new Set(Object.keys(mutant.blind ?? {}))
      const mustSee = fixtures.filter((f) => (cites(f, mutant.requirement) && !blind.has(f.id)) || (mutant.observedIn ?? []).includes(f.id)).map((f) => f.id)
      expect(mustSee.length, `${mutant.name}: no fixture can see it`).toBeGreaterThan(0)
      const selected = fixtures.filter((f) => mustSee.includes(f.id) || blind.has(f.id) || SMOKE.includes(f.id))
      // A generous step timeout: on a busy machine a short one fails a fixture on its activation (EXT-LIFE-002) before it reaches the mutant's breakage.
      const results = await runSuite(selected, mutant.target(), { stepTimeoutMs: 2000, concurrency: 8 })
      const report = buildReport({ target: mutant.name, startedAt: new Date(), durationMs: 0, results, requirements: registry, expected: [] })
      const failsOn = new Set(results.filter((r) => r.failures.some((f) => f.requirement === mutant.requirement)).map((r) => r.id))
      expect(report.exitCode).toBe(1)
      expect(mustSee.filter((id) => !failsOn.has(id)), 'fixtures that should fail on the requirement but do not').toEqual([])
      expect([...blind].filter((id) => failsOn.has(id)), 'fixtures listed as blind that do fail on the requirement').toEqual([])
    }, 600_000) // an upper bound for a stuck run only: a loaded machine with files side by side must not trip it
  }
})
