/**
 * A worker of the default version loads only the checks it runs: the module graph the built worker
 * entries load at once leaves out the checks that only other versions, modes and scopes need, which
 * they load only when asked to speak another version. The Node entries are CommonJS (a lazy load is
 * a `require` in a promise), the browser entry an ES module (a dynamic `import()`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { describe, expect, it } from 'vitest'
import { PACKAGE_ROOT } from '../conformance/paths.js'

const DIST = join(PACKAGE_ROOT, 'dist')

/** A `require` the CommonJS build defers to a promise: how it compiles a dynamic `import()`. */
const LAZY_REQUIRE = /Promise\.resolve\(\)\.then\(\s*\(\)\s*=>\s*_interopRequireWildcard\(require\(\s*["']\.\/([^"']+)["']\s*\)\)\)/g

/** The dist/ files `file` loads at once (a static import, or any `require` not deferred to a promise) and those it loads on demand. */
function edges(file: string): { eager: string[]; lazy: string[] } {
  const text = readFileSync(join(DIST, file), 'utf8')
  if (file.endsWith('.cjs')) {
    const lazy = [...text.matchAll(LAZY_REQUIRE)].map((m) => m[1] as string)
    const eager = [...text.replace(LAZY_REQUIRE, '').matchAll(/\brequire\(\s*["']\.\/([^"']+)["']\s*\)/g)].map((m) => m[1] as string)
    return { eager, lazy }
  }
  const eager = [...text.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w${}*,\s]+?from\s*)?["']\.\/([^"']+)["']/g)].map((m) => m[1] as string)
  const lazy = [...text.matchAll(/\bimport\(\s*["']\.\/([^"']+)["']\s*\)/g)].map((m) => m[1] as string)
  return { eager, lazy }
}

/** The files `entry` loads at once, transitively (itself included). */
function staticGraph(entry: string): Set<string> {
  const seen = new Set<string>()
  const pending = [entry]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue
    seen.add(file)
    pending.push(...edges(file).eager)
  }
  return seen
}

const size = (files: Iterable<string>) => [...files].reduce((n, f) => n + statSync(join(DIST, f)).size, 0)

describe('the built worker entries', () => {
  for (const entry of ['conformance-worker.cjs', 'conformance-stdio.cjs', 'conformance-browser-worker.js']) {
    it(`${entry} loads at once no check that only other versions, modes or scopes need`, () => {
      const own = staticGraph(entry)
      const lazy = [...own].flatMap((f) => edges(f).lazy)
      // The one way to the other checks: the module that gives any version's runtime validators.
      expect(lazy.filter((f) => f.startsWith('profile-validators'))).toHaveLength(1)
      const rest = new Set([...lazy].flatMap((f) => [...staticGraph(f)]).filter((f) => !own.has(f)))
      // What it loads on demand: the checks of the rest, most of the generated code.
      expect(size(rest)).toBeGreaterThan(200_000)
      expect(size(rest)).toBeGreaterThan(size(own))
    })
  }

  for (const [ext, worker] of [['js', 'conformance-browser-worker.js'], ['cjs', 'conformance-worker.cjs']] as const) {
    it(`the library entries (.${ext}) hold every check at once (the synchronous API serves every version)`, () => {
      const lazyChunk = readdirSync(DIST).find((f) => f.startsWith('profile-validators') && f.endsWith(`.${ext}`)) as string
      const rest = [...staticGraph(lazyChunk)].filter((f) => !staticGraph(worker).has(f))
      // The largest of them: the checks only other versions, modes and scopes need.
      const checks = rest.sort((a, b) => size([b]) - size([a]))[0] as string
      expect(size([checks])).toBeGreaterThan(200_000)
      for (const entry of ['validate', 'index', 'host', 'runtime']) expect(staticGraph(`${entry}.${ext}`).has(checks), entry).toBe(true)
    })
  }
})

describe('edges', () => {
  it('tells a CommonJS require deferred to a promise from one that loads at once', () => {
    const file = readdirSync(DIST).find((f) => f.endsWith('.cjs') && readFileSync(join(DIST, f), 'utf8').includes('require("./profile-validators')) as string
    const { eager, lazy } = edges(file)
    expect(lazy.some((f) => f.startsWith('profile-validators'))).toBe(true)
    expect(eager.some((f) => f.startsWith('profile-validators'))).toBe(false)
  })
})

/**
 * The dist/ files a thread running `entry` has loaded when its runtime says `ready`: the thread
 * requires the entry itself, and reports its module cache as the runtime's `ready` leaves.
 */
function loadedAtReady(entry: string, env: NodeJS.ProcessEnv): Promise<string[]> {
  const code = `const { parentPort } = require('node:worker_threads')
const post = parentPort.postMessage.bind(parentPort)
parentPort.postMessage = (m) => {
  post(m)
  if (m && m.type === 'ready') post({ loaded: Object.keys(require.cache) })
}
require(${JSON.stringify(join(DIST, entry))})`
  const worker = new Worker(code, { eval: true, env })
  return new Promise<string[]>((resolve, reject) => {
    worker.on('error', reject)
    worker.on('exit', (code) => reject(new Error(`the worker exited (${code}) before it said ready`)))
    worker.on('message', (m: { loaded?: string[] }) => {
      if (m.loaded !== undefined) resolve(m.loaded.map((f) => basename(f)))
    })
  }).finally(() => worker.terminate())
}

describe('the built CommonJS worker at run time', () => {
  it('a 0.22.1 worker says ready without loading the other versions\' checks; another version loads them first', async () => {
    const [own, other] = await Promise.all([loadedAtReady('conformance-worker.cjs', { ...process.env, EXTWIRE_PROTOCOL: '' }), loadedAtReady('conformance-worker.cjs', { ...process.env, EXTWIRE_PROTOCOL: '0.23.0' })])
    expect(own).toContain('conformance-worker.cjs')
    expect(own.filter((f) => f.startsWith('profile-validators'))).toEqual([])
    expect(other.filter((f) => f.startsWith('profile-validators'))).toHaveLength(1)
    // What the other version loaded on demand is the checks' bulk.
    const extra = other.filter((f) => !own.includes(f))
    expect(size(extra)).toBeGreaterThan(200_000)
  })
})

describe('the built CommonJS worker\'s full checks', () => {
  /** Starts the built worker in a thread that answers `loaded?` with its module cache (file names). */
  function probeWorker(): { worker: Worker; next: (test: (m: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>; loaded: () => Promise<string[]> } {
    const code = `const { parentPort } = require('node:worker_threads')
const post = parentPort.postMessage.bind(parentPort)
const on = parentPort.on.bind(parentPort)
parentPort.on = (event, listener) => on(event, event !== 'message' ? listener : (m) => {
  if (m && m.type === 'loaded?') return post({ loaded: Object.keys(require.cache) })
  // What an extension's own code might do once the runtime runs.
  if (m && m.type === 'pollute') { Object.prototype.polluted = 1; return post({ polluted: true }) }
  listener(m)
})
require(${JSON.stringify(join(DIST, 'conformance-worker.cjs'))})`
    const worker = new Worker(code, { eval: true, env: { ...process.env, EXTWIRE_PROTOCOL: '' } })
    const waiters: Array<{ test: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }> = []
    worker.on('message', (m: Record<string, unknown>) => {
      const i = waiters.findIndex((w) => w.test(m))
      if (i >= 0) waiters.splice(i, 1)[0]?.resolve(m)
    })
    const next = (test: (m: Record<string, unknown>) => boolean) => new Promise<Record<string, unknown>>((resolve) => waiters.push({ test, resolve }))
    const loaded = async () => {
      const answer = next((m) => Array.isArray(m['loaded']))
      worker.postMessage({ type: 'loaded?' })
      return ((await answer)['loaded'] as string[]).map((f) => basename(f))
    }
    return { worker, next, loaded }
  }

  it('are left out until a message fails its fast check, then load and report every error', async () => {
    // The full checks: what dist/full-checks.cjs loads beyond the worker's own graph.
    const full = [...staticGraph('full-checks.cjs')].filter((f) => !staticGraph('conformance-worker.cjs').has(f))
    expect(full).toContain('full-checks.cjs')
    expect(size(full)).toBeGreaterThan(50_000)
    const { worker, next, loaded } = probeWorker()
    try {
      await next((m) => m['type'] === 'ready')
      expect((await loaded()).filter((f) => full.includes(f))).toEqual([])
      // A valid message is judged by the fast checks alone.
      const log = next((m) => m['type'] === 'log')
      worker.postMessage({ type: 'tool-execute-request', id: 't-0', payload: { toolId: 'echo', params: {} } })
      await next((m) => m['type'] === 'tool-execute-response')
      expect((await loaded()).filter((f) => full.includes(f))).toEqual([])
      worker.postMessage({ type: 'tool-execute-request', id: 't-1', payload: { toolId: 5 } })
      const reported = JSON.stringify(await log)
      expect(reported).toContain('/payload/params: expected object, received absent [EXT-WIRE-003]')
      expect(reported).toContain('/payload/toolId: expected string, received number 5 [EXT-WIRE-004]')
      expect((await loaded()).filter((f) => full.includes(f)).sort()).toEqual([...full].sort())
    } finally {
      await worker.terminate()
    }
  })

  it('load under a polluted Object.prototype too, and judge as without it', async () => {
    // Module helpers iterate export lists with for...in: a polluted key broke the load (EXT-WIRE-007 for every invalid message).
    const { worker, next } = probeWorker()
    try {
      await next((m) => m['type'] === 'ready')
      const polluted = next((m) => m['polluted'] === true)
      worker.postMessage({ type: 'pollute' })
      await polluted
      // While the prototype is polluted the full checks judge every message, valid ones included.
      const answered = next((m) => m['type'] === 'tool-execute-response')
      worker.postMessage({ type: 'tool-execute-request', id: 't-0', payload: { toolId: 'echo', params: {} } })
      expect(JSON.stringify(await answered)).not.toContain('EXT-WIRE')
      const log = next((m) => m['type'] === 'log')
      worker.postMessage({ type: 'tool-execute-request', id: 't-1', payload: { toolId: 5 } })
      const reported = JSON.stringify(await log)
      expect(reported).toContain('/payload/params: expected object, received absent [EXT-WIRE-003]')
      expect(reported).toContain('/payload/toolId: expected string, received number 5 [EXT-WIRE-004]')
      expect(reported).not.toContain('EXT-WIRE-007')
    } finally {
      await worker.terminate()
    }
  })
})
