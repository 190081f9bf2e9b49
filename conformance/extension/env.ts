/** Runtime options a conformance target takes from its environment. */
import type { WorkerRuntimeOptions } from '../../src/runtime/runtime.js'

/** `{requestTimeoutMs}` from EXTWIRE_REQUEST_TIMEOUT_MS when it is set to a positive number. */
export function requestTimeoutFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerRuntimeOptions {
  const ms = Number(env['EXTWIRE_REQUEST_TIMEOUT_MS'])
  return Number.isFinite(ms) && ms > 0 ? { requestTimeoutMs: ms } : {}
}
