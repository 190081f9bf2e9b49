// extwire-hostile: a worker thread that sends ready, then floods postMessage forever.
import { parentPort } from 'node:worker_threads'
parentPort.postMessage({ type: 'ready' })
const message = { type: 'log', payload: { level: 'info', message: 'flood' } }
for (;;) parentPort.postMessage(message)
