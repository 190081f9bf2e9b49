/**
 * The host driver protocol (docs/host-driver.md): how the suite reaches a host it certifies. A host
 * is driven through its application API, which no protocol fixes, so the host's author writes a thin
 * driver once: it performs the suite's commands on the host and reports what the host's API
 * returned and the events it emitted, while the suite plays the worker(s) on the protocol channel.
 *
 * Both ways in speak the same tagged JSON lines on one channel: a `--host-cmd` process on its stdio,
 * an in-process driver (`--host <module>`) through {@link serveDriver} on an in-memory pair, so the
 * two have one semantics and one runner.
 */
import { BaseTransport } from '../../src/transport/emitter.js'
import { createMemoryPair } from '../../src/transport/memory.js'
import { createStdioTransport, ProcessReaper } from '../../src/transport/stdio.js'
import type { Disposable, Transport } from '../../src/transport/types.js'
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { workerEnv, type ProcessTargetOptions } from '../targets.js'

/** One line of the driver channel (docs/host-driver.md, "Lines"). */
export type DriverLine =
  /** A protocol message on worker connection `worker`: suite→driver is the worker's, driver→suite the host's. */
  | { readonly ch: 'wire'; readonly worker: string; readonly msg: unknown }
  /** Worker connection `worker` closed: suite→driver, the worker went away; driver→suite, the host closed it. */
  | { readonly ch: 'wire'; readonly worker: string; readonly close: true }
  /** A command (suite→driver). */
  | { readonly ch: 'ctl'; readonly id: string; readonly cmd: string; readonly args: Readonly<Record<string, unknown>> }
  /** The result of command `id` (driver→suite). */
  | { readonly ch: 'ctl'; readonly id: string; readonly ok: true; readonly value?: unknown }
  | { readonly ch: 'ctl'; readonly id: string; readonly ok: false; readonly error: string }
  /** A host event (driver→suite). */
  | { readonly ch: 'ctl'; readonly event: Readonly<Record<string, unknown>> }

/** What `describe` answers: the commands the driver performs (`advanceClock` only when the host runs on an injected clock). */
export interface DriverDescription {
  readonly commands: readonly string[]
  /**
   * The protocol versions the host can be told to speak (docs/host-driver.md, "Protocol versions").
   * Absent: 0.22.1 only, as every driver written before versions existed.
   */
  readonly protocols?: readonly string[]
  /** Free text for reports (host name, version). */
  readonly name?: string
}

/** What an in-process driver gets from the suite. */
export interface HostDriverContext {
  /**
   * The protocol version the host is to speak in this fixture (`0.22.1` unless the run names another
   * with `--protocol`); a `--host-cmd` driver reads it from `EXTWIRE_PROTOCOL`.
   */
  readonly protocol: string
  /**
   * The host's end of worker connection `worker` (the suite plays that worker on the other end).
   * The same name gives the same transport; closing it tells the suite the host ended the worker.
   */
  transport(worker: string): Transport
  /** Reports a host event (a JSON object with a string `type`). */
  emit(event: Readonly<Record<string, unknown>>): void
}

/** An in-process driver: performs commands on a host. */
export interface HostDriver {
  /**
   * Performs `command` (`describe` included) with `args`; resolves with the JSON value the host's API
   * returned (undefined for none) or rejects with the error it raised. Commands may overlap: a tool
   * call waits for the worker while the suite goes on.
   */
  run(command: string, args: Readonly<Record<string, unknown>>): unknown
  /** Ends the host and everything it started; called once when the fixture is over. */
  dispose?(): unknown
}

/** What a `--host` module exports (as `createHostDriver` or as its default export): a fresh host per fixture. */
export type HostDriverFactory = (context: HostDriverContext) => HostDriver | Promise<HostDriver>

/** What the runner certifies in the host role: a fresh driver channel per fixture. */
export interface HostTarget {
  readonly role: 'host'
  /** Name for reports. */
  readonly name: string
  /** The host runs in this process. */
  readonly inProcess?: boolean
  /** The protocol version the driver tells the host to speak; absent: the default, 0.22.1. */
  readonly protocol?: string
  /** A fresh host behind its driver; the returned transport carries {@link DriverLine}s; its `close()` ends the host. */
  connect(): Promise<Transport>
}

/** True for a host-role target. */
export function isHostTarget(target: object): target is HostTarget {
  return (target as { role?: unknown }).role === 'host'
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The host's end of one worker connection, carried over the driver channel. */
class ChannelWorkerTransport extends BaseTransport {
  constructor(
    private readonly channel: Transport,
    private readonly worker: string,
  ) {
    super()
  }

  protected deliver(message: unknown): void {
    this.channel.send({ ch: 'wire', worker: this.worker, msg: message })
  }

  protected async shutdown(): Promise<void> {
    this.channel.send({ ch: 'wire', worker: this.worker, close: true })
  }

  receive(message: unknown): void {
    this.emitMessage(message)
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error) ?? String(error)
}

/**
 * Serves an in-process driver on `channel` (the driver's end of a driver channel) until the channel
 * closes, then disposes the driver. A driver that cannot be created closes the channel, with why.
 */
export async function serveDriver(factory: HostDriverFactory, channel: Transport, protocol: string = DEFAULT_DRIVER_PROTOCOL): Promise<void> {
  const workers = new Map<string, ChannelWorkerTransport>()
  const workerEnd = (name: string) => {
    let t = workers.get(name)
    if (!t) {
      t = new ChannelWorkerTransport(channel, name)
      workers.set(name, t)
    }
    return t
  }
  const context: HostDriverContext = {
    protocol,
    transport: workerEnd,
    emit: (event) => channel.send({ ch: 'ctl', event }),
  }
  const early: unknown[] = []
  let driver: HostDriver | undefined
  const handle = (line: unknown) => {
    if (!isObject(line)) return
    if (line['ch'] === 'wire' && typeof line['worker'] === 'string') {
      const end = workerEnd(line['worker'])
      if (line['close'] === true) end.markClosed({ reason: 'exit', detail: 'the worker went away' })
      else end.receive(line['msg'])
      return
    }
    if (line['ch'] === 'ctl' && typeof line['id'] === 'string' && typeof line['cmd'] === 'string') {
      if (!driver) return void early.push(line)
      const id = line['id']
      const args = isObject(line['args']) ? line['args'] : {}
      const current = driver
      void (async () => {
        try {
          const value = await current.run(line['cmd'] as string, args)
          channel.send(value === undefined ? { ch: 'ctl', id, ok: true } : { ch: 'ctl', id, ok: true, value })
        } catch (error) {
          channel.send({ ch: 'ctl', id, ok: false, error: errorText(error) })
        }
      })()
    }
  }
  const subscriptions: Disposable[] = [channel.onMessage(handle)]
  const closed = new Promise<void>((resolve) => subscriptions.push(channel.onClose(() => resolve())))
  try {
    driver = await factory(context)
  } catch (error) {
    channel.send({ ch: 'ctl', event: { type: 'driver-error', error: `the driver could not be created: ${errorText(error)}` } })
    await channel.close()
    return
  }
  for (const line of early.splice(0)) handle(line)
  await closed
  for (const s of subscriptions) s.dispose()
  // The fixture is over: every worker is gone with the channel, so that the host's teardown never
  // waits for one (an unload's grace period may be on a clock nobody moves any more).
  for (const t of workers.values()) if (!t.closed) t.markClosed({ reason: 'exit', detail: 'the fixture ended' })
  await driver.dispose?.()
}

/** The protocol version a driver is told when the run names none. */
export const DEFAULT_DRIVER_PROTOCOL = '0.22.1'

/** Options of the host targets: the protocol version the host is told to speak. */
export interface HostTargetOptions {
  readonly protocol?: string
}

const withProtocolOf = (options: HostTargetOptions): { protocol?: string } => (options.protocol === undefined ? {} : { protocol: options.protocol })

/** An in-process host target from a driver factory: a fresh driver (and host) per fixture. */
export function driverHostTarget(factory: HostDriverFactory, name = 'in-process host driver', options: HostTargetOptions = {}): HostTarget {
  return {
    role: 'host',
    name,
    inProcess: true,
    ...withProtocolOf(options),
    async connect() {
      // JSON copies, as on a real wire: an undefined field disappears and nothing is shared.
      const [suite, driver] = createMemoryPair({ copy: 'json' })
      void serveDriver(factory, driver, options.protocol ?? DEFAULT_DRIVER_PROTOCOL).catch((error: unknown) => {
        driver.send({ ch: 'ctl', event: { type: 'driver-error', error: errorText(error) } })
        void driver.close()
      })
      return suite
    },
  }
}

/** The factory a `--host` module exports: `createHostDriver`, or the default export. */
export function driverFactoryOf(module: Record<string, unknown>, file: string): HostDriverFactory {
  const factory = module['createHostDriver'] ?? module['default']
  if (typeof factory !== 'function') throw new Error(`${file} exports no host driver: expected a function exported as createHostDriver or as default`)
  return factory as HostDriverFactory
}

/** A `--host <module>` target: the module is imported once (at the first fixture), its factory called per fixture. */
export function moduleHostTarget(file: string, options: HostTargetOptions = {}): HostTarget {
  if (file.trim() === '') throw new TypeError('moduleHostTarget: the module path is empty')
  let factory: Promise<HostDriverFactory> | undefined
  const load = async () => {
    if (!file.startsWith('file:') && !existsSync(file)) throw new Error(`module not found: ${file}`)
    const url = file.startsWith('file:') ? file : pathToFileURL(file).href
    return driverFactoryOf((await import(url)) as Record<string, unknown>, file.startsWith('file:') ? fileURLToPath(file) : file)
  }
  return {
    role: 'host',
    name: `host driver ${file}`,
    inProcess: true,
    ...withProtocolOf(options),
    async connect() {
      factory ??= load()
      const f = await factory
      return driverHostTarget(f, undefined, options).connect()
    },
  }
}

/**
 * A `--host-cmd` target: `command` is started per fixture in its own process group and speaks the
 * driver lines on stdio (stdin: the suite's lines; stdout: the driver's; stderr: free for logs).
 */
export function commandHostTarget(command: string, cwd?: string, options: ProcessTargetOptions = {}): HostTarget {
  if (command.trim() === '') throw new TypeError('commandHostTarget: the command is empty')
  const reaper = new ProcessReaper()
  return {
    role: 'host',
    name: `host command ${command}`,
    ...withProtocolOf(options),
    async connect() {
      const env = workerEnv(options.passEnv, process.env, false)
      if (options.protocol !== undefined) env['EXTWIRE_PROTOCOL'] = options.protocol
      if (options.maxMessageBytes !== undefined) env['EXTWIRE_MAX_MESSAGE_BYTES'] = String(options.maxMessageBytes)
      const transport = createStdioTransport(command, {
        env,
        reaper,
        ...(cwd ? { cwd } : {}),
        ...(options.maxMessageBytes !== undefined ? { maxMessageBytes: options.maxMessageBytes } : {}),
        ...(options.exitGraceMs !== undefined ? { exitGraceMs: options.exitGraceMs, killGraceMs: options.exitGraceMs } : {}),
      })
      await transport.spawned
      return transport
    },
  }
}
