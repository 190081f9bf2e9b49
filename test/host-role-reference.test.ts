/**
 * The host-role suite against the reference host (`createHost` behind its driver, on a virtual
 * clock): the host-role fixtures are lint-clean and all pass, through the library, the CLI and
 * describeConformance; and the suite catches a host broken on purpose.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { lintFixtures } from '../conformance/fixture/lint.js'
import { loadFixtures, loadUntestable } from '../conformance/fixture/load.js'
import { appliesTo } from '../conformance/fixture/select.js'
import { commandHostTarget, driverHostTarget } from '../conformance/host/driver.js'
import { referenceHostDriver } from '../conformance/reference/host-driver.js'
import { runSuite } from '../conformance/runner.js'
import { describeConformance } from '../conformance/vitest.js'
import { run } from '../src/cli/main.js'
import type { Host } from '../src/host/host.js'
import { ROOT } from './helpers/examples.js'
import { requirements } from './helpers/suite.js'

const dir = join(ROOT, 'fixtures')
const { fixtures, errors } = loadFixtures(dir, ROOT, { role: 'host' })
const hostFixtures = fixtures.map((f) => f.fixture)
/** The fixtures of the default version (0.22.1), which a host told no version is certified against. */
const defaultFixtures = hostFixtures.filter((f) => appliesTo(f, '0.22.1'))

describe('host-role fixtures', () => {
  it('load, are host-role, and lint clean, with every EXT-HOST requirement covered (or untestable with a reason)', () => {
    expect(errors).toEqual([])
    expect(hostFixtures.length).toBeGreaterThanOrEqual(15)
    for (const f of hostFixtures) expect([f.id, f.role]).toEqual([f.id, 'host'])
    const problems = lintFixtures(fixtures, errors, requirements(), loadUntestable(dir), { coverage: ['host'] })
    expect(problems).toEqual([])
  })

  it('cover the handshake, inbound, request and background families', () => {
    const cited = new Set(hostFixtures.flatMap((f) => f.requirements))
    for (const id of ['EXT-HOST-001', 'EXT-HOST-002', 'EXT-HOST-003', 'EXT-HOST-004', 'EXT-HOST-005', 'EXT-HOST-010', 'EXT-HOST-011', 'EXT-HOST-012', 'EXT-HOST-013', 'EXT-HOST-021', 'EXT-HOST-022', 'EXT-HOST-025', 'EXT-HOST-051', 'EXT-HOST-052']) expect(cited).toContain(id)
  })
})

describe('the reference host', () => {
  it('passes every host-role fixture', async () => {
    const results = await runSuite(defaultFixtures, driverHostTarget(referenceHostDriver()), { concurrency: 2 })
    expect(results.filter((r) => r.status !== 'pass').map((r) => [r.id, r.status, r.failures])).toEqual([])
  }, 120_000)

  it('fails, on EXT-HOST-055, when its stopTask is broken', async () => {
    const broken = referenceHostDriver({ wrap: (host): Host => ({ ...host, stopTask: () => undefined }) })
    const results = await runSuite(defaultFixtures.filter((f) => f.id.startsWith('host/background/')), driverHostTarget(broken), { concurrency: 2 })
    expect(results.filter((r) => r.status !== 'pass').map((r) => [r.id, [...new Set(r.failures.map((f) => f.requirement))]])).toEqual([['host/background/host-stop-is-never-undone', ['EXT-HOST-055']]])
  }, 120_000)

  it('on real time, leaves the virtual-time fixtures untested, never failed', async () => {
    const results = await runSuite(defaultFixtures.filter((f) => f.id.startsWith('host/handshake/')), driverHostTarget(referenceHostDriver({ clock: 'system' })), { concurrency: 2 })
    expect(results.filter((r) => r.status === 'untested').map((r) => r.id)).toEqual(['host/handshake/ready-timeout-ends-worker'])
    expect(results.filter((r) => r.status === 'fail')).toEqual([])
  }, 120_000)

  it('is what `extwire conformance --role host` certifies: CONFORMANT, exit 0', async () => {
    let out = ''
    const code = await run({ argv: ['conformance', '--role', 'host'], cwd: ROOT, stdout: { write: (t: string) => (out += t) }, stderr: { write: () => undefined } })
    expect(out).toMatch(/^CONFORMANT: all \d+ MUST requirements of the suite exercised and passed/m)
    expect(out).toContain('against the reference host')
    expect(code).toBe(0)
  }, 120_000)
})

describeConformance('the reference host through describeConformance', { host: referenceHostDriver(), filter: ['host/handshake/**'] })

describe('the reference host as a --host-cmd process', () => {
  it('gives the in-process verdict over stdio (conformance/reference/host-stdio.ts)', async () => {
    const one = hostFixtures.filter((f) => f.id === 'host/inbound/correlation-is-per-extension')
    const results = await runSuite(one, commandHostTarget('node --import tsx conformance/reference/host-stdio.ts', ROOT), { readyTimeoutMs: 60_000 })
    expect(results.map((r) => [r.id, r.status, r.failures])).toEqual([['host/inbound/correlation-is-per-extension', 'pass', []]])
  }, 180_000)
})
