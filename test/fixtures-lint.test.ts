/**
 * The fixture lint: every fixture is schema-valid, sends valid messages (or deliberately invalid
 * ones), has a unique id, binds every $ref, names defined requirements; every requirement is
 * covered or listed as untestable; every message type and request method is exercised.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { lintFixtures } from '../conformance/fixture/lint.js'
import { loadFixtures, loadUntestable } from '../conformance/fixture/load.js'
import { HOST_TO_WORKER_TYPES, METHOD_NAMES, WORKER_TO_HOST_TYPES } from '../src/protocol/index.js'
import { ROOT } from './helpers/examples.js'
import { requirements } from './helpers/suite.js'

const dir = join(ROOT, 'fixtures')
const { fixtures, errors } = loadFixtures(dir, ROOT)

describe('fixture lint', () => {
  it('finds no problem', () => {
    expect(lintFixtures(fixtures, errors, requirements(), loadUntestable(dir))).toEqual([])
  })

  it('has at least 100 fixtures', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(100)
  })

  it('validates every fixture file against the published JSON Schema with plain ajv', () => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(join(ROOT, 'schema/conformance-fixture.schema.json'), 'utf8')) as object)
    for (const { fixture, file } of fixtures) expect(validate(fixture), file).toBe(true)
  })

  it('exercises every message type in both directions and every request method', () => {
    const text = fixtures.map((f) => JSON.stringify(f.fixture.steps)).join('\n')
    const sent = new Set<string>()
    const expected = new Set<string>()
    const methods = new Set<string>()
    for (const { fixture } of fixtures) {
      for (const step of fixture.steps) {
        if ('send' in step) sent.add(String(step.send['type']))
        if ('activate' in step) sent.add('activate')
        const members = 'expect' in step ? [step] : 'unordered' in step ? step.unordered : []
        for (const m of members) {
          expected.add(String(m.expect['type']))
          if (m.expect['type'] === 'request' && typeof m.expect['method'] === 'string') methods.add(m.expect['method'])
        }
      }
    }
    expected.add('ready') // every fixture waits for it
    for (const t of HOST_TO_WORKER_TYPES) expect(sent, `host message ${t}`).toContain(t)
    for (const t of WORKER_TO_HOST_TYPES) expect(expected, `worker message ${t}`).toContain(t)
    for (const m of METHOD_NAMES) expect(methods, `method ${m}`).toContain(m)
    expect(text.length).toBeGreaterThan(0)
  })

  it('reports the problems it is meant to catch', () => {
    const broken = {
      file: 'fixtures/x/broken.json',
      fixture: {
        id: 'lifecycle/ready-once-first',
        title: 'duplicate id and bad steps',
        requirements: ['EXT-NOPE-001'],
        level: 'MUST' as const,
        since: '0.21.0' as const,
        permissions: [],
        steps: [
          { send: { type: 'response', id: 'x', payload: { requestId: { $ref: 'unbound' }, success: true } } },
          { send: { type: 'tool-execute-request', id: 't', payload: {} } },
          { send: { type: 'deactivate', id: 'd' }, invalid: true },
          { expect: { type: 'no-such-type' } },
        ],
      },
    }
    const problems = lintFixtures([...fixtures, broken], [{ file: 'fixtures/x/bad.json', message: 'fixtures/x/bad.json: not JSON' }], requirements(), loadUntestable(dir))
    const text = problems.join('\n')
    expect(text).toContain('not JSON')
    expect(text).toContain('is also used by')
    expect(text).toContain('EXT-NOPE-001 is not defined')
    expect(text).toContain('$ref unbound is not captured')
    expect(text).toContain('sends an invalid message')
    expect(text).toContain('marked invalid, but the message is valid')
    expect(text).toContain('unknown worker message type no-such-type')
  })

  it('reports a requirement that no fixture covers', () => {
    const reqs = requirements()
    const problems = lintFixtures([], [], new Map([...reqs].filter(([id]) => id === 'EXT-TOOL-001')), {})
    expect(problems).toEqual([expect.stringContaining('EXT-TOOL-001 is covered by no fixture')])
  })
})
