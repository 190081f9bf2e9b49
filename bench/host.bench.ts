/**
 * Inbound guard cost (issue 10, point 2): a valid stream of worker->host messages handled by a host's
 * message handler, bare and wrapped in the guard, measured in alternating rounds of the same run.
 * Nearly all of the guard's cost is the validator itself (the guard adds under 10% on top of
 * `validateWorkerToHost`); against a handler that only routes and looks up (tens of ns), that cost is
 * several times the handler, while per message actually received (decoded from a JSON line or a
 * structured clone) it is a small share. All four ratios are printed against the 1.2× target.
 */
import type { WorkerToHostMessage } from '../src/protocol/catalogue.js'
import { createInboundGuard } from '../src/host/guard.js'
import { createValidator } from '../src/validate/compile.js'
import { messageExamples } from '../test/helpers/examples.js'
import { compare, printFigure, printRatio } from './lib.js'

const STREAM = 10_000

/** Valid worker->host messages of all 14 types, structured-cloned as a host receives them. */
function workerStream(): unknown[] {
  const validator = createValidator()
  const pool = messageExamples()
    .flatMap((f) => f.examples.filter((e) => e.valid).map((e) => e.value))
    .filter((m) => validator.validateWorkerToHost(m).ok)
  return Array.from({ length: STREAM }, (_, i) => structuredClone(pool[i % pool.length]))
}

/**
 * What a host does with a message, without validation: route on `type`, find the pending call or
 * the registry entry by its correlation id, and record the outcome. Reads the same fields a
 * reference host reads, so the baseline is a handler, not an empty function.
 */
function hostHandler(): (message: WorkerToHostMessage) => void {
  const pending = new Map<string, number>()
  for (let i = 0; i < 64; i++) pending.set(`req-${i}`, i)
  const registry = new Map<string, unknown>()
  const logs: string[] = []
  let settled = 0
  return (message) => {
    switch (message.type) {
      case 'request':
        if (pending.has(message.id)) settled++
        pending.set(message.id, message.method.length)
        pending.delete(message.id)
        break
      case 'tool-execute-response':
      case 'action-execute-response':
      case 'provider-models-response':
      case 'stream-event':
      case 'streaming-fetch-ack':
        if (pending.get(message.payload.requestId) !== undefined) settled++
        break
      case 'tool-registered':
      case 'action-registered':
      case 'provider-registered':
        registry.set(message.payload.id, message.payload)
        break
      case 'log':
        logs.push(message.payload.message)
        if (logs.length > 100) logs.length = 0
        break
      case 'background-task-registered':
      case 'background-task-status':
      case 'background-task-health':
        registry.set(message.payload.taskId, message.payload)
        break
      case 'ready':
        settled++
        break
    }
  }
}

/** Runs the guard benchmark and prints figures and ratios. */
export async function hostBench(): Promise<void> {
  console.log('\nInbound guard (valid stream of 10,000 worker->host messages of all 14 types)')
  const stream = workerStream()
  const lines = stream.map((m) => JSON.stringify(m))
  const bare = hostHandler()
  const guarded = createInboundGuard(hostHandler())
  const strictGuarded = createInboundGuard(hostHandler(), { validator: createValidator({ mode: 'strict' }) })
  const OPS = STREAM * 10

  // The handler alone, on messages already decoded: the guard's whole cost is on top of a few map reads.
  const handlerOnly = compare(
    { name: 'bare host handler, decoded messages', ops: OPS, fn: (i) => bare(stream[i % STREAM] as WorkerToHostMessage) },
    { name: 'guarded host handler, decoded messages', ops: OPS, fn: (i) => guarded(stream[i % STREAM]) },
  )
  const strictOnly = compare(
    { name: 'bare host handler, decoded messages', ops: OPS, fn: (i) => bare(stream[i % STREAM] as WorkerToHostMessage) },
    { name: 'guarded host handler (strict), decoded messages', ops: OPS, fn: (i) => strictGuarded(stream[i % STREAM]) },
  )
  // As a host receives them: a JSON line decoded (the stdio transport), or a structured clone (what
  // postMessage does on the receiving side), then the handler.
  const stdio = compare(
    { name: 'bare host handler, per JSON line received', ops: STREAM * 2, fn: (i) => bare(JSON.parse(lines[i % STREAM] as string) as WorkerToHostMessage) },
    { name: 'guarded host handler, per JSON line received', ops: STREAM * 2, fn: (i) => guarded(JSON.parse(lines[i % STREAM] as string)) },
  )
  const cloned = compare(
    { name: 'bare host handler, per structured clone received', ops: STREAM * 2, fn: (i) => bare(structuredClone(stream[i % STREAM]) as WorkerToHostMessage) },
    { name: 'guarded host handler, per structured clone received', ops: STREAM * 2, fn: (i) => guarded(structuredClone(stream[i % STREAM])) },
  )
  for (const f of [handlerOnly.a, handlerOnly.b, strictOnly.b, stdio.a, stdio.b, cloned.a, cloned.b]) printFigure(f)
  printRatio('guard vs bare handler, decoded messages (tolerant)', handlerOnly.ratio, 1.2, false)
  printRatio('guard vs bare handler, decoded messages (strict)', strictOnly.ratio, 1.2, false)
  printRatio('guard vs bare handler, per JSON line received', stdio.ratio, 1.2, false)
  printRatio('guard vs bare handler, per structured clone received', cloned.ratio, 1.2, false)
}
