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
  return {
    name: `worker ${file}`,
    features: new Set(features),
    async connect(context?: ConnectContext) {
      // A missing module would otherwise fail later, as a worker error that reads like a crash.
      if (!file.startsWith('data:') && !existsSync(file.startsWith('file:') ? fileURLToPath(file) : file)) throw new Error(`module not found: ${file}`)
      return createWorkerThreadTransport(file, { env: withProtocol(workerEnv(options.passEnv, process.env, wantsShortRequestTimeout(context)), options), ...(execArgv ? { execArgv } : {}) })
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
