/**
 * The reference runtime as a target: the runtime of `src/runtime` with the conformance extension,
 * in-process over an in-memory pair. The suite treats it like any other implementation; the
 * deliberately broken mutants and the legal variants are built on it.
 */
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { createConformanceExtension } from '../extension/extension.js'
import { createRuntimeValidators, createWorkerRuntime, type RuntimeValidators, type WorkerRuntimeOptions } from '../../src/runtime/runtime.js'
import { compileRuntimeValidators } from '../../src/runtime/profile-validators.js'
import { createMemoryPair, type CopyMode } from '../../src/transport/memory.js'
import { SHORT_REQUEST_TIMEOUT_MS, wantsShortRequestTimeout, type ConnectContext, type Target } from '../targets.js'

/** Wraps a worker transport: every message the worker sends goes through `outgoing` (used by the mutants). */
export type OutgoingFilter = (message: unknown, send: (message: unknown) => void) => void

/** The messages that announce a registration. */
export const REGISTRATION_TYPES: ReadonlySet<string> = new Set(['provider-registered', 'tool-registered', 'action-registered', 'background-task-registered'])

/** The uncorrelated host messages EXT-LIFE-011 drops while no extension is active. */
export const LIFECYCLE_DROPPED_TYPES: ReadonlySet<string> = new Set(['settings-changed', 'scheduler-fire', 'background-task-start', 'background-task-stop'])

/** How a filter passes a message on: to the host, or to the worker. */
export interface Wiring {
  toHost(message: unknown): void
  toWorker(message: unknown): void
}

/** Filters between the runtime and the host, made fresh per connection; `close` releases their timers. */
export interface Filters {
  incoming?(message: unknown, wiring: Wiring): void
  outgoing?(message: unknown, wiring: Wiring): void
  close?(): void
}

/** Options of {@link embeddedTarget}. */
export interface EmbeddedOptions {
  readonly copy?: CopyMode
  readonly runtime?: WorkerRuntimeOptions
  /** Rewrites what the worker sends (deliberately broken variants). */
  readonly outgoing?: () => OutgoingFilter
  /** Filters in both directions (legal variants, and mutants that need the incoming side). */
  readonly filters?: () => Filters
  readonly name?: string
}

/** The filters of a connection: `filters`, or `outgoing` alone, or none. */
function filtersOf(options: EmbeddedOptions): Filters | undefined {
  if (options.filters) return options.filters()
  const outgoing = options.outgoing?.()
  return outgoing ? { outgoing: (m, w) => outgoing(m, (x) => w.toHost(x)) } : undefined
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
      const f = filtersOf(options)
      let deliver: (message: unknown) => void = () => undefined
      const wiring: Wiring = {
        toHost: (m) => {
          if (!worker.closed) worker.send(m)
        },
        toWorker: (m) => deliver(m),
      }
      const transport = f
        ? {
            send: (m: unknown) => (f.outgoing ? f.outgoing(m, wiring) : wiring.toHost(m)),
            onMessage: (listener: (message: unknown) => void) => {
              deliver = listener
              return worker.onMessage((m) => (f.incoming ? f.incoming(m, wiring) : listener(m)))
            },
          }
        : worker
      const runtime = createWorkerRuntime({
        transport,
        module: createConformanceExtension(),
        options: { ...(wantsShortRequestTimeout(context) ? { requestTimeoutMs: SHORT_REQUEST_TIMEOUT_MS } : {}), validators: (validators ??= options.runtime?.protocol === undefined ? createRuntimeValidators() : compileRuntimeValidators(options.runtime.protocol)), ...options.runtime },
      })
      host.onClose(() => {
        f?.close?.()
        runtime.dispose()
      })
      return host
    },
  }
}

/** The conformance extension's worker entry: built JavaScript when present, else the TypeScript source (needs tsx). */
export function conformanceWorkerFile(): string {
  const built = fileURLToPath(new URL('./conformance-worker.cjs', import.meta.url))
  if (import.meta.url.includes('/dist/') && existsSync(built)) return built
  return fileURLToPath(new URL('../extension/worker.ts', import.meta.url))
}
