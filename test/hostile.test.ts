/**
 * The hostile-target test bed (issue 9 §7): workers that ignore EOF and SIGTERM, leave a child
 * holding stdout, send a line that never ends, never read, never say ready, crash before ready,
 * flood postMessage, and fixtures that would run for half an hour. Each test asserts the outcome,
 * a generous upper bound on time and on memory growth, and the last one that no process is left.
 */
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HostPeer } from '../src/host/peer.js'
import { createStdioTransport } from '../src/transport/stdio.js'
import { run } from '../src/cli/main.js'
import { fixtureDeadline, MAX_DERIVED_DEADLINE_MS, runFixture, runSuite, TargetStartError } from '../conformance/runner.js'
import { commandTarget, wantsShortRequestTimeout, workerEnv, workerTarget } from '../conformance/targets.js'
import { embeddedTarget } from '../conformance/reference/target.js'
import type { Fixture } from '../conformance/fixture/schema.js'
import { ROOT } from './helpers/examples.js'

const HOSTILE = join(ROOT, 'test/hostile')
/** Every hostile command carries this tag, so that counting finds this run's processes only (another run may go on alongside). */
const TAG = `extwire-hostile-${process.pid}-${Date.now()}`
const node = (file: string) => `node ${JSON.stringify(join(HOSTILE, file))} ${TAG}`
const MB = 1024 * 1024
/** Generous bounds: these must hold on a busy 2-core machine. */
const MAX_RSS_GROWTH = 300 * MB

/** Processes started from the test bed (by their command line), other than `ps` itself. */
function hostileProcesses(): string[] {
  const out = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' })
  return out
    .split('\n')
    .filter((l) => l.includes(TAG) && !/\bps -eo\b/.test(l))
    .map((l) => l.trim())
}

/** Runs `body` and returns how long it took and how much the resident set grew. */
async function measured<T>(body: () => Promise<T>): Promise<{ value: T; ms: number; rssGrowth: number }> {
  const rss0 = process.memoryUsage().rss
  const t0 = performance.now()
  const value = await body()
  return { value, ms: performance.now() - t0, rssGrowth: process.memoryUsage().rss - rss0 }
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await run({ argv, cwd: ROOT, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } })
  return { code, out, err }
}

/** A fixture in memory (not loaded from disk): its numbers need not pass the loader's limits. */
function fixture(steps: Fixture['steps'], id = 'hostile/inline'): Fixture {
  return { id, title: id, requirements: ['EXT-LIFE-001'], level: 'MUST', since: '0.21.0', permissions: [], steps } as Fixture
}

/** True while a process of group `pgid` is alive (zombies, which a container's init may never reap, do not count). */
const groupAlive = (pgid: number): boolean =>
  execFileSync('ps', ['-eo', 'pgid=,stat='], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .some(([g, stat]) => Number(g) === pgid && !String(stat).startsWith('Z'))

let before: string[] = []
beforeAll(() => {
  before = hostileProcesses()
})

describe('processes are owned', () => {
  it('a worker that ignores EOF and SIGTERM is killed with its whole group', async () => {
    const t = createStdioTransport(node('ignore-eof.mjs'), { exitGraceMs: 200, killGraceMs: 200 })
    const peer = new HostPeer(t)
    await peer.waitForType('ready', 20_000)
    const pid = t.pid as number
    expect(groupAlive(pid)).toBe(true)
    const { ms } = await measured(() => peer.close())
    expect(groupAlive(pid)).toBe(false)
    expect(ms).toBeLessThan(10_000)
  }, 30_000)

  it('a grandchild holding stdout neither stalls the close nor outlives the worker', async () => {
    const t = createStdioTransport(node('holds-stdout.mjs'))
    const peer = new HostPeer(t)
    const { ms } = await measured(async () => {
      await peer.waitForType('ready', 20_000)
      // The worker exits at once; its grandchild keeps the pipe open and ignores SIGTERM.
      await new Promise<void>((resolve) => t.onClose(() => resolve()))
      await peer.close()
    })
    expect(peer.closedWith?.reason).toBe('exit')
    expect(groupAlive(t.pid as number)).toBe(false)
    expect(hostileProcesses().filter((l) => l.includes('grandchild'))).toEqual([])
    expect(ms).toBeLessThan(20_000)
  }, 30_000)

})

describe('every wait is bounded', () => {
  const manyWaits = JSON.parse(readFileSync(join(HOSTILE, 'fixtures/many-waits.json'), 'utf8')) as Fixture

  it('a derived fixture deadline is capped', () => {
    expect(fixtureDeadline(manyWaits)).toBe(MAX_DERIVED_DEADLINE_MS)
    expect(fixtureDeadline(fixture([{ waitMs: 100 }]), { readyTimeoutMs: 1000 })).toBeLessThan(10_000)
  })

  it('2,000 waits stop at the fixture deadline, reported as a deadline', async () => {
    const { value: result, ms } = await measured(() => runFixture(manyWaits, embeddedTarget(), { deadlineMs: 500 }))
    expect(result.status).toBe('fail')
    expect(result.failures).toHaveLength(1)
    expect(result.failures[0]).toMatchObject({ kind: 'deadline', step: expect.any(Number) })
    expect(result.failures[0]?.message).toMatch(/fixture deadline of 500 ms passed at step \d+ \(waitMs\)/)
    expect(ms).toBeLessThan(15_000)
  }, 30_000)

  it('a huge expect timeout stops at the fixture deadline', async () => {
    const f = fixture([{ activate: {} }, { expect: { type: 'never-sent' }, timeoutMs: 2_000_000_000 }])
    const { value: result, ms } = await measured(() => runFixture(f, embeddedTarget(), { deadlineMs: 1500 }))
    expect(result.failures.map((x) => x.kind)).toEqual(['deadline'])
    expect(result.failures[0]?.message).toContain('(expect)')
    expect(ms).toBeLessThan(15_000)
  }, 30_000)

  it('--deadline ends the whole run: the unfinished fixture is untested, not a worker failure', async () => {
    const { value: r, ms } = await measured(() => cli('conformance', '--fixture', 'test/hostile/fixtures/many-waits.json', '--deadline', '1000'))
    expect(r.code).toBe(4) // untested MUSTs: the run cannot vouch for its selection
    expect(r.out).toContain('untested: stopped at step')
    expect(r.out).toContain('the run deadline of 1000 ms passed')
    expect(ms).toBeLessThan(20_000)
  }, 30_000)

  it('runSuite with a run deadline accounts for fixtures never started', async () => {
    const results = await runSuite([manyWaits, fixture([{ waitMs: 1 }], 'hostile/second')], embeddedTarget(), { concurrency: 1, runDeadlineMs: 300 })
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['hostile/many-waits', 'untested'],
      ['hostile/second', 'untested'],
    ])
    expect(results[1]?.reason).toBe('not run: the run deadline of 300 ms passed')
  }, 30_000)
})

describe('input is bounded', () => {
  it('a line that never ends is a wire failure at the maximum message size, not a crash', async () => {
    const { value: peer, ms, rssGrowth } = await measured(async () => {
      const peer = new HostPeer(createStdioTransport(node('endless-line.mjs'), { maxMessageBytes: 2 * MB }))
      await new Promise<void>((resolve) => peer.transport.onClose(() => resolve()))
      await peer.close()
      return peer
    })
    expect(peer.closedWith?.reason).toBe('error')
    expect(peer.transportErrors.map((e) => e.message).join('\n')).toMatch(/line 2 is longer than the maximum message size of 2097152 bytes/)
    expect(peer.ofType('ready')).toHaveLength(1)
    expect(ms).toBeLessThan(20_000)
    expect(rssGrowth).toBeLessThan(MAX_RSS_GROWTH)
  }, 30_000)

  it('through the CLI, --max-message-bytes names the wire failure (EXT-WIRE-001)', async () => {
    const r = await cli('conformance', '--cmd', node('endless-line.mjs'), '--filter', 'lifecycle/ready-once-first', '--max-message-bytes', '100000')
    expect(r.code).toBe(1)
    expect(r.out).toContain('EXT-WIRE-001')
    expect(r.out).toContain('longer than the maximum message size of 100000 bytes')
  }, 30_000)

  it('the reference stdio worker has the same limit (EXTWIRE_MAX_MESSAGE_BYTES)', async () => {
    const t = createStdioTransport(`node ${JSON.stringify(join(ROOT, 'dist/conformance-stdio.cjs'))} ${TAG}`, { env: { ...workerEnv(), EXTWIRE_MAX_MESSAGE_BYTES: '1000' } })
    const peer = new HostPeer(t)
    await peer.waitForType('ready', 20_000)
    t.send('y'.repeat(5000))
    await new Promise<void>((resolve) => t.onClose(() => resolve()))
    expect(peer.closedWith?.exitCode).toBe(1)
    expect(peer.closedWith?.detail).toContain('longer than the maximum message size of 1000 bytes')
    await peer.close()
  }, 30_000)

  it('writes to a worker that never reads wait for drain, up to a bound', async () => {
    const { value: peer, rssGrowth } = await measured(async () => {
      const peer = new HostPeer(createStdioTransport(node('never-reads.mjs'), { maxPendingBytes: 4 * MB, exitGraceMs: 100, killGraceMs: 100 }))
      await peer.waitForType('ready', 20_000)
      const big = { type: 'settings-changed', payload: { key: 'k', value: 'z'.repeat(MB) } }
      for (let i = 0; i < 64 && !peer.transport.closed; i++) peer.send(big)
      await peer.close()
      return peer
    })
    expect(peer.transportErrors.map((e) => e.message).join('\n')).toMatch(/the peer does not read its input: \d+ bytes wait to be written, over the limit of 4194304/)
    expect(rssGrowth).toBeLessThan(MAX_RSS_GROWTH)
  }, 30_000)

  it('a postMessage flood is a named failure, stops the worker, and does not starve the timers', async () => {
    let ticks = 0
    let maxGap = 0
    let last = performance.now()
    const ticker = setInterval(() => {
      const now = performance.now()
      maxGap = Math.max(maxGap, now - last)
      last = now
      ticks++
    }, 20)
    try {
      const target = workerTarget(join(HOSTILE, 'flood-worker.mjs'), [], [])
      const { value: result, ms, rssGrowth } = await measured(() => runFixture(fixture([{ activate: {} }]), target, { maxMessages: 5000 }))
      expect(result.status).toBe('fail')
      expect(result.failures[0]).toMatchObject({ requirement: 'EXT-WIRE-001', kind: 'transport' })
      expect(result.failures[0]?.message).toContain('flood: the worker sent more than 5000 messages')
      expect(ms).toBeLessThan(20_000)
      expect(rssGrowth).toBeLessThan(MAX_RSS_GROWTH)
    } finally {
      clearInterval(ticker)
    }
    expect(ticks).toBeGreaterThan(0)
    expect(maxGap).toBeLessThan(5000)
  }, 30_000)
})

describe('start-up is fair and fast to fail', () => {
  it('a worker that never sends ready stops the run with exit 3 after the ready timeout', async () => {
    const { value: r, ms } = await measured(() => cli('conformance', '--cmd', node('never-ready.mjs'), '--ready-timeout', '500', '--filter', 'tools/**'))
    expect(r.code).toBe(3)
    expect(r.err.trim().split('\n')).toHaveLength(1)
    expect(r.err).toContain('the target cannot start')
    expect(r.err).toContain('did not send ready (ready timeout 500 ms)')
    expect(ms).toBeLessThan(20_000)
  }, 30_000)

  it('the ready wait is its own: a slow start passes with a short step timeout', async () => {
    const result = await runFixture(fixture([{ waitMs: 1 }]), commandTarget(node('slow-ready.mjs')), { stepTimeoutMs: 300 })
    expect(result.failures).toEqual([])
    expect(result.status).toBe('pass')
    const impatient = await runFixture(fixture([{ waitMs: 1 }]), commandTarget(node('slow-ready.mjs')), { stepTimeoutMs: 300, readyTimeoutMs: 300 })
    expect(impatient.failures[0]?.message).toContain('did not send ready (ready timeout 300 ms)')
  }, 30_000)

  it('a crash before ready stops the run with exit 3 and the stderr tail', async () => {
    const r = await cli('conformance', '--cmd', node('crash-before-ready.mjs'))
    expect(r.code).toBe(3)
    expect(r.err).toContain('exited with code 5')
    expect(r.err).toContain('boom before ready')
    expect(r.err).not.toContain('\u001b')
    expect(r.err).toContain('\\u001b[2J')
    expect(r.out).not.toMatch(/\[ *50\//)
  }, 30_000)

  it('a command that is not found, or a missing module, stops the run with exit 3', async () => {
    const cmd = await cli('conformance', '--cmd', 'definitely-not-a-command-extwire')
    expect(cmd.code).toBe(3)
    expect(cmd.err).toContain('exited with code 127')
    const mod = await cli('conformance', '--worker', './nope.js')
    expect(mod.code).toBe(3)
    expect(mod.err).toContain('module not found')
  }, 30_000)

  it('empty --cmd and --worker are usage errors, never the embedded runtime', async () => {
    for (const flag of ['--cmd', '--worker']) {
      const r = await cli('conformance', flag, '')
      expect(r.code).toBe(2)
      expect(r.err).toContain(`${flag} is empty`)
      expect(r.out).not.toContain('CONFORMANT')
    }
    expect(() => commandTarget(' ')).toThrow(/empty/)
    expect(() => workerTarget('')).toThrow(/empty/)
  })

  it('runSuite throws TargetStartError only when no worker has been ready yet', async () => {
    const crash = commandTarget(node('crash-before-ready.mjs'))
    await expect(runSuite([fixture([{ waitMs: 1 }])], crash, { stopOnStartFailure: true })).rejects.toBeInstanceOf(TargetStartError)
    const results = await runSuite([fixture([{ waitMs: 1 }])], crash, {})
    expect(results[0]?.failures[0]?.requirement).toBe('EXT-LIFE-001')
  }, 30_000)
})

describe('minimal environment', () => {
  it('the worker gets PATH, HOME, locale and EXTWIRE_* only, plus --pass-env names', async () => {
    const from = { PATH: '/bin', HOME: '/h', LANG: 'C', LC_ALL: 'C', EXTWIRE_X: '1', CI_SECRET_TOKEN: 's', OTHER: 'o' }
    expect(Object.keys(workerEnv([], from)).sort()).toEqual(['EXTWIRE_REQUEST_TIMEOUT_MS', 'EXTWIRE_X', 'HOME', 'LANG', 'LC_ALL', 'PATH'])
    expect(workerEnv(['OTHER'], from)['OTHER']).toBe('o')
    // The 500 ms request timeout goes only to fixtures that declare the feature.
    expect(workerEnv([], from, false)['EXTWIRE_REQUEST_TIMEOUT_MS']).toBeUndefined()
    expect(wantsShortRequestTimeout({ features: [] })).toBe(false)
    expect(wantsShortRequestTimeout({ features: ['short-request-timeout'] })).toBe(true)
    expect(wantsShortRequestTimeout()).toBe(true)

    process.env['CI_SECRET_TOKEN_EXTWIRE_TEST'] = 'secret'
    process.env['PASSED_EXTWIRE_TEST'] = 'ok'
    try {
      const transport = await commandTarget(node('env-dump.mjs'), [], ROOT, { passEnv: ['PASSED_EXTWIRE_TEST'] }).connect()
      const peer = new HostPeer(transport)
      const log = await peer.waitForType('log', 20_000)
      const names = String((log.message as { payload: { message: string } }).payload.message).split(',')
      await peer.close()
      expect(names).toContain('PASSED_EXTWIRE_TEST')
      expect(names).toContain('EXTWIRE_REQUEST_TIMEOUT_MS')
      expect(names).not.toContain('CI_SECRET_TOKEN_EXTWIRE_TEST')
    } finally {
      delete process.env['CI_SECRET_TOKEN_EXTWIRE_TEST']
      delete process.env['PASSED_EXTWIRE_TEST']
    }
  }, 30_000)
})

describe('no process is left behind', () => {
  it('every process the test bed started is gone', () => {
    expect(before).toEqual([])
    expect(hostileProcesses()).toEqual([])
  })
})

afterAll(() => {
  // A leftover would already have failed the test above; this keeps a failing run from leaking it.
  for (const line of hostileProcesses()) {
    const pid = Number(line.split(/\s+/)[0])
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // gone
      }
    }
  }
})
