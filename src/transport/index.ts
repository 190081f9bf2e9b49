/** Transports: one contract and its implementations. */
export * from './types.js'
export { BaseTransport } from './emitter.js'
export { createMemoryPair, type CopyMode, type MemoryPairOptions } from './memory.js'
export { createWorkerThreadTransport, type WorkerThreadOptions } from './worker-thread.js'
export { createStdioTransport, processStdioTransport, LineTransport, encodeLine, type StdioOptions } from './stdio.js'
export { createScheduledPair, type DeliveryScheduler } from './scheduled.js'
