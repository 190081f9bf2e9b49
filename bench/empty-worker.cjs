// Benchmark baseline for CommonJS workers: the cheapest possible worker, which only says ready.
const { parentPort } = require('node:worker_threads')
parentPort.postMessage({ type: 'ready' })
