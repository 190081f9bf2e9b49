/**
 * The reference runtime in a real browser: the whole worker conformance suite against the
 * conformance extension in a dedicated Web Worker of headless Chromium, under a page CSP without
 * `unsafe-eval` (`extwire conformance --browser`). Runs when a Chromium is present
 * ($EXTWIRE_CHROMIUM or /usr/bin/chromium); when none is, it says so loudly, never silently.
 */
import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROWSER_WORKER_BUNDLE, browserTarget, defaultBrowserPath, type BrowserTarget } from '../conformance/browser/target.js'
import type { SuiteReport } from '../conformance/verdicts.js'
import type { CloseInfo, Transport } from '../src/transport/types.js'
import { run } from '../src/cli/main.js'
import { ROOT } from './helpers/examples.js'
import { allFixtures } from './helpers/suite.js'
import { PASSING_RUN } from './helpers/transports.js'

const BROWSER = defaultBrowserPath()
const PRESENT = existsSync(BROWSER)

async function cli(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await run({ argv, cwd: ROOT, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } })
  return { code, out, err }
}

/** The first message of `type` on `transport`. */
function first(transport: Transport, type: string): Promise<unknown> {
  return new Promise((resolve) => {
    const sub = transport.onMessage((m) => {
      if ((m as { type?: unknown }).type === type) {
        sub.dispose()
        resolve(m)
      }
    })
  })
}

/** `promise`, or a rejection naming `name` after `ms`: a hung step fails with its name, not as a test timeout. */
function step<T>(name: string, promise: Promise<T>, ms = 45_000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`step "${name}" did not finish within ${ms} ms`)), ms)
  })
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer))
}

function closeOf(transport: Transport): Promise<CloseInfo> {
  return new Promise((resolve) => transport.onClose(resolve))
}

/** Every module specifier in an ES module's text: static and dynamic imports, re-exports, requires. */
function specifiers(text: string): string[] {
  return [...text.matchAll(/\b(?:from|import|require)\s*\(?\s*["']([^"']+)["']/g)].map((m) => m[1] ?? '')
}

/** The worker entry and every module it reaches, transitively (file name -> its specifiers). */
function browserGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>()
  const pending = [basename(entry)]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (graph.has(file)) continue
    const found = specifiers(readFileSync(join(dirname(entry), file), 'utf8'))
    graph.set(file, found)
    for (const s of found) if (s.startsWith('./')) pending.push(s.slice(2))
  }
  return graph
}

describe('the browser worker module', () => {
  it('is built, and neither it nor any module it imports, transitively, imports anything but its sibling chunks', () => {
    const graph = browserGraph(BROWSER_WORKER_BUNDLE)
    // It reaches the shared chunks (the runtime, the precompiled validators), not a bundle of its own.
    expect(graph.size).toBeGreaterThan(1)
    const text = [...graph.keys()].map((f) => readFileSync(join(dirname(BROWSER_WORKER_BUNDLE), f), 'utf8')).join('\n')
    expect(text).toContain('conformance extension activated')
    const outside = [...graph].flatMap(([file, found]) => found.filter((s) => !/^\.\/[\w.-]+\.js$/.test(s)).map((s) => `${file} imports ${s}`))
    expect(outside).toEqual([])
    expect(text).not.toMatch(/\b(?:from|import|require)\s*\(?\s*["'](?:node:)?(?:worker_threads|fs|path|child_process|url|process|module)["']/)
  })
})

describe('extwire conformance --browser: flags and a missing browser', () => {
  it('a browser path that does not exist: exit 3, naming the path and what to do', async () => {
    const { code, err } = await cli(['conformance', '--browser', '--browser-path', '/nonexistent/chromium', '--filter', 'tools/**'])
    expect(code).toBe(3)
    expect(err).toContain('no browser at /nonexistent/chromium')
    expect(err).toContain('--browser-path')
  })
  it('--browser with another target, --browser-path alone and --browser in the host role are usage errors', async () => {
    expect((await cli(['conformance', '--browser', '--worker', 'x.js'])).code).toBe(2)
    expect((await cli(['conformance', '--browser-path', BROWSER])).err).toContain('--browser-path applies only to --browser')
    expect((await cli(['conformance', '--role', 'host', '--browser'])).code).toBe(2)
    expect((await cli(['conformance', '--browser', '--browser-path', ''])).code).toBe(2)
  })
})

// Declared only when there is no browser, so that a run with one never shows this line.
if (!PRESENT) describe('in a real browser: SKIPPED', () => {
  beforeAll(() => {
    console.warn(
      `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n` +
        `!! NO BROWSER at ${BROWSER}: the browser conformance run (reference runtime in a Web Worker\n` +
        `!! under a CSP without unsafe-eval) DID NOT RUN. Install Chromium (apt-get install chromium)\n` +
        `!! or set EXTWIRE_CHROMIUM to a Chromium executable.\n` +
        `!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
    )
  })
  it.skip(`SKIPPED: no Chromium at ${BROWSER}, so the full suite did not run in a browser (install chromium or set EXTWIRE_CHROMIUM)`, () => undefined)
})

// Each case launches a browser; on a loaded machine a launch alone can take tens of seconds.
describe.skipIf(!PRESENT)(`in headless Chromium (${BROWSER})`, { timeout: 180_000 }, () => {
  const targets: BrowserTarget[] = []
  const target = (options: Parameters<typeof browserTarget>[0] = {}) => {
    const t = browserTarget({ executablePath: BROWSER, ...options })
    targets.push(t)
    return t
  }
  afterAll(async () => {
    await Promise.all(targets.map((t) => t.close()))
  })

  it('the CSP binds the page and its workers: compiling code from a string throws, and the violation is reported', async () => {
    const probe = await target().probeCsp()
    expect(probe.page).toBe('blocked (EvalError)')
    expect(probe.worker).toBe('blocked (EvalError)')
    expect(probe.violations).toContainEqual(expect.stringMatching(/^worker: script-src blocked eval/))
  })

  it('with the relaxed test policy the same probe compiles (so the check above can fail)', async () => {
    const probe = await target({ csp: 'relaxed-for-testing' }).probeCsp()
    expect(probe).toMatchObject({ page: 'allowed', worker: 'allowed' })
  })

  it('extwire conformance --browser: the full worker suite is CONFORMANT under the strict CSP, every fixture passing', async () => {
    const fixtures = allFixtures()
    // Long waits cost nothing when the fixtures pass; a loaded machine needs them for a fresh worker.
    // Four at once, as over worker_threads: most of a fixture's time is waiting, not computing.
    const { code, out, err } = await cli(['conformance', '--browser', '--browser-path', BROWSER, '--concurrency', '4', '--reporter', 'json', '--timeout', String(PASSING_RUN.stepTimeoutMs), '--ready-timeout', String(PASSING_RUN.readyTimeoutMs)])
    expect(out, err).not.toBe('')
    const report = JSON.parse(out) as SuiteReport
    const notPassing = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status} ${r.failures.map((f) => `${f.requirement} ${f.message}`).join('; ')}`)
    expect(notPassing).toEqual([])
    expect(report.results.map((r) => r.id).sort()).toEqual(fixtures.map((f) => f.id).sort())
    expect(report.target).toContain('CSP without unsafe-eval')
    expect(report.verdict.status).toBe('conformant')
    expect(report.verdict.line).toMatch(/^CONFORMANT/)
    expect(code).toBe(0)
  }, 900_000)

  it('a missing worker bundle, or a launch past its bound, fails the connect with the reason', async () => {
    await expect(target({ bundle: '/nonexistent/bundle.js' }).connect()).rejects.toThrow(/module \/nonexistent\/bundle\.js is missing: build it with npm run build/)
    let launched = false
    const slow = target({ launchTimeoutMs: 1, onLaunch: () => void (launched = true) })
    await expect(slow.connect()).rejects.toThrow(/could not be started/)
    // One launch per target: the failure is kept, not retried per fixture.
    await expect(slow.connect()).rejects.toThrow(/could not be started/)
    expect(launched).toBe(false)
  })

  it('a fresh Web Worker per connection, terminated when the connection closes', async () => {
    let launched: { browser: Browser; page: Page } | undefined
    const t = target({ onLaunch: (l) => void (launched = l) })
    const workers = () => (launched as { page: Page }).page.evaluate(() => (globalThis as unknown as { extwirePage: { count(): number } }).extwirePage.count())
    // Each step has its own bound, so that a hang (seen once under double load) names its step.
    const a = await step('connect a', t.connect({ features: ['short-request-timeout'] }))
    const b = await step('connect b', t.connect({ features: [] }))
    // Each sends its own `ready`: a reused worker would not send a second one (EXT-LIFE-007).
    await step('ready from a and b', Promise.all([first(a, 'ready'), first(b, 'ready')]))
    expect(await step('count with two open', workers())).toBe(2)
    await step('close a', a.close())
    expect(await step('count after closing a', workers())).toBe(1)
    await step('close b', b.close())
    expect(await step('count after closing b', workers())).toBe(0)
  })

  it('a crashed page fails the open connection (a transport error, then a close) and every later connect', async () => {
    let launched: { browser: Browser; page: Page } | undefined
    const t = target({ onLaunch: (l) => void (launched = l) })
    const transport = await t.connect()
    await first(transport, 'ready')
    const errors: Error[] = []
    transport.onError((e) => errors.push(e))
    const closed = closeOf(transport)
    await (launched as { page: Page }).page.goto('chrome://crash').catch(() => undefined)
    const info = await closed
    expect(info.reason).toBe('error')
    expect(info.detail).toMatch(/crashed|exited|stopped answering/)
    expect(errors.length).toBeGreaterThan(0)
    await expect(t.connect()).rejects.toThrow(/crashed|exited|stopped answering/)
    await t.close()
  })

  it('close() ends the browser and refuses later connects', async () => {
    let launched: { browser: Browser; page: Page } | undefined
    const t = target({ onLaunch: (l) => void (launched = l) })
    const transport = await t.connect()
    await first(transport, 'ready')
    await t.close()
    expect(transport.closed).toBe(true)
    expect((launched as { browser: Browser }).browser.isConnected()).toBe(false)
    await expect(t.connect()).rejects.toThrow(/closed/)
  })

  it('the browser is killed when Node exits without closing the target', async () => {
    // A child process starts a target, connects, prints the browser's process ids, and exits.
    const script = join(ROOT, 'test/workers/browser-exit.ts')
    const child = spawn(process.execPath, ['--import', 'tsx', script, BROWSER], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).toBe(0)
    const pids = out.trim().split(/\s+/).filter(Boolean).map(Number)
    expect(pids.length).toBeGreaterThan(0)
    const alive = () =>
      pids.filter((pid) => {
        try {
          return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z')
        } catch {
          return false
        }
      })
    // Killed processes leave the table a moment after the kill: wait for that (bounded), never for a time.
    for (let i = 0; i < 200 && alive().length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 50))
    expect(alive()).toEqual([])
  }, 120_000)
})
