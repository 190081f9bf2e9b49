/**
 * A transport to a child process over stdio, one JSON message per line, so that a worker written
 * in any language can be tested. A line that is not JSON is an error event (never dropped
 * silently); the process exiting closes the transport with its exit code and stderr tail.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { createInterface } from 'node:readline'
import type { Readable, Writable } from 'node:stream'
import { BaseTransport } from './emitter.js'
import type { Transport } from './types.js'

/** Options of {@link createStdioTransport}. */
export interface StdioOptions {
  /** Working directory of the command. */
  readonly cwd?: string
  /** Environment (default: this process's). */
  readonly env?: NodeJS.ProcessEnv
}

const STDERR_TAIL = 2000

/** Serialises a message as one line; undefined-valued keys disappear, as with any JSON peer. */
export function encodeLine(message: unknown): string {
  return `${JSON.stringify(message)}\n`
}

/** A line-delimited JSON transport over a readable and a writable stream (either side). */
export class LineTransport extends BaseTransport {
  private lineNumber = 0

  constructor(
    input: Readable,
    private readonly output: Writable,
    private readonly stop: () => Promise<void>,
    /** Close when the input ends (the worker side); a child's transport waits for the process instead. */
    closeOnInputEnd: boolean,
  ) {
    super()
    const lines = createInterface({ input, crlfDelay: Infinity })
    lines.on('line', (line) => {
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
    })
    if (closeOnInputEnd) lines.on('close', () => this.markClosed({ reason: 'peer', detail: 'input ended' }))
    output.on('error', (error) => this.emitError(error))
  }

  protected deliver(message: unknown): void {
    this.output.write(encodeLine(message))
  }

  protected async shutdown(): Promise<void> {
    await this.stop()
  }
}

/** Runs `command` through the shell and returns the host end of its stdio. */
export function createStdioTransport(command: string, options: StdioOptions = {}): Transport {
  const child: ChildProcessWithoutNullStreams = spawn(command, { shell: true, cwd: options.cwd, env: options.env ?? process.env, stdio: 'pipe' })
  let stderr = ''
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (data: string) => {
    stderr = (stderr + data).slice(-STDERR_TAIL)
  })
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()))
  const transport = new LineTransport(child.stdout, child.stdin, async () => {
    // End its input first and give it a moment to finish on its own (a recorder writes its fixture
    // then); then terminate it, and kill it if it still does not go.
    child.stdin.end()
    const term = setTimeout(() => child.kill('SIGTERM'), 1000)
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000)
    await exited
    clearTimeout(term)
    clearTimeout(kill)
  }, false)
  child.once('error', (error) => {
    transport.markClosed({ reason: 'error', detail: `${command}: ${error.message}` })
  })
  child.once('close', (code, signal) => {
    const tail = stderr.trim().split('\n').slice(-5).join(' | ')
    transport.markClosed({ reason: 'exit', exitCode: code, detail: `${signal ? `killed by ${signal}` : `exited with code ${code}`}${tail ? `; stderr: ${tail}` : ''}` })
  })
  return transport
}

/** The worker side of a stdio transport: this process's stdin and stdout. */
export function processStdioTransport(): Transport {
  return new LineTransport(process.stdin, process.stdout, async () => {
    process.stdin.pause()
  }, true)
}
