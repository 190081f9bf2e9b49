/** Transports: one contract and its implementations. */
export * from './types.js'
export { BaseTransport } from './emitter.js'
export { createMemoryPair, type CopyMode, type MemoryPairOptions } from './memory.js'
export { createWorkerThreadTransport, type WorkerThreadOptions } from './worker-thread.js'
export { createStdioTransport, processStdioTransport, LineTransport, ProcessReaper, encodeLine, DEFAULT_MAX_PENDING_BYTES, type StdioOptions, type LineLimits, type ChildTransport } from './stdio.js'
export { BoundedLineSplitter, DEFAULT_MAX_MESSAGE_BYTES, type SplitResult } from './lines.js'
export { createScheduledPair, type DeliveryScheduler } from './scheduled.js'
