/**
 * Sequence fuzzing in npm test (bounded): the reference runtime survives a seeded campaign; the
 * fuzzer on its own finds at least half of the deliberately broken runtimes; a counterexample,
 * saved as a fixture, fails the same way under `extwire conformance --fixture`.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { run } from '../../src/cli/main.js'
import { PACKAGE_ROOT } from '../paths.js'
import { loadFixtureFile } from '../fixture/load.js'
import { MUTANTS } from '../reference/mutants.js'
import { runFixture } from '../runner.js'
import { embeddedTarget } from '../reference/target.js'
import { runCampaign } from './campaign.js'

async function cli(...argv: string[]) {
  let out = ''
  const code = await run({ argv, cwd: PACKAGE_ROOT, stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } })
  return { code, out }
}

describe('sequence fuzzing', () => {
  it('finds nothing in the reference runtime (300 sequences)', async () => {
    // 10 s per expectation: a correct runtime answers at once, so only a busy machine ever comes near it,
    // and there a 1 s bound turned slowness into false counterexamples.
    const result = await runCampaign(embeddedTarget(), { runs: 300, seed: 20261126, stepTimeoutMs: 10_000 })
    expect(result.counterexample?.message).toBeUndefined()
    expect(result.failed).toBe(false)
  }, 300_000)

  it('finds at least half of the broken runtimes on its own', async () => {
    const found: string[] = []
    // Four campaigns at a time: each mostly waits out the short step timeout of its mutant's silence.
    const queue = [...MUTANTS]
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (let mutant = queue.shift(); mutant; mutant = queue.shift()) {
          const result = await runCampaign(mutant.target(), { runs: 150, seed: 7, stepTimeoutMs: 150, readyTimeoutMs: 1000 })
          if (result.failed) found.push(mutant.name)
        }
      }),
    )
    expect(found.length).toBeGreaterThanOrEqual(Math.ceil(MUTANTS.length / 2))
  }, 120_000)

  it('writes a shrunk counterexample as a fixture that fails the same way', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'extwire-fuzz-')), 'counterexample.json')
    const fuzz = await cli('fuzz', '--mutant', 'error-on-soft-failure', '--runs', '200', '--seed', '3', '--timeout', '1000', '--out', out)
    expect(fuzz.code).toBe(1)
    expect(fuzz.out).toContain('counterexample after')
    expect(fuzz.out).toMatch(/replay: extwire fuzz --seed 3 --path \S+/)
    const loaded = loadFixtureFile(out)
    if (!('fixture' in loaded)) throw new Error(loaded.message)
    // The mutant adds a top-level error to soft failures: a tool's own (EXT-TOOL-003) or a failed host answer's (EXT-REQ-004).
    const requirement = /^counterexample after \d+ sequence\(s\): (EXT-[A-Z]+-\d{3})$/m.exec(fuzz.out)?.[1] as string
    expect(['EXT-TOOL-003', 'EXT-REQ-004']).toContain(requirement)
    expect(loaded.fixture.requirements).toEqual([requirement])
    // The saved fixture passes against the reference runtime and fails against the broken one, on the same requirement.
    expect((await runFixture(loaded.fixture, embeddedTarget())).status).toBe('pass')
    const broken = await runFixture(loaded.fixture, MUTANTS.find((m) => m.name === 'error-on-soft-failure')!.target(), { stepTimeoutMs: 1000 })
    expect(broken.status).toBe('fail')
    expect(broken.failures.map((f) => f.requirement)).toContain(requirement)
    expect(readFileSync(out, 'utf8')).toContain('"id": "fuzz/counterexample-3"')
    expect((await cli('conformance', '--fixture', out)).code).toBe(0)
    const again = await cli('conformance', '--fixture', out, '--mutant', 'error-on-soft-failure', '--timeout', '1000')
    expect(again.code).toBe(1)
    expect(again.out).toContain(requirement)
  }, 60_000)

  it('reports a clean run with its seed and rate', async () => {
    const r = await cli('fuzz', '--runs', '20', '--seed', '1')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/no counterexample in 20 sequences \(seed 1, \d+ sequences\/s\)/)
  })
})
