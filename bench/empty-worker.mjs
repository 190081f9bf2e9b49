// Benchmark baseline for ES module workers: the cheapest possible worker, which only says ready.
import { parentPort } from 'node:worker_threads'
parentPort.postMessage({ type: 'ready' })
