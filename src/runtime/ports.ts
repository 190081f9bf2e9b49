/**
 * The worker ports `initializeExtension` runs on, and the start-once rule, apart from the Node
 * entries: a browser worker starts the runtime through this module and `web-entry.ts`, so that
 * nothing it loads mentions `node:worker_threads`, which only `node-port.ts` imports (on Node).
 */
import type { RuntimeTransport, RuntimeValidators, WorkerRuntime, WorkerRuntimeOptions } from './runtime.js'
import { startRuntime } from './start.js'
import { warmValidators } from './warm.js'
import type { ValidatorsLoader } from './validators-loader.js'

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

/** Messages held at most while a runtime's checks load; a host that waits for `ready` sends none. */
export const HELD_MESSAGES_LIMIT = 1000

/**
 * `transport`, listened to at once: what arrives before the runtime subscribes is kept, in order, and
 * given to its listener when it does (a Web Worker drops a message that finds no listener; a Node
 * port would queue it). Past {@link HELD_MESSAGES_LIMIT} held messages, later ones are dropped with an
 * error on the console. `release` stops listening if the runtime never starts.
 */
export function holdUntilListening(transport: RuntimeTransport): RuntimeTransport & { release(): void } {
  const held: unknown[] = []
  let dropped = 0
  let listener: ((message: unknown) => void) | undefined
  const stop = transport.onMessage((message) => {
    if (listener !== undefined) return listener(message)
    if (held.length < HELD_MESSAGES_LIMIT) held.push(message)
    else if (dropped++ === 0) console.error(`extwire: more than ${HELD_MESSAGES_LIMIT} messages arrived before the runtime started; later ones are dropped`)
  })
  const release = () => {
    if (typeof stop === 'function') stop()
    else stop?.dispose()
  }
  return {
    send: (message) => transport.send(message),
    onMessage(next) {
      if (listener !== undefined) throw new Error('holdUntilListening: one listener only')
      listener = next
      for (const message of held.splice(0)) next(message)
      return () => {
        listener = undefined
        release()
      }
    },
    release,
  }
}

/**
 * Starts the runtime for `module` on the port `find` gives, once per port (EXT-LIFE-007); a failure
 * is logged and rejects. Without `options.validators`, it takes those `load` gives (the entry's:
 * `worker-validators.ts`, or a Node worker's with full checks loaded on first use): synchronously
 * for a default worker, after loading every version's checks for another (messages that arrive
 * meanwhile are held, in order).
 */
export function startOnPort(find: () => Promise<FoundPort>, module: ExtensionModule, options: WorkerRuntimeOptions | undefined, load: ValidatorsLoader): Promise<WorkerRuntime> {
  const started = find().then(({ owner, transport }) => {
    const marked = owner as Marked
    if (marked[RUNTIME] === undefined) {
      const start = (validators: RuntimeValidators, on: RuntimeTransport): WorkerRuntime => {
        const runtime = startRuntime({ transport: on, module, options: { ...options, validators } }, validators)
        // `ready` is out: run the checks of a first call once while the host prepares it.
        setTimeout(() => warmValidators(validators), 0)
        return runtime
      }
      const validators = options?.validators ?? load(options?.protocol, options?.inboundMode)
      if (validators instanceof Promise) {
        // While another version's checks load, a Web Worker would drop what arrives with no listener.
        const held = holdUntilListening(transport)
        marked[RUNTIME] = validators.then((v) => start(v, held), (error: unknown) => {
          held.release()
          throw error
        })
      } else marked[RUNTIME] = Promise.resolve(start(validators, transport))
    }
    return marked[RUNTIME]
  })
  started.catch((error: unknown) => {
    console.error(`extwire: initializeExtension failed: ${error instanceof Error ? error.message : String(error)}`)
  })
  return started
}
