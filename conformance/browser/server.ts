/**
 * The loopback HTTP server the browser target owns: it serves the page, its script, the CSP probe,
 * and the worker entry's folder (the built ES modules: the entry and the chunks it imports) under
 * `/worker/`, each with the Content-Security-Policy header, and nothing else. One server per target,
 * on 127.0.0.1 and a port the system picks, closed with the target.
 */
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { CSP_PROBE_SCRIPT, PAGE_HTML, PAGE_SCRIPT } from './page.js'

/** A running server. */
export interface PageServer {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string
  /** Stops listening and drops every connection; calling twice is harmless. */
  close(): Promise<void>
}

/** Where the worker modules are served: `/worker/<file>.js` is `<workerDir>/<file>.js`. */
export const WORKER_PATH = '/worker/'

/** A file name the server may serve from the worker folder: a `.js` module, no folder, no `..`. */
const MODULE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*\.js$/

type Route = { readonly type: string; readonly body: string; readonly cache: boolean }

/** Serves the page under `csp`, and the `.js` modules of `workerDir` under {@link WORKER_PATH}. */
export async function startPageServer(csp: string, workerDir: string): Promise<PageServer> {
  const routes = new Map<string, Route>([
    ['/', { type: 'text/html; charset=utf-8', body: PAGE_HTML, cache: false }],
    ['/page.js', { type: 'text/javascript; charset=utf-8', body: PAGE_SCRIPT, cache: false }],
    ['/csp-probe.js', { type: 'text/javascript; charset=utf-8', body: CSP_PROBE_SCRIPT, cache: false }],
  ])
  // Each module is read once per server and cached by the browser, so a fresh worker per fixture
  // does not fetch half a megabyte of chunks again.
  const modules = new Map<string, Promise<Route | undefined>>()
  const route = (path: string): Promise<Route | undefined> => {
    const fixed = routes.get(path)
    if (fixed !== undefined || !path.startsWith(WORKER_PATH)) return Promise.resolve(fixed)
    const name = path.slice(WORKER_PATH.length)
    if (!MODULE_NAME.test(name)) return Promise.resolve(undefined)
    let read = modules.get(name)
    if (read === undefined) {
      read = readFile(join(workerDir, name), 'utf8').then(
        (body) => ({ type: 'text/javascript; charset=utf-8', body, cache: true }),
        () => undefined,
      )
      modules.set(name, read)
    }
    return read
  }
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname
    response.setHeader('Content-Security-Policy', csp)
    response.setHeader('X-Content-Type-Options', 'nosniff')
    void (request.method === 'GET' ? route(path) : Promise.resolve(undefined)).then((found) => {
      if (!found) {
        response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found')
        return
      }
      response.writeHead(200, { 'Content-Type': found.type, 'Cache-Control': found.cache ? 'max-age=86400' : 'no-store' }).end(found.body)
    })
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
