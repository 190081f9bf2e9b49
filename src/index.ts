/**
 * extwire: the @stina/extension-api 0.22.1 host<->worker protocol as code, with validators,
 * a reference worker runtime, transports and host-side pieces. The conformance kit is at
 * `extwire/conformance`, and `describeConformance` at `extwire/vitest`.
 */
export * from './protocol/index.js'
export * from './validate/index.js'
export * from './runtime/index.js'
export * from './transport/index.js'
export * from './host/index.js'
