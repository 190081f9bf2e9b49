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
import type { Fixture } from '../conformance/fixture/schema.js'
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
    expect(unexercised(fixtures.map((f) => f.fixture))).toEqual([])
    // The same check on the tool fixtures alone must find gaps, or it could not fail.
    expect(unexercised(fixtures.map((f) => f.fixture).filter((f) => f.id.startsWith('tools/')))).toEqual(expect.arrayContaining(['host message scheduler-fire', 'worker message background-task-health', 'method storage.get']))
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

  it('rejects a text that docs/spec/texts.md does not list for the requirement, and a check above the fixture level', () => {
    const base = fixtures.find((f) => f.fixture.id === 'tools/unknown-tool-fills-both-channels')!.fixture
    const lint = (fixture: typeof base) => lintFixtures([{ file: 'fixtures/x/t.json', fixture }], [], requirements(), loadUntestable(dir)).filter((p) => p.startsWith('fixtures/x/t.json'))
    const withExpect = (expectation: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ ...base, id: 'tools/t', steps: [...base.steps, { expect: expectation, ...extra }] })
    // Allowed: a listed text, a listed text as a prefix regex, an alternation of listed texts, a value the fixture sent, the extension's text.
    expect(lint(withExpect({ type: 'tool-execute-response', payload: { error: 'Tool other not found' } }))).toEqual([])
    expect(lint(withExpect({ type: 'tool-execute-response', payload: { error: { $match: 'regex', pattern: '^Tool nope not found' } } }))).toEqual([])
    expect(lint(withExpect({ type: 'tool-execute-response', payload: { error: { $match: 'regex', pattern: '^(Tool a not found|Action b not found)$' } } }))).toEqual([])
    expect(lint(withExpect({ type: 'tool-execute-response', payload: { result: { error: 'nope' } } }))).toEqual([])
    expect(lint(withExpect({ type: 'log', payload: { message: 'conformance extension activated' } }))).toEqual([])
    // Rejected: a runtime's own wording, as a string, a regex, or nested under a $exact.
    expect(lint(withExpect({ type: 'tool-execute-response', payload: { error: 'Tool nope is missing' } }))).toEqual([expect.stringContaining('text "Tool nope is missing" is not listed in docs/spec/texts.md for EXT-TOOL-002')])
    expect(lint(withExpect({ type: 'log', payload: { message: { $match: 'regex', pattern: '^Invalid host message' } } }))).toEqual([expect.stringContaining('regex /^Invalid host message/ is not listed')])
    expect(lint(withExpect({ type: 'tool-execute-response', payload: { $exact: { result: { $exact: { error: 'Extension is not active' } } } } }))).toEqual([expect.stringContaining('"Extension is not active" is not listed')])
    expect(lint(withExpect({ type: 'tool-execute-response', payload: { error: { $match: 'regex', pattern: '^(Tool a not found|Tool a is gone)$' } } }))).toHaveLength(1)
    // A text listed for another requirement is allowed only on a step judged on that requirement.
    expect(lint(withExpect({ type: 'tool-execute-response', payload: { error: 'Extension is not active' } }, { requirement: 'EXT-LIFE-010' }))).toEqual([])
    // Levels: a SHOULD fixture may not be judged on a MUST, by a step or by its requirements.
    const should = { ...base, id: 'tools/s', level: 'SHOULD' as const, requirements: ['EXT-IN-101'] }
    expect(lint({ ...should, steps: [...base.steps.slice(0, 2), { expect: { type: 'tool-execute-response' }, requirement: 'EXT-TOOL-001' }] })).toEqual([expect.stringContaining('names EXT-TOOL-001, a MUST, above the fixture\'s level SHOULD')])
    expect(lint({ ...should, steps: [...base.steps.slice(0, 2), { expectNone: { type: 'request' }, withinMs: 0, requirement: 'EXT-TOOL-001' }] })).toEqual([expect.stringContaining('names EXT-TOOL-001, a MUST')])
    expect(lint({ ...should, requirements: ['EXT-IN-101', 'EXT-TOOL-001'], steps: base.steps.slice(0, 2) })).toEqual([expect.stringContaining('requirement EXT-TOOL-001 is a MUST, above the fixture\'s level SHOULD')])
    // A rule that is only a placeholder (EXT-IN-101: `contains <type>`) allows the values the fixture sent, never any text.
    const diag = (message: unknown) => lint({ ...should, steps: [...base.steps.slice(0, 2), { expect: { type: 'log', payload: { message } } }] })
    expect(diag({ $match: 'regex', pattern: 'tool-execute-request' })).toEqual([])
    expect(diag({ $match: 'regex', pattern: '^Invalid host message: unknown type' })).toHaveLength(1)
    expect(diag('activate ignored')).toHaveLength(1)
  })

  it('reports a requirement that no fixture covers', () => {
    const reqs = requirements()
    const problems = lintFixtures([], [], new Map([...reqs].filter(([id]) => id === 'EXT-TOOL-001')), {})
    expect(problems).toEqual([expect.stringContaining('EXT-TOOL-001 is covered by no fixture')])
  })
})

/** Message types (both directions) and request methods that no fixture sends or expects. */
function unexercised(list: readonly Fixture[]): string[] {
  const sent = new Set<string>()
  const expected = new Set<string>(['ready']) // every fixture waits for it
  const methods = new Set<string>()
  for (const fixture of list) {
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
  return [
    ...HOST_TO_WORKER_TYPES.filter((t) => !sent.has(t)).map((t) => `host message ${t}`),
    ...WORKER_TO_HOST_TYPES.filter((t) => !expected.has(t)).map((t) => `worker message ${t}`),
    ...METHOD_NAMES.filter((m) => !methods.has(m)).map((m) => `method ${m}`),
  ]
}
