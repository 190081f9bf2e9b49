/**
 * The conformance extension: the module every fixture drives a runtime through. Its behaviour is
 * specified in docs/conformance-extension.md precisely enough to write the same extension for a
 * runtime in another language; keep the two in step.
 */
import type {
  BackgroundTaskCallback,
  BackgroundTaskConfig,
  Disposable,
  ExecutionContext,
  ExtensionContext,
  ExtensionModule,
} from '../../src/runtime/api.js'
import type { ChatMessage, ChatOptions, StreamEvent, ToolResult } from '../../src/protocol/types.js'

/** Every permission the conformance extension can use (docs/conformance-extension.md, "Permissions"). */
export { CONFORMANCE_PERMISSIONS } from './permissions.js'

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const text = (error: unknown) => (error instanceof Error ? error.message : String(error))

/** Background behaviours, selected by name (docs/conformance-extension.md, "Background tasks"). */
export const TASK_BEHAVIOURS: Record<string, BackgroundTaskCallback> = {
  /** Reports health `tick`, then waits until stopped. */
  wait: async (ctx) => {
    ctx.reportHealth('tick')
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }))
  },
  /** Returns at once. */
  complete: async () => undefined,
  /** Throws `task failed`. */
  throw: async () => {
    throw new Error('task failed')
  },
  /** Waits until stopped, then throws `aborted`. */
  'throw-on-abort': async (ctx) => {
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }))
    throw new Error('aborted')
  },
  /** Reports its payload as a JSON health status, then returns. */
  payload: async (ctx) => {
    ctx.reportHealth(JSON.stringify(ctx.payload ?? null))
  },
}

/** The three tasks registered on activate, one per restart policy. */
export const ACTIVATION_TASKS: ReadonlyArray<{ config: BackgroundTaskConfig; behaviour: string }> = [
  { config: { id: 'always-task', name: 'Always task', userId: 'conformance-user', restartPolicy: { type: 'always' }, payload: { kind: 'always' } }, behaviour: 'wait' },
  { config: { id: 'on-failure-task', name: 'On-failure task', userId: 'conformance-user', restartPolicy: { type: 'on-failure', maxRestarts: 2, initialDelayMs: 10 } }, behaviour: 'throw' },
  { config: { id: 'never-task', name: 'Never task', userId: 'conformance-user', restartPolicy: { type: 'never' } }, behaviour: 'complete' },
]

function lastUser(messages: ChatMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i]?.role === 'user') return messages[i]?.content ?? ''
  return ''
}

/** The echo provider's chat, by `options.settings.mode`. */
async function* chat(messages: ChatMessage[], options: ChatOptions): AsyncGenerator<StreamEvent> {
  const settings = (options.settings ?? {}) as Record<string, unknown>
  const mode = typeof settings['mode'] === 'string' ? settings['mode'] : 'echo'
  const message = typeof settings['message'] === 'string' ? settings['message'] : 'provider failed'
  switch (mode) {
    case 'stream': {
      const count = typeof settings['count'] === 'number' ? settings['count'] : 3
      for (let i = 0; i < count; i++) yield { type: 'content', text: `chunk-${i}` }
      yield { type: 'done' }
      return
    }
    case 'no-done':
      yield { type: 'content', text: lastUser(messages) }
      return
    case 'throw':
      yield { type: 'content', text: 'partial' }
      throw new Error(message)
    case 'error-event':
      yield { type: 'error', message }
      return
    case 'after-done':
      yield { type: 'done' }
      yield { type: 'content', text: 'too late' }
      return
    case 'invalid-event':
      yield { type: 'bogus' } as unknown as StreamEvent
      return
    case 'tools':
      yield { type: 'thinking', text: 'calling echo' }
      yield { type: 'tool_start', name: 'echo', input: { text: 'x' }, toolCallId: 'call-1' }
      yield { type: 'tool_end', name: 'echo', output: { text: 'x' }, toolCallId: 'call-1' }
      yield { type: 'content', text: 'x' }
      yield { type: 'done', usage: { inputTokens: messages.length, outputTokens: 1 } }
      return
    case 'context':
      // Hands the request's options.context (0.30.0 on) back as the input of a tool_start event.
      yield { type: 'tool_start', name: 'context', input: (options as { context?: unknown }).context ?? null, toolCallId: 'context' }
      yield { type: 'done' }
      return
    case 'slow':
      await sleep(typeof settings['delayMs'] === 'number' ? settings['delayMs'] : 50)
      yield { type: 'content', text: lastUser(messages) }
      yield { type: 'done' }
      return
    default:
      yield { type: 'content', text: lastUser(messages) }
      yield { type: 'done', usage: { inputTokens: messages.length, outputTokens: 1 } }
  }
}

/**
 * Whether `value` is a fetch Response. Its tag is read first: merely reading the global `Response`
 * makes Node load its fetch implementation, tens of milliseconds of a fresh worker's CPU, which a
 * result that is not a Response never needs (and a real Response has been made by then anyway).
 */
function isResponse(value: unknown): value is Response {
  return Object.prototype.toString.call(value) === '[object Response]' && value instanceof Response
}

/** Turns what an API call returned into plain data for a tool result. */
async function plain(value: unknown): Promise<unknown> {
  if (isResponse(value)) {
    const headers: Record<string, string> = {}
    value.headers.forEach((v, k) => {
      headers[k] = v
    })
    return { status: value.status, statusText: value.statusText, headers, body: await value.text() }
  }
  return value === undefined ? null : value
}

/** Creates a fresh conformance extension module (its state lives in the returned object). */
export function createConformanceExtension(): ExtensionModule {
  let context: ExtensionContext | undefined
  const tasks = new Map<string, Disposable>()

  const tools: Record<string, (params: Record<string, unknown>, ctx: ExecutionContext) => Promise<unknown>> = {
    echo: async (params) => ({ success: true, data: params }),
    fail: async (params) => {
      throw new Error(typeof params['message'] === 'string' ? params['message'] : 'tool failed')
    },
    'soft-fail': async (params) => ({ success: false, error: typeof params['message'] === 'string' ? params['message'] : 'soft failure' }),
    'invalid-result': async () => 'not a result',
    slow: async (params) => {
      const delayMs = typeof params['delayMs'] === 'number' ? params['delayMs'] : 50
      await sleep(delayMs)
      return { success: true, data: { waited: delayMs } }
    },
    context: async (_params, ctx) => ({ success: true, data: { userId: ctx.userId ?? null, extension: ctx.extension } }),
    call: async (params, execution) => {
      const api = String(params['api'])
      const fn = String(params['fn'])
      const args = Array.isArray(params['args']) ? params['args'] : []
      // `from: "execution"` reaches the tool's own execution context (storage, userStorage, secrets, userSecrets).
      const source = params['from'] === 'execution' ? execution : context
      const target = (source as unknown as Record<string, Record<string, unknown> | undefined> | undefined)?.[api]
      if (!target || typeof target[fn] !== 'function') return { success: false, error: `API ${params['from'] === 'execution' ? 'execution.' : ''}${api}.${fn} is not available` }
      try {
        const result: unknown = await (target[fn] as (...a: unknown[]) => unknown).apply(target, args)
        return { success: true, data: await plain(result) }
      } catch (error) {
        return { success: false, error: text(error) }
      }
    },
    'fetch-stream': async (params) => {
      const network = context?.network
      if (!network) return { success: false, error: 'API network.fetchStream is not available' }
      const chunks: string[] = []
      const events = context?.events
      if (params['hold'] === true && !events) return { success: false, error: 'API events.emit is not available' }
      try {
        const delayMs = typeof params['delayMs'] === 'number' ? params['delayMs'] : 0
        for await (const chunk of network.fetchStream(String(params['url']))) {
          chunks.push(chunk)
          if (params['mode'] === 'first') break
          if (delayMs > 0) await sleep(delayMs)
          // A slow consumer the host controls: it holds the chunk until the host answers this request.
          if (params['hold'] === true) await events?.emit('fetch-stream.hold', { chunk })
        }
        return { success: true, data: { chunks } }
      } catch (error) {
        return { success: false, error: text(error), data: { chunks } }
      }
    },
    background: async (params) => {
      const workers = context?.backgroundWorkers
      if (!workers) return { success: false, error: 'API backgroundWorkers is not available' }
      const taskId = String(params['taskId'] ?? '')
      try {
        switch (params['op']) {
          case 'start': {
            const behaviour = TASK_BEHAVIOURS[String(params['behaviour'] ?? 'wait')] ?? TASK_BEHAVIOURS['wait']
            const disposable = await workers.start(params['config'] as BackgroundTaskConfig, behaviour as BackgroundTaskCallback)
            tasks.set((params['config'] as { id: string }).id, disposable)
            return { success: true }
          }
          case 'stop':
            await workers.stop(taskId)
            return { success: true }
          case 'dispose':
            tasks.get(taskId)?.dispose()
            return { success: true }
          default:
            return { success: true, data: await workers.getStatus() }
        }
      } catch (error) {
        return { success: false, error: text(error) }
      }
    },
  }

  return {
    async activate(ctx) {
      context = ctx
      const id = ctx.extension.id
      // Registers everything after an await, so that host messages arriving meanwhile find no handler
      // unless the runtime holds them until activate completes.
      if (id.includes('late-register')) await ctx.settings?.getAll()
      ctx.providers?.register({
        id: 'echo',
        name: 'Echo Provider',
        getModels: async (options) => {
          const settings = (options?.settings ?? {}) as Record<string, unknown>
          if (typeof settings['fail'] === 'string') throw new Error(settings['fail'])
          if (settings['invalid'] === true) return [{ id: 1 }] as unknown as never
          return [
            { id: 'echo-1', name: 'Echo 1', contextLength: 4096 },
            { id: 'echo-2', name: 'Echo 2' },
          ]
        },
        chat,
      })
      for (const [toolId, run] of Object.entries(tools)) {
        ctx.tools?.register({
          id: toolId,
          name: `Conformance ${toolId}`,
          description: `The conformance extension's ${toolId} tool`,
          parameters: { type: 'object' },
          execute: (params, execution) => run(params, execution) as Promise<ToolResult>,
        })
      }
      if (id.includes('localized-name') && ctx.tools) {
        try {
          ctx.tools.register({
            id: 'localized',
            name: { en: 'Localized', sv: 'Lokaliserad' } as unknown as string,
            description: 'A tool whose name is a LocalizedString',
            execute: async () => ({ success: true }),
          })
          ctx.log.info('localized tool registered')
        } catch (error) {
          ctx.log.info('localized tool rejected', { error: text(error) })
        }
      }
      ctx.actions?.register({ id: 'echo-action', execute: async (params) => ({ success: true, data: params }) })
      ctx.actions?.register({
        id: 'fail-action',
        execute: async () => {
          throw new Error('action failed')
        },
      })
      ctx.settings?.onChange((key, value) => ctx.log.info(`setting ${key} changed`, { value: value === undefined ? null : value }))
      ctx.scheduler?.onFire((payload) => {
        if (payload.payload?.['fail'] === true) throw new Error(`job ${payload.id} failed`)
      })
      ctx.scheduler?.onFire((payload, execution) => {
        ctx.log.info(`fired ${payload.id}`, { userId: execution.userId ?? null, payload: payload.payload ?? null })
      })
      ctx.scheduler?.onFire(async (payload) => {
        // A callback that makes a request of its own before it settles (the fire report waits for it).
        const name = payload.payload?.['emit']
        if (typeof name === 'string') await ctx.events?.emit(name, { jobId: payload.id })
      })
      if (ctx.backgroundWorkers) {
        for (const task of ACTIVATION_TASKS) {
          tasks.set(task.config.id, await ctx.backgroundWorkers.start(task.config, TASK_BEHAVIOURS[task.behaviour] as BackgroundTaskCallback))
        }
      }
      if (id.includes('slow-activate')) await sleep(50)
      if (id.includes('fail-activate')) throw new Error('activation failed on purpose')
      ctx.log.info('conformance extension activated')
      if (id.includes('bad-return')) return 42 as unknown as void
      return { dispose: () => undefined }
    },
    async deactivate() {
      const id = context?.extension.id ?? ''
      context?.log.info('conformance extension deactivated')
      context = undefined
      if (id.includes('fail-deactivate')) throw new Error('deactivation failed on purpose')
    },
  }
}
