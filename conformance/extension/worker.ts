/**
 * Worker entry of the conformance extension: run as a `worker_threads` module, it starts the
 * reference runtime on `parentPort`, as an upstream extension bundle would.
 * EXTWIRE_REQUEST_TIMEOUT_MS sets the request timeout (the runner's `short-request-timeout`),
 * EXTWIRE_PROTOCOL the protocol version (`extwire conformance --protocol`).
 */
import { initializeNodeExtension } from '../../src/runtime/node-entry.js'
import { createConformanceExtension } from './extension.js'
import { requestTimeoutFromEnv, versionFromEnv } from './env.js'
import { FULL_CHECKS_SOURCE, canRequire, loadBuiltFullChecks } from './full-checks.js'

const options = { ...requestTimeoutFromEnv(), ...versionFromEnv() }
// Built: the full checks (every error of an invalid message) load when a message first fails, not
// before `ready`. From source: `initializeExtension`, imported only then (not part of the built graph).
if (canRequire()) void initializeNodeExtension(createConformanceExtension(), options, loadBuiltFullChecks, FULL_CHECKS_SOURCE)
else void import('../../src/runtime/entry.js').then(({ initializeExtension }) => initializeExtension(createConformanceExtension(), options))
