/** The reference worker runtime. */
export * from './api.js'
export { createWorkerRuntime, createRuntimeValidators, type RuntimeValidators, type CreateWorkerRuntimeArgs, type RuntimeState, type RuntimeTransport, type WorkerRuntime, type WorkerRuntimeOptions } from './runtime.js'
export { initializeExtension, nodePortTransport, webWorkerTransport } from './entry.js'
export { compileRuntimeValidators } from './profile-validators.js'
