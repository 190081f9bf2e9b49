/** Every fixture of every protocol version passes against the reference runtime speaking that version over worker_threads (EXT-VER-*). */
import { describe } from 'vitest'
import { everyProfilePassesOver } from './helpers/transports.js'

describe('every protocol version passes its fixtures', () => {
  // Each fixture starts the TypeScript worker through tsx (about 4 minutes per version on a loaded
  // 2-core machine), so npm test runs the oldest and the newest version; EXTWIRE_ALL_PROFILES=1 runs all.
  everyProfilePassesOver('worker_threads', process.env['EXTWIRE_ALL_PROFILES'] === '1' ? undefined : ['0.21.0', '0.36.0'])
})
