/**
 * `initializeExtension` for a browser Web Worker only: the same start-once rule on the worker's own
 * scope, without the Node branch, so a browser bundle or module graph never reaches
 * `node:worker_threads`.
 */
import type { ExtensionModule } from './api.js'
import { startOnPort, webWorkerPort } from './ports.js'
import type { WorkerRuntime, WorkerRuntimeOptions } from './runtime.js'
import { loadRuntimeValidators } from './worker-validators.js'

/** Starts the runtime for `module` on this Web Worker's scope; calling it again returns the same runtime. */
export function initializeWebExtension(module: ExtensionModule, options?: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  return startOnPort(async () => webWorkerPort(), module, options, loadRuntimeValidators)
}
