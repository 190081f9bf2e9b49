/**
 * The worker ports `initializeExtension` runs on, and the start-once rule, apart from `entry.ts`: a
 * browser worker starts the runtime through this module and `web-entry.ts`, so that nothing it loads
 * mentions `node:worker_threads`, which only `entry.ts` imports (on Node).
 */
import type { RuntimeTransport, RuntimeValidators, WorkerRuntime, WorkerRuntimeOptions } from './runtime.js'
import { startRuntime } from './start.js'
import { warmValidators } from './warm.js'
import { loadRuntimeValidators } from './worker-validators.js'

// Every worker entry reaches the validators through this module (the stdio one as well), so that a
// bundler puts both in one shared chunk: a worker's start pays for each module it loads.
export { loadRuntimeValidators }
import type { ExtensionModule } from './api.js'

/** Marks a port that already has a runtime; stored on the port, not in this module. */
const RUNTIME = Symbol.for('extwire.worker-runtime')

/** The part of a Node `MessagePort` (parentPort) a transport uses. */
export interface NodePort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
  off(event: 'message', listener: (message: unknown) => void): unknown
}

/** The part of a Web Worker's global scope a transport uses. */
export interface WebScope {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
}

/** A port found for the runtime: `owner` carries the start-once mark. */
export interface FoundPort {
  readonly owner: object
  readonly transport: RuntimeTransport
}

type Marked = { [RUNTIME]?: Promise<WorkerRuntime> }

/** A transport over a Node `MessagePort`-like object (parentPort). */
export function nodePortTransport(port: NodePort): RuntimeTransport {
  return {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => {
      port.on('message', listener)
      return () => void port.off('message', listener)
    },
  }
}

/** A transport over a Web Worker's global scope. */
export function webWorkerTransport(scope: WebScope): RuntimeTransport {
  return {
    send: (message) => scope.postMessage(message),
    onMessage: (listener) => {
      const handler = (event: { data: unknown }) => listener(event.data)
      scope.addEventListener('message', handler)
      return () => scope.removeEventListener('message', handler)
    },
  }
}

/** This Web Worker's own scope as a port; throws outside a worker. */
export function webWorkerPort(): FoundPort {
  const scope = globalThis as unknown as WebScope
  if (typeof scope.postMessage !== 'function' || typeof scope.addEventListener !== 'function') {
    throw new Error('initializeExtension must run inside a worker')
  }
  return { owner: scope, transport: webWorkerTransport(scope) }
}

/**
 * Starts the runtime for `module` on the port `find` gives, once per port (EXT-LIFE-007); a failure
 * is logged and rejects. Without `options.validators`, it loads only the checks the runtime runs
 * (`worker-validators.ts`): synchronously for the default version, first for another.
 */
export function startOnPort(find: () => Promise<FoundPort>, module: ExtensionModule, options?: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  const started = find().then(({ owner, transport }) => {
    const marked = owner as Marked
    if (marked[RUNTIME] === undefined) {
      const start = (validators: RuntimeValidators): WorkerRuntime => {
        const runtime = startRuntime({ transport, module, options: { ...options, validators } }, validators)
        // `ready` is out: run the checks of a first call once while the host prepares it.
        setTimeout(() => warmValidators(validators), 0)
        return runtime
      }
      const validators = options?.validators ?? loadRuntimeValidators(options?.protocol, options?.inboundMode)
      marked[RUNTIME] = validators instanceof Promise ? validators.then(start) : Promise.resolve(start(validators))
    }
    return marked[RUNTIME]
  })
  started.catch((error: unknown) => {
    console.error(`extwire: initializeExtension failed: ${error instanceof Error ? error.message : String(error)}`)
  })
  return started
}
