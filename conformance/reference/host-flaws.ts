/**
 * Deliberately broken hosts for the host fuzzer's own tests (conformance/fuzz/host-campaign.test.ts):
 * the reference host behind its driver, with one flaw added from outside (a wrapped transport or a
 * wrapped host API), so that the fuzzer is shown to find and shrink a real violation, never only to pass.
 */
import type { Host } from '../../src/host/host.js'
import type { Transport } from '../../src/transport/types.js'
import type { HostDriverFactory } from '../host/driver.js'
import { referenceHostDriver } from './host-driver.js'

/** `answers-twice`: every `response` to a worker request is sent twice (EXT-HOST-020); `undoes-stop`: a host stop is followed by a start (EXT-HOST-055, upstream H1's effect). */
export type HostFlaw = 'answers-twice' | 'undoes-stop'

/** A transport whose `response` messages go out twice. */
function answeringTwice(transport: Transport): Transport {
  return new Proxy(transport, {
    get(target, prop) {
      if (prop === 'send') {
        return (message: unknown) => {
          target.send(message)
          if ((message as { type?: unknown } | null)?.type === 'response') target.send({ ...(message as Record<string, unknown>), id: `${String((message as { id?: unknown }).id)}-again` })
        }
      }
      const value = Reflect.get(target, prop) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

/** A host whose `stopTask` starts the task again a moment later, on the host's clock. */
function undoingStop(host: Host, clock: { setTimeout(callback: () => void, ms: number): unknown } | undefined): Host {
  return new Proxy(host, {
    get(target, prop) {
      if (prop === 'stopTask') {
        return (extensionId: string, taskId: string) => {
          target.stopTask(extensionId, taskId)
          clock?.setTimeout(() => target.startTask(extensionId, taskId), 5)
        }
      }
      const value = Reflect.get(target, prop) as unknown
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
}

/** The reference host's driver with `flaw`. */
export function flawedHostDriver(flaw: HostFlaw): HostDriverFactory {
  if (flaw === 'undoes-stop') return referenceHostDriver({ wrap: (host, clock) => undoingStop(host, clock) })
  const reference = referenceHostDriver()
  return (ctx) => reference({ ...ctx, transport: (worker) => answeringTwice(ctx.transport(worker)) })
}

/** As a `--host` module: the host that answers every request twice. */
export const createHostDriver: HostDriverFactory = flawedHostDriver('answers-twice')
