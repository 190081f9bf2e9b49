/**
 * `extwire conformance --protocol`: the bundled workers (worker_threads, stdio, and the browser's Web
 * Worker when a Chromium is present) speak the version the run names, and the report says which
 * version was judged.
 */
import { existsSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { defaultBrowserPath } from '../conformance/browser/target.js'
import { run } from '../src/cli/main.js'
import { ROOT } from './helpers/examples.js'

async function cli(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await run({ argv, cwd: ROOT, stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } })
  return { code, out, err }
}

interface JsonReport {
  readonly protocol: string
  readonly exitCode: number
  readonly results: ReadonlyArray<{ readonly id: string; readonly status: string }>
}

// Fixtures that exist only from 0.23.0 (collection storage, a request-mechanics copy) and one of every version.
const AT_036 = ['--filter', 'collections/storage-get,requests/failed-response-rejects-collections,tools/echo-*', '--reporter', 'json']
const WAITS = ['--timeout', '30000', '--ready-timeout', '60000']

/** A run of {@link AT_036} that judged 0.36.0, ran its 0.23.0-only fixtures and passed them all. */
function expectPassedAt036(r: { out: string; code: number }): void {
  const report = JSON.parse(r.out) as JsonReport
  expect(report.protocol).toBe('0.36.0')
  expect(report.results.map((x) => `${x.id} ${x.status}`)).toEqual(expect.arrayContaining(['collections/storage-get pass', 'requests/failed-response-rejects-collections pass']))
  expect(report.results.every((x) => x.status === 'pass')).toBe(true)
  expect(r.code).toBe(0)
}

describe('extwire conformance --protocol over the bundled workers', () => {
  for (const [name, target] of [
    ['worker_threads', ['--worker', 'dist/conformance-worker.cjs']],
    ['stdio', ['--cmd', 'node dist/conformance-stdio.cjs']],
  ] as const) {
    it(`${name}: the worker speaks 0.36.0 and the JSON report says 0.36.0`, async () => {
      const r = await cli(['conformance', ...target, '--protocol', '0.36.0', ...AT_036, ...WAITS])
      expectPassedAt036(r)
    }, 300_000)
  }

  it('without --protocol the report says 0.22.1 and the 0.23.0 fixtures are not selected', async () => {
    const r = await cli(['conformance', '--worker', 'dist/conformance-worker.cjs', '--filter', 'requests/storage-get,tools/echo-*', '--reporter', 'json', ...WAITS])
    const report = JSON.parse(r.out) as JsonReport
    expect(report.protocol).toBe('0.22.1')
    expect(report.results.map((x) => x.id)).toContain('requests/storage-get')
    expect(report.results.some((x) => x.id.startsWith('collections/'))).toBe(false)
    expect(r.code).toBe(0)
  }, 300_000)

  it('the console report names the version judged', async () => {
    const r = await cli(['conformance', '--worker', 'dist/conformance-worker.cjs', '--protocol', '0.23.0', '--filter', 'collections/storage-put', ...WAITS])
    expect(r.out).toMatch(/1 fixtures against .* at protocol 0\.23\.0:/)
    expect(r.code).toBe(0)
  }, 300_000)
})

const BROWSER = defaultBrowserPath()
if (!existsSync(BROWSER)) {
  describe('extwire conformance --browser --protocol: SKIPPED', () => {
    it.skip(`no Chromium at ${BROWSER}`, () => undefined)
  })
} else {
  describe('extwire conformance --browser --protocol', () => {
    it('the Web Worker speaks 0.36.0 under the strict CSP', async () => {
      const r = await cli(['conformance', '--browser', '--protocol', '0.36.0', ...AT_036, ...WAITS])
      expectPassedAt036(r)
    }, 300_000)
  })
}
