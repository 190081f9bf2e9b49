/** Test helper: a reference runtime with the conformance extension behind an in-memory transport. */
import { afterEach, expect } from 'vitest'
import { CONFORMANCE_PERMISSIONS, createConformanceExtension } from '../../conformance/extension/extension.js'
import { HostPeer, type Received } from '../../src/host/peer.js'
import type { ExtensionModule } from '../../src/runtime/api.js'
import { createRuntimeValidators, createWorkerRuntime, type WorkerRuntime } from '../../src/runtime/runtime.js'
import { createMemoryPair } from '../../src/transport/memory.js'
import { createValidator } from '../../src/validate/compile.js'

/** Every permission the conformance extension can use. */
export const ALL_PERMISSIONS = [...CONFORMANCE_PERMISSIONS]

/** A connected host peer and runtime. */
export interface TestWorker {
  readonly host: HostPeer
  readonly runtime: WorkerRuntime
  /** Sends activate and waits for the extension's `activated` log (or the failure log). */
  activate(options?: { permissions?: unknown; extensionId?: string }): Promise<void>
  /** Sends a message with a fresh id and returns the id. */
  request(type: string, payload: unknown): string
  /** Waits for a message of `type` whose payload.requestId is `requestId`. */
  answer(type: string, requestId: string, timeoutMs?: number): Promise<Record<string, unknown>>
  /** Waits for a log whose message includes `text`. */
  log(text: string, timeoutMs?: number): Promise<Record<string, unknown>>
  close(): Promise<void>
}

const validators = createRuntimeValidators()

/** Creates a runtime (conformance extension unless `module` is given) and waits for `ready`. */
export async function startWorker(options: { module?: ExtensionModule; requestTimeoutMs?: number; protocol?: string; toolsExecuteTimeoutMs?: number } = {}): Promise<TestWorker> {
  const [hostEnd, workerEnd] = createMemoryPair()
  // A runtime of another version is judged by that version's strict schema.
  const host = new HostPeer(hostEnd, options.protocol === undefined ? {} : { validator: createValidator({ mode: 'strict', protocol: options.protocol, compile: 'lazy' }) })
  const runtime = createWorkerRuntime({
    transport: workerEnd,
    module: options.module ?? createConformanceExtension(),
    options: {
      // Another version's runtime gets its own precompiled validators by default (none passed).
      ...(options.protocol === undefined ? { validators } : {}),
      ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
      ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
      ...(options.toolsExecuteTimeoutMs === undefined ? {} : { toolsExecuteTimeoutMs: options.toolsExecuteTimeoutMs }),
    },
  })
  await host.waitForType('ready', 1000)
  let counter = 0
  const worker: TestWorker = {
    host,
    runtime,
    async activate({ permissions = ALL_PERMISSIONS, extensionId = 'conformance' } = {}) {
      const from = host.received.length
      host.send({ type: 'activate', id: `h-${++counter}`, payload: { extensionId, extensionVersion: '1.0.0', storagePath: '/data/conformance', permissions, settings: {} } })
      await host.waitFor(
        (r) => {
          const m = r.message as { type?: string; payload?: { message?: string } }
          return m.type === 'log' && /conformance extension activated|Failed to activate/.test(m.payload?.message ?? '')
        },
        2000,
        from,
        'the activation log',
      )
    },
    request(type, payload) {
      const id = `h-${++counter}`
      host.send({ type, id, payload })
      return id
    },
    async answer(type, requestId, timeoutMs = 2000) {
      const r: Received = await host.waitForType(type, timeoutMs, (m) => (m['payload'] as { requestId?: string } | undefined)?.requestId === requestId)
      return r.message as Record<string, unknown>
    },
    async log(text, timeoutMs = 2000) {
      const r = await host.waitForType('log', timeoutMs, (m) => String((m['payload'] as { message?: string }).message).includes(text))
      return r.message as Record<string, unknown>
    },
    async close() {
      runtime.dispose()
      await host.close()
    },
  }
  return worker
}


/**
 * A `startWorker` whose workers are closed after each test, once the test has also checked that the
 * runtime sent only messages its strict schema accepts (for a versioned worker, that version's).
 */
export function trackedWorkers(): (options?: Parameters<typeof startWorker>[0]) => Promise<TestWorker> {
  let workers: TestWorker[] = []
  afterEach(async () => {
    for (const w of workers) {
      expect(w.host.received.filter((r) => r.errors.length > 0).map((r) => r.errors[0]?.message)).toEqual([])
      await w.close()
    }
    workers = []
  })
  return async (options) => {
    const w = await startWorker(options)
    workers.push(w)
    return w
  }
}
