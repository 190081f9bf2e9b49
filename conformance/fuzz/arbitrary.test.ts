/**
 * Properties of the schema-derived arbitraries (bounded runs): generated messages are accepted by
 * our validators and by plain ajv on the published JSON Schema; mutated ones are rejected by both;
 * every message survives JSON and structured-clone round trips unchanged.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MESSAGES, METHODS, RequestVariants, type MessageDescriptor } from '../../src/protocol/index.js'
import { createValidator } from '../../src/validate/compile.js'
import { PACKAGE_ROOT } from '../paths.js'
import { arbitraryOf, invalidArbitraryOf, mutationsOf } from './arbitrary.js'

const strict = createValidator({ mode: 'strict' })
const ajv = new Ajv2020({ strict: false })
const file = (path: string) => ajv.compile(JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema', path), 'utf8')) as object)
const RUNS = { numRuns: 25 }

/** The schemas to generate from: `request` by its per-method variants. */
function schemasOf(d: MessageDescriptor): unknown[] {
  return d.type === 'request' ? [...RequestVariants] : [d.schema]
}

describe('generated messages', () => {
  for (const d of MESSAGES) {
    const published = file(`messages/${d.type}.json`)
    it(`${d.type}: valid ones pass both validators and round-trip unchanged`, () => {
      for (const schema of schemasOf(d)) {
        fc.assert(
          fc.property(arbitraryOf(schema), (message) => {
            const ours = strict.validateMessage(message)
            expect(ours.ok, JSON.stringify(ours)).toBe(true)
            expect(published(message), JSON.stringify(published.errors)).toBe(true)
            expect(JSON.parse(JSON.stringify(message))).toStrictEqual(message)
            expect(structuredClone(message)).toStrictEqual(message)
          }),
          RUNS,
        )
      }
    })

    it(`${d.type}: mutated ones fail both validators`, () => {
      for (const schema of schemasOf(d)) {
        fc.assert(
          fc.property(invalidArbitraryOf(schema), ({ value, mutation, path }) => {
            const ours = strict.validateMessage(value)
            expect(ours.ok, `${mutation} at ${path}: ${JSON.stringify(value)}`).toBe(false)
            expect(published(value), `${mutation} at ${path}`).toBe(false)
          }),
          RUNS,
        )
      }
    })
  }
})

describe('generated request payloads and response data', () => {
  for (const m of METHODS) {
    it(`${m.method}`, () => {
      const payloadFile = file(`methods/${m.method}.payload.json`)
      fc.assert(
        fc.property(arbitraryOf(m.payload), (payload) => {
          expect(strict.validateRequest(m.method, payload).ok).toBe(true)
          expect(payloadFile(payload)).toBe(true)
        }),
        RUNS,
      )
      fc.assert(
        fc.property(invalidArbitraryOf(m.payload), ({ value }) => {
          expect(strict.validateRequest(m.method, value).ok).toBe(false)
          expect(payloadFile(value)).toBe(false)
        }),
        { numRuns: 10 },
      )
      fc.assert(
        fc.property(arbitraryOf(m.response), (data) => {
          expect(strict.validateResponse(m.method, data).ok).toBe(true)
        }),
        { numRuns: 10 },
      )
    })
  }
})

describe('mutations', () => {
  it('cover every kind on a nested message', () => {
    const d = MESSAGES.find((x) => x.type === 'tool-execute-response') as MessageDescriptor
    const kinds = new Set(mutationsOf(d.schema, { type: 'tool-execute-response', payload: { requestId: 'r', result: { success: true } } }).map((m) => m.kind))
    expect([...kinds].sort()).toEqual(['corrupted-nesting', 'extra-field', 'missing-field', 'wrong-literal', 'wrong-type'])
  })
})
