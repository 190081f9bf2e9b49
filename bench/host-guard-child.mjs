// One side of the guard target, alone in its own process: the reference host (built `dist/host.js`)
// with its inbound guard (`guarded`) or with a pass-through in its place (`bare`), receiving a valid
// stream of worker messages. Each side runs in a fresh process because two hosts in one process
// share V8's feedback for the same code, and the second one's figures then depend on the first one's.
// Prints one JSON line: the median nanoseconds per message over the rounds.
import { readFileSync } from 'node:fs'
import { createHost, VirtualClock } from '../dist/host.js'

const [mode, streamFile] = process.argv.slice(2)
const { stream, permissions, rounds } = JSON.parse(readFileSync(streamFile, 'utf8'))
const listeners = []
const none = { dispose() {} }
const transport = {
  closed: false,
  send() {},
  onMessage(listener) {
    listeners.push(listener)
    return none
  },
  onError: () => none,
  onClose: () => none,
  close: async () => {},
}
const passThrough = (handler) => Object.assign((message) => handler(message), { counts: () => ({ valid: {}, invalid: {} }) })
const host = createHost({
  clock: new VirtualClock(),
  maxMessagesPerSecond: Number.MAX_SAFE_INTEGER,
  ...(mode === 'bare' ? { pieces: { guard: passThrough } } : {}),
})
const loaded = host.load({ id: 'bench', version: '1.0.0', permissions }, transport)
const deliver = (message) => {
  for (const l of listeners) l(message)
}
deliver({ type: 'ready' })
await loaded

// Batches end with a macrotask turn, so the async tail of `request` handling is inside the figure.
const turn = () => new Promise((resolve) => setImmediate(resolve))
const BATCH = 500
const samples = []
for (let r = 0; r <= rounds; r++) {
  const t0 = process.hrtime.bigint()
  for (let start = 0; start < stream.length; start += BATCH) {
    const end = Math.min(stream.length, start + BATCH)
    for (let i = start; i < end; i++) deliver(stream[i])
    await turn()
  }
  if (r > 0) samples.push(Number(process.hrtime.bigint() - t0) / stream.length)
}
samples.sort((a, b) => a - b)
console.log(JSON.stringify({ mode, nsPerMessage: samples[Math.floor(samples.length / 2)] }))
