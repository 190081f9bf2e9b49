/**
 * The reference runtime speaking each protocol version passes its fixtures over worker_threads
 * (EXT-VER-*), through the bundled worker told the version by EXTWIRE_PROTOCOL.
 */
import { describe, expect, it } from 'vitest'
import { edgeVersions, everyProfilePassesOver, OTHER_VERSIONS, versionSample, versionSpecific } from './helpers/transports.js'
import { allFixtures } from './helpers/suite.js'

const ALL = process.env['EXTWIRE_ALL_PROFILES'] === '1'

describe('every protocol version passes its fixtures over worker_threads', () => {
  // Every fixture of every version over worker_threads costs about 230 CPU seconds (measured at
  // load 30 on 2 cores), far more than npm test can spend, and every fixture of every version
  // already runs over memory (conformance-profiles-memory.test.ts). So npm test runs, per version,
  // the version-specific fixtures at the versions where they start or end plus rotating samples
  // (see versionSample), and `npm run test:profiles` (EXTWIRE_ALL_PROFILES=1) runs every fixture
  // of every version.
  if (ALL) everyProfilePassesOver('worker_threads')
  else {
    it('the npm test selection runs every version-specific fixture in some version, and each version runs what starts or ends in it', () => {
      const takenAnywhere = new Set<string>()
      let taken = 0
      let all = 0
      for (const version of OTHER_VERSIONS) {
        const fixtures = allFixtures(version)
        const sample = versionSample(fixtures, version)
        for (const f of sample) takenAnywhere.add(f.id)
        taken += sample.length
        all += fixtures.length
        const missing = fixtures.filter((f) => versionSpecific(f) && edgeVersions(f).includes(version) && !sample.includes(f)).map((f) => f.id)
        expect(missing, `${version}: fixtures that start or end in it but are not taken`).toEqual([])
        expect(sample.some((f) => !versionSpecific(f)), `${version}: no common fixture`).toBe(true)
        expect(sample.some(versionSpecific), `${version}: no version-specific fixture`).toBe(true)
      }
      const specific = OTHER_VERSIONS.flatMap((v) => allFixtures(v).filter(versionSpecific).map((f) => f.id))
      expect([...new Set(specific)].filter((id) => !takenAnywhere.has(id)), 'version-specific fixtures run in no version').toEqual([])
      expect(taken).toBeLessThan(all / 2)
    })
    everyProfilePassesOver('worker_threads', undefined, { name: 'a sample; every fixture: npm run test:profiles', take: versionSample })
  }
})
