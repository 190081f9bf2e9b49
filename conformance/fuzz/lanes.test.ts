/**
 * Lanes: an in-process campaign plays several sequences at once. A counterexample found in any
 * lane names its lane in its path and replays from the campaign's seed alone; a clean campaign
 * plays exactly `runs` sequences; no listener is left behind.
 */
import { describe, expect, it } from 'vitest'
import { MUTANTS } from '../reference/mutants.js'
import { embeddedTarget } from '../reference/target.js'
import { laneSeed, runCampaign, splitLanePath } from './campaign.js'

const mutant = (name: string) => (MUTANTS.find((m) => m.name === name) ?? { target: () => { throw new Error(`no mutant ${name}`) } }).target()

describe('fuzz lanes', () => {
  it('reads a lane from a printed path, and lane 0 is the plain fast-check path', () => {
    expect(splitLanePath('3/7:1:0')).toEqual({ lane: 3, path: '7:1:0' })
    expect(splitLanePath('7:1:0')).toEqual({ lane: 0, path: '7:1:0' })
    expect(laneSeed(42, 0)).toBe(42)
    expect(new Set([1, 2, 3, 4].map((l) => laneSeed(42, l))).size).toBe(4)
    expect(laneSeed(42, 1)).not.toBe(laneSeed(43, 0))
  })

  it('a clean in-process campaign plays exactly its runs, and leaves no rejection listener', async () => {
    const before = process.listenerCount('unhandledRejection')
    let seen = 0
    const result = await runCampaign(embeddedTarget(), { runs: 37, seed: 5, lanes: 8, stepTimeoutMs: 10_000, progressEvery: 1, onProgress: (done) => (seen = Math.max(seen, done)) })
    expect(result.outcome).toBe('clean')
    expect(result.runs).toBe(37)
    expect(seen).toBe(37)
    expect(process.listenerCount('unhandledRejection')).toBe(before)
  }, 120_000)

  // These two run at once: each mostly waits out the step waits its mutant breaks.
  it.concurrent('a counterexample from any lane replays from its seed and path alone', async () => {
    const found = await runCampaign(mutant('error-on-soft-failure'), { runs: 64, seed: 11, lanes: 8, stepTimeoutMs: 2000 })
    expect(found.outcome).toBe('counterexample')
    const c = found.counterexample as NonNullable<typeof found.counterexample>
    expect(found.seed).toBe(11)
    const again = await runCampaign(mutant('error-on-soft-failure'), { runs: 64, seed: 11, path: c.path, replayPath: c.replayPath, stepTimeoutMs: 2000 })
    expect(again.outcome).toBe('counterexample')
    expect(again.runs).toBe(1)
    expect(again.counterexample?.requirement).toBe(c.requirement)
    expect(again.counterexample?.commands).toEqual(c.commands)
  }, 120_000)

  it.concurrent('lanes other than 0 find counterexamples too, and their paths name them', async () => {
    // Lane 0 has a single run that cannot fail when the seed's first sequence passes: seeds are tried until another lane reports.
    const paths: string[] = []
    for (let seed = 1; seed <= 20 && !paths.some((p) => splitLanePath(p).lane > 0); seed++) {
      const r = await runCampaign(mutant('error-on-soft-failure'), { runs: 8, seed, lanes: 8, stepTimeoutMs: 2000 })
      if (r.counterexample) paths.push(r.counterexample.path)
      if (r.counterexample && splitLanePath(r.counterexample.path).lane > 0) {
        const again = await runCampaign(mutant('error-on-soft-failure'), { runs: 8, seed, path: r.counterexample.path, replayPath: r.counterexample.replayPath, stepTimeoutMs: 2000 })
        expect(again.counterexample?.commands).toEqual(r.counterexample.commands)
      }
    }
    expect(paths.some((p) => splitLanePath(p).lane > 0)).toBe(true)
  }, 240_000)
})
