/**
 * extwire: the @stina/extension-api 0.22.1 host<->worker protocol as code, with validators,
 * a reference worker runtime, transports and a conformance suite.
 */
export * from './protocol/index.js'
export * from './validate/index.js'
