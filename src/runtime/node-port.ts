/**
 * The port of a Node `worker_threads` worker, found at run time so that a module graph that never
 * runs on Node (the browser worker's) does not reach `node:worker_threads` through it.
 */
import { nodePortTransport, webWorkerPort, type FoundPort, type NodePort } from './ports.js'

/** This worker's port: Node's `parentPort` on Node, else the Web Worker's own scope. */
export async function findWorkerPort(): Promise<FoundPort> {
  const g = globalThis as { process?: { versions?: { node?: string } } }
  if (g.process?.versions?.node) {
    const { parentPort } = await import('node:worker_threads')
    if (!parentPort) throw new Error('initializeExtension must run inside a worker thread')
    return { owner: parentPort, transport: nodePortTransport(parentPort as unknown as NodePort) }
  }
  return webWorkerPort()
}
