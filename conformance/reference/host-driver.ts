/**
 * The reference host behind a driver (docs/host-driver.md): `createHost` from `src/host`, on a
 * virtual clock that the suite moves with `advanceClock`, so that every timeout and backoff of the
 * host-role fixtures runs in virtual time. This is the host `extwire conformance --role host` certifies
 * by default; the host-role mutants and variants are built on it.
 */
import { createHost, type ExtensionManifest, type Host, type HostOptions } from '../../src/host/host.js'
import { VirtualClock } from '../../src/host/clock.js'
import type { ChatMessage, ChatOptions, GetModelsOptions, SchedulerFirePayload, StreamEvent } from '../../src/protocol/types.js'
import { DRIVER_COMMANDS } from '../fixture/schema.js'
import { KNOWN_VERSION_NAMES } from '../../src/protocol/versions.js'
import type { HostDriver, HostDriverContext, HostDriverFactory } from '../host/driver.js'

/** Options of {@link referenceHostDriver}. */
export interface ReferenceHostDriverOptions {
  /** Options of `createHost` (its clock is the driver's). */
  readonly host?: Omit<HostOptions, 'clock'>
  /**
   * `virtual` (default): a VirtualClock that `advanceClock` moves; `system`: real time, and the driver
   * does not offer `advanceClock` (the virtual-time fixtures are then untested).
   */
  readonly clock?: 'virtual' | 'system'
  /** Wraps the host before the driver uses it (mutants and variants change its behaviour here). */
  readonly wrap?: (host: Host, clock: VirtualClock | undefined) => Host
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

function text(args: Readonly<Record<string, unknown>>, key: string): string {
  const v = args[key]
  if (typeof v !== 'string') throw new TypeError(`argument ${key}: expected a string, received ${JSON.stringify(v) ?? 'nothing'}`)
  return v
}

function record(args: Readonly<Record<string, unknown>>, key: string): Record<string, unknown> {
  const v = args[key]
  if (v === undefined) return {}
  if (!isObject(v)) throw new TypeError(`argument ${key}: expected an object, received ${JSON.stringify(v)}`)
  return v
}

const optionalText = (args: Readonly<Record<string, unknown>>, key: string) => (args[key] === undefined ? undefined : text(args, key))

/** JSON of a host API value (what crosses the driver channel). */
function json(value: unknown): unknown {
  return value === undefined ? undefined : (JSON.parse(JSON.stringify(value)) as unknown)
}

/** A driver factory over the reference host; each call gives a fresh host (one per fixture). */
export function referenceHostDriver(options: ReferenceHostDriverOptions = {}): HostDriverFactory {
  return (ctx: HostDriverContext): HostDriver => {
    const virtual = options.clock !== 'system' ? new VirtualClock() : undefined
    // The version the suite asks for (docs/host-driver.md, "Protocol versions"); a 0.22.1 host is told nothing, as before versions existed.
    const versioned = ctx.protocol === undefined || ctx.protocol === '0.22.1' ? {} : { protocol: ctx.protocol }
    const created = createHost({ ...(options.host ?? {}), ...versioned, ...(virtual ? { clock: virtual } : {}) })
    const host = options.wrap ? options.wrap(created, virtual) : created
    const subscription = host.onEvent((event) => ctx.emit(json(event) as Record<string, unknown>))
    const commands = DRIVER_COMMANDS.filter((c) => c !== 'advanceClock' || virtual !== undefined)
    const run = async (command: string, args: Readonly<Record<string, unknown>>): Promise<unknown> => {
      switch (command) {
        case 'describe':
          return { commands, protocols: KNOWN_VERSION_NAMES, name: `extwire reference host (${virtual ? 'virtual' : 'system'} clock, protocol ${ctx.protocol ?? '0.22.1'})` }
        case 'load':
          return json(await host.load(record(args, 'manifest') as unknown as ExtensionManifest, ctx.transport(optionalText(args, 'worker') ?? 'main')))
        case 'executeTool':
          return json(await host.executeTool(text(args, 'extensionId'), text(args, 'toolId'), record(args, 'params'), optionalText(args, 'userId')))
        case 'executeAction':
          return json(await host.executeAction(text(args, 'extensionId'), text(args, 'actionId'), record(args, 'params'), optionalText(args, 'userId')))
        case 'chat': {
          const events: StreamEvent[] = []
          const messages = args['messages']
          if (!Array.isArray(messages)) throw new TypeError(`argument messages: expected an array, received ${JSON.stringify(messages) ?? 'nothing'}`)
          const chatOptions = args['options'] === undefined ? undefined : (record(args, 'options') as ChatOptions)
          for await (const event of host.chat(text(args, 'extensionId'), text(args, 'providerId'), messages as ChatMessage[], chatOptions)) events.push(event)
          return json(events)
        }
        case 'getModels':
          return json(await host.getModels(text(args, 'extensionId'), text(args, 'providerId'), args['options'] === undefined ? undefined : (record(args, 'options') as GetModelsOptions)))
        case 'fireSchedule':
          return host.fireSchedule(text(args, 'extensionId'), record(args, 'payload') as unknown as SchedulerFirePayload)
        case 'changeSetting':
          return host.changeSetting(text(args, 'extensionId'), text(args, 'key'), args['value'])
        case 'startTask':
          return host.startTask(text(args, 'extensionId'), text(args, 'taskId'))
        case 'stopTask':
          return host.stopTask(text(args, 'extensionId'), text(args, 'taskId'))
        case 'unload':
          return host.unload(text(args, 'extensionId'))
        case 'advanceClock': {
          if (!virtual) throw new Error('advanceClock: this host runs on real time')
          const ms = args['ms']
          if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) throw new TypeError(`argument ms: expected a non-negative number, received ${JSON.stringify(ms) ?? 'nothing'}`)
          virtual.advance(ms)
          return undefined
        }
        default:
          throw new Error(`unknown command ${command}`)
      }
    }
    return {
      run,
      async dispose() {
        subscription.dispose()
        await host.dispose()
      },
    }
  }
}

/** The reference host's driver on a virtual clock, as a `--host` module exports it. */
export const createHostDriver: HostDriverFactory = referenceHostDriver()
