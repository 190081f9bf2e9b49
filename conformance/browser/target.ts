/**
 * The browser target: the conformance extension on the reference runtime, built as an ES module
 * (`dist/conformance-browser-worker.js` and the shared chunks it imports, served from `dist/`), run
 * in a dedicated module Web Worker of a page in headless
 * Chromium, under a Content-Security-Policy without `unsafe-eval`. The page is served by a
 * loopback server the target owns; Node talks to it through Playwright (`playwright-core`, driving
 * the OS's Chromium through `executablePath`, never a downloaded browser).
 *
 * One browser and one page per target (per run); a fresh Web Worker per fixture, terminated when
 * the fixture's transport closes. Messages go Node → page as ordered batches of `page.evaluate`
 * calls, then by the Worker's `postMessage` (structured clone), exactly as a browser host posts
 * them; worker → page → Node through a Playwright binding, numbered per worker and delivered in
 * order. A browser or page that crashes fails every open connection with a transport error and every
 * later one at connect, so a crash is the target's failure, never a pass.
 */
import { existsSync } from 'node:fs'
import { basename, dirname, resolve } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { BaseTransport } from '../../src/transport/emitter.js'
import type { Transport } from '../../src/transport/types.js'
import { PACKAGE_ROOT } from '../paths.js'
import { SHORT_REQUEST_TIMEOUT_MS, wantsShortRequestTimeout, workerEnv, type ConnectContext, type Target } from '../targets.js'
import { EMIT_BINDING, RELAXED_CSP_FOR_TESTING, STRICT_CSP } from './page.js'
import { startPageServer, WORKER_PATH, type PageServer } from './server.js'

/** Where the browser is looked for when no path is given. */
export const DEFAULT_BROWSER_PATH = '/usr/bin/chromium'

/**
 * The module a browser target starts in each worker (built by `npm run build`, see tsup.config.ts);
 * its folder is served with it, for the chunks it imports.
 */
export const BROWSER_WORKER_BUNDLE = resolve(PACKAGE_ROOT, 'dist/conformance-browser-worker.js')

/**
 * Chromium's flags: headless without a sandbox (CI runs as root), and none of the background
 * connections (updates, sync, field trials) that a closed network refuses and that only slow a
 * start. Playwright adds `--headless` and a fresh temporary `--user-data-dir`, removed on close.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** `$EXTWIRE_CHROMIUM`, or {@link DEFAULT_BROWSER_PATH}. */
export function defaultBrowserPath(env: NodeJS.ProcessEnv = process.env): string {
  const given = env['EXTWIRE_CHROMIUM']
  return given !== undefined && given.trim() !== '' ? given : DEFAULT_BROWSER_PATH
}

/** The CSP the page and its workers are served with. */
export type BrowserCsp = 'strict' | 'relaxed-for-testing'

/** Options of {@link browserTarget}. */
export interface BrowserTargetOptions {
  /** The Chromium executable (default {@link defaultBrowserPath}). */
  readonly executablePath?: string
  /**
   * `strict` (default): no `unsafe-eval`, and the target refuses to run unless a probe worker shows
   * that compiling code from a string is blocked. `relaxed-for-testing` allows `unsafe-eval`: only
   * for tests that show the difference.
   */
  readonly csp?: BrowserCsp
  /** Bound on launching the browser and loading the page (ms, default 30 s). */
  readonly launchTimeoutMs?: number
  /** Bound on any one call into the page (ms, default 30 s); a page that does not answer is a crash. */
  readonly callTimeoutMs?: number
  /**
   * The worker's ES module (default {@link BROWSER_WORKER_BUNDLE}), started as a module Web Worker;
   * the `.js` files of its folder are served beside it, for the modules it imports.
   */
  readonly bundle?: string
  /** Variables of this process's environment the browser process gets, beyond {@link workerEnv}'s defaults. */
  readonly passEnv?: readonly string[]
  /**
   * The protocol version the worker is to speak (default 0.22.1). A Web Worker has no environment,
   * so it goes as `?protocol=<version>` on the worker's URL, as EXTWIRE_PROTOCOL goes to a Node worker.
   */
  readonly protocol?: string
  /** Called with the browser and the page once they are up: for tests that crash or inspect them. */
  readonly onLaunch?: (launched: { readonly browser: Browser; readonly page: Page }) => void
}

/** What the CSP probe saw: whether code could be compiled from a string in the page and in a worker. */
export interface CspProbe {
  /** `allowed`, or `blocked (<error name>)`. */
  readonly page: string
  /** `allowed`, or `blocked (<error name>)`, in a Web Worker served by the same server. */
  readonly worker: string
  /** `securitypolicyviolation` events seen by the page and the probe worker. */
  readonly violations: readonly string[]
}

/** A target whose browser outlives a connection: close it when the run ends. */
export interface BrowserTarget extends Target {
  /** The browser's version, once launched. */
  readonly browserVersion: string | undefined
  /** Launches the browser if needed and reports whether the CSP binds its workers. */
  probeCsp(): Promise<CspProbe>
  /** Terminates every worker, closes the page and the browser and stops the server; bounded, idempotent. */
  close(): Promise<void>
}

/** True for a target that must be closed after the run (a {@link BrowserTarget}). */
export function isClosableTarget<T extends object>(target: T): target is T & { close(): Promise<void> } {
  return typeof (target as { close?: unknown }).close === 'function'
}

/** A target that could not start because something it needs is missing (the browser, playwright-core, the bundle). */
export class BrowserUnavailableError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'BrowserUnavailableError'
  }
}

/** Longest wait for the browser to close before Playwright kills it (ms). */
const BROWSER_CLOSE_WAIT_MS = 10_000

class TimeoutError extends Error {}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(`${what} took longer than ${ms} ms`)), ms)
    promise.then(
      (value) => {
        clearTimeout(timer)
        resolvePromise(value)
      },
      (error: unknown) => {
        clearTimeout(timer)
        reject(error instanceof Error ? error : new Error(String(error)))
      },
    )
  })
}

type Chromium = typeof import('playwright-core').chromium

/** playwright-core, loaded only when a browser target launches (it is not needed otherwise). */
async function loadChromium(): Promise<Chromium> {
  // A name in a variable: the bundler leaves the import to run time instead of bundling Playwright.
  const name = 'playwright-core'
  try {
    const module = (await import(name)) as typeof import('playwright-core')
    return module.chromium
  } catch (error) {
    throw new BrowserUnavailableError(`playwright-core is not installed (${(error as Error).message.split('\n')[0] ?? ''}): install it with npm install --save-dev playwright-core@1`)
  }
}

/** One operation on the page; a batch of them is applied in order. */
type Op = readonly ['start', number, string] | readonly ['send', number, unknown] | readonly ['terminate', number]

interface PendingOp {
  readonly op: Op
  resolve(): void
  reject(error: Error): void
}

interface PageApi {
  run(ops: readonly Op[]): Array<[number, string]>
  probe(): Promise<CspProbe>
}

/** The host end of one Web Worker in the page. */
class BrowserWorkerTransport extends BaseTransport {
  private expected = 0
  private readonly early = new Map<number, { kind: string; data: unknown }>()

  constructor(
    private readonly session: BrowserSession,
    readonly id: number,
  ) {
    super()
  }

  /** An event from the page, numbered per worker: delivered in the page's order. */
  receive(seq: number, kind: string, data: unknown): void {
    this.early.set(seq, { kind, data })
    for (let next = this.early.get(this.expected); next !== undefined; next = this.early.get(this.expected)) {
      this.early.delete(this.expected)
      this.expected++
      this.handle(next.kind, next.data)
    }
  }

  private handle(kind: string, data: unknown): void {
    if (kind === 'message') this.emitMessage(data)
    else if (kind === 'messageerror') this.emitError(new Error(String(data)))
    else if (kind === 'error') {
      // Under Node an uncaught error ends a worker thread; it ends this worker too, so that a broken
      // worker fails at once instead of waiting out every timeout.
      const detail = `the worker threw: ${String(data)}`
      this.fail(detail)
      void this.session.terminate(this.id)
    }
  }

  /** Fails the connection: a transport error, then a close. */
  fail(detail: string): void {
    if (this.closed) return
    this.emitError(new Error(detail))
    this.markClosed({ reason: 'error', detail })
  }

  protected deliver(message: unknown): void {
    this.session.post(this.id, message).catch((error: unknown) => {
      if (!this.closed) this.emitError(new Error(`message cannot be sent: ${(error as Error).message}`))
    })
  }

  protected shutdown(): Promise<void> {
    return this.session.terminate(this.id)
  }
}

/** The browser, its page and the server of one target. */
class BrowserSession {
  private readonly transports = new Map<number, BrowserWorkerTransport>()
  private pending: PendingOp[] = []
  private inFlight = false
  private nextId = 1
  private broken: string | undefined
  private closing: Promise<void> | undefined

  private constructor(
    private readonly browser: Browser,
    private readonly page: Page,
    private readonly server: PageServer,
    private readonly options: { readonly callTimeoutMs: number; readonly workerUrl: string; readonly protocol?: string },
  ) {}

  /** The browser's version. */
  get version(): string {
    return this.browser.version()
  }

  /** Starts the server, launches the browser and loads the page, all within `launchTimeoutMs`; on any failure nothing is left running. */
  static async launch(options: Required<Omit<BrowserTargetOptions, 'passEnv' | 'onLaunch' | 'protocol'>> & Pick<BrowserTargetOptions, 'onLaunch' | 'protocol'> & { passEnv: readonly string[] }): Promise<BrowserSession> {
    if (!existsSync(options.executablePath)) {
      throw new BrowserUnavailableError(`no browser at ${options.executablePath}: install Chromium (apt-get install chromium), or give --browser-path or EXTWIRE_CHROMIUM`)
    }
    if (!existsSync(options.bundle)) throw new BrowserUnavailableError(`the browser worker module ${options.bundle} is missing: build it with npm run build`)
    const chromium = await loadChromium()
    const csp = options.csp === 'strict' ? STRICT_CSP : RELAXED_CSP_FOR_TESTING
    const server = await startPageServer(csp, dirname(options.bundle))
    let browser: Browser | undefined
    let abandoned = false
    const started = (async () => {
      const launched = await chromium.launch({
        executablePath: options.executablePath,
        args: [...CHROMIUM_ARGS],
        timeout: options.launchTimeoutMs,
        // Exit is handled by Playwright's own exit hook, which kills the browser whenever Node exits;
        // signals stay with the CLI, which exits on them.
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
        env: workerEnv(options.passEnv, process.env, false),
      })
      browser = launched
      if (abandoned) {
        // The bound passed while the browser was starting: it came up too late to be used.
        await launched.close()
        throw new Error('abandoned')
      }
      const page = await launched.newPage()
      const session = new BrowserSession(launched, page, server, { callTimeoutMs: options.callTimeoutMs, workerUrl: `${WORKER_PATH}${basename(options.bundle)}`, ...(options.protocol === undefined ? {} : { protocol: options.protocol }) })
      await page.exposeBinding(EMIT_BINDING, (_source, id: unknown, seq: unknown, kind: unknown, data: unknown) => session.receive(id, seq, kind, data))
      page.on('crash', () => session.breakDown('the browser page crashed'))
      launched.on('disconnected', () => session.breakDown('the browser exited (crashed or was killed)'))
      await page.goto(`${server.origin}/`, { waitUntil: 'load', timeout: options.launchTimeoutMs })
      const ready = await page.evaluate(() => typeof (globalThis as { extwirePage?: unknown }).extwirePage === 'object')
      if (!ready) throw new Error(`the page script did not run under the CSP ${csp}`)
      if (options.csp === 'strict') {
        const probe = await session.probe()
        if (!probe.worker.startsWith('blocked')) {
          throw new Error(`the page's CSP does not bind its workers (compiling code from a string in a worker: ${probe.worker}); a run here would not show that the runtime works without unsafe-eval`)
        }
      }
      options.onLaunch?.({ browser: launched, page })
      return session
    })()
    try {
      return await withTimeout(started, options.launchTimeoutMs + 5_000, 'launching the browser and loading the page')
    } catch (error) {
      abandoned = true
      // Whatever was started is closed, including a browser that comes up after the timeout.
      started.catch(() => undefined)
      void started.then((s) => s.close()).catch(() => undefined)
      if (browser !== undefined) await withTimeout(browser.close(), BROWSER_CLOSE_WAIT_MS, 'closing the browser').catch(() => undefined)
      await server.close()
      throw new Error(`the browser ${options.executablePath} could not be started: ${(error as Error).message.split('\n')[0] ?? ''}`)
    }
  }

  /** A fresh Web Worker running the bundle, connected. */
  async open(requestTimeoutMs: number | undefined): Promise<Transport> {
    if (this.broken !== undefined) throw new Error(this.broken)
    if (this.closing) throw new Error('the browser target is closed')
    const id = this.nextId++
    const transport = new BrowserWorkerTransport(this, id)
    this.transports.set(id, transport)
    const query = new URLSearchParams()
    if (requestTimeoutMs !== undefined) query.set('requestTimeoutMs', String(requestTimeoutMs))
    if (this.options.protocol !== undefined) query.set('protocol', this.options.protocol)
    const url = query.size === 0 ? this.options.workerUrl : `${this.options.workerUrl}?${query.toString()}`
    try {
      await this.call(['start', id, url])
    } catch (error) {
      this.transports.delete(id)
      transport.markClosed({ reason: 'error', detail: (error as Error).message })
      throw new Error(`could not start a Web Worker: ${(error as Error).message}`)
    }
    return transport
  }

  /** Posts `message` to worker `id`, after everything posted before it. */
  post(id: number, message: unknown): Promise<void> {
    return this.call(['send', id, message])
  }

  /** Terminates worker `id` (after what was posted to it); never rejects. */
  terminate(id: number): Promise<void> {
    this.transports.delete(id)
    if (this.broken !== undefined || this.closing) return Promise.resolve()
    return this.call(['terminate', id]).catch(() => undefined)
  }

  /** Runs the CSP probe in the page. */
  async probe(): Promise<CspProbe> {
    return withTimeout(
      this.page.evaluate(() => (globalThis as unknown as { extwirePage: PageApi }).extwirePage.probe()),
      this.options.callTimeoutMs,
      'the CSP probe',
    )
  }

  /** An event from the page's binding. */
  receive(id: unknown, seq: unknown, kind: unknown, data: unknown): void {
    if (typeof id !== 'number' || typeof seq !== 'number' || typeof kind !== 'string') return
    this.transports.get(id)?.receive(seq, kind, data)
  }

  /** The browser or page is gone: every open connection fails with `reason`, every later one at connect. */
  breakDown(reason: string): void {
    if (this.broken !== undefined || this.closing) return
    this.broken = reason
    for (const transport of this.transports.values()) transport.fail(`${reason} (transport to a Web Worker)`)
    this.transports.clear()
    for (const p of this.pending.splice(0)) p.reject(new Error(reason))
    void withTimeout(this.browser.close(), BROWSER_CLOSE_WAIT_MS, 'closing the browser').catch(() => undefined)
  }

  /** Ends everything; idempotent and bounded. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const transport of this.transports.values()) transport.markClosed({ reason: 'local' })
      this.transports.clear()
      for (const p of this.pending.splice(0)) p.reject(new Error('the browser target is closed'))
      // browser.close() ends the page, its workers and the process, and removes the profile directory.
      await withTimeout(this.browser.close(), BROWSER_CLOSE_WAIT_MS, 'closing the browser').catch(() => undefined)
      await this.server.close()
    })()
    return this.closing
  }

  private call(op: Op): Promise<void> {
    if (this.broken !== undefined) return Promise.reject(new Error(this.broken))
    if (this.closing) return Promise.reject(new Error('the browser target is closed'))
    return new Promise<void>((resolvePromise, reject) => {
      this.pending.push({ op, resolve: resolvePromise, reject })
      this.flush()
    })
  }

  /** Sends what is pending as one batch, one batch at a time, so that the page applies operations in the order they were made. */
  private flush(): void {
    if (this.inFlight || this.pending.length === 0 || this.broken !== undefined || this.closing) return
    const batch = this.pending.splice(0)
    this.inFlight = true
    const ops = batch.map((p) => p.op)
    withTimeout(
      this.page.evaluate((list) => (globalThis as unknown as { extwirePage: PageApi }).extwirePage.run(list), ops),
      this.options.callTimeoutMs,
      'a call into the page',
    )
      .then(
        (failures) => {
          const failed = new Map(failures)
          batch.forEach((p, i) => {
            const why = failed.get(i)
            if (why === undefined) p.resolve()
            else p.reject(new Error(why))
          })
        },
        (error: unknown) => {
          const message = (error as Error).message.split('\n')[0] ?? String(error)
          // A page that does not answer, or is gone, is a crash of the target; anything else (a
          // message Playwright cannot carry) fails only the operations of this batch.
          if (error instanceof TimeoutError || this.page.isClosed() || !this.browser.isConnected()) this.breakDown(`the browser stopped answering: ${message}`)
          for (const p of batch) p.reject(new Error(message))
        },
      )
      .finally(() => {
        this.inFlight = false
        this.flush()
      })
  }
}

/**
 * The browser target (`extwire conformance --browser`). The browser starts on the first connect and
 * serves the whole run; call `close()` when the run ends (the CLI and the tests do, on every path).
 */
export function browserTarget(options: BrowserTargetOptions = {}): BrowserTarget {
  const resolved = {
    executablePath: options.executablePath ?? defaultBrowserPath(),
    csp: options.csp ?? 'strict',
    launchTimeoutMs: options.launchTimeoutMs ?? 30_000,
    callTimeoutMs: options.callTimeoutMs ?? 30_000,
    bundle: options.bundle ?? BROWSER_WORKER_BUNDLE,
    passEnv: options.passEnv ?? [],
    ...(options.onLaunch ? { onLaunch: options.onLaunch } : {}),
    ...(options.protocol === undefined ? {} : { protocol: options.protocol }),
  } as const
  let session: Promise<BrowserSession> | undefined
  let version: string | undefined
  let closed = false
  const start = (): Promise<BrowserSession> => {
    if (closed) return Promise.reject(new Error('the browser target is closed'))
    // One launch per target: a launch that failed fails every connect with the same reason, at once.
    session ??= BrowserSession.launch(resolved).then((s) => {
      version = s.version
      return s
    })
    return session
  }
  const policy = resolved.csp === 'strict' ? 'CSP without unsafe-eval' : 'CSP relaxed for testing: unsafe-eval allowed'
  return {
    name: `browser Web Worker (${resolved.executablePath}, ${policy})`,
    features: new Set(['short-request-timeout']),
    get browserVersion() {
      return version
    },
    async connect(context?: ConnectContext) {
      const s = await start()
      return s.open(wantsShortRequestTimeout(context) ? SHORT_REQUEST_TIMEOUT_MS : undefined)
    },
    async probeCsp() {
      return (await start()).probe()
    },
    async close() {
      closed = true
      if (session !== undefined) await session.then((s) => s.close(), () => undefined)
    },
  }
}
