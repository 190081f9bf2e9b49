/**
 * The reference runtime speaking each protocol version passes its fixtures over worker_threads
 * (EXT-VER-*), through the bundled worker told the version by EXTWIRE_PROTOCOL.
 */
import { describe, expect, it } from 'vitest'
import { everyProfilePassesOver, versionSample, versionSpecific } from './helpers/transports.js'
import { allFixtures } from './helpers/suite.js'

const ALL = process.env['EXTWIRE_ALL_PROFILES'] === '1'

describe('every protocol version passes its fixtures over worker_threads', () => {
  // Every fixture of every version over worker_threads costs about 230 CPU seconds (measured at
  // load 30 on 2 cores), far more than npm test can spend: it runs, per version, the fixtures whose
  // outcome can differ by version plus a fixed sample of the rest, and `npm run test:profiles`
  // (EXTWIRE_ALL_PROFILES=1) runs every fixture of every version.
  if (ALL) everyProfilePassesOver('worker_threads')
  else {
    it('the npm test selection takes every version-specific fixture and a sample of the others', () => {
      const all = allFixtures('0.36.0')
      const taken = versionSample(all)
      expect(all.filter(versionSpecific).every((f) => taken.includes(f))).toBe(true)
      expect(taken.length).toBeLessThan(all.length)
      expect(taken.some((f) => !versionSpecific(f))).toBe(true)
    })
    everyProfilePassesOver('worker_threads', undefined, { name: 'version-specific fixtures and a sample; all: npm run test:profiles', take: versionSample })
  }
})
