/**
 * `initializeExtension` for a Node worker that can load a module synchronously (a CommonJS
 * build): its full checks, which collect every error of an invalid message and are most of a
 * default worker's code, are loaded when a message first fails its fast check, not before `ready`.
 * Everything else is `initializeExtension`'s: the same port, the same start-once rule, the same
 * validators (another version or inbound mode loads every check first, as there).
 */
import type { ExtensionModule } from './api.js'
import { findWorkerPort } from './node-port.js'
import { startOnPort } from './ports.js'
import type { WorkerRuntime, WorkerRuntimeOptions } from './runtime.js'
import { validatorsLoader, workerValidatorsOn, type ValidatorsLoader } from './validators-loader.js'
import { checksModuleOf, workerCheckSet } from '../validate/worker-check-set.js'

/**
 * Starts the runtime for `module` on this worker's port, with the full checks that `loadFullChecks`
 * returns (synchronously: `require` of the built full checks) loaded on first use; `source` names
 * them in the error when they are not a module of full checks.
 */
export function initializeNodeExtension(module: ExtensionModule, options: WorkerRuntimeOptions | undefined, loadFullChecks: () => unknown, source: string): Promise<WorkerRuntime> {
  return startOnPort(findWorkerPort, module, options, lazyFullValidatorsLoader(loadFullChecks, source))
}

/** The validators loader of such a worker (for a worker on another transport, such as stdio). */
export function lazyFullValidatorsLoader(loadFullChecks: () => unknown, source: string): ValidatorsLoader {
  const set = workerCheckSet(() => checksModuleOf(loadFullChecks(), source))
  return validatorsLoader(() => workerValidatorsOn(set))
}
