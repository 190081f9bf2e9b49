/**
 * Stdio entry of the conformance extension: the reference runtime speaking one JSON message per
 * line on stdin/stdout, as a worker in another language would. Exits when stdin closes.
 */
import { createWorkerRuntime } from '../../src/runtime/runtime.js'
import { processStdioTransport } from '../../src/transport/stdio.js'
import { createConformanceExtension } from './extension.js'
import { requestTimeoutFromEnv } from './env.js'

const transport = processStdioTransport()
const runtime = createWorkerRuntime({ transport, module: createConformanceExtension(), options: requestTimeoutFromEnv() })
transport.onClose(() => {
  runtime.dispose()
  process.exit(0)
})
