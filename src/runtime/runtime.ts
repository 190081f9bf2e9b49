/**
 * The reference worker runtime. A message travels: transport -> `receive` (validated, EXT-IN-001;
 * held while activating, EXT-LIFE-009) -> `dispatch` (lifecycle gate, EXT-LIFE-*) -> its handler in
 * `lifecycle.ts`, `handlers.ts`, `background.ts`, `fetch-stream.ts`, `requests.ts` or `replies.ts`.
 * Each concern is a unit of its own: sending and logging (`outbox.ts`), the lifecycle and teardown
 * (`lifecycle.ts`), the activation queue and in-flight tracking (`inbox.ts`), the not-active and
 * invalid-message replies (`replies.ts`). A runtime is an object: several can live in one process.
 */
import { precompiledValidator } from '../validate/precompiled.js'
import type { ProtocolValidator } from '../validate/validator.js'
import type { ValidationMode } from '../validate/modes.js'
import type { Disposable, ExtensionModule } from './api.js'
import type { RuntimeState } from './lifecycle.js'
import { compileRuntimeValidators } from './profile-validators.js'
import { HOST_TOOL_TIMEOUT_MS, startRuntime } from './start.js'

export type { RuntimeState }

/** The part of a transport the runtime uses. `send` may throw; the runtime reports it. */
export interface RuntimeTransport {
  send(message: unknown): void
  onMessage(listener: (message: unknown) => void): Disposable | (() => void) | void
}

/** Options of {@link createWorkerRuntime}. */
export interface WorkerRuntimeOptions {
  /** Timeout of the worker's requests to its host, in ms (default 30,000; EXT-REQ-002). */
  readonly requestTimeoutMs?: number
  /** How inbound host messages are validated (default `tolerant`, see `src/validate/modes.ts`). */
  readonly inboundMode?: ValidationMode
  /** Clock, for tests. */
  readonly now?: () => Date
  /**
   * Validators to use; by default the precompiled ones of the runtime's `protocol`
   * ({@link createRuntimeValidators} for 0.22.1, `compileRuntimeValidators(protocol)` for the
   * others). Pass them to share one set among many runtimes, or to validate differently.
   */
  readonly validators?: RuntimeValidators
  /**
   * The protocol version the runtime speaks (`0.36.0`, ...; default `0.22.1`): the context API it
   * offers, the messages it accepts and sends, and the version's behaviours (EXT-VER-*). Throws an
   * `UnknownVersionError` for a version the kit has no profile for.
   */
  readonly protocol?: string
  /**
   * Timeout of a `tools.execute` call (ms); default the request timeout plus the host's 60 s tool
   * timeout, so the host's own answer always comes first (EXT-VER-008).
   */
  readonly toolsExecuteTimeoutMs?: number
}

export { HOST_TOOL_TIMEOUT_MS }

/** The validators a runtime uses: inbound host messages, what it sends, and the data of answers. */
export interface RuntimeValidators {
  readonly inbound: ProtocolValidator
  readonly outbound: ProtocolValidator
  /** Response data (tolerant, EXT-REQ-007). */
  readonly responses: ProtocolValidator
  /** The version these validators check (absent: 0.22.1). */
  readonly protocol?: string
  /** The methods of that version: whether an answer carries data, and its schema (absent: 0.22.1's). */
  readonly methodOf?: (method: string) => { readonly noData: boolean; readonly response: object } | undefined
}

/**
 * The validators of a runtime: host->worker messages (tolerant by default, EXT-IN-002), strict
 * worker->host messages and request payloads, and tolerant response data (EXT-REQ-007). They are
 * precompiled: a worker compiles nothing, so it starts fast, its first calls cost what later ones
 * do, and it runs under a Content-Security-Policy without `unsafe-eval`.
 */
export function createRuntimeValidators(inboundMode: ValidationMode = 'tolerant'): RuntimeValidators {
  return {
    inbound: precompiledValidator({ mode: inboundMode, scope: ['host-to-worker'] }),
    outbound: precompiledValidator({ mode: 'strict', scope: ['worker-to-host', 'payloads'] }),
    responses: precompiledValidator({ mode: 'tolerant', scope: ['responses'] }),
  }
}

/** A running worker runtime. */
export interface WorkerRuntime {
  /** The current lifecycle state. */
  readonly state: RuntimeState
  /** Handles one message from the host (the transport listener calls this). Never rejects. */
  receive(message: unknown): Promise<void>
  /** Resolves when every handler started so far has finished (for tests and orderly shutdown). */
  settled(): Promise<void>
  /** Stops listening, rejects pending requests and stops the extension's tasks and streams. */
  dispose(): void
}

/** Arguments of {@link createWorkerRuntime}. */
export interface CreateWorkerRuntimeArgs {
  readonly transport: RuntimeTransport
  readonly module: ExtensionModule
  readonly options?: WorkerRuntimeOptions
}

/**
 * Creates a runtime on `transport` for `module`, installs its listener and sends `ready`
 * (EXT-LIFE-001).
 */
export function createWorkerRuntime({ transport, module, options = {} }: CreateWorkerRuntimeArgs): WorkerRuntime {
  const validators = options.validators ?? (options.protocol === undefined ? createRuntimeValidators(options.inboundMode) : compileRuntimeValidators(options.protocol, options.inboundMode))
  return startRuntime({ transport, module, options }, validators)
}
