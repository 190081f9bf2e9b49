/**
 * The loopback HTTP server the browser target owns: it serves the page, its script, the worker
 * bundle and the CSP probe, each with the Content-Security-Policy header, and nothing else. One
 * server per target, on 127.0.0.1 and a port the system picks, closed with the target.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { CSP_PROBE_SCRIPT, PAGE_HTML, PAGE_SCRIPT } from './page.js'

/** A running server. */
export interface PageServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string
  /** Stops listening and drops every connection; calling twice is harmless. */
  close(): Promise<void>
}

/** Serves the page under `csp`, with `workerScript` (the bundle's text) at `/worker.js`. */
export async function startPageServer(csp: string, workerScript: string): Promise<PageServer> {
  const routes = new Map<string, { type: string; body: string; cache: boolean }>([
    ['/', { type: 'text/html; charset=utf-8', body: PAGE_HTML, cache: false }],
    ['/page.js', { type: 'text/javascript; charset=utf-8', body: PAGE_SCRIPT, cache: false }],
    // One file for every fixture's worker: cached, so a fresh worker does not fetch 500 KB again.
    ['/worker.js', { type: 'text/javascript; charset=utf-8', body: workerScript, cache: true }],
    ['/csp-probe.js', { type: 'text/javascript; charset=utf-8', body: CSP_PROBE_SCRIPT, cache: false }],
  ])
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    const route = request.method === 'GET' ? routes.get(path) : undefined
    response.setHeader('Content-Security-Policy', csp)
    response.setHeader('X-Content-Type-Options', 'nosniff')
    if (!route) {
      response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found')
      return
    }
    response.writeHead(200, { 'Content-Type': route.type, 'Cache-Control': route.cache ? 'max-age=86400' : 'no-store' }).end(route.body)
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  let closed: Promise<void> | undefined
  return {
    origin: `http://127.0.0.1:${port}`,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      })
      return closed
    },
  }
}
