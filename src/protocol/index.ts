/**
 * The protocol as code: every message, request method and nested type of @stina/extension-api
 * 0.22.1 as TypeBox schemas, with static types and descriptors derived from them.
 */
export * from './common.js'
export * from './types.js'
export * from './permissions.js'
export * from './methods.js'
export * from './descriptor.js'
export * from './messages/index.js'
export * from './catalogue.js'
export * from './correlation.js'
export { DEFINITIONS } from './definitions.js'
export * from './versions.js'
export * from './versions-methods.js'
export * from './versions-source.js'
export * from './profiles.js'
export type * from './profiles-types.js'
