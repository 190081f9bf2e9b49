/** Runtime options a conformance target takes from its environment. */
import { resolveProfile } from '../../src/protocol/versions.js'
import type { WorkerRuntimeOptions } from '../../src/runtime/runtime.js'

/** `{requestTimeoutMs}` from EXTWIRE_REQUEST_TIMEOUT_MS when it is set to a positive number. */
export function requestTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerRuntimeOptions {
  const ms = Number(env['EXTWIRE_REQUEST_TIMEOUT_MS'])
  return Number.isFinite(ms) && ms > 0 ? { requestTimeoutMs: ms } : {}
}

/** `{maxMessageBytes}` from EXTWIRE_MAX_MESSAGE_BYTES (the runner passes its --max-message-bytes) when it is a positive integer. */
export function maxMessageBytesFromEnv(env: NodeJS.ProcessEnv = process.env): { maxMessageBytes?: number } {
  const n = Number(env['EXTWIRE_MAX_MESSAGE_BYTES'])
  return Number.isInteger(n) && n > 0 ? { maxMessageBytes: n } : {}
}

/**
 * `{protocol}` from EXTWIRE_PROTOCOL, the version the runner asks the worker to speak
 * (`extwire conformance --protocol`); absent or empty: the default, 0.22.1.
 */
export function protocolFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerRuntimeOptions {
  const version = env['EXTWIRE_PROTOCOL']
  return version === undefined || version === '' ? {} : { protocol: version }
}

/**
 * `{protocol}` of the version in EXTWIRE_PROTOCOL, checked at once (an unknown version throws an
 * `UnknownVersionError` while the worker loads); absent or empty: nothing, the default 0.22.1.
 * Every conformance worker entry speaks the version the runner asks for through this; the runtime
 * then loads that version's precompiled checks (a bundled worker compiles nothing, whatever the version).
 */
export function versionFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerRuntimeOptions {
  const { protocol } = protocolFromEnv(env)
  if (protocol !== undefined) resolveProfile(protocol)
  return protocol === undefined ? {} : { protocol }
}
