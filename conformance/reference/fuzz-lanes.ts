/**
 * Worker thread entry of threaded fuzzing campaigns (built to `dist/fuzz-lanes.js`): the lanes of a
 * campaign against the reference runtime or one of its mutants, built in the thread.
 */
import { serveLanes } from '../fuzz/lanes-thread.js'
import { referenceLaneTarget } from './lane-targets.js'

await serveLanes(referenceLaneTarget)
