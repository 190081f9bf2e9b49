/**
 * Broken runtimes the suite used to pass (issue "blind spots"): each reproduces one real bug on the
 * wire, and `test/mutants-blind-spots.test.ts` shows that the suite now fails it on its requirement,
 * in the fixture written for it. The output filters of `mutants.ts` cannot express these bugs,
 * because they live in what the runtime does with host messages and in the API it gives the
 * extension; so each mutant runs the reference runtime with the conformance extension and changes
 * one of those two: a host message is rewritten before validation (a runtime that coerces instead
 * of validating), or the context the extension sees is replaced by a broken one.
 */
import type { Disposable, ExtensionContext, ExtensionModule, NetworkAPI } from '../../src/runtime/api.js'
import { createRuntimeValidators, createWorkerRuntime, type RuntimeValidators } from '../../src/runtime/runtime.js'
import { createMemoryPair } from '../../src/transport/memory.js'
import { createConformanceExtension } from '../extension/extension.js'
import type { Mutant } from './mutants.js'
import { SHORT_REQUEST_TIMEOUT_MS, wantsShortRequestTimeout, type ConnectContext, type Target } from '../targets.js'

type Msg = { type?: unknown; id?: unknown; method?: unknown; payload?: Record<string, unknown> }

/** What one connection of a mutant changes. Every part is optional; a fresh set per connection. */
interface Breakage {
  /** Sees every host message before the runtime does, and delivers what the runtime gets instead. */
  readonly incoming?: (message: unknown, deliver: (message: unknown) => void) => void
  /** Sees every message the runtime sends. */
  readonly outgoing?: (message: unknown) => void
  /** Replaces the extension module (to hand the extension a broken context). */
  readonly module?: (inner: ExtensionModule) => ExtensionModule
}

/** A mutant running the reference runtime and the conformance extension, broken by `breakage()` per connection. */
function broken(name: string, description: string, requirement: string, breakage: () => Breakage, blind: Readonly<Record<string, string>> = {}): Mutant {
  return {
    name,
    description,
    requirement,
    blind,
    target: (): Target => {
      let validators: RuntimeValidators | undefined
      return {
        name: `mutant ${name}`,
        features: new Set(['short-request-timeout']),
        inProcess: true,
        async connect(context?: ConnectContext) {
          const [host, worker] = createMemoryPair({ copy: 'structured-clone' })
          const b = breakage()
          const extension = createConformanceExtension()
          const runtime = createWorkerRuntime({
            transport: {
              send: (message) => {
                b.outgoing?.(message)
                worker.send(message)
              },
              onMessage: (listener): Disposable => worker.onMessage(b.incoming ? (message) => b.incoming?.(message, listener) : listener),
            },
            module: b.module ? b.module(extension) : extension,
            // The short request timeout only where the fixture asks for it: elsewhere a busy machine
            // could time out a request that the fixture expects answered.
            options: { ...(wantsShortRequestTimeout(context) ? { requestTimeoutMs: SHORT_REQUEST_TIMEOUT_MS } : {}), validators: (validators ??= createRuntimeValidators()) },
          })
          host.onClose(() => runtime.dispose())
          return host
        },
      }
    },
  }
}

/** A module whose `activate` gets `wrap(context)` instead of the runtime's context. */
function withContext(inner: ExtensionModule, wrap: (context: ExtensionContext) => ExtensionContext): ExtensionModule {
  return {
    activate: (context) => inner.activate(wrap(context)),
    deactivate: () => inner.deactivate?.(),
  }
}

/** A host message of `type` whose payload field `field` is not a string gets `String(value)` there. */
function coercing(type: string, field: string, when: (m: Msg) => boolean = () => true): () => Breakage {
  return () => ({
    incoming: (message, deliver) => {
      const m = message as Msg
      const value = m?.payload?.[field]
      if (m?.type === type && value !== undefined && typeof value !== 'string' && when(m)) deliver({ ...m, payload: { ...m.payload, [field]: String(value) } })
      else deliver(message)
    },
  })
}

/** Error chunks that arrive while the consumer is suspended at its `yield` are swallowed. */
function errorLostWhileConsumerBusy(): Breakage {
  let busy = false // the consumer holds a chunk and has not asked for the next one
  let swallow = false
  return {
    incoming: (message, deliver) => {
      const m = message as Msg
      if (m?.type === 'streaming-fetch-chunk' && typeof m.payload?.['error'] === 'string' && busy) swallow = true
      deliver(message)
    },
    module: (inner) =>
      withContext(inner, (context) => {
        const network = context.network
        if (!network) return context
        async function* fetchStream(url: string, init?: RequestInit): AsyncGenerator<string, void, undefined> {
          const stream = network!.fetchStream(url, init)
          try {
            for (;;) {
              let next: IteratorResult<string, void>
              try {
                next = await stream.next()
              } catch (error) {
                if (!swallow) throw error
                swallow = false
                return // the bug: the stream ends as a success, with the data received so far
              }
              if (next.done) return
              busy = true
              try {
                yield next.value
              } finally {
                busy = false
              }
            }
          } finally {
            await stream.return(undefined)
          }
        }
        const brokenNetwork: NetworkAPI = { fetch: network.fetch.bind(network), fetchStream }
        return { ...context, network: brokenNetwork }
      }),
  }
}

/** `network.fetch` builds its Response with the host's body whatever the status (upstream B19). */
function responseBodyForEveryStatus(): Breakage {
  return {
    module: (inner) =>
      withContext(inner, (context) => {
        const network = context.network
        if (!network) return context
        const brokenNetwork: NetworkAPI = {
          fetch: async (url, init) => {
            const response = await network.fetch(url, init)
            return new Response(await response.text(), { status: response.status, statusText: response.statusText, headers: response.headers })
          },
          fetchStream: network.fetchStream.bind(network),
        }
        return { ...context, network: brokenNetwork }
      }),
  }
}

/** Chunks for a stream the worker opened are coerced to text instead of validated. */
function invalidChunkReachesConsumer(): Breakage {
  const live = new Set<string>()
  const coerce = coercing('streaming-fetch-chunk', 'chunk', (m) => live.has(String(m.payload?.['requestId'])))()
  return {
    outgoing: (message) => {
      const m = message as Msg
      if (m?.type === 'request' && m.method === 'network.fetch-stream' && typeof m.id === 'string') live.add(m.id)
    },
    ...(coerce.incoming ? { incoming: coerce.incoming } : {}),
  }
}

/** The runtime does not wait for an async `activate` before it dispatches host messages (upstream B5). */
function activationNotAwaited(): Breakage {
  return {
    module: (inner) => ({
      activate: (context) => {
        Promise.resolve()
          .then(() => inner.activate(context))
          .catch((error: unknown) => {
            const text = error instanceof Error ? error.message : String(error)
            context.log.error(`Failed to activate extension: ${text}`, { error: text })
          })
      },
      deactivate: () => inner.deactivate?.(),
    }),
  }
}

/** Fixtures citing the requirement of `unvalidated-settings-changed` that cannot see its breakage, and why. */
const BLIND_UNVALIDATED_SETTINGS_CHANGED: Readonly<Record<string, string>> = {
  'fetch/blind-invalid-chunk-on-live-stream': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'inbound/garbage-logged-and-survived': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'inbound/invalid-action-request': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'inbound/invalid-background-start-logged': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'inbound/invalid-background-task-stop-ignored': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'inbound/invalid-chat-request': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'inbound/invalid-chunk-logged': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'inbound/invalid-models-request': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'inbound/invalid-response-logged': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'inbound/invalid-scheduler-fire-not-delivered': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'inbound/invalid-tool-request': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'inbound/unknown-type-logged': 'sends no invalid settings-changed, the one message this runtime fails to validate',
  'permissions/activate-without-permissions-rejected': 'sends no invalid settings-changed, the one message this runtime fails to validate',
}

/** Fixtures citing the requirement of `unvalidated-scheduler-fire` that cannot see its breakage, and why. */
const BLIND_UNVALIDATED_SCHEDULER_FIRE: Readonly<Record<string, string>> = {
  'fetch/blind-invalid-chunk-on-live-stream': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'inbound/garbage-logged-and-survived': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'inbound/invalid-action-request': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'inbound/invalid-background-start-logged': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'inbound/invalid-background-task-stop-ignored': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'inbound/invalid-chat-request': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'inbound/invalid-chunk-logged': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'inbound/invalid-models-request': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'inbound/invalid-response-logged': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'inbound/invalid-settings-changed-not-delivered': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'inbound/invalid-tool-request': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'inbound/unknown-type-logged': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
  'permissions/activate-without-permissions-rejected': 'sends no invalid scheduler-fire, the one message this runtime fails to validate',
}

/** Fixtures citing the requirement of `unvalidated-background-task-stop` that cannot see its breakage, and why. */
const BLIND_UNVALIDATED_BACKGROUND_TASK_STOP: Readonly<Record<string, string>> = {
  'fetch/blind-invalid-chunk-on-live-stream': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'inbound/garbage-logged-and-survived': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'inbound/invalid-action-request': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'inbound/invalid-background-start-logged': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'inbound/invalid-chat-request': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'inbound/invalid-chunk-logged': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'inbound/invalid-models-request': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'inbound/invalid-response-logged': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'inbound/invalid-scheduler-fire-not-delivered': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'inbound/invalid-settings-changed-not-delivered': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'inbound/invalid-tool-request': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'inbound/unknown-type-logged': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
  'permissions/activate-without-permissions-rejected': 'sends no invalid background-task-stop, the one message this runtime fails to validate',
}

/** Fixtures citing the requirement of `activation-not-awaited` that cannot see its breakage, and why. */
const BLIND_ACTIVATION_NOT_AWAITED: Readonly<Record<string, string>> = {
  'lifecycle/messages-during-activation-wait': 'the extension registers everything before its first await here, so nothing arrives before its handlers exist (only late-register activations expose it)',
  'lifecycle/scheduler-fire-during-activation': 'the extension registers everything before its first await here, so nothing arrives before its handlers exist (only late-register activations expose it)',
}

/** One broken runtime per blind spot of the issue, each caught by the fixture written for it. */
export const BLIND_SPOT_MUTANTS: readonly Mutant[] = [
  broken('error-lost-while-consumer-busy', 'ends a fetch stream as a success when its error chunk arrives while the consumer is busy with an earlier chunk', 'EXT-FETCH-007', errorLostWhileConsumerBusy),
  broken('response-body-for-every-status', 'builds the network.fetch Response with the host body for every status, so 204, 304 and 101 throw in the worker (upstream B19)', 'EXT-REQ-008', responseBodyForEveryStatus),
  broken('invalid-chunk-reaches-consumer', 'turns an invalid chunk of a live stream into text and hands it to the consumer', 'EXT-FETCH-008', invalidChunkReachesConsumer),
  broken('unvalidated-settings-changed', 'does not validate settings-changed: a non-string key is turned into text and reaches onChange', 'EXT-IN-001', coercing('settings-changed', 'key'), BLIND_UNVALIDATED_SETTINGS_CHANGED),
  broken('unvalidated-scheduler-fire', 'does not validate scheduler-fire: a non-string job id is turned into text and reaches onFire', 'EXT-IN-001', coercing('scheduler-fire', 'id'), BLIND_UNVALIDATED_SCHEDULER_FIRE),
  broken('unvalidated-background-task-stop', 'does not validate background-task-stop: a non-string taskId is turned into text and stops that task', 'EXT-IN-001', coercing('background-task-stop', 'taskId'), BLIND_UNVALIDATED_BACKGROUND_TASK_STOP),
  broken('activation-not-awaited', 'dispatches host messages while an async activate is still running, so handlers registered after an await miss them (upstream B5)', 'EXT-LIFE-009', activationNotAwaited, BLIND_ACTIVATION_NOT_AWAITED),
]

/** The fixture that closes each blind spot, by mutant name (the test checks that it is the one that fails). */
export const BLIND_SPOT_FIXTURES: Readonly<Record<string, string>> = {
  'error-lost-while-consumer-busy': 'fetch/blind-error-while-consumer-busy',
  'response-body-for-every-status': 'requests/fetch-null-body-status',
  'invalid-chunk-reaches-consumer': 'fetch/blind-invalid-chunk-on-live-stream',
  'unvalidated-settings-changed': 'inbound/invalid-settings-changed-not-delivered',
  'unvalidated-scheduler-fire': 'inbound/invalid-scheduler-fire-not-delivered',
  'unvalidated-background-task-stop': 'inbound/invalid-background-task-stop-ignored',
  'activation-not-awaited': 'lifecycle/late-registration-gets-held-messages',
}
