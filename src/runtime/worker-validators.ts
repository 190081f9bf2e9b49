/**
 * The validators a worker entry (`initializeExtension`, the browser worker) starts a runtime with,
 * loading no more checks than it runs: a default-profile worker with tolerant inbound validation
 * (the default) gets its own checks (`worker-checks.ts`, about a third of them all); any other
 * version or mode loads every check first, asynchronously, before the runtime starts.
 */
import { WORKER_CHECKS } from '../validate/worker-checks.js'
import type { RuntimeValidators } from './runtime.js'
import { validatorsLoader, workerValidatorsOn, type ValidatorsLoader } from './validators-loader.js'

/** The default validators of a 0.22.1 runtime (as `createRuntimeValidators()`), on a default worker's own checks. */
export function defaultWorkerValidators(): RuntimeValidators {
  return workerValidatorsOn(WORKER_CHECKS)
}

/**
 * The validators of a runtime that speaks `protocol` (default 0.22.1) with `inboundMode`, as
 * `compileRuntimeValidators` gives them; an unknown version throws an `UnknownVersionError`.
 * Synchronous for the default version and mode; otherwise it loads the module of every check.
 */
export const loadRuntimeValidators: ValidatorsLoader = validatorsLoader(defaultWorkerValidators)
