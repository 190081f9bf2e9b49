/**
 * Proof that the host-role suite catches broken hosts: every deliberately broken variant of the
 * reference host (conformance/reference/host-mutants.ts) fails on the requirement it breaks, in EVERY
 * host fixture that cites that requirement, except the fixtures its `blind` list names with a reason
 * (those must then not fail on it, so the list cannot go stale). A mutant marked `unseen` is one no
 * host fixture can see yet: no fixture may fail on its requirement, so the mark goes stale (and this
 * test fails) as soon as a fixture can. Each mutant runs on the fixtures citing its requirement plus a
 * small smoke set, through the in-process driver, in seconds.
 */
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { Fixture } from '../conformance/fixture/schema.js'
import { loadFixtures } from '../conformance/fixture/load.js'
import { appliesTo } from '../conformance/fixture/select.js'
import { HOST_MUTANTS } from '../conformance/reference/host-mutants.js'
import { runSuite } from '../conformance/runner.js'
import { buildReport } from '../conformance/verdicts.js'
import { ROOT } from './helpers/examples.js'
import { requirements } from './helpers/suite.js'

const { fixtures: loaded, errors } = loadFixtures(join(ROOT, 'fixtures'), ROOT, { role: 'host' })
// The default host speaks 0.22.1: the fixtures of that version (the versioned ones run in host-role-versions.test.ts).
const fixtures = loaded.map((f) => f.fixture).filter((f) => appliesTo(f, '0.22.1'))
const registry = requirements()
const SMOKE = ['host/handshake/activate-once-on-first-ready', 'host/api/tool-error-rejects-failed-result-resolves', 'host/requests/settings-set-is-read-back']

/** A fixture cites a requirement in its `requirements` or in one of its steps. */
function cites(fixture: Fixture, requirement: string): boolean {
  return (
    fixture.requirements.includes(requirement) ||
    fixture.steps.some((s) => ('requirement' in s && s.requirement === requirement) || ('unordered' in s && s.unordered.some((m) => m.requirement === requirement)))
  )
}

describe('deliberately broken hosts', () => {
  it('there are at least 12 that the suite can see, with distinct names, and their blind lists name real fixtures citing the requirement', () => {
    expect(errors).toEqual([])
    expect(HOST_MUTANTS.filter((m) => m.unseen === undefined).length).toBeGreaterThanOrEqual(12)
    expect(new Set(HOST_MUTANTS.map((m) => m.name)).size).toBe(HOST_MUTANTS.length)
    const ids = new Set(fixtures.map((f) => f.id))
    for (const id of SMOKE) expect(ids).toContain(id)
    for (const m of HOST_MUTANTS) {
      expect(registry.get(m.requirement)?.level, `${m.name}: ${m.requirement}`).toBe('MUST')
      for (const id of Object.keys(m.blind ?? {})) {
        expect(ids, `${m.name}: ${id}`).toContain(id)
        expect(cites(fixtures.find((f) => f.id === id) as Fixture, m.requirement), `${m.name}: blind ${id} does not cite ${m.requirement}`).toBe(true)
      }
    }
  })

  it.concurrent.each(HOST_MUTANTS.map((m) => [m.name, m] as const))('%s: fails on its requirement in every host fixture that can see it', async (_name, mutant) => {
    const blind = new Set(Object.keys(mutant.blind ?? {}))
    const citing = fixtures.filter((f) => cites(f, mutant.requirement)).map((f) => f.id)
    const mustSee = mutant.unseen !== undefined ? [] : citing.filter((id) => !blind.has(id))
    if (mutant.unseen === undefined) expect(mustSee.length, `${mutant.name}: no fixture can see it`).toBeGreaterThan(0)
    const selected = fixtures.filter((f) => citing.includes(f.id) || SMOKE.includes(f.id))
    // A generous step timeout: a passing step never waits it out, and a busy machine must not fail a fixture early.
    const results = await runSuite(selected, mutant.target(), { stepTimeoutMs: 3000, concurrency: 4 })
    const report = buildReport({ target: mutant.name, startedAt: new Date(), durationMs: 0, results, requirements: registry, expected: [] })
    const failsOn = new Set(results.filter((r) => r.failures.some((f) => f.requirement === mutant.requirement)).map((r) => r.id))
    const shown = results.flatMap((r) => r.failures.map((f) => `${r.id}: ${f.requirement}: ${f.message}`)).join('\n')
    expect(mustSee.filter((id) => !failsOn.has(id)), `fixtures that should fail on ${mutant.requirement} but do not\n${shown}`).toEqual([])
    expect([...blind].filter((id) => failsOn.has(id)), 'fixtures listed as blind that do fail on the requirement').toEqual([])
    if (mutant.unseen !== undefined) expect([...failsOn], `${mutant.name} is marked unseen, but these fixtures see it`).toEqual([])
    else expect(report.exitCode).toBe(1)
    // The smoke fixtures: each passes, or fails on the mutant's requirement (a trace invariant sees some breakages everywhere), never on another one.
    expect(results.filter((r) => SMOKE.includes(r.id) && r.failures.some((f) => f.requirement !== mutant.requirement)).map((r) => r.id), shown).toEqual([])
  }, 60_000)
})
