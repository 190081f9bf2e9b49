/**
 * `initializeExtension(module)`: the entry an extension bundle calls inside a real worker, as
 * upstream bundles do. It finds the worker's port (Node `worker_threads` `parentPort`, or a Web
 * Worker's `self`), creates one runtime on it and sends `ready`. A second call on the same port
 * returns the first runtime: one listener, one `ready` (EXT-LIFE-007, upstream B3).
 */
import type { ExtensionModule } from './api.js'
import { createRuntimeValidators, createWorkerRuntime, type RuntimeTransport, type WorkerRuntime, type WorkerRuntimeOptions } from './runtime.js'
import { warmValidators } from './warm.js'

/** Marks a port that already has a runtime; stored on the port, not in this module. */
const RUNTIME = Symbol.for('extwire.worker-runtime')

interface NodePort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (message: unknown) => void): unknown
  off(event: 'message', listener: (message: unknown) => void): unknown
}

interface WebScope {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
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

async function findPort(): Promise<{ owner: object; transport: RuntimeTransport }> {
  const g = globalThis as { process?: { versions?: { node?: string } } }
  if (g.process?.versions?.node) {
    const { parentPort } = await import('node:worker_threads')
    if (!parentPort) throw new Error('initializeExtension must run inside a worker thread')
    return { owner: parentPort, transport: nodePortTransport(parentPort as unknown as NodePort) }
  }
  const scope = globalThis as unknown as WebScope
  if (typeof scope.postMessage !== 'function' || typeof scope.addEventListener !== 'function') {
    throw new Error('initializeExtension must run inside a worker')
  }
  return { owner: scope, transport: webWorkerTransport(scope) }
}

/** Starts the runtime for `module` on this worker's port; calling it again returns the same runtime. */
export function initializeExtension(module: ExtensionModule, options?: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  const started = findPort().then(({ owner, transport }) => {
    const marked = owner as Marked
    if (marked[RUNTIME] === undefined) {
      const validators = options?.validators ?? createRuntimeValidators(options?.inboundMode)
      marked[RUNTIME] = Promise.resolve(createWorkerRuntime({ transport, module, options: { ...options, validators } }))
      // `ready` is out: compile the checks of a first call while the host prepares it.
      setTimeout(() => warmValidators(validators), 0)
    }
    return marked[RUNTIME]
  })
  started.catch((error: unknown) => {
    console.error(`extwire: initializeExtension failed: ${error instanceof Error ? error.message : String(error)}`)
  })
  return started
}
