/**
 * The network a host-role fixture controls (its `http` section): a local HTTP server, owned by the
 * runner for one fixture, bound to 127.0.0.1 on a free port and always closed at the fixture's end,
 * that answers each route with the status, headers and body chunks the fixture scripts. A body can
 * hold (wait for the fixture's `httpRelease` step) or abort (the socket is destroyed), and the server
 * records when the host closed a connection before the body was complete, which is how a fixture
 * sees that a host cancelled a body (EXT-HOST-042, EXT-HOST-045) without timing anything.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { HttpBodyPart, HttpRoute } from '../fixture/schema.js'

/** Longest a scripted body may hold before the server gives up on it (the fixture deadline ends it sooner). */
const MAX_HOLD_MS = 120_000

/** Most requests one fixture's server serves: more is a host in a loop, and the server answers 503. */
export const MAX_HTTP_REQUESTS = 100

/** The bytes of one scripted body part. */
export function partBytes(part: HttpBodyPart): Uint8Array | undefined {
  if ('text' in part) return new TextEncoder().encode(part.text)
  if ('hex' in part) return Uint8Array.from((part.hex.match(/../g) ?? []).map((h) => Number.parseInt(h, 16)))
  if ('base64' in part) return Uint8Array.from(Buffer.from(part.base64, 'base64'))
  return undefined
}

/** What the server saw on one route. */
interface RouteLog {
  requests: number
  /** Responses the client closed before their body was complete. */
  closedEarly: number
  releases: number
}

type Waiter = () => boolean

/** One fixture's scripted HTTP server. */
export class FixtureHttpServer {
  private readonly logs = new Map<string, RouteLog>()
  private readonly sockets = new Set<Socket>()
  private readonly waiters = new Set<Waiter>()
  private total = 0
  private closed = false

  private constructor(
    private readonly server: Server,
    private readonly routes: Readonly<Record<string, HttpRoute>>,
    readonly base: string,
  ) {
    for (const path of Object.keys(routes)) this.logs.set(path, { requests: 0, closedEarly: 0, releases: 0 })
  }

  /** Starts a server for `routes` on 127.0.0.1, on a port the system picks. */
  static async start(routes: Readonly<Record<string, HttpRoute>>): Promise<FixtureHttpServer> {
    let self: FixtureHttpServer | undefined
    const server = createServer((req, res) => void self?.serve(req, res))
    server.on('connection', (socket) => {
      self?.sockets.add(socket)
      socket.on('close', () => self?.sockets.delete(socket))
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    const { port } = server.address() as AddressInfo
    self = new FixtureHttpServer(server, routes, `http://127.0.0.1:${port}`)
    return self
  }

  /** The full URL of a route. */
  url(path: string): string {
    return `${this.base}${path}`
  }

  /** Lets every held body of `path` go on past its next hold. */
  release(path: string): void {
    const log = this.logs.get(path)
    if (log) log.releases++
    this.wake()
  }

  /** Responses of `path` the host closed before their body was complete. */
  closedEarly(path: string): number {
    return this.logs.get(path)?.closedEarly ?? 0
  }

  /** Requests the server received on `path`. */
  requests(path: string): number {
    return this.logs.get(path)?.requests ?? 0
  }

  /** Resolves once `test` holds (checked whenever the server's state changes), false at `timeoutMs` or on close. */
  waitUntil(test: () => boolean, timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (test()) return Promise.resolve(true)
    return new Promise((resolve) => {
      const done = (value: boolean) => {
        this.waiters.delete(waiter)
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
        resolve(value)
      }
      const waiter: Waiter = () => {
        if (this.closed) done(false)
        else if (test()) done(true)
        return false
      }
      const onAbort = () => done(false)
      const timer = setTimeout(() => done(false), timeoutMs)
      signal?.addEventListener('abort', onAbort, { once: true })
      this.waiters.add(waiter)
    })
  }

  private wake(): void {
    for (const w of [...this.waiters]) w()
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] as string
    const route = Object.prototype.hasOwnProperty.call(this.routes, path) ? this.routes[path] : undefined
    const log = this.logs.get(path)
    req.resume()
    if (++this.total > MAX_HTTP_REQUESTS) return void res.writeHead(503, 'Too Many Requests').end()
    if (route === undefined || log === undefined) return void res.writeHead(404, 'Not Found', { 'content-type': 'text/plain' }).end('no such route in this fixture')
    log.requests++
    let finished = false
    res.on('close', () => {
      if (!finished) {
        log.closedEarly++
        this.wake()
      }
    })
    this.wake()
    let holds = 0
    let headed = false
    const head = () => {
      if (headed) return
      headed = true
      res.writeHead(route.status ?? 200, route.statusText ?? 'OK', { 'content-type': 'application/octet-stream', ...(route.headers ?? {}) })
      res.flushHeaders()
    }
    for (const part of route.body ?? []) {
      if (res.destroyed || this.closed) return
      if ('abort' in part) {
        // A network failure: before the head, the request fails; after it, the body breaks off.
        finished = true
        req.socket.destroy()
        return
      }
      head()
      if ('hold' in part) {
        holds++
        const need = holds
        const released = await this.waitUntil(() => log.releases >= need || res.destroyed, MAX_HOLD_MS)
        if (!released || res.destroyed) return
        continue
      }
      const bytes = partBytes(part) as Uint8Array
      await new Promise<void>((resolve) => res.write(bytes, () => resolve()))
    }
    if (res.destroyed) return
    head()
    finished = true
    res.end()
  }

  /** Closes the server and every connection, at once; idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    this.wake()
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }
}

/** Replaces every `{"$http": "/path"}` in `template` by the route's full URL on `server`. */
export function substituteHttp(template: unknown, server: FixtureHttpServer | undefined): unknown {
  if (Array.isArray(template)) return template.map((t) => substituteHttp(t, server))
  if (typeof template !== 'object' || template === null) return template
  const obj = template as Record<string, unknown>
  const keys = Object.keys(obj)
  if (keys.length === 1 && keys[0] === '$http') {
    if (server === undefined) throw new Error(`{"$http": ${JSON.stringify(obj['$http'])}} needs the fixture's http section`)
    return server.url(String(obj['$http']))
  }
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(obj)) Object.defineProperty(out, k, { value: substituteHttp(v, server), enumerable: true, writable: true, configurable: true })
  return out
}

/** Every route path named by a `{"$http": path}` in `value`. */
export function httpPathsIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) httpPathsIn(v, out)
  else if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>
    const keys = Object.keys(obj)
    if (keys.length === 1 && keys[0] === '$http') out.push(String(obj['$http']))
    else for (const v of Object.values(obj)) httpPathsIn(v, out)
  }
  return out
}
