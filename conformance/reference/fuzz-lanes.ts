/**
 * Worker thread entry of threaded fuzzing campaigns (built to `dist/fuzz-lanes.cjs`): the lanes of a
 * campaign against the reference runtime or one of its mutants, built in the thread.
 */
import { serveLanes } from '../fuzz/lanes-thread.js'
import { referenceLaneTarget } from './lane-targets.js'

// Not a top-level await: the entry is built as CommonJS. A rejection left unhandled ends the
// thread with its error, which the campaign sees, as a failed top-level await would.
void serveLanes(referenceLaneTarget)
