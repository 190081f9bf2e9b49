/**
 * The reference runtime as a target: the runtime of `src/runtime` with the conformance extension,
 * in-process over an in-memory pair. The suite treats it like any other implementation; the
 * deliberately broken mutants and the legal variants are built on it.
 */
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { createConformanceExtension } from '../extension/extension.js'
import { createRuntimeValidators, createWorkerRuntime, type RuntimeValidators, type WorkerRuntimeOptions } from '../../src/runtime/runtime.js'
import { createMemoryPair, type CopyMode } from '../../src/transport/memory.js'
import { SHORT_REQUEST_TIMEOUT_MS, wantsShortRequestTimeout, type ConnectContext, type Target } from '../targets.js'

/** Wraps a worker transport: every message the worker sends goes through `outgoing` (used by the mutants). */
export type OutgoingFilter = (message: unknown, send: (message: unknown) => void) => void

/** Options of {@link embeddedTarget}. */
export interface EmbeddedOptions {
  readonly copy?: CopyMode
  readonly runtime?: WorkerRuntimeOptions
  /** Rewrites what the worker sends (deliberately broken variants). */
  readonly outgoing?: () => OutgoingFilter
  readonly name?: string
}

/** The reference runtime with the conformance extension, in-process over an in-memory pair. */
export function embeddedTarget(options: EmbeddedOptions = {}): Target {
  let validators: RuntimeValidators | undefined // compiled on the first connect, shared by every runtime of this target
  return {
    name: options.name ?? 'embedded reference runtime',
    features: new Set(['short-request-timeout']),
    inProcess: true,
    async connect(context?: ConnectContext) {
      const [host, worker] = createMemoryPair({ copy: options.copy ?? 'structured-clone' })
      const filter = options.outgoing?.()
      const transport = filter
        ? { send: (m: unknown) => filter(m, (x) => worker.send(x)), onMessage: worker.onMessage.bind(worker) }
        : worker
      const runtime = createWorkerRuntime({
        transport,
        module: createConformanceExtension(),
        options: { ...(wantsShortRequestTimeout(context) ? { requestTimeoutMs: SHORT_REQUEST_TIMEOUT_MS } : {}), validators: (validators ??= createRuntimeValidators()), ...options.runtime },
      })
      host.onClose(() => runtime.dispose())
      return host
    },
  }
}

/** The conformance extension's worker entry: built JavaScript when present, else the TypeScript source (needs tsx). */
export function conformanceWorkerFile(): string {
  const built = fileURLToPath(new URL('./conformance-worker.js', import.meta.url))
  if (import.meta.url.includes('/dist/') && existsSync(built)) return built
  return fileURLToPath(new URL('../extension/worker.ts', import.meta.url))
}
