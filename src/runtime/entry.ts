/**
 * `initializeExtension(module)`: the entry an extension bundle calls inside a real worker, as
 * upstream bundles do. It finds the worker's port (Node `worker_threads` `parentPort`, or a Web
 * Worker's `self`), creates one runtime on it and sends `ready`. A second call on the same port
 * returns the first runtime: one listener, one `ready` (EXT-LIFE-007, upstream B3).
 */
import type { ExtensionModule } from './api.js'
import { findWorkerPort } from './node-port.js'
import { startOnPort } from './ports.js'
import type { WorkerRuntime, WorkerRuntimeOptions } from './runtime.js'
import { loadRuntimeValidators } from './worker-validators.js'

export { nodePortTransport, webWorkerTransport } from './ports.js'

/** Starts the runtime for `module` on this worker's port; calling it again returns the same runtime. */
export function initializeExtension(module: ExtensionModule, options?: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  return startOnPort(findWorkerPort, module, options, loadRuntimeValidators)
}
