/**
 * Worker entry of the conformance extension: run as a `worker_threads` module, it starts the
 * reference runtime on `parentPort`, as an upstream extension bundle would.
 * EXTWIRE_REQUEST_TIMEOUT_MS sets the request timeout (the runner's `short-request-timeout`),
 * EXTWIRE_PROTOCOL the protocol version (`extwire conformance --protocol`).
 */
import { initializeNodeExtension } from '../../src/runtime/node-entry.js'
import { createConformanceExtension } from './extension.js'
import { requestTimeoutFromEnv, versionFromEnv } from './env.js'
import { FULL_CHECKS_SOURCE, loadBuiltFullChecks } from './full-checks.js'

// The full checks (every error of an invalid message) load when a message first fails, not before `ready`.
void initializeNodeExtension(createConformanceExtension(), { ...requestTimeoutFromEnv(), ...versionFromEnv() }, loadBuiltFullChecks, FULL_CHECKS_SOURCE)
