/**
 * Threaded campaigns: the lanes of an in-process campaign shared out between this thread and
 * worker threads (`dist/fuzz-lanes.cjs`, which `npm test` builds first). The same seed plays the same
 * sequences whatever the thread count; a counterexample found in a worker thread comes back whole
 * and replays in one thread; every thread has exited when the campaign returns, on every path.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { laneOutcome, runCampaign, splitLanePath } from './campaign.js'
import { run } from '../../src/cli/main.js'
import { PACKAGE_ROOT } from '../paths.js'
import { referenceLaneTarget } from '../reference/lane-targets.js'
import { FUZZ_LANES_ENTRY, runThreadedCampaign, threadPlan } from './threads.js'

/** Records every thread a campaign starts, and whether it has exited. */
function watchThreads() {
  const threads: Array<{ worker: Worker; exited: boolean }> = []
  return {
    threads,
    onThreadStart: (worker: Worker) => {
      const entry = { worker, exited: false }
      worker.once('exit', () => (entry.exited = true))
      threads.push(entry)
    },
    allExited: () => threads.every((t) => t.exited),
  }
}

describe.skipIf(!existsSync(FUZZ_LANES_ENTRY))('threaded fuzz campaigns', () => {
  it('plays the same sequences on two threads as on one, and every thread exits', async () => {
    const watch = watchThreads()
    let inThread = 0
    // 80 lanes of one run, 32 at once per thread: 64 to start with (odd ones in the worker thread), 16 handed out as asked.
    const options = { runs: 80, seed: 9, lanes: 80, stepTimeoutMs: 10_000 }
    const onThreadStart = (worker: Worker) => {
      watch.onThreadStart(worker)
      worker.on('message', (m: { kind: string }) => m.kind === 'played' && inThread++)
    }
    const two = await runThreadedCampaign({ kind: 'reference' }, referenceLaneTarget, { ...options, threads: 2, onThreadStart })
    expect(watch.threads).toHaveLength(1)
    expect(watch.allExited()).toBe(true)
    const one = await runThreadedCampaign({ kind: 'reference' }, referenceLaneTarget, { ...options, threads: 1 })
    expect(two.outcome).toBe('clean')
    expect(two.threads).toEqual({ count: 2 })
    expect(one.threads).toEqual({ count: 1 })
    expect(two.runs).toBe(80)
    expect(inThread).toBeGreaterThanOrEqual(32)
    // Same lanes, same seeds: the very same host messages, whatever the threads.
    expect(two.hostMessages).toBeGreaterThan(80)
    expect(two.hostMessages).toBe(one.hostMessages)
  }, 120_000)

  it('a counterexample found in a worker thread comes back whole and replays in one thread', async () => {
    // Seed 1 over 2 lanes of one run each: lane 0's sequence passes against this mutant, lane 1's (the worker thread's) fails.
    const mutant = { kind: 'mutant', name: 'error-on-soft-failure' } as const
    const watch = watchThreads()
    const found = await runThreadedCampaign(mutant, referenceLaneTarget, { runs: 2, seed: 1, lanes: 2, threads: 2, stepTimeoutMs: 1000, onThreadStart: watch.onThreadStart })
    expect(watch.threads).toHaveLength(1)
    expect(watch.allExited()).toBe(true)
    expect(found.outcome).toBe('counterexample')
    expect(found.runs).toBe(2)
    const c = found.counterexample as NonNullable<typeof found.counterexample>
    expect(splitLanePath(c.path).lane).toBe(1)
    expect(['EXT-TOOL-003', 'EXT-REQ-004']).toContain(c.requirement)
    expect(c.fixture.id).toBe('fuzz/counterexample-1')
    expect(c.fixture.requirements).toEqual([c.requirement])
    expect(c.fixture.description).toContain(`--path ${c.path}`)
    // The same report from one thread: the lane alone, replayed from the printed seed and paths.
    const again = await runCampaign(referenceLaneTarget(mutant), { runs: 2, seed: 1, path: c.path, replayPath: c.replayPath, stepTimeoutMs: 1000 })
    expect(again.runs).toBe(1)
    expect(again.counterexample?.requirement).toBe(c.requirement)
    expect(again.counterexample?.commands).toEqual(c.commands)
    expect(again.counterexample?.fixture).toEqual(c.fixture)
  }, 120_000)

  it('an abort stops every lane, and the result says interrupted', async () => {
    const watch = watchThreads()
    const stop = new AbortController()
    const result = await runThreadedCampaign({ kind: 'reference' }, referenceLaneTarget, { runs: 100_000, seed: 3, threads: 2, stepTimeoutMs: 10_000, progressEvery: 1, onProgress: (done) => done >= 40 && stop.abort(), signal: stop.signal, onThreadStart: watch.onThreadStart })
    expect(result.outcome).toBe('clean')
    expect(result.interrupted).toBe(true)
    expect(result.runs).toBeGreaterThanOrEqual(40)
    expect(result.runs).toBeLessThan(100_000)
    expect(watch.threads).toHaveLength(1)
    expect(watch.allExited()).toBe(true)
  }, 120_000)

  it('the deadline stops every lane', async () => {
    const watch = watchThreads()
    const result = await runThreadedCampaign({ kind: 'reference' }, referenceLaneTarget, { runs: 100_000, seed: 4, threads: 2, stepTimeoutMs: 10_000, deadlineMs: 1500, onThreadStart: watch.onThreadStart })
    expect(result.interrupted).toBe(true)
    expect(result.runs).toBeLessThan(100_000)
    expect(watch.allExited()).toBe(true)
  }, 120_000)

  it('a thread that fails is a harness error, and stops the campaign', async () => {
    const entry = join(mkdtempSync(join(tmpdir(), 'extwire-lanes-')), 'broken-lanes.mjs')
    writeFileSync(entry, "throw new Error('broken thread entry')\n")
    const watch = watchThreads()
    const result = await runThreadedCampaign({ kind: 'reference' }, referenceLaneTarget, { runs: 100_000, seed: 5, threads: 2, stepTimeoutMs: 10_000, threadEntry: entry, onThreadStart: watch.onThreadStart })
    expect(result.outcome).toBe('harness-error')
    expect(result.counterexample?.message).toBe('a fuzz thread failed: broken thread entry')
    expect(result.runs).toBeLessThan(100_000)
    expect(watch.allExited()).toBe(true)
  }, 120_000)
})

describe.skipIf(!existsSync(FUZZ_LANES_ENTRY))('extwire fuzz --threads', () => {
  const cli = async (...argv: string[]) => {
    let out = ''
    let err = ''
    const code = await run({ argv, cwd: PACKAGE_ROOT, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => ((err += t), true) } })
    return { code, out, err }
  }

  it('plays the embedded runtime on the threads asked for, and refuses them for other targets', async () => {
    const r = await cli('fuzz', '--runs', '40', '--seed', '1', '--threads', '2')
    expect(r.code).toBe(0)
    expect(r.out).toMatch(/no counterexample in 40 sequences \(seed 1, \d+ sequences\/s\)/)
    expect(r.err).toContain('played on 2 thread(s)')
    const bad = await cli('fuzz', '--runs', '5', '--cmd', 'node dist/conformance-stdio.cjs', '--threads', '2')
    expect(bad.code).toBe(2)
    expect(bad.err).toContain('--threads applies to the embedded reference runtime and --mutant')
  }, 60_000)
})

describe('lane outcomes', () => {
  it('a lane the deadline stops before its first run is interrupted, not failed', async () => {
    // A thread that starts late can begin its lanes after the deadline: fast-check then reports them failed, with no counterexample.
    const details = await fc.check(fc.asyncProperty(fc.integer(), async () => undefined), { numRuns: 5, plugins: [fc.interruptAfterTimeLimit(0)] })
    expect(laneOutcome(details)).toEqual({ failed: false, interrupted: true })
    const failed = await fc.check(fc.asyncProperty(fc.integer(), async () => Promise.reject(new Error('no'))), { numRuns: 5 })
    expect(laneOutcome(failed)).toEqual({ failed: true, interrupted: false })
  })
})

describe('thread count', () => {
  it('uses one thread for a replay, one lane, or an entry that is not built, and says why', () => {
    expect(threadPlan({ runs: 10, threads: 2, path: '3/1:0' }, 32)).toEqual({ count: 1, note: 'a replay plays one lane' })
    expect(threadPlan({ runs: 1, threads: 2 }, 1)).toEqual({ count: 1, note: '1 lane(s)' })
    expect(threadPlan({ runs: 10, threads: 2, threadEntry: '/nonexistent/fuzz-lanes.cjs' }, 32)).toEqual({ count: 1, note: '/nonexistent/fuzz-lanes.cjs is not built (npm run build): one thread' })
    expect(threadPlan({ runs: 10, threads: 1 }, 32)).toEqual({ count: 1 })
    expect(threadPlan({ runs: 10, threads: 8, threadEntry: FUZZ_LANES_ENTRY }, 4).count).toBe(existsSync(FUZZ_LANES_ENTRY) ? 4 : 1)
    expect(() => threadPlan({ runs: 10, threads: 0 }, 32)).toThrow(RangeError)
  })
})
