/**
 * Worker entry of the conformance extension: run as a `worker_threads` module, it starts the
 * reference runtime on `parentPort`, as an upstream extension bundle would.
 * EXTWIRE_REQUEST_TIMEOUT_MS sets the request timeout (the runner's `short-request-timeout`),
 * EXTWIRE_PROTOCOL the protocol version (`extwire conformance --protocol`).
 */
import { initializeExtension } from '../../src/runtime/entry.js'
import { createConformanceExtension } from './extension.js'
import { requestTimeoutFromEnv, versionFromEnv } from './env.js'

void initializeExtension(createConformanceExtension(), { ...requestTimeoutFromEnv(), ...versionFromEnv() })
