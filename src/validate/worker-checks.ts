/**
 * The precompiled checks a worker runtime of the default profile (0.22.1) runs with its default
 * validators, and nothing else: tolerant host->worker messages and response data, strict
 * worker->host messages and request payloads. A worker's start was mostly spent compiling the
 * module of every check of every version; its own checks are about a third of it. Other versions,
 * modes and scopes are in `precompiled.ts` (which holds these as well).
 */
import { validatorOn, type CheckSet } from './check-set.js'
import * as FULL from './precompiled/full.js'
import { workerCheckSet } from './worker-check-set.js'
import type { ValidationMode } from './modes.js'
import type { ProtocolValidator, ValidatorScope } from './validator.js'

/** The default worker's checks, every one loaded, built once at load (immutable: its full checks are not lazy). */
export const WORKER_CHECKS: CheckSet = workerCheckSet(FULL)

/**
 * A validator of the default profile on a default worker's checks only: `tolerant` for
 * host->worker messages and responses, `strict` for worker->host messages and payloads. Any other
 * combination throws an error naming the missing check (`precompiledValidator` has them all).
 */
export function workerValidator(mode: ValidationMode, scope: readonly ValidatorScope[]): ProtocolValidator {
  return validatorOn(WORKER_CHECKS, { mode, scope })
}
