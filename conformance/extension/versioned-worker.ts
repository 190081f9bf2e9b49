/**
 * Worker entry of the conformance extension for any protocol version: as `worker.ts`, but it
 * compiles the validators of the version in EXTWIRE_PROTOCOL (`compileRuntimeValidators`). It is
 * TypeScript run through tsx, never bundled: the bundled workers (`dist/conformance-worker.js`) stay
 * free of run-time compilation and speak 0.22.1 only.
 */
import { initializeExtension } from '../../src/runtime/entry.js'
import { compileRuntimeValidators } from '../../src/runtime/profile-validators.js'
import { createConformanceExtension } from './extension.js'
import { protocolFromEnv, requestTimeoutFromEnv } from './env.js'

const { protocol } = protocolFromEnv()
void initializeExtension(createConformanceExtension(), {
  ...requestTimeoutFromEnv(),
  ...(protocol === undefined ? {} : { protocol, validators: compileRuntimeValidators(protocol) }),
})
