/** Every fixture passes against the reference runtime over worker_threads (one file per transport, so they run in parallel). */
import { describe } from 'vitest'
import { everyFixturePassesOver } from './helpers/transports.js'

describe('every fixture passes over every transport', () => {
  everyFixturePassesOver('worker_threads')
})
