/**
 * Start-up costs (issue 12, point 2), each as a ratio against a baseline measured in the same run,
 * every figure in a fresh process, rounds interleaved so that load drifts hit both sides alike:
 *
 * - importing `extwire/runtime` and `extwire/validate` against a bare `node -e ""`;
 * - importing `extwire` against importing `typebox` alone;
 * - start-to-`ready` of a worker on the reference runtime (the conformance worker bundle) against an
 *   empty worker that only says ready, in the same module format (the bundle is CommonJS; an ES
 *   module worker pays for the ES loader, so the ES empty worker, printed for scale, starts slower);
 * - the first tool call in a fresh worker against a steady-state call in the same worker, and
 *   against the first call of a runtime that does not validate (what validation adds to it).
 *
 * The imports go through the package's own `exports` (a self-reference from the package root), so
 * they measure what a user gets from `dist/`. `npm run bench` builds `dist/` first.
 */
import { spawnSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { median, printRatio } from './lib.js'
import { emptyWorkersFor } from './empty-worker.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
// Even, so that each order of the alternating pair below counts as often (round 0 is a warm-up).
const ROUNDS = Number(process.env['EXTWIRE_BENCH_ROUNDS'] ?? 12)
const WORKER_BUNDLE = fileURLToPath(new URL('../dist/conformance-worker.cjs', import.meta.url))
/** The empty workers: `same` (the baseline) in the bundle's module format, `other` for scale. */
const EMPTY = emptyWorkersFor(WORKER_BUNDLE)

/** Wall time of one fresh `node` process running `args`, in ms. */
function wall(args: readonly string[]): number {
  const t0 = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr.toString().slice(0, 500)}`)
  return ms
}

/** Runs an ES module snippet in a fresh process and returns the numbers it prints (one JSON array). */
function probe(code: string, env: NodeJS.ProcessEnv = process.env): number[] {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT, encoding: 'utf8', env })
  if (result.status !== 0) throw new Error(`probe failed: ${result.stderr.slice(0, 500)}`)
  return JSON.parse(result.stdout.trim().split('\n').pop() as string) as number[]
}

const importOf = (specifier: string) => ['--input-type=module', '-e', `await import(${JSON.stringify(specifier)})`]

/** Time from `new Worker` to its first `ready`, in ms, in a fresh process (whose environment the worker inherits). */
function readyProbe(file: string, env?: NodeJS.ProcessEnv): number {
  return probe(`
import { Worker } from 'node:worker_threads'
const t0 = performance.now()
const worker = new Worker(${JSON.stringify(file)}, { execArgv: [] })
worker.on('message', (m) => {
  if (m && m.type === 'ready') { console.log(JSON.stringify([performance.now() - t0])); process.exit(0) }
})`, env)[0] as number
}

/**
 * The worker of the first-call probes: the conformance extension on the reference runtime, loaded
 * from the package (`extwire/runtime`, `extwire/conformance`), with the runtime's own validators or,
 * for the comparison, with validators that accept everything.
 */
const PROBE_WORKER = `
const { workerData } = require('node:worker_threads')
Promise.all([import('extwire/runtime'), import('extwire/conformance')]).then(([{ initializeExtension }, { createConformanceExtension }]) => {
  const pass = (value) => ({ ok: true, value })
  const none = { mode: 'tolerant', validateWorkerToHost: pass, validateHostToWorker: pass, validateMessage: pass, validateRequest: (m, p) => pass(p), validateResponse: (m, d) => pass(d) }
  initializeExtension(createConformanceExtension(), workerData.validation ? undefined : { validators: { inbound: none, outbound: none, responses: none } })
})`

/**
 * The reference worker bundle behind a wrapper that times, inside the worker, each tool call from
 * the arrival of its request to the `postMessage` of its response: the worker's side of a call.
 * The rest of a round trip is the host's side and the hops between the threads.
 */
const SPLIT_WORKER = `
const { parentPort } = require('node:worker_threads')
const { pathToFileURL } = require('node:url')
const post = parentPort.postMessage.bind(parentPort)
const on = parentPort.on.bind(parentPort)
const inside = []
let arrived = 0
parentPort.on = (event, listener) => on(event, event !== 'message' ? listener : (m) => {
  if (m && m.type === 'worker-side') return post({ type: 'worker-side', inside })
  if (m && m.type === 'tool-execute-request') arrived = performance.now()
  listener(m)
})
parentPort.postMessage = (m) => {
  if (m && m.type === 'tool-execute-response') inside.push(performance.now() - arrived)
  post(m)
}
import(pathToFileURL(${JSON.stringify(WORKER_BUNDLE)}).href)`

/**
 * In a fresh process: starts a worker (the reference worker bundle, the probe worker with or
 * without validation, or the bundle behind the timing wrapper), activates the conformance
 * extension, then times the first tool call and the median of 200 later ones (ms); for `split`,
 * also the worker's side of those two calls.
 */
function firstCallProbe(worker: 'bundle' | 'validation' | 'none' | 'split' | 'warm-host' | 'invalid'): { first: number; steady: number; workerFirst: number; workerSteady: number } {
  const create = worker === 'bundle' || worker === 'warm-host' || worker === 'invalid'
    ? `new Worker(${JSON.stringify(WORKER_BUNDLE)}, { execArgv: [] })`
    : worker === 'split'
      ? `new Worker(${JSON.stringify(SPLIT_WORKER)}, { eval: true, execArgv: [] })`
      : `new Worker(${JSON.stringify(PROBE_WORKER)}, { eval: true, execArgv: [], workerData: { validation: ${worker === 'validation'} } })`
  const [first, steady, workerFirst, workerSteady] = probe(`
import { Worker } from 'node:worker_threads'
// For 'warm-host', a first worker plays the whole probe and ends before the measured one starts, as
// in a host that has run extensions before: only the measured worker is fresh, not the host's code.
for (let warm = ${worker === 'warm-host' ? 1 : 0}; warm >= 0; warm--) {
const worker = ${create}
const waiters = []
worker.on('message', (m) => { for (const w of [...waiters]) if (w.test(m)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(m) } })
const next = (test) => new Promise((resolve) => waiters.push({ test, resolve }))
await next((m) => m.type === 'ready')
const activated = next((m) => m.type === 'log' && m.payload.message === 'conformance extension activated')
worker.postMessage({ type: 'activate', id: 'a', payload: { extensionId: 'conformance', extensionVersion: '1', storagePath: '/s', permissions: ['tools.register'], settings: {} } })
await activated
const call = async (i) => {
  const answered = next((m) => m.type === 'tool-execute-response' && m.payload.requestId === 't-' + i)
  const t0 = performance.now()
  worker.postMessage({ type: 'tool-execute-request', id: 't-' + i, payload: ${worker === 'invalid' ? `{ toolId: 5 }` : `{ toolId: 'echo', params: { text: 'hello' } }`} })
  await answered
  return performance.now() - t0
}
const first = await call(0)
const later = []
for (let i = 1; i <= 300; i++) later.push(await call(i))
const steady = later.slice(100).sort((a, b) => a - b)[100]
let inside = [NaN]
if (${worker === 'split'}) {
  const dumped = next((m) => m.type === 'worker-side')
  worker.postMessage({ type: 'worker-side' })
  inside = (await dumped).inside
}
const insideSteady = inside.slice(101).sort((a, b) => a - b)[100]
if (warm === 0) { console.log(JSON.stringify([first, steady, inside[0], insideSteady ?? NaN])); process.exit(0) }
await worker.terminate()
}`)
  return { first: first as number, steady: steady as number, workerFirst: workerFirst as number, workerSteady: workerSteady as number }
}

/** Median and range of per-round ratios, printed against a target. */
function report(label: string, ratios: readonly number[], target: number): void {
  const sorted = [...ratios].sort((a, b) => a - b)
  printRatio(label, median(ratios), target, false)
  console.log(`  ${''.padEnd(58)} range ${(sorted[0] as number).toFixed(2)}–${(sorted[sorted.length - 1] as number).toFixed(2)}× over ${ratios.length} rounds`)
}

/** Median and range of per-round ratios, printed without a target (for scale). */
function scale(label: string, ratios: readonly number[]): void {
  const sorted = [...ratios].sort((a, b) => a - b)
  console.log(`  ${label.padEnd(58)} ${`${median(ratios).toFixed(2)}×`.padStart(10)}   (no target) range ${(sorted[0] as number).toFixed(2)}–${(sorted[sorted.length - 1] as number).toFixed(2)}×`)
}

const ms = (values: readonly number[]) => `${median(values).toFixed(median(values) < 1 ? 3 : 1)} ms`

/** Runs the start-up benchmark. */
export async function startupBench(): Promise<void> {
  const load = loadavg().map((l) => l.toFixed(2)).join(' ')
  console.log(`\nStart-up (${ROUNDS} rounds, each figure a fresh process; load average before: ${load})`)
  const t: Record<string, number[]> = { bare: [], runtime: [], validate: [], typebox: [], extwire: [], empty: [], emptyOther: [], ready: [], readyOther: [], first: [], steady: [], withValidation: [], withoutValidation: [], steadyWithout: [], workerFirst: [], workerSteady: [], hostFirst: [], hostSteady: [], warmFirst: [], warmSteady: [], invalidFirst: [], invalidSteady: [] }
  const ratios: Record<string, number[]> = { runtime: [], validate: [], extwire: [], ready: [], readyOther: [], readyAgainstOther: [], first: [], warmFirst: [], invalidFirst: [], validation: [], noValidationFirst: [], againstNone: [] }
  for (let round = 0; round <= ROUNDS; round++) {
    const bare = wall(['-e', ''])
    const runtime = wall(importOf('extwire/runtime'))
    const validate = wall(importOf('extwire/validate'))
    const typebox = wall(importOf('typebox'))
    const extwire = wall(importOf('extwire'))
    // Alternate which starts first, so that neither side always follows the other's process.
    const emptyFirst = round % 2 === 0 ? readyProbe(EMPTY.same) : undefined
    const ready = readyProbe(WORKER_BUNDLE)
    const emptySame = emptyFirst ?? readyProbe(EMPTY.same)
    const emptyOther = readyProbe(EMPTY.other)
    // The same worker asked for another version: it loads the checks a 0.22.1 worker leaves out first.
    const readyOther = readyProbe(WORKER_BUNDLE, { ...process.env, EXTWIRE_PROTOCOL: '0.36.0' })
    const { first, steady } = firstCallProbe('bundle')
    const withValidation = firstCallProbe('validation').first
    const { first: withoutValidation, steady: steadyWithout } = firstCallProbe('none')
    const split = firstCallProbe('split')
    const warmHost = firstCallProbe('warm-host')
    // An invalid call: the Node worker loads its full checks then (not before `ready`), so its first costs that load.
    const invalid = firstCallProbe('invalid')
    if (round === 0) continue // warm-up: file cache
    Object.entries({ bare, runtime, validate, typebox, extwire, empty: emptySame, emptyOther, ready, readyOther, first, steady, withValidation, withoutValidation, steadyWithout }).forEach(([k, v]) => t[k]?.push(v))
    t['warmFirst']?.push(warmHost.first)
    t['invalidFirst']?.push(invalid.first)
    t['invalidSteady']?.push(invalid.steady)
    ratios['invalidFirst']?.push(invalid.first / invalid.steady)
    t['warmSteady']?.push(warmHost.steady)
    ratios['warmFirst']?.push(warmHost.first / warmHost.steady)
    t['workerFirst']?.push(split.workerFirst)
    t['workerSteady']?.push(split.workerSteady)
    t['hostFirst']?.push(split.first - split.workerFirst)
    t['hostSteady']?.push(split.steady - split.workerSteady)
    ratios['noValidationFirst']?.push(withoutValidation / steadyWithout)
    ratios['againstNone']?.push(first / withoutValidation)
    ratios['runtime']?.push(runtime / bare)
    ratios['validate']?.push(validate / bare)
    ratios['extwire']?.push(extwire / typebox)
    ratios['ready']?.push(ready / emptySame)
    ratios['readyAgainstOther']?.push(ready / emptyOther)
    ratios['readyOther']?.push(readyOther / emptySame)
    ratios['first']?.push(first / steady)
    ratios['validation']?.push(withValidation / withoutValidation)
  }
  const figures: Array<[string, readonly number[]]> = [
    ['node -e "" (bare start)', t['bare'] ?? []],
    ['import extwire/runtime', t['runtime'] ?? []],
    ['import extwire/validate', t['validate'] ?? []],
    ['import typebox', t['typebox'] ?? []],
    ['import extwire', t['extwire'] ?? []],
    [`empty worker, ${EMPTY.sameFormat} (baseline): new Worker -> ready`, t['empty'] ?? []],
    [`empty worker, ${EMPTY.otherFormat} (for scale): new Worker -> ready`, t['emptyOther'] ?? []],
    [`reference runtime worker (${EMPTY.sameFormat}): new Worker -> ready`, t['ready'] ?? []],
    ['the same worker speaking 0.36.0: new Worker -> ready', t['readyOther'] ?? []],
    ['first tool call in a fresh worker', t['first'] ?? []],
    ['steady-state tool call (same worker)', t['steady'] ?? []],
    ['first tool call in a fresh worker, host process warm', t['warmFirst'] ?? []],
    ['steady-state tool call (that worker)', t['warmSteady'] ?? []],
    ['first invalid tool call in a fresh worker (loads the full checks)', t['invalidFirst'] ?? []],
    ['steady-state invalid tool call (that worker)', t['invalidSteady'] ?? []],
    ['first tool call, runtime validating (package import)', t['withValidation'] ?? []],
    ['first tool call, runtime not validating (package import)', t['withoutValidation'] ?? []],
    ['steady-state call, runtime not validating (package import)', t['steadyWithout'] ?? []],
    ['first call, worker side (request in -> response out)', t['workerFirst'] ?? []],
    ['first call, host side and thread hops (the rest)', t['hostFirst'] ?? []],
    ['steady call, worker side', t['workerSteady'] ?? []],
    ['steady call, host side and thread hops', t['hostSteady'] ?? []],
  ]
  for (const [name, values] of figures) console.log(`  ${name.padEnd(58)} ${ms(values).padStart(10)} (median)`)
  report('import extwire/runtime / node -e ""', ratios['runtime'] ?? [], 1.5)
  report('import extwire/validate / node -e ""', ratios['validate'] ?? [], 1.5)
  report('import extwire / import typebox', ratios['extwire'] ?? [], 1.2)
  report(`start-to-ready: reference runtime / ${EMPTY.sameFormat} empty worker`, ratios['ready'] ?? [], 1.3)
  scale(`for scale: the same / ${EMPTY.otherFormat} empty worker`, ratios['readyAgainstOther'] ?? [])
  scale(`for scale: speaking 0.36.0 / ${EMPTY.sameFormat} empty worker`, ratios['readyOther'] ?? [])
  report('first tool call / steady-state call', ratios['first'] ?? [], 1.5)
  // The same, in a host process that has already run a worker through the probe: what a running host
  // sees when it starts one more extension (the host's own code is warm, the worker is fresh).
  report('first call / steady, fresh worker under a warm host', ratios['warmFirst'] ?? [], 1.5)
  // Where the full checks' load went: out of start-to-ready, onto the first invalid message (no target).
  scale('for scale: first / steady invalid call (full checks load)', ratios['invalidFirst'] ?? [])
  // The literal target above stays printed. For scale, the same ratio of a runtime that does not
  // validate at all (what cold JavaScript costs any worker), and our first call against its first.
  scale('for scale: first / steady call, runtime not validating', ratios['noValidationFirst'] ?? [])
  report('first tool call: reference bundle / non-validating first', ratios['againstNone'] ?? [], 1.5)
  report('first tool call: validating / not validating runtime', ratios['validation'] ?? [], 1.5)
  console.log(`  load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`)
}
