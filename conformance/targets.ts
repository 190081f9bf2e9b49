/**
 * Conformance targets: how the runner reaches a fresh worker for each fixture. The embedded
 * reference runtime runs in-process; `--worker` starts a worker thread; `--cmd` starts a process
 * that speaks JSON lines on stdio.
 */
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { createConformanceExtension } from './extension/extension.js'
import { createRuntimeValidators, createWorkerRuntime, type RuntimeValidators, type WorkerRuntimeOptions } from '../src/runtime/runtime.js'
import { createMemoryPair, type CopyMode } from '../src/transport/memory.js'
import { createStdioTransport } from '../src/transport/stdio.js'
import { createWorkerThreadTransport } from '../src/transport/worker-thread.js'
import type { Transport } from '../src/transport/types.js'

/** The request timeout a target with `short-request-timeout` uses. */
export const SHORT_REQUEST_TIMEOUT_MS = 500

/** What the runner tests. */
export interface Target {
  /** Name for reports. */
  readonly name: string
  /** Features the target declares (see FEATURES in ./fixture/schema.ts). */
  readonly features: ReadonlySet<string>
  /** A fresh worker, connected; its `close()` ends it. */
  connect(): Promise<Transport>
}

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
    async connect() {
      const [host, worker] = createMemoryPair({ copy: options.copy ?? 'structured-clone' })
      const filter = options.outgoing?.()
      const transport = filter
        ? { send: (m: unknown) => filter(m, (x) => worker.send(x)), onMessage: worker.onMessage.bind(worker) }
        : worker
      const runtime = createWorkerRuntime({
        transport,
        module: createConformanceExtension(),
        options: { requestTimeoutMs: SHORT_REQUEST_TIMEOUT_MS, validators: (validators ??= createRuntimeValidators()), ...options.runtime },
      })
      host.onClose(() => runtime.dispose())
      return host
    },
  }
}

function env(): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) out[k] = v
  out['EXTWIRE_REQUEST_TIMEOUT_MS'] = String(SHORT_REQUEST_TIMEOUT_MS)
  return out
}

/** A module started as a worker thread per fixture (`execArgv` as in WorkerThreadOptions). */
export function workerTarget(file: string, features: readonly string[] = [], execArgv?: readonly string[]): Target {
  return {
    name: `worker ${file}`,
    features: new Set(features),
    async connect() {
      return createWorkerThreadTransport(file, { env: env(), ...(execArgv ? { execArgv } : {}) })
    },
  }
}

/** A command started per fixture, speaking JSON lines on stdio. */
export function commandTarget(command: string, features: readonly string[] = [], cwd?: string): Target {
  return {
    name: `command ${command}`,
    features: new Set(features),
    async connect() {
      return createStdioTransport(command, { env: env(), ...(cwd ? { cwd } : {}) })
    },
  }
}

/** The conformance extension's worker entry: built JavaScript when present, else the TypeScript source (needs tsx). */
export function conformanceWorkerFile(): string {
  const built = fileURLToPath(new URL('./conformance-worker.js', import.meta.url))
  if (import.meta.url.includes('/dist/') && existsSync(built)) return built
  return fileURLToPath(new URL('./extension/worker.ts', import.meta.url))
}
