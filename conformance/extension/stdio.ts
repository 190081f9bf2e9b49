/**
 * Stdio entry of the conformance extension: the reference runtime speaking one JSON message per
 * line on stdin/stdout, as a worker in another language would. Exits when stdin closes. A line
 * longer than EXTWIRE_MAX_MESSAGE_BYTES (default 4 MiB) ends it with exit code 1 and the reason on
 * stderr, instead of growing until it crashes.
 */
import { startRuntime } from '../../src/runtime/start.js'
import { lazyFullValidatorsLoader } from '../../src/runtime/node-entry.js'
import { processStdioTransport } from '../../src/transport/stdio.js'
import { createConformanceExtension } from './extension.js'
import { maxMessageBytesFromEnv, requestTimeoutFromEnv, versionFromEnv } from './env.js'
import { FULL_CHECKS_SOURCE, canRequire, loadBuiltFullChecks } from './full-checks.js'

/** Starts the runtime on stdin/stdout (a function, not top-level await: the entry is built as CommonJS). */
async function main(): Promise<void> {
  const options = { ...requestTimeoutFromEnv(), ...versionFromEnv() }
  // Only the checks this version runs: a default worker's own (its full checks loaded when a message
  // first fails), or (another version) every check, loaded first.
  // (From source, every check at once, as `initializeExtension` takes them.)
  const load = canRequire() ? lazyFullValidatorsLoader(loadBuiltFullChecks, FULL_CHECKS_SOURCE) : (await import('../../src/runtime/worker-validators.js')).loadRuntimeValidators
  const validators = await load(options.protocol)
  const transport = processStdioTransport(maxMessageBytesFromEnv())
  const runtime = startRuntime({ transport, module: createConformanceExtension(), options: { ...options, validators } }, validators)
  transport.onClose((info) => {
    runtime.dispose()
    if (info.reason === 'error') process.stderr.write(`extwire stdio worker: ${info.detail ?? 'transport error'}\n`)
    process.exit(info.reason === 'error' ? 1 : 0)
  })
}

// A rejection left unhandled ends the process with the error, as a failed top-level await would.
void main()
