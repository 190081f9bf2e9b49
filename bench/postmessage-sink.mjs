// Benchmark worker: counts the messages it receives and answers 'done' after `expect` of them;
// with `echo` it sends every message straight back.
import { parentPort, workerData } from 'node:worker_threads'

let count = 0
parentPort.on('message', (msg) => {
  if (workerData?.echo) {
    parentPort.postMessage(msg)
    return
  }
  if (msg && msg.__expect !== undefined) {
    count = 0
    parentPort.expect = msg.__expect
    return
  }
  count++
  if (count === parentPort.expect) parentPort.postMessage('done')
})
