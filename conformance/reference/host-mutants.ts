/**
 * Deliberately broken variants of the reference host, for the host role what `mutants.ts` is for the
 * worker role. Each breaks one EXT-HOST requirement the way a real host (often upstream 0.22.1) does,
 * and is built by composition, never by copying `createHost`: a piece of the kit swapped or wrapped
 * through `createHost`'s `pieces` option (a supervisor whose stop sets no flag, a dispatcher that
 * calls a backend before its permission check), an option (no ready timeout), a wrapper of the host
 * API (an error event on a deliberate unload), or a filter on the host's transport (a response sent
 * twice). `npm test` checks that the host-role suite fails each on its requirement in every host
 * fixture that cites it (test/host-mutants.test.ts).
 */
import type { VirtualClock } from '../../src/host/clock.js'
import { createRequestDispatcher, type RequestDispatcher, type RequestDispatcherOptions } from '../../src/host/dispatcher.js'
import { createInboundGuard, type InboundGuard, type InboundGuardOptions } from '../../src/host/guard.js'
import type { FetchLikeResponse, NetworkBackend } from '../../src/host/backends.js'
import type { Host, HostEvent, HostOptions, HostPieces, HostTaskSupervisor } from '../../src/host/host.js'
import { StreamPump, type StreamPumpOptions } from '../../src/host/stream-pump.js'
import { restartDelay, TaskSupervisor, type TaskSupervisorOptions } from '../../src/host/supervisor.js'
import type { WorkerToHostMessage } from '../../src/protocol/catalogue.js'
import type { ValidationResult } from '../../src/validate/errors.js'
import { validatorFor } from '../../src/validate/index.js'
import type { ProtocolValidator } from '../../src/validate/validator.js'
import type { Disposable, Transport } from '../../src/transport/types.js'
import { driverHostTarget, type HostDriverContext, type HostDriverFactory, type HostTarget } from '../host/driver.js'
import { referenceHostDriver } from './host-driver.js'

/** One broken host. */
export interface HostMutant {
  /** Kebab-case name. */
  readonly name: string
  /** What is broken, and where a real host does it. */
  readonly description: string
  /** The requirement the host-role suite must report as broken. */
  readonly requirement: string
  /**
   * Host fixtures that cite `requirement` but cannot see this breakage, each with the reason. Every
   * other host fixture citing `requirement` must fail on it; these must not (so the list cannot go stale).
   */
  readonly blind?: Readonly<Record<string, string>>
  /**
   * Set when no host fixture can see the breakage at all, with the reason: the test then checks that
   * no fixture fails on the requirement, so the entry goes stale (and the test fails) once one can.
   */
  readonly unseen?: string
  /** How the host is broken (to build it without a driver, as the tests of the unseen mutants do). */
  readonly breakage: HostBreakage | (() => HostBreakage)
  /** A fresh target running the broken host behind the reference driver. */
  readonly target: () => HostTarget
}

type Msg = { type?: unknown; id?: unknown; method?: unknown; payload?: Record<string, unknown> }
const asMsg = (m: unknown): Msg => (typeof m === 'object' && m !== null && !Array.isArray(m) ? (m as Msg) : {})

/** Filters on the host's end of each worker connection: what the host sends, what it receives. */
export interface WireFilters {
  /** Called for every message the host sends; `send` passes one on (call it 0, 1 or more times). */
  readonly outgoing?: (message: unknown, send: (message: unknown) => void) => void
  /** Called for every message the host receives; `deliver` hands one to the host. */
  readonly incoming?: (message: unknown, deliver: (message: unknown) => void) => void
}

/** The transport `inner` with `filters` between it and the host. */
function filteredTransport(inner: Transport, filters: WireFilters): Transport {
  const { outgoing, incoming } = filters
  return {
    send: (message) => (outgoing ? outgoing(message, (m) => inner.send(m)) : inner.send(message)),
    onMessage: (listener): Disposable => inner.onMessage((message) => (incoming ? incoming(message, listener) : listener(message))),
    onError: (listener) => inner.onError(listener),
    onClose: (listener) => inner.onClose(listener),
    close: () => inner.close(),
    get closed() {
      return inner.closed
    },
  }
}

/** How a broken host differs from the reference host. */
export interface HostBreakage {
  /** Options of `createHost` (pieces, timeouts, backends). */
  readonly host?: Omit<HostOptions, 'clock'>
  /** Wraps the host API. */
  readonly wrap?: (host: Host, clock: VirtualClock | undefined) => Host
  /** Filters on each worker connection, fresh per host (one fixture). */
  readonly wire?: () => WireFilters
}

/**
 * The reference host driver (virtual clock) over a host changed by `breakage`; a function is called
 * once per host (one fixture), for changes whose pieces share state.
 */
export function changedHostDriver(breakage: HostBreakage | (() => HostBreakage)): HostDriverFactory {
  return (ctx: HostDriverContext) => {
    const b = typeof breakage === 'function' ? breakage() : breakage
    const inner = referenceHostDriver({ ...(b.host ? { host: b.host } : {}), ...(b.wrap ? { wrap: b.wrap } : {}) })
    const wire = b.wire
    if (!wire) return inner(ctx)
    const filters = wire()
    const ends = new Map<string, Transport>()
    return inner({
      protocol: ctx.protocol,
      emit: (event) => ctx.emit(event),
      transport(worker) {
        let end = ends.get(worker)
        if (!end) {
          end = filteredTransport(ctx.transport(worker), filters)
          ends.set(worker, end)
        }
        return end
      },
    })
  }
}

/**
 * A network that never leaves the process: every URL answers 200 with a short text body. Broken
 * hosts that let a refused URL through must not reach the real network.
 */
export function cannedNetwork(body = 'ok'): NetworkBackend {
  return {
    fetch(): Promise<FetchLikeResponse> {
      const bytes = new TextEncoder().encode(body)
      const stream = () =>
        new ReadableStream<Uint8Array>({
          start(controller) {
            controller.enqueue(bytes)
            controller.close()
          },
        })
      return Promise.resolve({ status: 200, statusText: 'OK', ok: true, headers: { forEach: () => undefined }, body: stream(), text: () => Promise.resolve(body) })
    },
  }
}

function mutant(name: string, description: string, requirement: string, breakage: HostBreakage, extra: Pick<HostMutant, 'blind' | 'unseen'> = {}): HostMutant {
  return { name, description, requirement, ...extra, breakage, target: () => driverHostTarget(changedHostDriver(breakage), `host mutant ${name}`) }
}

/** Host options whose `pieces` are `pieces`, with the canned network (nothing leaves the process). */
const withPieces = (pieces: HostPieces, options: Omit<HostOptions, 'clock' | 'pieces'> = {}): Omit<HostOptions, 'clock'> => ({
  ...options,
  backends: { network: cannedNetwork(), ...(options.backends ?? {}) },
  pieces,
})

/** A supervisor that delegates every call to the kit's, except those `override` replaces. */
function supervisorWith(override: (inner: TaskSupervisor, options: TaskSupervisorOptions) => Partial<HostTaskSupervisor>, onEvent?: (inner: TaskSupervisor, options: TaskSupervisorOptions) => TaskSupervisorOptions['onEvent']): HostPieces['supervisor'] {
  return (options) => {
    let self: TaskSupervisor | undefined
    const listen = onEvent ? (event: Parameters<NonNullable<TaskSupervisorOptions['onEvent']>>[0]) => onEvent(self as TaskSupervisor, options)?.(event) : options.onEvent
    const inner = new TaskSupervisor({ ...options, ...(listen ? { onEvent: listen } : {}) })
    self = inner
    const base: HostTaskSupervisor = {
      register: (e, p) => inner.register(e, p),
      status: (e, p) => inner.status(e, p),
      health: (e, p) => inner.health(e, p),
      start: (e, t) => inner.start(e, t),
      stop: (e, t) => inner.stop(e, t),
      dropExtension: (e) => inner.dropExtension(e),
      task: (e, t) => inner.task(e, t),
      tasks: (e) => inner.tasks(e),
    }
    return { ...base, ...override(inner, options) }
  }
}

/** A dispatcher that runs `before` on each request it is given, then the kit's dispatcher. */
/** The reference dispatcher with its `dispatch` wrapped: the one way every changed host changes a request's handling. */
export function dispatcherWith(wrap: (inner: RequestDispatcher, options: RequestDispatcherOptions) => RequestDispatcher['dispatch']): HostPieces['dispatcher'] {
  return (options) => {
    const inner = createRequestDispatcher(options)
    return { backends: inner.backends, dispatch: wrap(inner, options) }
  }
}

/** A host whose API also reports through events of its own making (for wrappers that emit). */
export function withOwnEvents(host: Host, change: (host: Host, emit: (event: HostEvent) => void) => Partial<Host>): Host {
  const listeners = new Set<(event: HostEvent) => void>()
  const emit = (event: HostEvent) => {
    for (const l of [...listeners]) l(event)
  }
  const forwarded = host.onEvent(emit)
  return {
    ...host,
    onEvent(listener) {
      listeners.add(listener)
      return { dispose: () => void listeners.delete(listener) }
    },
    async dispose() {
      await host.dispose()
      forwarded.dispose()
    },
    ...change(host, emit),
  }
}

/**
 * A host whose URL rule (EXT-HOST-023) is too wide: for a fetch URL, `grant` may name one more
 * permission the broken rule would count as held; the dispatcher then sees it granted.
 */
function widenedUrlRule(grant: (url: URL, permissions: readonly string[]) => string | undefined): HostBreakage['host'] {
  return withPieces({
    dispatcher: dispatcherWith((inner) => (ctx, request) => {
      const r = asMsg(request)
      const url = r.payload?.['url']
      if ((r.method === 'network.fetch' || r.method === 'network.fetch-stream') && typeof url === 'string' && URL.canParse(url)) {
        const extra = grant(new URL(url), ctx.permissions)
        if (extra !== undefined) return inner.dispatch({ ...ctx, permissions: [...ctx.permissions, extra] }, request)
      }
      return inner.dispatch(ctx, request)
    }),
  })
}

/** True when every error of a failed validation is about a `userId`: the ones a user-id-blind host skips. */
const onlyUserIds = (result: ValidationResult<unknown>): boolean => !result.ok && result.errors.length > 0 && result.errors.every((e) => /\/userId$/.test(e.path))

/** `inner`, except that a value whose only problems are user ids passes (as the same object, unchecked). */
function userIdBlindValidator(inner: ProtocolValidator): ProtocolValidator {
  const pass = <T>(result: ValidationResult<T>, value: unknown): ValidationResult<T> => (onlyUserIds(result) ? { ok: true, value: value as T } : result)
  return {
    mode: inner.mode,
    validateWorkerToHost: (value) => pass(inner.validateWorkerToHost(value), value),
    validateHostToWorker: (value) => inner.validateHostToWorker(value),
    validateMessage: (value) => inner.validateMessage(value),
    validateRequest: (method, payload) => pass(inner.validateRequest(method, payload), payload),
    validateResponse: (method, data) => inner.validateResponse(method, data),
  }
}

/** The broken hosts. */
export const HOST_MUTANTS: readonly HostMutant[] = [
  mutant(
    'stop-undone',
    'a host stop sends background-task-stop but sets no stop flag, so the `stopped` the worker answers restarts an `always` task (upstream H1, B30)',
    'EXT-HOST-055',
    {
      host: withPieces({
        supervisor: supervisorWith((inner, options) => ({
          stop(extensionId, taskId) {
            if (!inner.task(extensionId, taskId)) return false
            options.sendStop(extensionId, taskId)
            return true
          },
        })),
      }),
    },
  ),
  mutant(
    'restart-after-exhaustion',
    'reports exhaustion but lets the restart it had scheduled run anyway (upstream H2)',
    'EXT-HOST-053',
    {
      host: withPieces({
        supervisor: supervisorWith(
          () => ({}),
          (inner, options) => (event) => {
            options.onEvent?.(event)
            if (event.type !== 'exhausted') return
            const task = inner.task(event.extensionId, event.taskId)
            if (task) options.clock.setTimeout(() => inner.start(event.extensionId, event.taskId), restartDelay(task.policy, task.restartCount))
          },
        ),
      }),
    },
  ),
  mutant(
    'duplicate-status-counted',
    'counts a duplicate terminal status as the end of another run: it schedules a restart of its own, at the next backoff (upstream B31 with H2)',
    'EXT-HOST-057',
    {
      host: withPieces({
        supervisor: supervisorWith((inner, options) => ({
          status(extensionId, payload) {
            const before = inner.task(extensionId, payload.taskId)
            inner.status(extensionId, payload)
            if (!before || payload.status === 'running' || before.state === 'running' || before.stopRequested || before.exhausted) return
            const delay = restartDelay(before.policy, before.restartCount)
            options.clock.setTimeout(() => inner.start(extensionId, payload.taskId), delay)
          },
        })),
      }),
    },
  ),
  mutant('exhausted-reported-failed', 'reports every exhausted task as failed, also one whose runs all ended stopped (upstream H3)', 'EXT-HOST-054', {
    host: withPieces({
      supervisor: supervisorWith(
        () => ({}),
        (_inner, options) => (event) => options.onEvent?.(event.type === 'exhausted' ? { ...event, state: 'failed' } : event),
      ),
    }),
  }),
  mutant(
    'response-sent-twice',
    'sends every response to a worker request twice',
    'EXT-HOST-020',
    {
      wire: () => ({
        outgoing(message, send) {
          send(message)
          if (asMsg(message).type === 'response') send(message)
        },
      }),
    },
  ),
  mutant('side-effect-before-permission', 'calls the events backend for `events.emit` before it checks the permission (the refusal comes after the side effect)', 'EXT-HOST-021', {
    host: withPieces({
      dispatcher: dispatcherWith((inner, options) => async (ctx, request) => {
        const r = asMsg(request)
        if (r.method === 'events.emit' && typeof r.payload?.['name'] === 'string') {
          await options.backends?.events?.emit(ctx.extensionId, r.payload['name'], r.payload['payload'] as Record<string, unknown> | undefined)
        }
        return inner.dispatch(ctx, request)
      }),
    }),
  }),
  mutant(
    'user-id-unchecked',
    'does not check user ids: a validator that lets a user id with a separator through, so the request reaches the storage backend (upstream B27 checks only a job\u2019s user id)',
    'EXT-HOST-022',
    { host: withPieces({}, { validator: userIdBlindValidator(validatorFor()) }) },
  ),
  mutant(
    'subdomain-allowed',
    'lets `network:<hostname>` allow every subdomain of that hostname (a suffix match)',
    'EXT-HOST-023',
    {
      host: widenedUrlRule((url, permissions) => {
        const parent = permissions.some((p) => p.startsWith('network:') && url.hostname.endsWith(`.${p.slice('network:'.length).split(':')[0] ?? ''}`))
        return parent ? `network:${url.hostname}` : undefined
      }),
    },
    {
      blind: {
        'host/requests/network-default-port-by-scheme': 'its URLs are on the granted hostname itself; the mutant widens only to subdomains',
        'host/fetch/network-localhost-port-rule': 'its URLs are loopback ones under the localhost rule, which has no subdomains',
      },
    },
  ),
  mutant(
    'wss-default-port-80',
    'gives a `wss:` URL without a port the port 80 instead of 443, so `network:<hostname>:80` allows it (upstream B29)',
    'EXT-HOST-023',
    {
      host: widenedUrlRule((url, permissions) =>
        url.protocol === 'wss:' && url.port === '' && permissions.includes(`network:${url.hostname}:80`) ? `network:${url.hostname}:443` : undefined,
      ),
    },
    {
      blind: {
        'host/requests/network-no-subdomain-match': 'no wss: URL, and no port in its permission',
        'host/fetch/network-localhost-port-rule': 'its URLs are http: ones on the suite server, never wss:',
      },
    },
  ),
  mutant(
    'crash-on-invalid-message',
    'dies on the first invalid worker message: it reports nothing, and handles no later message of that worker (upstream B28)',
    'EXT-HOST-010',
    {
      host: withPieces({
        guard: (handler: (message: WorkerToHostMessage) => void, options: InboundGuardOptions): InboundGuard => {
          let dead = false
          const inner = createInboundGuard(handler, {
            ...options,
            onInvalid: () => {
              dead = true
            },
          })
          const guard = (message: unknown) => {
            if (!dead) inner(message)
          }
          return Object.assign(guard, { counts: () => inner.counts() })
        },
      }),
    },
  ),
  mutant(
    'activate-on-every-ready',
    'answers every `ready` with an `activate`, not only the first (upstream B3)',
    'EXT-HOST-001',
    {
      wire: () => {
        let activate: Msg | undefined
        let n = 0
        let send: ((m: unknown) => void) | undefined
        return {
          outgoing(message, out) {
            send = out
            const m = asMsg(message)
            if (m.type === 'activate') activate = m
            out(message)
          },
          incoming(message, deliver) {
            if (asMsg(message).type === 'ready' && activate && send) send({ ...activate, id: `again-${++n}` })
            deliver(message)
          },
        }
      },
    },
  ),
  mutant('no-ready-timeout', 'waits for `ready` for ever: a worker that never sends it is never ended (upstream B7)', 'EXT-HOST-003', {
    host: { readyTimeoutMs: 2 ** 31 - 1 },
  }),
  mutant(
    'permissions-undefined',
    'leaves `permissions` out of `activate` when the manifest declares none (upstream H5)',
    'EXT-HOST-002',
    {
      wire: () => ({
        outgoing(message, send) {
          const m = asMsg(message)
          const permissions = m.payload?.['permissions']
          if (m.type === 'activate' && Array.isArray(permissions) && permissions.length === 0) {
            const { permissions: _dropped, ...payload } = m.payload ?? {}
            return send({ ...m, payload })
          }
          send(message)
        },
      }),
    },
    { blind: { 'host/handshake/activate-payload-from-manifest': 'its manifest grants permissions; the mutant changes only an activate without any' } },
  ),
  mutant('error-on-deliberate-unload', 'reports the worker\u2019s exit after a deliberate unload as an extension error (upstream H4, B9)', 'EXT-HOST-070', {
    wrap: (host) =>
      withOwnEvents(host, (inner, emit) => ({
        unload: async (extensionId) => {
          await inner.unload(extensionId)
          emit({ type: 'extension-error', extensionId, error: 'worker exited with code 1' })
        },
      })),
  }),
  mutant(
    'unload-rejects-every-pending-call',
    'settles the pending calls of every extension when one is unloaded, not only that extension\u2019s (upstream B10)',
    'EXT-HOST-071',
    {
      wrap: (host) => {
        const pending = new Set<(error: Error) => void>()
        const tracked = <T>(call: Promise<T>): Promise<T> =>
          new Promise<T>((resolve, reject) => {
            pending.add(reject)
            call.then(resolve, reject).finally(() => pending.delete(reject))
          })
        return {
          ...host,
          executeTool: (...args) => tracked(host.executeTool(...args)),
          executeAction: (...args) => tracked(host.executeAction(...args)),
          getModels: (...args) => tracked(host.getModels(...args)),
          unload(extensionId) {
            for (const reject of [...pending]) reject(new Error(`Extension ${extensionId} was unloaded`))
            pending.clear()
            return host.unload(extensionId)
          },
        }
      },
    },
    {
      blind: {
        'host/unload/pending-call-settles-on-unload': 'one extension: its own pending call is settled either way',
        'host/unload/worker-loss-is-reported-once': 'a worker loss, not an unload; and one extension only',
      },
    },
  ),
  mutant(
    'no-ack-timeout',
    'waits for each `streaming-fetch-ack` for ever, holding the body (upstream H7)',
    'EXT-HOST-042',
    { host: withPieces({ pump: (options: StreamPumpOptions) => new StreamPump({ ...options, ackTimeoutMs: 2 ** 31 - 1 }) }) },
  ),
  mutant(
    'utf8-split-across-chunks',
    'decodes each read of a body on its own, so a character split across two reads becomes two replacement characters (upstream B18); modelled by a pump whose reads are split and decoded one by one',
    'EXT-HOST-043',
    {
      host: withPieces({
        pump: (options: StreamPumpOptions) =>
          new StreamPump({
            ...options,
            network: {
              async fetch(url, init) {
                const response = await options.network.fetch(url, init)
                const body = response.body?.pipeThrough(
                  new TransformStream<Uint8Array, Uint8Array>({
                    transform(chunk, controller) {
                      for (const part of [chunk.subarray(0, 1), chunk.subarray(1)]) controller.enqueue(new TextEncoder().encode(new TextDecoder().decode(part)))
                    },
                  }),
                )
                return { ...response, body: body ?? null }
              },
            },
          }),
      }),
    },
  ),
]
