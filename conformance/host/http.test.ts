/**
 * The network a host-role fixture controls: the scripted server answers what the fixture says, holds
 * until released, aborts, records a body the client cancelled, and is always closed; the load-time
 * checks keep URLs to it data (`$http` only, every route used); `$match: distinct` tells ids apart.
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { checkFixture } from '../fixture/check.js'
import { loadFixtureFile } from '../fixture/load.js'
import { match, PatternError } from '../fixture/match.js'
import type { Fixture } from '../fixture/schema.js'
import { FixtureHttpServer, httpPathsIn, partBytes, substituteHttp } from './http.js'

const hostFixture = (extra: Record<string, unknown>, steps: unknown[]): Fixture =>
  ({ role: 'host', id: 'host/fetch/x', title: 'x', requirements: ['EXT-HOST-040'], level: 'MUST', since: '0.21.0', permissions: ['network:localhost'], ...extra, steps }) as Fixture

async function withServer(routes: Parameters<typeof FixtureHttpServer.start>[0], body: (s: FixtureHttpServer) => Promise<void>): Promise<void> {
  const server = await FixtureHttpServer.start(routes)
  try {
    await body(server)
  } finally {
    await server.close()
  }
}

describe('the fixture HTTP server', () => {
  it('answers status, statusText, headers and the body bytes, on 127.0.0.1', async () => {
    await withServer({ '/x': { status: 404, statusText: 'Not Found', headers: { 'X-Thing': 'a' }, body: [{ text: 'A' }, { hex: 'e282ac' }, { base64: 'Qg==' }] } }, async (s) => {
      expect(s.url('/x')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/x$/)
      const res = await fetch(s.url('/x'))
      expect([res.status, res.statusText, res.headers.get('x-thing')]).toEqual([404, 'Not Found', 'a'])
      expect(await res.text()).toBe('A€B')
      expect(s.requests('/x')).toBe(1)
      expect(s.closedEarly('/x')).toBe(0)
      expect((await fetch(s.url('/unknown'))).status).toBe(404)
    })
  })

  it('holds a body until released, and records a body the client cancelled before its end', { timeout: 60_000 }, async () => {
    await withServer({ '/h': { body: [{ text: 'a' }, { hold: true }, { text: 'b' }] }, '/h2': { body: [{ text: 'a' }, { hold: true }, { text: 'b' }] } }, async (s) => {
      const res = await fetch(s.url('/h'))
      const reader = (res.body as ReadableStream<Uint8Array>).getReader()
      expect(new TextDecoder().decode((await reader.read()).value)).toBe('a')
      s.release('/h')
      expect(await new Response(new ReadableStream({ pull: async (c) => { const r = await reader.read(); if (r.done) c.close(); else c.enqueue(r.value) } })).text()).toBe('b')
      expect(s.closedEarly('/h')).toBe(0)
      const again = await fetch(s.url('/h2'))
      const r2 = (again.body as ReadableStream<Uint8Array>).getReader()
      await r2.read()
      await r2.cancel()
      expect(await s.waitUntil(() => s.closedEarly('/h2') === 1, 60_000)).toBe(true)
    })
  })

  it('aborts: before the head the fetch fails, after it the body breaks off', async () => {
    await withServer({ '/a': { body: [{ abort: true }] }, '/b': { body: [{ text: 'x' }, { abort: true }] } }, async (s) => {
      await expect(fetch(s.url('/a'))).rejects.toThrow()
      const res = await fetch(s.url('/b'))
      await expect(res.text()).rejects.toThrow()
    })
  })

  it('closes held connections when the fixture ends, and waits end false', async () => {
    const s = await FixtureHttpServer.start({ '/h': { body: [{ text: 'a' }, { hold: true }] } })
    const res = await fetch(s.url('/h'))
    const waiting = s.waitUntil(() => false, 60_000)
    await s.close()
    expect(await waiting).toBe(false)
    await expect(res.text()).rejects.toThrow()
    await s.close()
  })

  it('replaces {"$http": path} by the route URL and lists the paths', () => {
    const fake = { url: (p: string) => `http://127.0.0.1:1${p}` } as FixtureHttpServer
    const template = { payload: { url: { $http: '/x' }, list: [{ $http: '/y' }], other: 'z' } }
    expect(substituteHttp(template, fake)).toEqual({ payload: { url: 'http://127.0.0.1:1/x', list: ['http://127.0.0.1:1/y'], other: 'z' } })
    expect(httpPathsIn(template)).toEqual(['/x', '/y'])
    expect(() => substituteHttp(template, undefined)).toThrow(/http section/)
    expect(partBytes({ hex: 'e282' })).toEqual(Uint8Array.from([0xe2, 0x82]))
  })
})

describe('load-time checks of the http section', () => {
  it('refuse unused routes, unknown routes, literal loopback URLs, $http in an expectation, and http in a worker fixture', () => {
    const problems = checkFixture(
      hostFixture({ http: { '/used': {}, '/unused': {} } }, [
        { send: { type: 'request', id: 'r-1', method: 'network.fetch', payload: { url: { $http: '/used' } } } },
        { send: { type: 'request', id: 'r-2', method: 'network.fetch', payload: { url: { $http: '/nope' } } } },
        { send: { type: 'request', id: 'r-3', method: 'network.fetch', payload: { url: 'http://127.0.0.1:8080/used' } } },
        { expect: { type: 'response', payload: { url: { $http: '/used' } } } },
        { httpRelease: '/ghost' },
      ]),
    )
    expect(problems).toEqual([
      expect.stringMatching(/^\/steps\/1\/send\/payload\/url: \$http names "\/nope", which is not a route/),
      expect.stringMatching(/^\/steps\/2\/send\/payload\/url: a literal loopback URL/),
      expect.stringMatching(/^\/steps\/3\/expect\/payload\/url: \$http belongs in a send/),
      expect.stringMatching(/^\/steps\/4: names \/ghost, which is not a route/),
      expect.stringMatching(/^\/http\/~1unused: the route is never fetched/),
    ])
    const worker = checkFixture({ ...hostFixture({ http: { '/x': {} } }, [{ httpRelease: '/x' }]), role: 'worker', id: 'fetch/x' } as Fixture)
    expect(worker).toContain('/http: a scripted network belongs to host-role fixtures ("role": "host")')
  })

  it('name the step, the path, what was expected and what was received for a malformed http step or route', () => {
    const load = (data: unknown) => {
      const file = join(mkdtempSync(join(tmpdir(), 'extwire-http-')), 'f.json')
      writeFileSync(file, JSON.stringify(data))
      const loaded = loadFixtureFile(file)
      return 'message' in loaded ? loaded.message : ''
    }
    expect(load(hostFixture({ http: { '/x': {} } }, [{ httpRelease: 'x' }]))).toMatch(/\/steps\/0\/httpRelease \(httpRelease step\): must match pattern "\^\/", received "x"/)
    expect(load(hostFixture({ http: { '/x': { body: [{ hex: 'e2f' }] } } }, [{ httpRelease: '/x' }]))).toMatch(/\/http\/~1x\/body\/0\/hex: must match pattern .*, received "e2f"/)
  })

  it('accept a sound fixture', () => {
    expect(checkFixture(hostFixture({ http: { '/x': { body: [{ text: 'a' }] } } }, [{ send: { type: 'request', id: 'r-1', method: 'network.fetch', payload: { url: { $http: '/x' } } } }, { expectHttpClosed: '/x' }]))).toEqual([])
  })
})

describe('$match distinct', () => {
  it('matches a present value unlike every bound one, and names the clash', () => {
    const bindings = new Map<string, unknown>([['a', 'id-1'], ['b', { k: 1 }]])
    expect(match({ id: { $match: 'distinct', from: 'a' } }, { id: 'id-2' }, bindings).ok).toBe(true)
    expect(match({ id: { $match: 'distinct', from: ['a', 'b'] } }, { id: { k: 2 } }, bindings).ok).toBe(true)
    const same = match({ id: { $match: 'distinct', from: ['a', 'b'] } }, { id: 'id-1' }, bindings)
    expect(same.ok ? undefined : same.mismatch).toEqual({ path: '/id', expected: 'a value distinct from a ("id-1")', actual: '"id-1"' })
    expect(match({ id: { $match: 'distinct', from: 'a' } }, {}, bindings).ok).toBe(false)
    expect(match({ id: { $match: 'distinct', from: 'unbound' } }, { id: 'x' }, bindings).ok).toBe(false)
    expect(() => match({ $match: 'distinct', from: [] }, 'x', bindings)).toThrow(PatternError)
  })

  it('is checked at load time: from must name earlier captures', () => {
    const problems = checkFixture(
      hostFixture({}, [
        { expect: { type: 'tool-execute-request', id: { $capture: 'one' } } },
        { expect: { type: 'tool-execute-request', id: { $match: 'distinct', from: 'one' } } },
        { expect: { type: 'tool-execute-request', id: { $match: 'distinct', from: 'later' } } },
        { expect: { type: 'tool-execute-request', id: { $match: 'distinct', from: 7 } } },
      ]),
    )
    expect(problems).toEqual([expect.stringMatching(/^\/steps\/2\/expect\/id: \$match distinct names later, which no earlier \$capture binds/), expect.stringMatching(/^\/steps\/3\/expect\/id: \$match distinct needs "from"/)])
  })
})
