/**
 * Workers started ahead (a target's pool) never outlive the run that started them: on a run that
 * ends, one that --bail stops, one the run deadline stops, one whose target cannot start, and one
 * that fails inside, every worker started, handed out or not, has ended when runSuite returns.
 * A worker started ahead also looks to its fixture exactly as one started for it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createWorkerThreadTransport } from '../src/transport/worker-thread.js'
import type { Transport } from '../src/transport/types.js'
import type { Fixture, Step } from './fixture/schema.js'
import { runSuite, TargetStartError } from './runner.js'
import { prestartPool, type ConnectContext, type PoolOptions, type Target } from './targets.js'

const dir = mkdtempSync(join(tmpdir(), 'extwire-pool-'))
const worker = (name: string, body: string) => {
  const file = join(dir, `${name}.mjs`)
  writeFileSync(file, `import { parentPort } from 'node:worker_threads'\n${body}\n`)
  return file
}
/** Says ready, then answers nothing; stays alive until terminated. */
const SILENT = worker('silent', `parentPort.on('message', () => {}); parentPort.postMessage({ type: 'ready' })`)
/** Says ready and exits at once with code 3. */
const READY_THEN_EXIT = worker('ready-then-exit', `parentPort.postMessage({ type: 'ready' }); process.exit(3)`)
/** Exits before saying anything. */
const DEAD = worker('dead', `process.exit(1)`)

const fixture = (id: string, steps: Step[]): Fixture => ({ id, title: id, requirements: ['EXT-LIFE-001'], level: 'MUST', since: '0.22.0', permissions: [], steps })
const passing = (n: number) => Array.from({ length: n }, (_, i) => fixture(`pool/pass-${i}`, [{ waitMs: 1 }]))
/** Fails at once: a message the silent worker never sends, with a short wait. */
const failing = fixture('pool/fail', [{ expect: { type: 'tool-registered' }, timeoutMs: 1 }])
const slow = fixture('pool/slow', [{ waitMs: 60_000 }])

/** A worker-thread target whose every transport (started on demand or ahead) is recorded. */
function recorded(file: string): { target: Target; started: Transport[]; ahead: () => number } {
  const started: Transport[] = []
  let ahead = 0
  const start = (hold: boolean) => {
    const t = createWorkerThreadTransport(file, { execArgv: [], hold })
    started.push(t)
    return t
  }
  return {
    started,
    ahead: () => ahead,
    target: {
      name: 'recorded',
      features: new Set(),
      connect: async () => start(false),
      pool: (options: PoolOptions) => {
        const pool = prestartPool(options, () => ({ key: 'k', transport: start(true) }), () => 'k')
        return { ...pool, get idle() { return pool.idle }, prepare: (c: ConnectContext) => pool.prepare(c) && ++ahead > 0 }
      },
    },
  }
}

function expectAllEnded(started: readonly Transport[]): void {
  expect(started.length).toBeGreaterThan(0)
  expect(started.filter((t) => !t.closed)).toEqual([])
}

describe('workers started ahead', () => {
  it('a run that ends: every worker, taken or not, has ended', async () => {
    const r = recorded(SILENT)
    const results = await runSuite(passing(9), r.target, { concurrency: 3, readyTimeoutMs: 60_000 })
    expect(results.map((x) => [x.status, ...x.failures.map((f) => f.message)])).toEqual(Array(9).fill(['pass']))
    expect(r.ahead()).toBeGreaterThan(0)
    expectAllEnded(r.started)
  }, 60_000)

  it('--bail: the workers started for fixtures that never run end too', async () => {
    const r = recorded(SILENT)
    const results = await runSuite([failing, ...passing(8)], r.target, { concurrency: 2, bail: true, readyTimeoutMs: 60_000 })
    expect(results[0]?.status).toBe('fail')
    expect(results.some((x) => x.status === 'untested')).toBe(true)
    expect(r.ahead()).toBeGreaterThan(0)
    expectAllEnded(r.started)
  }, 60_000)

  it('the run deadline: running and waiting workers end, and the run is untested', async () => {
    const r = recorded(SILENT)
    const results = await runSuite([slow, slow, ...passing(6)], r.target, { concurrency: 2, runDeadlineMs: 2000, readyTimeoutMs: 60_000 })
    expect(results.slice(0, 2).map((x) => x.status)).toEqual(['untested', 'untested'])
    expect(r.ahead()).toBeGreaterThan(0)
    expectAllEnded(r.started)
  }, 60_000)

  it('a target that cannot start: TargetStartError, and every worker started ahead ends', async () => {
    const r = recorded(DEAD)
    await expect(runSuite(passing(8), r.target, { concurrency: 2, stopOnStartFailure: true, readyTimeoutMs: 60_000 })).rejects.toBeInstanceOf(TargetStartError)
    expect(r.ahead()).toBeGreaterThan(0)
    expectAllEnded(r.started)
  }, 60_000)

  it('an error inside the run (a throwing progress callback): every worker ends before it propagates', async () => {
    const r = recorded(SILENT)
    const boom = new Error('progress failed')
    await expect(
      runSuite(passing(8), r.target, {
        concurrency: 2,
        readyTimeoutMs: 60_000,
        onResult: () => {
          throw boom
        },
      }),
    ).rejects.toBe(boom)
    expect(r.ahead()).toBeGreaterThan(0)
    expectAllEnded(r.started)
  }, 60_000)

  it('a worker that said ready and exited while waiting in the pool looks exactly as one started for its fixture', async () => {
    // Each fixture lasts long enough for the next one's worker to start, say ready and exit while it waits.
    const fixtures = Array.from({ length: 3 }, (_, i) => fixture(`pool/exit-${i}`, [{ waitMs: 1500 }]))
    const pooled = await runSuite(fixtures, recorded(READY_THEN_EXIT).target, { concurrency: 1, readyTimeoutMs: 60_000 })
    const plain = recorded(READY_THEN_EXIT).target
    const onDemand = await runSuite(fixtures, { name: plain.name, features: plain.features, connect: plain.connect }, { concurrency: 1, readyTimeoutMs: 60_000 })
    const verdict = (x: (typeof pooled)[number]) => ({ status: x.status, failures: x.failures.map((f) => `${f.requirement} ${f.kind}`) })
    expect(pooled.map(verdict)).toEqual(onDemand.map(verdict))
  }, 60_000)
})
