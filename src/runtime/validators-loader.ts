/**
 * How a worker entry picks its runtime's validators, apart from where its default checks come
 * from: the default version in the default mode at once, on the default checks it is given;
 * another version or inbound mode after loading every check (asynchronously); an unknown version
 * refused at once. Keeping the default checks a parameter lets a Node worker load its full checks
 * on first use, and keeps them out of this module's imports.
 */
import { DEFAULT_PROFILE, resolveProfile } from '../protocol/versions.js'
import type { CheckSet } from '../validate/check-set.js'
import type { ValidationMode } from '../validate/modes.js'
import { validatorOn } from '../validate/check-set.js'
import type { RuntimeValidators } from './runtime.js'

/** The validators of a runtime that speaks `protocol` (default 0.22.1) with `inboundMode`: at once for the default, loaded otherwise. */
export type ValidatorsLoader = (protocol?: string, inboundMode?: ValidationMode) => RuntimeValidators | Promise<RuntimeValidators>

/** A 0.22.1 runtime's default validators (as `createRuntimeValidators()`) on a default worker's check set. */
export function workerValidatorsOn(set: CheckSet): RuntimeValidators {
  return {
    inbound: validatorOn(set, { mode: 'tolerant', scope: ['host-to-worker'] }),
    outbound: validatorOn(set, { mode: 'strict', scope: ['worker-to-host', 'payloads'] }),
    responses: validatorOn(set, { mode: 'tolerant', scope: ['responses'] }),
  }
}

/** A loader whose default-version validators are `defaults()`; any other version or mode loads every check. */
export function validatorsLoader(defaults: () => RuntimeValidators): ValidatorsLoader {
  return (protocol, inboundMode = 'tolerant') => {
    if ((protocol === undefined || resolveProfile(protocol) === DEFAULT_PROFILE) && inboundMode === 'tolerant') return defaults()
    return import('./profile-validators.js').then(({ compileRuntimeValidators }) => compileRuntimeValidators(protocol ?? DEFAULT_PROFILE, inboundMode))
  }
}
