/** Transports: one contract and its implementations. */
export * from './types.js'
export { BaseTransport } from './emitter.js'
export { createMemoryPair, type CopyMode, type MemoryPairOptions } from './memory.js'
