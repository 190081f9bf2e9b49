/**
 * A transport to a child process over stdio, one JSON message per line, so that a worker written
 * in any language can be tested. A line that is not JSON is an error event (never dropped
 * silently); the process exiting closes the transport with its exit code and stderr tail.
 *
 * Everything is bounded, because the peer may be unfinished or hostile: a line longer than the
 * maximum message size is a wire failure (never an unbounded buffer); bytes waiting for a peer that
 * does not read are capped; and the child runs in its own process group, which is ended as a whole
 * (stdin closed, then SIGTERM, then SIGKILL) with a deadline on every wait.
 */
import { spawn } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'
import { BaseTransport } from './emitter.js'
import { BoundedLineSplitter, DEFAULT_MAX_MESSAGE_BYTES } from './lines.js'
import type { Disposable, Transport } from './types.js'

export { DEFAULT_MAX_MESSAGE_BYTES } from './lines.js'

/** Default cap on bytes written but not yet read by the peer: 16 MiB. */
export const DEFAULT_MAX_PENDING_BYTES = 16 * 1024 * 1024

/** Limits of a line transport. */
export interface LineLimits {
  /** Longest line (one message) accepted from the peer, in bytes (default 4 MiB). */
  readonly maxMessageBytes?: number
  /** Most bytes queued for a peer that does not read (default 16 MiB); beyond it the transport fails. */
  readonly maxPendingBytes?: number
}

/** Options of {@link createStdioTransport}. */
export interface StdioOptions extends LineLimits {
  /** Working directory of the command. */
  readonly cwd?: string
  /** Environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv
  /** Time the process gets to exit on its own after its stdin is closed (ms, default 1000). */
  readonly exitGraceMs?: number
  /** Time between SIGTERM and SIGKILL to its process group (ms, default 1000). */
  readonly killGraceMs?: number
  /** Kills the process group if this process exits first (default: one per transport). */
  readonly reaper?: ProcessReaper
}

/** A child process's transport. */
export interface ChildTransport extends Transport {
  /** Process id of the command (the leader of its process group), when it started. */
  readonly pid: number | undefined
  /** Resolves once the process is spawned; rejects when it cannot be (missing cwd, no shell). */
  readonly spawned: Promise<void>
}

const STDERR_TAIL = 2000
/** After the process exits, how long its pipes get to deliver what is left before they are cut (ms). */
const DRAIN_AFTER_EXIT_MS = 500
/** Wait for the exit after SIGKILL, which the kernel delivers unconditionally (ms). */
const AFTER_KILL_MS = 2000

/** Serialises a message as one line; undefined-valued keys disappear, as with any JSON peer. */
export function encodeLine(message: unknown): string {
  return `${JSON.stringify(message)}\n`
}

/** Resolves when `promise` settles or after `ms`, whichever is first; never keeps the process alive. */
function within(promise: Promise<unknown>, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    timer.unref()
    void promise.then(
      () => {
        clearTimeout(timer)
        resolve()
      },
      () => {
        clearTimeout(timer)
        resolve()
      },
    )
  })
}

/** Errors of a pipe whose other end is gone: the exit or close that follows reports it. */
function isBrokenPipe(error: Error): boolean {
  const code = (error as { code?: unknown }).code
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET'
}

/** A line-delimited JSON transport over a readable and a writable stream (either side). */
export class LineTransport extends BaseTransport {
  private lineNumber = 0
  private readonly splitter: BoundedLineSplitter
  private readonly maxPendingBytes: number
  private readonly queue: string[] = []
  private queuedBytes = 0
  private waitingForDrain = false
  private stopping: Promise<void> | undefined

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly stop: () => Promise<void>,
    /** Close when the input ends (the worker side); a child's transport waits for the process instead. */
    closeOnInputEnd: boolean,
    limits: LineLimits = {},
  ) {
    super()
    this.splitter = new BoundedLineSplitter(limits.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES)
    this.maxPendingBytes = limits.maxPendingBytes ?? DEFAULT_MAX_PENDING_BYTES
    input.on('data', (chunk: Buffer | string) => {
      if (this.closed) return
      const { lines, overflow } = this.splitter.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
      for (const line of lines) this.line(line)
      if (overflow !== undefined) {
        this.fail(`line ${this.lineNumber + 1} is longer than the maximum message size of ${this.splitter.maxLineBytes} bytes (${overflow} bytes without a newline so far); the connection was closed`)
      }
    })
    input.on('end', () => {
      const last = this.splitter.end()
      if (last !== undefined && !this.closed) this.line(last)
      if (closeOnInputEnd) this.markClosed({ reason: 'peer', detail: 'input ended' })
    })
    input.on('error', (error: Error) => {
      if (!this.closed && !isBrokenPipe(error)) this.emitError(error)
    })
    output.on('error', (error: Error) => {
      if (!this.closed && !isBrokenPipe(error)) this.emitError(error)
    })
  }

  private line(line: string): void {
    this.lineNumber++
    if (line.trim() === '') return
    let message: unknown
    try {
      message = JSON.parse(line)
    } catch (error) {
      this.emitError(new Error(`line ${this.lineNumber} is not JSON (${(error as Error).message}): ${line.slice(0, 200)}`))
      return
    }
    this.emitMessage(message)
  }

  /** A fatal wire failure: reported, closed, and the peer stopped. */
  protected fail(detail: string): void {
    if (this.closed) return
    this.emitError(new Error(detail))
    this.markClosed({ reason: 'error', detail })
    void this.halt()
  }

  protected deliver(message: unknown): void {
    const line = encodeLine(message)
    if (this.waitingForDrain) {
      this.queue.push(line)
      this.queuedBytes += Buffer.byteLength(line)
      if (this.queuedBytes > this.maxPendingBytes) {
        this.fail(`the peer does not read its input: ${this.queuedBytes} bytes wait to be written, over the limit of ${this.maxPendingBytes}; the connection was closed`)
      }
      return
    }
    this.write(line)
  }

  private write(line: string): void {
    if (this.output.write(line)) return
    // Backpressure: hold further messages until the peer has read what is buffered.
    this.waitingForDrain = true
    this.output.once('drain', () => this.drain())
  }

  private drain(): void {
    this.waitingForDrain = false
    while (this.queue.length > 0 && !this.waitingForDrain && !this.closed) {
      const line = this.queue.shift() as string
      this.queuedBytes -= Buffer.byteLength(line)
      this.write(line)
    }
  }

  /** Stops the peer once; every caller waits for the same stop. */
  private halt(): Promise<void> {
    this.stopping ??= this.stop()
    return this.stopping
  }

  protected async shutdown(): Promise<void> {
    await this.halt()
  }

  /** Closes, and waits until the peer is stopped (also when it had already gone). */
  override async close(): Promise<void> {
    await super.close()
    await this.halt()
  }
}

/** Kills registered process groups if this process exits while they run (one `exit` listener per reaper). */
export class ProcessReaper {
  private readonly kills = new Set<() => void>()
  private readonly onExit = (): void => {
    for (const kill of this.kills) kill()
  }

  /** Registers a kill function until the returned handle is disposed. */
  add(kill: () => void): Disposable {
    if (this.kills.size === 0) process.on('exit', this.onExit)
    this.kills.add(kill)
    return {
      dispose: () => {
        if (this.kills.delete(kill) && this.kills.size === 0) process.off('exit', this.onExit)
      },
    }
  }
}

class ChildLineTransport extends LineTransport implements ChildTransport {
  pid: number | undefined
  spawned: Promise<void> = Promise.resolve()
}

/**
 * Runs `command` through the shell in its own process group and returns the host end of its stdio.
 * Closing it closes the command's stdin, waits `exitGraceMs`, sends SIGTERM to the whole group,
 * waits `killGraceMs`, then SIGKILL; whatever is left of the group after the command exits is
 * killed too, so a child holding its stdout cannot outlive it.
 */
export function createStdioTransport(command: string, options: StdioOptions = {}): ChildTransport {
  const child = spawn(command, { shell: true, detached: process.platform !== 'win32', cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' })
  const signalGroup = (signal: NodeJS.Signals): void => {
    if (child.pid === undefined) return
    try {
      if (process.platform === 'win32') child.kill(signal)
      else process.kill(-child.pid, signal)
    } catch {
      // ESRCH: the group is already gone.
    }
  }
  const registration = (options.reaper ?? new ProcessReaper()).add(() => signalGroup('SIGKILL'))
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (data: string) => {
    stderr = (stderr + data).slice(-STDERR_TAIL)
  })
  child.stderr.on('error', () => undefined)

  let exited = false
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined
  let resolveExit!: () => void
  const exit = new Promise<void>((resolve) => (resolveExit = resolve))
  let resolveFinished!: () => void
  const finished = new Promise<void>((resolve) => (resolveFinished = resolve))
  let drainTimer: ReturnType<typeof setTimeout> | undefined

  const finish = (error?: Error): void => {
    if (drainTimer) clearTimeout(drainTimer)
    registration.dispose()
    child.stdout.destroy()
    child.stderr.destroy()
    child.stdin.destroy()
    if (error) {
      transport.markClosed({ reason: 'error', detail: `${command}: ${error.message}` })
    } else {
      const tail = stderr.trim().split('\n').slice(-5).join(' | ')
      const how = exitInfo?.signal ? `killed by ${exitInfo.signal}` : `exited with code ${exitInfo?.code ?? null}`
      transport.markClosed({ reason: 'exit', exitCode: exitInfo?.code ?? null, detail: `${how}${tail ? `; stderr: ${tail}` : ''}` })
    }
    resolveFinished()
  }

  const stop = async (): Promise<void> => {
    if (!exited) {
      // End its input first and give it a moment to finish on its own (a recorder writes its
      // fixture then); then terminate the group, and kill it if it still does not go.
      child.stdin.end()
      await within(exit, options.exitGraceMs ?? 1000)
    }
    if (!exited) {
      signalGroup('SIGTERM')
      await within(exit, options.killGraceMs ?? 1000)
    }
    if (!exited) {
      signalGroup('SIGKILL')
      await within(exit, AFTER_KILL_MS)
    }
    signalGroup('SIGKILL')
    await within(finished, DRAIN_AFTER_EXIT_MS * 2)
    finish()
  }

  const transport = new ChildLineTransport(child.stdout, child.stdin, stop, false, options)
  transport.pid = child.pid
  transport.spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', () => resolve())
    child.once('error', reject)
  })
  transport.spawned.catch(() => undefined)
  child.once('error', (error) => {
    exited = true
    resolveExit()
    finish(error)
  })
  child.once('exit', (code, signal) => {
    exited = true
    exitInfo = { code, signal }
    resolveExit()
    // What is left of its group (a child that holds the pipes) goes with it.
    signalGroup('SIGKILL')
    drainTimer = setTimeout(() => finish(), DRAIN_AFTER_EXIT_MS)
    drainTimer.unref()
  })
  child.once('close', (code, signal) => {
    exitInfo ??= { code, signal }
    finish()
  })
  return transport
}

/** The worker side of a stdio transport: this process's stdin and stdout, with the same limits. */
export function processStdioTransport(limits: LineLimits = {}): Transport {
  return new LineTransport(
    process.stdin,
    process.stdout,
    async () => {
      process.stdin.pause()
    },
    true,
    limits,
  )
}
