/**
 * A transport to a module started as a Node `worker_threads` worker. The worker's crash, exit or
 * termination closes the transport with the exit code, so nothing waiting on it hangs.
 * TypeScript modules (`.ts`, `.mts`) are loaded through tsx when it is installed.
 */
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { BaseTransport } from './emitter.js'
import type { Transport } from './types.js'

/** Options of {@link createWorkerThreadTransport}. */
export interface WorkerThreadOptions {
  /** Extra `workerData` for the module. */
  readonly workerData?: unknown
  /** Resource limits of the worker. */
  readonly resourceLimits?: import('node:worker_threads').ResourceLimits
  /** Environment of the worker (default: a copy of this process's). */
  readonly env?: Record<string, string>
  /** Node flags of the worker (default: this process's, as Node does; `[]` starts it without loaders). */
  readonly execArgv?: readonly string[]
  /**
   * Hold everything the worker does (messages, errors, its exit) until the first message listener
   * is added, then deliver it in order: a worker started ahead of its user (a pre-started worker)
   * then looks to that user exactly as one started for it, even if it already ended.
   */
  readonly hold?: boolean
}

/** Longest wait for a terminated thread to exit (ms). */
const TERMINATE_WAIT_MS = 5000

function boundedWait(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    timer.unref()
    const done = () => {
      clearTimeout(timer)
      resolve()
    }
    promise.then(done, done)
  })
}

class WorkerThreadTransport extends BaseTransport {
  private readonly worker: Worker
  private exited: Promise<void>
  /** Events held until the first listener (option `hold`); `undefined` once they flow. */
  private held: Array<() => void> | undefined
  private releasing = false

  constructor(file: string, options: WorkerThreadOptions) {
    super()
    const href = file.startsWith('file:') ? file : pathToFileURL(file).href
    const path = fileURLToPath(href)
    const isTs = /\.(c|m)?ts$/.test(path)
    const workerData = options.workerData
    const common = {
      workerData,
      resourceLimits: options.resourceLimits,
      env: options.env,
      stderr: false,
      stdout: false,
      ...(options.execArgv ? { execArgv: [...options.execArgv] } : {}),
    }
    if (isTs) {
      // The entry reaches the worker as data, never pasted into code (upstream B34).
      // require.resolve finds tsx's CommonJS build; its ES module build sits beside it.
      const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href
      const code = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then((m) => { m.register(); return import(workerData.entry) })`
      this.worker = new Worker(code, { ...common, eval: true, workerData: { tsx, entry: href, data: workerData } })
    } else {
      this.worker = new Worker(new URL(href), common)
    }
    this.held = options.hold ? [] : undefined
    const now = (event: () => void) => (this.held ? this.held.push(event) : event())
    this.worker.on('message', (message: unknown) => now(() => this.emitMessage(message)))
    this.worker.on('messageerror', (error: Error) => now(() => this.emitError(error)))
    this.worker.on('error', (error: Error) =>
      now(() => {
        this.emitError(error)
        this.markClosed({ reason: 'error', detail: error.message })
      }),
    )
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code: number) => {
        now(() => this.markClosed({ reason: 'exit', exitCode: code, detail: `worker exited with code ${code}` }))
        resolve()
      })
    })
  }

  /** The first listener releases what was held, in a microtask: its error and close listeners are added by then, in the same turn. */
  override onMessage(listener: (message: unknown) => void): ReturnType<BaseTransport['onMessage']> {
    const subscription = super.onMessage(listener)
    const held = this.held
    if (held !== undefined && !this.releasing) {
      this.releasing = true
      queueMicrotask(() => {
        this.held = undefined
        for (const event of held) event()
      })
    }
    return subscription
  }

  protected deliver(message: unknown): void {
    this.worker.postMessage(message)
  }

  protected async shutdown(): Promise<void> {
    // terminate() stops even a thread stuck in a loop; the wait is bounded all the same.
    await boundedWait(this.worker.terminate().then(() => this.exited), TERMINATE_WAIT_MS)
  }

  /** Closes, and waits (bounded) until the thread has ended, also when it had already gone. */
  override async close(): Promise<void> {
    await super.close()
    await boundedWait(this.exited, TERMINATE_WAIT_MS)
  }
}

/** Starts `file` (a path or file URL of an ES module) as a worker thread and returns the host end. */
export function createWorkerThreadTransport(file: string, options: WorkerThreadOptions = {}): Transport {
  return new WorkerThreadTransport(file, options)
}
