/**
 * Runtime round trip (issue "Reference worker runtime"): a tool-execute request answered by the
 * reference runtime in a worker thread, against a bare postMessage echo round trip in the same run.
 */
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { createWorkerThreadTransport } from '../src/transport/worker-thread.js'
import { median, printFigure, printRatio } from './lib.js'

const ROUND_TRIPS = 3000
const ROUNDS = 5

async function timeRoundTrips(send: (i: number) => void, onReply: (resolve: () => void) => void): Promise<number> {
  const samples: number[] = []
  for (let round = 0; round <= ROUNDS; round++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < ROUND_TRIPS; i++) {
      await new Promise<void>((resolve) => {
        onReply(resolve)
        send(i)
      })
    }
    if (round > 0) samples.push(Number(process.hrtime.bigint() - t0) / ROUND_TRIPS)
  }
  return median(samples)
}

async function bareEcho(): Promise<number> {
  const worker = new Worker(new URL('./postmessage-sink.mjs', import.meta.url), { workerData: { echo: true } })
  let pending: (() => void) | undefined
  worker.on('message', () => pending?.())
  const message = { type: 'tool-execute-request', id: 'x', payload: { toolId: 'echo', params: { text: 'hello' } } }
  const ns = await timeRoundTrips(
    () => worker.postMessage(message),
    (resolve) => {
      pending = resolve
    },
  )
  await worker.terminate()
  return ns
}

async function runtimeToolCall(): Promise<number> {
  const file = fileURLToPath(new URL('../conformance/extension/worker.ts', import.meta.url))
  const transport = createWorkerThreadTransport(file)
  let pending: (() => void) | undefined
  let activated: (() => void) | undefined
  const ready = new Promise<void>((resolve) => {
    transport.onMessage((m) => {
      const message = m as { type: string; payload?: { message?: string } }
      if (message.type === 'ready') resolve()
      else if (message.type === 'log' && message.payload?.message === 'conformance extension activated') activated?.()
      else if (message.type === 'tool-execute-response') pending?.()
    })
  })
  await ready
  await new Promise<void>((resolve) => {
    activated = resolve
    transport.send({ type: 'activate', id: 'a', payload: { extensionId: 'conformance', extensionVersion: '1', storagePath: '/s', permissions: ['tools.register'], settings: {} } })
  })
  const ns = await timeRoundTrips(
    (i) => transport.send({ type: 'tool-execute-request', id: `t-${i}`, payload: { toolId: 'echo', params: { text: 'hello' } } }),
    (resolve) => {
      pending = resolve
    },
  )
  await transport.close()
  return ns
}

/** Runs the runtime round-trip benchmark. */
export async function runtimeBench(): Promise<void> {
  console.log(`\nRuntime round trip over worker_threads (${ROUND_TRIPS} sequential round trips, median of ${ROUNDS} rounds)`)
  const bare = await bareEcho()
  const tool = await runtimeToolCall()
  printFigure({ name: 'bare postMessage echo round trip', nsPerOp: bare })
  printFigure({ name: 'tool-execute round trip through the reference runtime', nsPerOp: tool })
  printRatio('tool-execute round trip / bare echo round trip', tool / bare, 1.5, false)
}
