/** Every fixture of every protocol version passes against the reference runtime speaking that version over memory (EXT-VER-*). */
import { describe } from 'vitest'
import { everyProfilePassesOver } from './helpers/transports.js'

describe('every protocol version passes its fixtures', () => {
  everyProfilePassesOver('memory')
})
