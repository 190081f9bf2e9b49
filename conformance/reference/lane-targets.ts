/**
 * The in-process targets a threaded fuzzing campaign can build in any thread: the reference runtime
 * and its mutants, named by plain data (a function cannot cross a thread).
 */
import type { LaneTarget } from '../fuzz/threads.js'
import type { Target } from '../targets.js'
import { ALL_MUTANTS } from './index.js'
import { embeddedTarget } from './target.js'

/** The target a lane target names: the embedded reference runtime, or a mutant by name. */
export function referenceLaneTarget(spec: LaneTarget): Target {
  if (spec.kind === 'reference') return embeddedTarget()
  const mutant = ALL_MUTANTS.find((m) => m.name === spec.name)
  if (!mutant) throw new Error(`no mutant named ${JSON.stringify(spec.name)}`)
  return mutant.target()
}
