/**
 * The reference implementations the suite is measured with: the reference runtime as a target, the
 * deliberately broken mutants (which the suite must fail) and the legal variants (which it must pass),
 * for the worker role and for the host role.
 */
import { BLIND_SPOT_MUTANTS } from './blind-spots.js'
import { MUTANTS, type Mutant } from './mutants.js'

export { embeddedTarget, conformanceWorkerFile, type EmbeddedOptions, type OutgoingFilter } from './target.js'
export { MUTANTS, type Mutant } from './mutants.js'
export { BLIND_SPOT_MUTANTS, BLIND_SPOT_FIXTURES } from './blind-spots.js'
export { VARIANTS, interposedTarget } from './variants.js'
export { HOST_MUTANTS, changedHostDriver, type HostMutant, type HostBreakage, type WireFilters } from './host-mutants.js'
export { HOST_VARIANTS, type HostVariant } from './host-variants.js'

/** Every mutant `--mutant` accepts: the output-filter mutants and the blind-spot ones. */
export const ALL_MUTANTS: readonly Mutant[] = [...MUTANTS, ...BLIND_SPOT_MUTANTS]
