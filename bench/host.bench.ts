/**
 * Inbound guard cost (issue 10, point 2): a valid stream of worker->host messages of all 14 types.
 * The target compares the reference host's own handler with and without its guard, each side in
 * fresh processes: the guard against the handler it guards. For scale, the guard is also printed
 * against a stand-in that only routes and looks up (tens of ns): there nearly all of the guard's cost
 * is `validateWorkerToHost` itself, several times such a handler, while per message actually received
 * (decoded from a JSON line or a structured clone) it is a small share.
 */
import type { WorkerToHostMessage } from '../src/protocol/catalogue.js'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createInboundGuard } from '../src/host/guard.js'
import { CONFORMANCE_PERMISSIONS } from '../conformance/extension/permissions.js'
import { createValidator } from '../src/validate/compile.js'
import { messageExamples } from '../test/helpers/examples.js'
import { compare, median, printFigure, printRatio, type Figure } from './lib.js'

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

const CHILD = fileURLToPath(new URL('./host-guard-child.mjs', import.meta.url))

/** Runs one side of the target in a fresh process (see host-guard-child.mjs for why); its ns per message. */
function runSide(mode: 'bare' | 'guarded', streamFile: string): number {
  const out = execFileSync(process.execPath, [CHILD, mode, streamFile], { encoding: 'utf8', timeout: 120_000 })
  const line = out.trim().split('\n').pop() ?? ''
  return (JSON.parse(line) as { nsPerMessage: number }).nsPerMessage
}

/**
 * The target: the reference host's own inbound handler (`createHost`), bare (guard replaced by a
 * pass-through) and guarded, in alternating fresh processes; the ratio of the medians and the range
 * of the per-pair ratios. `network.*` requests are left out of the stream: they would reach a real
 * network backend, whose latency is not the handler's.
 */
function referenceHostSides(stream: readonly unknown[], pairs = 7): { bare: number; guarded: number; ratio: number; low: number; high: number } {
  const dir = mkdtempSync(join(tmpdir(), 'extwire-guard-'))
  try {
    const file = join(dir, 'stream.json')
    const local = stream.filter((m) => !((m as { type?: unknown }).type === 'request' && String((m as { method?: unknown }).method).startsWith('network.')))
    writeFileSync(file, JSON.stringify({ stream: local, permissions: CONFORMANCE_PERMISSIONS, rounds: 10 }))
    const bare: number[] = []
    const guarded: number[] = []
    const ratios: number[] = []
    for (let p = 0; p < pairs; p++) {
      // Alternate which side starts, so that drift in machine load hits both alike.
      const [b, g] = p % 2 === 0 ? [runSide('bare', file), runSide('guarded', file)] : (([g2, b2]) => [b2, g2])([runSide('guarded', file), runSide('bare', file)])
      bare.push(b as number)
      guarded.push(g as number)
      ratios.push((g as number) / (b as number))
    }
    return { bare: median(bare), guarded: median(guarded), ratio: median(guarded) / median(bare), low: Math.min(...ratios), high: Math.max(...ratios) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
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
  // The target: the reference host's own handler, with and without its guard.
  const reference = referenceHostSides(stream)
  const refFigures: Figure[] = [
    { name: 'reference host (createHost), guard taken out', nsPerOp: reference.bare },
    { name: 'reference host (createHost), with its guard', nsPerOp: reference.guarded },
  ]
  for (const f of [...refFigures, handlerOnly.a, handlerOnly.b, strictOnly.b, stdio.a, stdio.b, cloned.a, cloned.b]) printFigure(f)
  printRatio('TARGET guard vs bare handler: the reference host\'s handler, with vs without its guard', reference.ratio, 1.2, false)
  console.log(`  (per-pair ratios ${reference.low.toFixed(2)}–${reference.high.toFixed(2)}×, fresh process per side, load ${loadavg()[0]?.toFixed(1)})`)
  console.log('  (below: a stand-in handler that only routes and looks up, tens of ns, for scale; not the target)')
  printRatio('guard vs routing-only stand-in, decoded messages (tolerant)', handlerOnly.ratio, 1.2, false)
  printRatio('guard vs routing-only stand-in, decoded messages (strict)', strictOnly.ratio, 1.2, false)
  printRatio('guard vs routing-only stand-in, per JSON line received', stdio.ratio, 1.2, false)
  printRatio('guard vs routing-only stand-in, per structured clone received', cloned.ratio, 1.2, false)
}
