/**
 * Conformance targets: how the runner reaches a fresh worker for each fixture. The suite knows an
 * implementation only as a Target: `--worker` starts a worker thread, `--cmd` starts a process that
 * speaks JSON lines on stdio, and the reference runtime (`./reference/`) is one more target.
 */
import { fileURLToPath } from 'node:url'
import { existsSync } from 'node:fs'
import { createStdioTransport, ProcessReaper } from '../src/transport/stdio.js'
import { createWorkerThreadTransport } from '../src/transport/worker-thread.js'
import type { Transport } from '../src/transport/types.js'

/** The request timeout a target with `short-request-timeout` uses. */
export const SHORT_REQUEST_TIMEOUT_MS = 500

/** What the runner tests. */
export interface Target {
  /** Name for reports. */
  readonly name: string
  /** Features the target declares (see FEATURES in ./fixture/schema.ts). */
  readonly features: ReadonlySet<string>
  /** The implementation runs in this process (its unhandled rejections are its own, not the runner's). */
  readonly inProcess?: boolean
  /** A fresh worker, connected; its `close()` ends it. `context` says what the fixture about to run needs. */
  connect(context?: ConnectContext): Promise<Transport>
  /**
   * Optional: a pool of workers started ahead of the fixtures of one run ({@link WorkerPool}), so a
   * worker's start overlaps other fixtures' waits. The runner closes it when the run ends.
   */
  pool?(options: PoolOptions): WorkerPool
}

/** Options of {@link Target.pool}. */
export interface PoolOptions {
  /** Most workers started ahead and not yet taken. */
  readonly capacity: number
  /** A worker waiting longer than this is not handed out (its ready wait would have begun long ago): it is ended and a fresh one started. */
  readonly maxAgeMs: number
}

/** A worker from a pool: fresh (never given to anyone before) and connected. */
export interface Lease {
  readonly transport: Transport
  /** How long ago it was started (ms): the ready wait counts from then, as for a worker started on demand. */
  readonly ageMs: number
}

/**
 * Workers started ahead of need for one run. Each is handed out once, to one fixture, and looks to
 * it exactly as a worker started for it (nothing it did is lost or reordered); every worker not
 * handed out is ended by {@link WorkerPool.close}.
 */
export interface WorkerPool {
  /** A pre-started worker for `context` when one is waiting, else one started now. */
  take(context: ConnectContext): Promise<Lease>
  /** Starts a worker for a fixture coming up; false (nothing started) at capacity or after close. */
  prepare(context: ConnectContext): boolean
  /** Workers started ahead and not taken. */
  readonly idle: number
  /** Ends every worker not taken, and waits until they have ended. */
  close(): Promise<void>
}

interface Prestarted {
  readonly key: string
  readonly transport: Transport
  readonly startedAt: number
}

/**
 * A {@link WorkerPool} over `start`, which starts a worker for a context (its output held until the
 * first listener) and names the context's variant (`key`): only a worker of the same variant (the
 * same environment) is handed to a fixture.
 */
export function prestartPool(options: PoolOptions, start: (context: ConnectContext) => { key: string; transport: Transport }, keyOf: (context: ConnectContext) => string): WorkerPool {
  const waiting: Prestarted[] = []
  const ending = new Set<Promise<void>>()
  let closed = false
  const end = (t: Transport) => {
    const p = t.close().catch(() => undefined)
    ending.add(p)
    void p.then(() => ending.delete(p))
  }
  return {
    get idle() {
      return waiting.length
    },
    prepare(context) {
      if (closed || waiting.length >= options.capacity) return false
      const { key, transport } = start(context)
      waiting.push({ key, transport, startedAt: performance.now() })
      return true
    },
    async take(context) {
      const key = keyOf(context)
      for (;;) {
        const i = waiting.findIndex((w) => w.key === key)
        if (i < 0 || closed) break
        const [w] = waiting.splice(i, 1) as [Prestarted]
        const ageMs = performance.now() - w.startedAt
        if (ageMs <= options.maxAgeMs) return { transport: w.transport, ageMs }
        end(w.transport)
      }
      return { transport: start(context).transport, ageMs: 0 }
    },
    async close() {
      closed = true
      for (const w of waiting.splice(0)) end(w.transport)
      await Promise.all([...ending])
    },
  }
}

/** What the fixture a connection is for needs. */
export interface ConnectContext {
  /** The fixture's features. */
  readonly features?: readonly string[]
}

/**
 * Whether a connection gets the short request timeout: only when its fixture needs it (or when
 * nobody said, as the fuzzer's connections), so that no other fixture depends on answering a
 * worker's request within 500 ms, which a busy machine cannot promise.
 */
export function wantsShortRequestTimeout(context?: ConnectContext): boolean {
  return context?.features === undefined || context.features.includes('short-request-timeout')
}

/** Options of {@link workerTarget} and {@link commandTarget}. */
export interface ProcessTargetOptions {
  /** More variables of this process's environment to pass to the worker (names), beyond {@link workerEnv}'s defaults. */
  readonly passEnv?: readonly string[]
  /** Longest line (message) accepted from a `--cmd` worker, in bytes (default 4 MiB); also passed as EXTWIRE_MAX_MESSAGE_BYTES. */
  readonly maxMessageBytes?: number
  /** Time a process gets to exit after its stdin closes, and between SIGTERM and SIGKILL (ms). */
  readonly exitGraceMs?: number
  /** The protocol version the worker is to speak, passed as EXTWIRE_PROTOCOL (docs/quickstart.md, "Protocol versions"). */
  readonly protocol?: string
}

/** The worker's environment with the run's protocol version, when the run names one. */
function withProtocol(env: Record<string, string>, options: ProcessTargetOptions): Record<string, string> {
  if (options.protocol !== undefined) env['EXTWIRE_PROTOCOL'] = options.protocol
  return env
}

/** Locale variables a worker gets by default (and every LC_*). */
const LOCALE = new Set(['LANG', 'LANGUAGE', 'TZ'])

/**
 * The environment of a worker under test: `PATH`, `HOME`, the locale (`LANG`, `LANGUAGE`, `TZ`,
 * `LC_*`), every `EXTWIRE_*`, and the names in `passEnv`; nothing else, so that the runner's
 * secrets (CI tokens) never reach code under test.
 */
export function workerEnv(passEnv: readonly string[] = [], from: NodeJS.ProcessEnv = process.env, shortRequestTimeout = true): Record<string, string> {
  const pass = new Set(passEnv)
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(from)) {
    if (v === undefined) continue
    if (k === 'PATH' || k === 'HOME' || LOCALE.has(k) || k.startsWith('LC_') || k.startsWith('EXTWIRE_') || pass.has(k)) out[k] = v
  }
  if (shortRequestTimeout) out['EXTWIRE_REQUEST_TIMEOUT_MS'] = String(SHORT_REQUEST_TIMEOUT_MS)
  else delete out['EXTWIRE_REQUEST_TIMEOUT_MS']
  return out
}

/** A module started as a worker thread per fixture (`execArgv` as in WorkerThreadOptions); the thread is terminated after each fixture. */
export function workerTarget(file: string, features: readonly string[] = [], execArgv?: readonly string[], options: ProcessTargetOptions = {}): Target {
  if (file.trim() === '') throw new TypeError('workerTarget: the worker module path is empty')
  const missing = () => !file.startsWith('data:') && !existsSync(file.startsWith('file:') ? fileURLToPath(file) : file)
  const start = (context: ConnectContext | undefined, hold: boolean) =>
    createWorkerThreadTransport(file, { env: withProtocol(workerEnv(options.passEnv, process.env, wantsShortRequestTimeout(context)), options), ...(execArgv ? { execArgv } : {}), hold })
  const keyOf = (context: ConnectContext) => (wantsShortRequestTimeout(context) ? 'short-request-timeout' : 'default')
  return {
    name: `worker ${file}`,
    features: new Set(features),
    async connect(context?: ConnectContext) {
      // A missing module would otherwise fail later, as a worker error that reads like a crash.
      if (missing()) throw new Error(`module not found: ${file}`)
      return start(context, false)
    },
    pool(poolOptions: PoolOptions): WorkerPool {
      const pool = prestartPool(poolOptions, (context) => ({ key: keyOf(context), transport: start(context, true) }), keyOf)
      return {
        get idle() {
          return pool.idle
        },
        // A missing module starts nothing ahead: take() says why, as connect() does.
        prepare: (context) => !missing() && pool.prepare(context),
        take: async (context) => {
          if (missing()) throw new Error(`module not found: ${file}`)
          return pool.take(context)
        },
        close: () => pool.close(),
      }
    },
  }
}

/** A command started per fixture in its own process group, speaking JSON lines on stdio; the group is ended after each fixture. */
export function commandTarget(command: string, features: readonly string[] = [], cwd?: string, options: ProcessTargetOptions = {}): Target {
  if (command.trim() === '') throw new TypeError('commandTarget: the command is empty')
  const reaper = new ProcessReaper()
  return {
    name: `command ${command}`,
    features: new Set(features),
    async connect(context?: ConnectContext) {
      const env = withProtocol(workerEnv(options.passEnv, process.env, wantsShortRequestTimeout(context)), options)
      if (options.maxMessageBytes !== undefined) env['EXTWIRE_MAX_MESSAGE_BYTES'] = String(options.maxMessageBytes)
      const transport = createStdioTransport(command, {
        env,
        reaper,
        ...(cwd ? { cwd } : {}),
        ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
        ...(options.exitGraceMs !== undefined ? { exitGraceMs: options.exitGraceMs, killGraceMs: options.exitGraceMs } : {}),
      })
      // The ready wait starts once the process exists, so a slow spawn does not eat into it.
      await transport.spawned
      return transport
    },
  }
}
