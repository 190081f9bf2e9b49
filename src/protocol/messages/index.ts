/** Barrel of the message families. */
export * from './lifecycle.js'
export * from './provider.js'
export * from './tools.js'
export * from './rpc.js'
export * from './scheduler.js'
export * from './background.js'
