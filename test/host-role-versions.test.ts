/**
 * The host-role suite per protocol version (EXT-HOST-110..118): in every profile, the reference host
 * told that version by its driver passes every host fixture that applies to it, over memory; a driver
 * that lists no protocols is left untested outside 0.22.1, never failed; and hosts broken on purpose
 * in one versioned behaviour fail on the requirement they break.
 */
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { appliesTo } from '../conformance/fixture/select.js'
import { loadFixtures } from '../conformance/fixture/load.js'
import { commandHostTarget, driverHostTarget, type HostDriverFactory } from '../conformance/host/driver.js'
import { changedHostDriver, dispatcherWith } from '../conformance/reference/host-mutants.js'
import { referenceHostDriver } from '../conformance/reference/host-driver.js'
import { runSuite } from '../conformance/runner.js'
import { PROFILE_VERSIONS } from '../src/protocol/versions.js'
import { createValidator } from '../src/validate/compile.js'
import { run } from '../src/cli/main.js'
import { ROOT } from './helpers/examples.js'

const { fixtures, errors } = loadFixtures(join(ROOT, 'fixtures'), ROOT, { role: 'host' })
const hostFixtures = fixtures.map((f) => f.fixture)
const of = (version: string) => hostFixtures.filter((f) => appliesTo(f, version))
/** Step wait for runs that must pass (a message that comes is matched at once; only a failure waits it out). */
const PATIENT_MS = 10_000
const strict = (version: string) => createValidator({ mode: 'strict', protocol: version, compile: 'lazy' })

// Concurrent: each test mostly waits (a broken host's missing answer waits out the patient step wait).
describe.concurrent('the reference host in every protocol version', () => {
  it('has host fixtures that all load, with the versioned ones under fixtures/host/versions', () => {
    expect(errors).toEqual([])
    expect(hostFixtures.filter((f) => f.id.startsWith('host/versions/')).length).toBeGreaterThanOrEqual(12)
  })

  for (const version of PROFILE_VERSIONS) {
    it(`passes every host fixture of ${version}`, async () => {
      const selected = of(version)
      expect(selected.length).toBeGreaterThan(40)
      const target = driverHostTarget(referenceHostDriver(), `reference host ${version}`, { protocol: version })
      // A generous step wait: it costs nothing when the host answers, and a loaded machine can be slow to.
      const results = await runSuite(selected, target, { concurrency: 2, validator: strict(version), stepTimeoutMs: PATIENT_MS })
      expect(results.filter((r) => r.status !== 'pass').map((r) => [r.id, r.status, r.failures])).toEqual([])
    }, 240_000)
  }
})

/** A host whose dispatcher sees `extra` permissions granted for the methods `which` selects: it skips that gate. */
function skipsGate(which: (method: string) => boolean, extra: string): HostDriverFactory {
  return changedHostDriver({
    host: {
      pieces: {
        dispatcher: dispatcherWith((inner) => (ctx, request) => {
          const method = (request as { method?: unknown }).method
          return inner.dispatch(typeof method === 'string' && which(method) ? { ...ctx, permissions: [...ctx.permissions, extra] } : ctx, request)
        }),
      },
    },
  })
}

/** Runs the fixtures `ids` of `version` against `factory`; the ids that did not pass, with the requirements they failed. */
async function failing(factory: HostDriverFactory, version: string, ids: readonly string[]): Promise<Array<[string, string[]]>> {
  const selected = of(version).filter((f) => ids.includes(f.id))
  expect(selected.map((f) => f.id).sort()).toEqual([...ids].sort())
  const results = await runSuite(selected, driverHostTarget(factory, 'mutant', { protocol: version }), { concurrency: 2, validator: strict(version), stepTimeoutMs: PATIENT_MS })
  return results.filter((r) => r.status !== 'pass').map((r) => [r.id, [...new Set(r.failures.map((f) => f.requirement))]])
}

describe.concurrent('hosts broken in one versioned behaviour fail on it', () => {
  it('a host that answers secrets without secrets.manage fails EXT-HOST-112', async () => {
    const broken = skipsGate((m) => m.startsWith('secrets.'), 'secrets.manage')
    expect(await failing(broken, '0.23.0', ['host/versions/secrets-need-permission', 'host/versions/secrets-per-scope-list-keys'])).toEqual([['host/versions/secrets-need-permission', ['EXT-HOST-112']]])
  }, 120_000)

  it('a host that serves user-scoped storage without storage.collections fails EXT-HOST-111', async () => {
    const broken = skipsGate((m) => m.startsWith('storage.') && m.endsWith('ForUser'), 'storage.collections')
    expect(await failing(broken, '0.36.0', ['host/versions/collections-need-permission', 'host/versions/collections-per-user-and-extension'])).toEqual([['host/versions/collections-need-permission', ['EXT-HOST-111']]])
  }, 120_000)

  it("a host that gates user.listIds by the worker's upstream gate (user.profile.read) fails EXT-HOST-115", async () => {
    const broken = skipsGate((m) => m === 'user.listIds', 'user.list')
    expect(await failing(broken, '0.31.0', ['host/versions/user-list-ids-under-user-list'])).toEqual([['host/versions/user-list-ids-under-user-list', ['EXT-HOST-115']]])
  }, 120_000)

  it('a host that ignores the manifest collections fails EXT-HOST-111', async () => {
    const broken = changedHostDriver({ wrap: (host) => ({ ...host, load: (manifest, transport) => host.load({ ...manifest, collections: ['notes', 'other'] }, transport) }) })
    expect(await failing(broken, '0.23.0', ['host/versions/collections-undeclared-refused', 'host/versions/collections-put-get-delete'])).toEqual([['host/versions/collections-undeclared-refused', ['EXT-HOST-111']]])
  }, 120_000)

  it('a 0.36.0 host that still sends settings-changed, or the old fetch-stream text, fails EXT-HOST-117 and EXT-HOST-118', async () => {
    const oldTexts = changedHostDriver({
      wire: () => ({
        outgoing: (message, send) => {
          const m = message as { type?: string; payload?: { error?: string } }
          if (m.type === 'streaming-fetch-chunk' && typeof m.payload?.error === 'string') send({ ...m, payload: { ...m.payload, error: m.payload.error.replace(/^HTTP (\d+) ([^:]*).*$/, 'HTTP $1: $2') } })
          else send(message)
        },
      }),
    })
    expect(await failing(oldTexts, '0.36.0', ['host/versions/fetch-stream-error-text-with-body'])).toEqual([['host/versions/fetch-stream-error-text-with-body', ['EXT-HOST-118']]])
    // The reference host at 0.22.1 sends settings-changed: told 0.33.0 while behaving as 0.22.1, it fails.
    const legacy: HostDriverFactory = (ctx) => referenceHostDriver()({ ...ctx, protocol: '0.22.1', transport: ctx.transport, emit: ctx.emit })
    expect(await failing(legacy, '0.33.0', ['host/versions/no-settings-changed-from-0-33'])).toEqual([['host/versions/no-settings-changed-from-0-33', ['EXT-HOST-117']]])
  }, 120_000)
})

describe('the driver protocol per version', () => {
  it('leaves a driver that lists no protocols untested outside 0.22.1, never failed', async () => {
    const old: HostDriverFactory = async (ctx) => {
      const inner = await referenceHostDriver()(ctx)
      return {
        run: async (command, args) => {
          const value = await inner.run(command, args)
          if (command !== 'describe') return value
          const { protocols: _dropped, ...rest } = value as Record<string, unknown>
          return rest
        },
        dispose: () => inner.dispose?.(),
      }
    }
    const one = of('0.36.0').filter((f) => f.id === 'host/versions/secrets-per-scope-list-keys')
    const results = await runSuite(one, driverHostTarget(old, 'old driver', { protocol: '0.36.0' }), { validator: strict('0.36.0'), stepTimeoutMs: PATIENT_MS })
    expect(results.map((r) => [r.status, r.reason])).toEqual([['untested', 'the driver does not speak protocol 0.36.0 (its describe lists no protocols, so 0.22.1 only)']])
    const legacy = of('0.22.1').filter((f) => f.id === 'host/requests/storage-is-per-extension')
    expect((await runSuite(legacy, driverHostTarget(old, 'old driver'), { stepTimeoutMs: PATIENT_MS })).map((r) => r.status)).toEqual(['pass'])
  }, 120_000)

  it('tells a --host-cmd host the version in EXTWIRE_PROTOCOL (conformance/reference/host-stdio.ts)', async () => {
    const one = of('0.36.0').filter((f) => f.id === 'host/versions/secrets-per-scope-list-keys')
    const target = commandHostTarget('node --import tsx conformance/reference/host-stdio.ts', ROOT, { protocol: '0.36.0' })
    const results = await runSuite(one, target, { readyTimeoutMs: 60_000, validator: strict('0.36.0'), stepTimeoutMs: PATIENT_MS })
    expect(results.map((r) => [r.id, r.status, r.failures])).toEqual([['host/versions/secrets-per-scope-list-keys', 'pass', []]])
  }, 180_000)
})

describe('extwire conformance --role host --protocol', () => {
  it('certifies the reference host in 0.36.0 against that version\'s fixtures: CONFORMANT, exit 0', async () => {
    let out = ''
    const code = await run({ argv: ['conformance', '--role', 'host', '--protocol', '0.36.0', '--timeout', String(PATIENT_MS)], cwd: ROOT, stdout: { write: (t: string) => (out += t) }, stderr: { write: () => undefined } })
    expect(out).toMatch(/^CONFORMANT: all \d+ MUST requirements of the suite exercised and passed/m)
    expect(out).toContain(`${of('0.36.0').length} fixtures against the reference host`)
    expect(code).toBe(0)
  }, 120_000)
})
