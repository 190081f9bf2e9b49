/**
 * Deliberately different but conforming variants of the reference host, for the host role what
 * `variants.ts` is for the worker role. Each makes one choice the spec leaves free (other error texts,
 * no diagnostics, other message ids, backends that answer later, responses out of order, more in its
 * events, refusing requests while it unloads), built like the host mutants: a piece of the kit
 * wrapped through `createHost`'s `pieces` option, an option, or a wrapper of the host API. `npm test`
 * checks that each passes every MUST host fixture and fails exactly the SHOULDs it declares
 * (test/host-variants.test.ts): the host-role suite judges the protocol, not the reference host.
 */
import { randomUUID } from 'node:crypto'
import type { HostBackends } from '../../src/host/backends.js'
import { defaultBackends } from '../../src/host/backends.js'
import { createRequestDispatcher, type RequestDispatcher } from '../../src/host/dispatcher.js'
import type { ResponseMessage } from '../../src/protocol/messages/rpc.js'
import { requestIdOf } from '../../src/host/guard.js'
import { driverHostTarget, type HostTarget } from '../host/driver.js'
import { changedHostDriver, dispatcherWith, withOwnEvents, type HostBreakage } from './host-mutants.js'

/** One conforming host. */
export interface HostVariant {
  /** Kebab-case name. */
  readonly name: string
  /** The choice it makes differently from the reference host. */
  readonly description: string
  /** Where the spec leaves that choice free. */
  readonly allowedBy: string
  /** SHOULD requirements the variant deliberately does not meet (exactly these fail, and no MUST). */
  readonly shouldFailures: readonly string[]
  /**
   * A host fixture in which the variant's difference shows: what the host sends or reports there
   * differs from the reference host's (the test checks it, so a variant cannot be a no-op). None for a
   * difference of timing alone.
   */
  readonly witness?: string
  /** A fresh target running the variant behind the reference driver. */
  readonly target: () => HostTarget
}

function variant(name: string, description: string, allowedBy: string, shouldFailures: readonly string[], witness: string | undefined, breakage: HostBreakage | (() => HostBreakage)): HostVariant {
  return { name, description, allowedBy, shouldFailures, ...(witness ? { witness } : {}), target: () => driverHostTarget(changedHostDriver(breakage), `host variant ${name}`) }
}

/** A macrotask later: what a backend behind a real I/O call looks like to the host. */
const later = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/** `backend` with every method answering a macrotask later, except the synchronous hooks `keep`. */
function deferred<T extends object>(backend: T, keep: readonly string[] = []): T {
  return new Proxy(backend, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver)
      if (typeof value !== 'function' || keep.includes(String(key))) return value
      return (...args: unknown[]) => later().then(() => Reflect.apply(value, target, args))
    },
  })
}

/**
 * Every backend answering a macrotask later (settings' init and drop hooks stay synchronous); the
 * network is the platform's fetch, deferred too, since the fetch fixtures serve their own bodies.
 */
function laterBackends(): Partial<HostBackends> {
  const b = defaultBackends({})
  return {
    settings: deferred(b.settings, ['init', 'drop']),
    storage: deferred(b.storage),
    scheduler: deferred(b.scheduler),
    events: deferred(b.events),
    chat: deferred(b.chat),
    user: deferred(b.user),
    database: b.database,
    network: deferred(b.network),
  }
}

/** The kit's dispatcher with each response changed by `change`. */
function responsesChanged(change: (response: ResponseMessage) => ResponseMessage): (options: Parameters<typeof createRequestDispatcher>[0]) => RequestDispatcher {
  return (options) => {
    const inner = createRequestDispatcher(options)
    return { backends: inner.backends, dispatch: async (ctx, request) => change(await inner.dispatch(ctx, request)) }
  }
}

/** The JSON pointer a refusal names (EXT-HOST-022 keeps it in the text). */
const POINTER = /\/payload(?:\/[\w.-]+)*/

/** The conforming hosts. */
export const HOST_VARIANTS: readonly HostVariant[] = [
  variant(
    'other-error-texts',
    'words every refusal of a worker request its own way, keeping only what the spec fixes: `Unknown method: <method>` and the JSON pointer of a refused payload',
    'EXT-HOST-020 and EXT-HOST-021: "text free"; docs/spec/texts.md lists only the texts a fixture may match',
    [],
    'host/requests/network-no-subdomain-match',
    {
      host: {
        pieces: {
          dispatcher: responsesChanged((r) => {
            const error = r.payload.success ? undefined : r.payload.error
            if (error === undefined || error.startsWith('Unknown method: ')) return r
            const pointer = POINTER.exec(error)
            return { ...r, payload: { ...r.payload, success: false, error: pointer ? `this host refuses the field at ${pointer[0]}` : 'this host cannot do that' } }
          }),
        },
      },
    },
  ),
  variant(
    'no-diagnostics',
    'emits no diagnostic events, and reports an invalid message or a refused registration without saying which field, kind, id or permission',
    'docs/spec/host.md: the reports of EXT-HOST-101 to 105 are SHOULDs; EXT-HOST-006, 010 and 050 ask only that the refusal or the invalid message be reported',
    ['EXT-HOST-102', 'EXT-HOST-103', 'EXT-HOST-104', 'EXT-HOST-105'],
    'host/diagnostics/invalid-message-report-names-type',
    {
      wrap: (host) =>
        withOwnEvents(host, (inner) => ({
          onEvent(listener) {
            return inner.onEvent((event) => {
              if (event.type === 'diagnostic') return
              if (event.type === 'invalid-message') return listener({ type: 'invalid-message', extensionId: event.extensionId, messageType: undefined, errors: [] })
              if (event.type === 'registration-refused') return listener({ ...event, permission: '' })
              listener(event)
            })
          },
        })),
    },
  ),
  variant('uuid-ids', 'gives every message it sends a random UUID as its id', 'EXT-HOST-079: ids are non-empty and unique among pending calls; nothing relies on their format', [], 'host/handshake/activate-once-on-first-ready', { host: { newId: () => randomUUID() } }),
  variant(
    'backends-answer-later',
    'every backend (settings, storage, scheduler, events, chat, user) answers a macrotask later, as one behind real I/O does',
    'EXT-HOST-020: requests are handled concurrently, whatever the backend does, as long as each gets exactly one response',
    [],
    undefined,
    () => ({ host: { backends: laterBackends() } }),
  ),
  variant(
    'responses-in-reverse-order',
    'holds the responses of the requests that arrive together and sends them in reverse order',
    'EXT-HOST-020: "Requests are handled concurrently; their responses may come in any order"',
    [],
    'host/requests/concurrent-requests-answered-in-any-order',
    () => {
      const held: Array<() => void> = []
      return {
        host: {
          pieces: {
            dispatcher: dispatcherWith((inner) => async (ctx, request) => {
              const response = await inner.dispatch(ctx, request)
              return new Promise<ResponseMessage>((resolve) => {
                if (held.push(() => resolve(response)) === 1) {
                  setImmediate(() => {
                    for (const release of held.splice(0).reverse()) release()
                  })
                }
              })
            }),
          },
        },
      }
    },
  ),
  variant(
    'richer-events',
    'adds fields of its own to every event it reports (a time and a host name), and an event type of its own after each load',
    'docs/host-driver.md, Events: fixtures match events by pattern and ignore extra fields; a driver may pass through what its host reports',
    [],
    'host/handshake/activate-once-on-first-ready',
    {
      wrap: (host, clock) =>
        withOwnEvents(host, (inner) => ({
          onEvent(listener) {
            return inner.onEvent((event) => {
              // Extra fields travel as JSON to the suite; the HostEvent type does not declare them.
              listener(Object.assign({}, event, { at: clock?.now() ?? 0, host: 'richer-events' }))
              if (event.type === 'extension-loaded') listener({ type: 'diagnostic', extensionId: event.extensionId, text: `loaded ${event.extensionId}` })
            })
          },
        })),
    },
  ),
  variant(
    'refuses-requests-while-unloading',
    'answers every request that arrives during an unload\u2019s grace period with `success: false` instead of serving it',
    'EXT-HOST-013: "While an unload\u2019s grace period lasts, the host MAY still answer the worker\u2019s requests"; EXT-HOST-020 is met by a `success: false` response',
    [],
    'host/unload/request-during-grace-gets-one-response',
    () => {
      const unloading = new Set<string>()
      return {
        host: {
          pieces: {
            dispatcher: dispatcherWith((inner) => (ctx, request) => {
              const requestId = requestIdOf(request)
              if (!unloading.has(ctx.extensionId) || requestId === undefined) return inner.dispatch(ctx, request)
              return Promise.resolve({ type: 'response', id: randomUUID(), payload: { requestId, success: false, error: `Extension ${ctx.extensionId} is unloading` } })
            }),
          },
        },
        wrap: (host) => ({
          ...host,
          unload(extensionId) {
            unloading.add(extensionId)
            return host.unload(extensionId).finally(() => unloading.delete(extensionId))
          },
        }),
      }
    },
  ),
]
