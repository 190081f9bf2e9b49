/** Every fixture of every protocol version passes against the reference runtime speaking that version over worker_threads (EXT-VER-*). */
import { describe, it } from 'vitest'
import { everyProfilePassesOver } from './helpers/transports.js'

const ALL = process.env['EXTWIRE_ALL_PROFILES'] === '1'

describe('every protocol version passes its fixtures over worker_threads', () => {
  // Each fixture starts the versioned worker from TypeScript through tsx (minutes per version on
  // 2 cores), which `npm test` cannot afford: it runs every version over memory instead, and this
  // file runs with EXTWIRE_ALL_PROFILES=1 (`npm run test:profiles`).
  if (ALL) everyProfilePassesOver('worker_threads')
  else it.skip('SKIPPED in npm test: set EXTWIRE_ALL_PROFILES=1 (npm run test:profiles) to run every version over worker_threads', () => undefined)
})
