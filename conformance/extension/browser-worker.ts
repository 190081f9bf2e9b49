/**
 * Browser entry of the conformance extension: loaded as a dedicated module Web Worker,
 * it starts the reference runtime on the worker's own `postMessage`, as a browser host's extension
 * bundle would. A browser worker has no environment, so the short request timeout that
 * EXTWIRE_REQUEST_TIMEOUT_MS gives the Node entries comes as `?requestTimeoutMs=<ms>` on the
 * worker's URL.
 */
import { initializeWebExtension } from '../../src/runtime/web-entry.js'
import type { WorkerRuntimeOptions } from '../../src/runtime/runtime.js'
import { resolveProfile } from '../../src/protocol/versions.js'
import { createConformanceExtension } from './extension.js'

/** `{requestTimeoutMs}` from the worker URL's query, when it is a positive number. */
export function requestTimeoutFromQuery(href: string): WorkerRuntimeOptions {
  const ms = Number(new URL(href).searchParams.get('requestTimeoutMs'))
  return Number.isFinite(ms) && ms > 0 ? { requestTimeoutMs: ms } : {}
}

/**
 * `{protocol}` from the worker URL's `?protocol=` (the browser's EXTWIRE_PROTOCOL), checked at once
 * (an unknown version throws); absent: 0.22.1. The runtime loads that version's checks before it starts.
 */
export function protocolFromQuery(href: string): WorkerRuntimeOptions {
  const protocol = new URL(href).searchParams.get('protocol')
  if (protocol === null || protocol === '') return {}
  resolveProfile(protocol)
  return { protocol }
}

interface WorkerScope {
  readonly location: { readonly href: string }
  addEventListener(type: 'unhandledrejection', listener: (event: { readonly reason: unknown }) => void): void
}

const scope = globalThis as unknown as WorkerScope
// An unhandled rejection ends a Node worker thread; in a browser it would only be logged. Raised
// again as an uncaught error, it reaches the page's `error` event, so the host sees it as the
// crash it would be under Node, and a browser target is never more lenient than a thread.
scope.addEventListener('unhandledrejection', (event) => {
  setTimeout(() => {
    throw event.reason instanceof Error ? event.reason : new Error(`unhandled rejection: ${String(event.reason)}`)
  })
})
void initializeWebExtension(createConformanceExtension(), { ...requestTimeoutFromQuery(scope.location.href), ...protocolFromQuery(scope.location.href) })
