/**
 * The host-role runner over the driver protocol: the same fixtures, run through an in-process
 * driver and through a `--host-cmd` process, pass against a sound fake host and fail, on the right
 * requirement, against a broken one.
 */
import { describe, expect, it } from 'vitest'
import { commandHostTarget, driverHostTarget } from '../conformance/host/driver.js'
import { ROOT } from './helpers/examples.js'
import { runFixture, runSuite, TargetStartError } from '../conformance/runner.js'
import type { Fixture } from '../conformance/fixture/schema.js'
import { checkFixture } from '../conformance/fixture/check.js'
import { fakeHostDriver } from './host-role/fake-driver.js'

const base = { role: 'host' as const, level: 'MUST' as const, since: '0.21.0' as const, permissions: ['tools.register'] }

const handshake: Fixture = {
  ...base,
  id: 'host/test/handshake',
  title: 'activate once, on the first ready',
  requirements: ['EXT-HOST-001', 'EXT-HOST-002'],
  steps: [
    { do: 'load', expectResult: { ok: true } },
    { send: { type: 'ready' } },
    { expect: { type: 'activate', id: { $capture: 'aid' }, payload: { extensionId: 'conformance', permissions: ['tools.register'] } }, requirement: 'EXT-HOST-002' },
    { expectEvent: { type: 'extension-loaded', extensionId: 'conformance' } },
    { send: { type: 'ready' } },
    { expectNone: { type: 'activate' }, withinMs: 50 },
  ],
}

const tool: Fixture = {
  ...base,
  id: 'host/test/tool',
  title: 'a tool result reaches the host API',
  requirements: ['EXT-HOST-075'],
  steps: [
    { do: 'load' },
    { send: { type: 'ready' } },
    { expect: { type: 'activate' } },
    { do: 'executeTool', args: { extensionId: 'conformance', toolId: 'echo', params: { a: 1 } }, label: 'run' },
    { expect: { type: 'tool-execute-request', id: { $capture: 'tid' }, payload: { toolId: 'echo', params: { a: 1 } } } },
    { send: { type: 'tool-execute-response', payload: { requestId: { $ref: 'tid' }, result: { success: true, data: 7 } } } },
    { awaitResult: 'run', expectResult: { ok: true, value: { success: true, data: 7 } } },
  ],
}

const requests: Fixture = {
  ...base,
  id: 'host/test/request',
  title: 'one response per request',
  requirements: ['EXT-HOST-025'],
  steps: [
    { do: 'load' },
    { send: { type: 'ready' } },
    { expect: { type: 'activate' } },
    { send: { type: 'request', id: 'r-1', method: 'storage.get', payload: { key: 'k' } } },
    { expect: { type: 'response', payload: { requestId: 'r-1', success: false } } },
  ],
}

const target = (flaws = {}) => driverHostTarget(fakeHostDriver(flaws), 'fake host')

describe('host-role runner (in-process driver)', () => {
  it('passes a sound host on handshake, tool and request fixtures', async () => {
    for (const f of [handshake, tool, requests]) expect(checkFixture(f)).toEqual([])
    const results = await runSuite([handshake, tool, requests], target(), { concurrency: 2 })
    expect(results.map((r) => [r.id, r.status, r.failures])).toEqual([handshake, tool, requests].map((f) => [f.id, 'pass', []]))
  })

  it('fails a second activate on EXT-HOST-001 (expectNone and the invariant)', async () => {
    const r = await runFixture(handshake, target({ activateTwice: true }))
    expect(r.status).toBe('fail')
    expect(r.failures.map((f) => [f.requirement, f.kind])).toEqual(expect.arrayContaining([['EXT-HOST-001', 'expect-none']]))
  })

  it('fails an invalid host message on its wire requirement, with the path', async () => {
    const r = await runFixture(handshake, target({ invalidActivate: true }))
    expect(r.status).toBe('fail')
    expect(r.failures.some((f) => f.kind === 'wire-schema' && f.path === '/payload/permissions')).toBe(true)
  })

  it('fails a request answered twice on EXT-HOST-020 (invariant)', async () => {
    const r = await runFixture(requests, target({ answerTwice: true }))
    expect(r.failures.map((f) => [f.requirement, f.kind])).toEqual([['EXT-HOST-020', 'invariant']])
  })

  it('reports a wrong result with the path where it differs', async () => {
    const wrong: Fixture = { ...tool, steps: tool.steps.map((s) => ('awaitResult' in s ? { ...s, expectResult: { ok: true, value: { success: true, data: 8 } } } : s)) }
    const r = await runFixture(wrong, target())
    expect(r.failures[0]).toMatchObject({ requirement: 'EXT-HOST-075', kind: 'expect', path: '/value/data' })
  })

  it('leaves a fixture untested when the driver does not support one of its commands', async () => {
    const r = await runFixture(tool, target({ without: ['executeTool'] }))
    expect(r.status).toBe('untested')
    expect(r.reason).toContain('executeTool')
  })

  it('stops the run with a start failure when the driver never answers describe', async () => {
    await expect(runSuite([tool], target({ silent: true }), { readyTimeoutMs: 200, stopOnStartFailure: true })).rejects.toBeInstanceOf(TargetStartError)
  })

  it('does not run a worker fixture on a host target', async () => {
    const r = await runFixture({ ...tool, role: 'worker', id: 'tools/x' }, target())
    expect(r.status).toBe('untested')
  })
})

describe('host-role runner (--host-cmd: a driver process on stdio)', () => {
  it('passes the same fixtures through a process that speaks the driver lines', async () => {
    const target = commandHostTarget('node test/host-role/echo-host.mjs', ROOT)
    const results = await runSuite([handshake, tool, requests], target, { concurrency: 2 })
    expect(results.map((r) => [r.id, r.status, r.failures])).toEqual([handshake, tool, requests].map((f) => [f.id, 'pass', []]))
  }, 60_000)

  it('fails a wrong expectation through the process too', async () => {
    const wrong: Fixture = { ...tool, steps: tool.steps.map((s) => ('awaitResult' in s ? { ...s, expectResult: { ok: false } } : s)) }
    const r = await runFixture(wrong, commandHostTarget('node test/host-role/echo-host.mjs', ROOT))
    expect(r.failures[0]).toMatchObject({ requirement: 'EXT-HOST-075', kind: 'expect', path: '/ok' })
  }, 60_000)
})
