/** The fixture lint and load checks per role: directions, requirement roles, coverage per role, host-only steps. */
import { describe, expect, it } from 'vitest'
import { checkFixture } from '../conformance/fixture/check.js'
import { lintFixtures } from '../conformance/fixture/lint.js'
import type { Fixture } from '../conformance/fixture/schema.js'
import { requirements } from './helpers/suite.js'

const host = (steps: Fixture['steps'], extra: Partial<Fixture> = {}): Fixture => ({ role: 'host', id: 'host/x/t', title: 't', requirements: ['EXT-HOST-001'], level: 'MUST', since: '0.21.0', permissions: [], steps, ...extra })
const lint = (f: Fixture, coverage: Array<'worker' | 'host'> = []) => lintFixtures([{ file: 'f.json', fixture: f }], [], requirements(), {}, { coverage }).filter((p) => p.startsWith('f.json'))

describe('lint of host-role fixtures', () => {
  it('accepts a sound host fixture', () => {
    expect(lint(host([{ do: 'load', label: 'l' }, { send: { type: 'ready' } }, { expect: { type: 'activate' } }, { awaitResult: 'l', expectResult: { ok: true } }]))).toEqual([])
  })

  it('checks a send as a worker->host message, and an expect against host->worker types', () => {
    expect(lint(host([{ send: { type: 'activate', id: 'a', payload: {} } }]))).toEqual([expect.stringContaining('sends an invalid message')])
    expect(lint(host([{ send: { type: 'stream-event' }, invalid: true }]))).toEqual([])
    expect(lint(host([{ send: { type: 'ready' }, invalid: true }]))).toEqual([expect.stringContaining('marked invalid, but the message is valid')])
    expect(lint(host([{ expect: { type: 'ready' } }]))).toEqual([expect.stringContaining('expects unknown host message type ready')])
  })

  it('refuses a requirement of the other role, except wire requirements', () => {
    expect(lint(host([{ send: { type: 'ready' } }], { requirements: ['EXT-TOOL-001'] }))).toEqual([expect.stringContaining('EXT-TOOL-001 binds a worker')])
    expect(lint(host([{ send: { type: 'ready' } }], { requirements: ['EXT-WIRE-001'] }))).toEqual([])
    const worker: Fixture = { id: 'tools/t', title: 't', requirements: ['EXT-HOST-001'], level: 'MUST', since: '0.21.0', permissions: [], steps: [{ activate: {} }] }
    expect(lint(worker)).toEqual([expect.stringContaining('EXT-HOST-001 binds a host')])
  })

  it('judges texts in results and events by docs/spec/texts.md', () => {
    expect(lint(host([{ do: 'load', expectResult: { ok: false, error: 'made up text' }, requirement: 'EXT-HOST-004' }], { requirements: ['EXT-HOST-004'] }))).toEqual([expect.stringContaining('text "made up text" is not listed')])
    expect(lint(host([{ do: 'load', expectResult: { ok: false, error: { $match: 'string' } } }]))).toEqual([])
  })

  it('counts coverage per role: a host requirement needs a host fixture', () => {
    const reqs = new Map([...requirements()].filter(([id]) => id === 'EXT-HOST-001' || id === 'EXT-HOST-002'))
    const problems = lintFixtures([{ file: 'f.json', fixture: host([{ send: { type: 'ready' } }]) }], [], reqs, {})
    expect(problems).toEqual([expect.stringContaining('EXT-HOST-002 is covered by no fixture of its role (host)')])
  })
})

describe('load checks of roles and steps', () => {
  it('refuses host-only steps in a worker fixture, activate in a host fixture, and ids that contradict the role', () => {
    const worker: Fixture = { id: 'tools/t', title: 't', requirements: ['EXT-TOOL-001'], level: 'MUST', since: '0.21.0', permissions: [], steps: [{ do: 'load' }, { expect: { type: 'ready' }, worker: 'main' }] }
    expect(checkFixture(worker)).toEqual([expect.stringContaining('a do step belongs to host-role fixtures'), expect.stringContaining('names a worker connection')])
    expect(checkFixture(host([{ activate: {} }]))).toEqual([expect.stringContaining('an activate step belongs to worker-role fixtures')])
    expect(checkFixture(host([{ send: { type: 'ready' } }], { id: 'tools/x' }))).toEqual([expect.stringContaining("a host-role fixture's id starts with host/")])
    expect(checkFixture({ ...worker, id: 'host/x/y', steps: [{ activate: {} }] })).toEqual([expect.stringContaining('add "role": "host"')])
  })

  it('binds awaitResult to an earlier labelled do step, once', () => {
    expect(checkFixture(host([{ awaitResult: 'l', expectResult: { ok: true } }]))).toEqual([expect.stringContaining('no earlier do step is labelled l')])
    expect(checkFixture(host([{ do: 'load', label: 'l' }, { do: 'unload', label: 'l' }]))).toEqual([expect.stringContaining('label l is used by an earlier do step')])
    expect(checkFixture(host([{ do: 'executeTool', args: { toolId: { $ref: 'nope' } } }]))).toEqual([expect.stringContaining('$ref nope is not bound')])
  })
})
