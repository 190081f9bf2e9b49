/**
 * Host fuzzing in npm test (bounded): the reference host survives a seeded campaign; two broken hosts
 * (a response sent twice, a host stop undone) are found, their counterexamples shrink to short
 * host-role fixtures that lint clean, pass against the reference host and fail against the broken one
 * on the same requirement, also through `extwire conformance --role host --fixture`.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { run } from '../../src/cli/main.js'
import { PACKAGE_ROOT } from '../paths.js'
import { loadFixtureFile, loadUntestable } from '../fixture/load.js'
import { lintFixtures } from '../fixture/lint.js'
import { loadRequirements } from '../requirements.js'
import { runFixture } from '../runner.js'
import { driverHostTarget } from '../host/driver.js'
import { referenceHostDriver } from '../reference/host-driver.js'
import { checkTaskInvariants } from '../host/task-invariants.js'
import { runHostCampaign } from './host-campaign.js'
import { flawedHostDriver } from '../reference/host-flaws.js'

async function cli(...argv: string[]) {
  let out = ''
  const code = await run({ argv, cwd: PACKAGE_ROOT, stdout: { write: (t: string) => (out += t) }, stderr: { write: () => true } })
  return { code, out }
}

const reference = () => driverHostTarget(referenceHostDriver(), 'reference host')

describe('host sequence fuzzing', () => {
  it('finds nothing in the reference host (300 sequences)', async () => {
    const result = await runHostCampaign(reference(), { runs: 300, seed: 20261129 })
    expect(result.counterexample?.message).toBeUndefined()
    expect(result.outcome).toBe('clean')
  }, 60_000)

  it.each([
    ['answers-twice', 'EXT-HOST-020'],
    ['undoes-stop', 'EXT-HOST-055'],
  ] as const)('finds a host that %s, shrinks it to a short fixture that fails on replay', async (flaw, requirement) => {
    const broken = driverHostTarget(flawedHostDriver(flaw), flaw)
    const result = await runHostCampaign(broken, { runs: 500, seed: 11 })
    expect(result.outcome).toBe('counterexample')
    const c = result.counterexample!
    expect(c.requirement).toBe(requirement)
    expect(c.commands.length).toBeLessThanOrEqual(4)
    expect(c.fixture.steps.length).toBeLessThanOrEqual(16)
    expect(c.fixture.role).toBe('host')
    const file = `fixtures/${c.fixture.id}.json`
    expect(lintFixtures([{ file, fixture: c.fixture }], [], loadRequirements(join(PACKAGE_ROOT, 'docs/spec')), loadUntestable(join(PACKAGE_ROOT, 'fixtures'))).filter((p) => p.startsWith(file))).toEqual([])
    expect((await runFixture(c.fixture, reference())).status).toBe('pass')
    const replay = await runFixture(c.fixture, broken)
    expect(replay.status).toBe('fail')
    expect(replay.failures.map((f) => f.requirement)).toContain(requirement)
  }, 60_000)

  it('saves the counterexample through the CLI; extwire conformance --role host --fixture fails on it', async () => {
    const module = join(PACKAGE_ROOT, 'conformance/reference/host-flaws.ts')
    const out = join(mkdtempSync(join(tmpdir(), 'extwire-hfuzz-')), 'counterexample.json')
    const fuzz = await cli('fuzz', '--host', module, '--runs', '300', '--seed', '4', '--out', out)
    expect(fuzz.code).toBe(1)
    expect(fuzz.out).toContain('counterexample after')
    expect(fuzz.out).toContain('EXT-HOST-020')
    expect(fuzz.out).toMatch(/replay: extwire fuzz --seed 4 --path \S+ .*--host /)
    expect(fuzz.out).toMatch(/check: {2}extwire conformance --role host --host \S+ --fixture /)
    const loaded = loadFixtureFile(out)
    if (!('fixture' in loaded)) throw new Error(loaded.message)
    expect(loaded.fixture.id).toBe('host/fuzz/counterexample-4')
    const again = await cli('conformance', '--host', module, '--fixture', out)
    expect(again.code).toBe(1)
    expect(again.out).toContain('EXT-HOST-020')
    expect((await cli('conformance', '--host', join(PACKAGE_ROOT, 'conformance/reference/host-driver.ts'), '--fixture', out)).code).toBe(0)
  }, 60_000)

  it('reports a clean host run with its seed and rate', async () => {
    const clean = await cli('fuzz', '--role', 'host', '--runs', '20', '--seed', '1')
    expect(clean.code).toBe(0)
    expect(clean.out).toMatch(/no counterexample in 20 sequences \(seed 1, \d+ sequences\/s\)/)
  })

  it('never passes a driver that stops answering', async () => {
    const reference = referenceHostDriver()
    const hanging = driverHostTarget(async (ctx) => {
      const driver = await reference(ctx)
      return { run: (command, args) => (command === 'executeTool' ? new Promise(() => undefined) : driver.run(command, args)), dispose: () => driver.dispose?.() }
    }, 'hanging')
    const result = await runHostCampaign(hanging, { runs: 5, seed: 1, stepTimeoutMs: 50 })
    expect(result.outcome).toBe('counterexample')
    expect(result.counterexample?.message).toMatch(/no result for executeTool/)
  })
})

describe('task-start invariants', () => {
  const cmd = (id: string, name: string, args: Record<string, unknown>) => ({ direction: 'driver-command', message: { id, cmd: name, args } })
  const ok = (id: string) => ({ direction: 'driver-result', message: { id, ok: true } })
  const w = (type: string, payload: Record<string, unknown>) => ({ direction: 'worker-to-host', worker: 'main', message: { type, payload } })
  const h = (type: string, payload: Record<string, unknown>) => ({ direction: 'host-to-worker', worker: 'main', message: { type, id: 'x', payload } })
  const load = cmd('c1', 'load', { manifest: { id: 'e' }, worker: 'main' })
  const register = (policy: Record<string, unknown>) => w('background-task-registered', { taskId: 't', name: 'T', userId: 'u', restartPolicy: policy })
  const start = h('background-task-start', { taskId: 't' })
  const status = (s: string) => w('background-task-status', { taskId: 't', status: s })
  const requirements = (trace: Array<Record<string, unknown>>) => checkTaskInvariants(trace as never).map((v) => v.requirement)

  it('allows a restart per counted terminal status, up to maxRestarts', () => {
    expect(requirements([load, register({ type: 'always', maxRestarts: 2 }), start, status('running'), status('stopped'), start, status('running'), status('failed'), start])).toEqual([])
  })
  it('flags a restart after exhaustion (053), on a duplicate status (057), by a never policy (051), after a host stop (055), for an unregistered task (050)', () => {
    expect(requirements([load, register({ type: 'always', maxRestarts: 1 }), start, status('running'), status('stopped'), start, status('running'), status('stopped'), start])).toEqual(['EXT-HOST-053'])
    expect(requirements([load, register({ type: 'always' }), start, status('running'), status('stopped'), status('stopped'), start, start])).toEqual(['EXT-HOST-057'])
    expect(requirements([load, register({ type: 'never' }), start, status('running'), status('failed'), start])).toEqual(['EXT-HOST-051'])
    expect(requirements([load, register({ type: 'always' }), start, status('running'), cmd('c2', 'stopTask', { extensionId: 'e', taskId: 't' }), ok('c2'), status('stopped'), start])).toEqual(['EXT-HOST-055'])
    expect(requirements([load, cmd('c2', 'startTask', { extensionId: 'e', taskId: 't' }), register({ type: 'always' }), start, start])).toEqual([])
    expect(requirements([load, start])).toEqual(['EXT-HOST-050'])
  })
  it('flags a message after the unload completed (070), and not before', () => {
    const unload = cmd('c2', 'unload', { extensionId: 'e' })
    expect(requirements([load, unload, h('deactivate', {}), ok('c2')])).toEqual([])
    expect(requirements([load, unload, h('deactivate', {}), ok('c2'), h('response', { requestId: 'r', success: true })])).toEqual(['EXT-HOST-070'])
  })
})
