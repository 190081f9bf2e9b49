/**
 * Every example under fixtures/examples is judged the same way by our validators and by plain ajv
 * (Ajv2020) on the generated JSON Schema files, so the files are known to work outside our code.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { AnyData, HOST_TO_WORKER_TYPES, METHOD_NAMES, WORKER_TO_HOST_TYPES, METHODS } from '../src/protocol/index.js'
import { createValidator } from '../src/validate/compile.js'
import { messageExamples, methodExamples, ROOT, type Example } from './helpers/examples.js'

const strict = createValidator({ mode: 'strict' })
const tolerant = createValidator({ mode: 'tolerant' })
const plain = new Ajv2020({ strict: false })
const fileSchema = (path: string) => plain.compile(JSON.parse(readFileSync(join(ROOT, 'schema', path), 'utf8')) as object)

function checkExpectation(example: Example, errors: readonly { code: string; path: string }[]) {
  if (!example.expect) return
  expect(errors.map((e) => `${e.code} ${e.path}`)).toContain(`${example.expect.code} ${example.expect.path}`)
}

describe('message examples', () => {
  const files = messageExamples()

  it('cover all 26 message types with at least one valid and one invalid example', () => {
    const types = files.map((f) => f.type).sort()
    expect(types).toEqual([...HOST_TO_WORKER_TYPES, ...WORKER_TO_HOST_TYPES].sort())
    for (const f of files) {
      expect(f.examples.some((e) => e.valid), f.type).toBe(true)
      expect(f.examples.some((e) => !e.valid), f.type).toBe(true)
    }
  })

  for (const file of files) {
    const ajvCheck = fileSchema(`messages/${file.type}.json`)
    for (const example of file.examples) {
      it(`${file.type}: ${example.description} (${example.valid ? 'valid' : 'invalid'})`, () => {
        const ours = strict.validateMessage(example.value)
        expect(ours.ok, JSON.stringify(ours)).toBe(example.valid)
        expect(ajvCheck(example.value)).toBe(example.valid)
        if (!ours.ok) checkExpectation(example, ours.errors)
        if (example.valid) expect(tolerant.validateMessage(example.value).ok).toBe(true)
      })
    }
  }
})

describe('method examples', () => {
  const files = methodExamples()

  it('cover all 19 methods with valid and invalid payloads, and valid responses', () => {
    expect(files.map((f) => f.method).sort()).toEqual([...METHOD_NAMES].sort())
    for (const f of files) {
      expect(f.payload.some((e) => e.valid), f.method).toBe(true)
      expect(f.payload.some((e) => !e.valid), f.method).toBe(true)
      expect(f.response.some((e) => e.valid), f.method).toBe(true)
      // A response that may be any value has no invalid example; every other one has one.
      if (METHODS.find((m) => m.method === f.method)?.response !== AnyData) expect(f.response.some((e) => !e.valid), f.method).toBe(true)
    }
  })

  for (const file of files) {
    const payloadCheck = fileSchema(`methods/${file.method}.payload.json`)
    const responseCheck = fileSchema(`methods/${file.method}.response.json`)
    for (const example of file.payload) {
      it(`${file.method} payload: ${JSON.stringify(example.value)} (${example.valid ? 'valid' : 'invalid'})`, () => {
        const ours = strict.validateRequest(file.method, example.value)
        expect(ours.ok, JSON.stringify(ours)).toBe(example.valid)
        expect(payloadCheck(example.value)).toBe(example.valid)
        if (!ours.ok) checkExpectation(example, ours.errors)
      })
    }
    for (const example of file.response) {
      it(`${file.method} response: ${JSON.stringify(example.value) ?? 'absent'} (${example.valid ? 'valid' : 'invalid'})`, () => {
        const ours = strict.validateResponse(file.method, example.value)
        expect(ours.ok, JSON.stringify(ours)).toBe(example.valid)
        // Plain JSON Schema cannot see an absent value; a JSON response without `data` is judged by its schema's null form.
        if (example.value !== undefined) expect(responseCheck(example.value)).toBe(example.valid)
        if (!ours.ok) checkExpectation(example, ours.errors)
      })
    }
  }
})

describe('the bundle', () => {
  it('accepts every valid message example and rejects every invalid one through its anyOf union', () => {
    const bundle = plain.compile(JSON.parse(readFileSync(join(ROOT, 'schema/extwire.schema.json'), 'utf8')) as object)
    for (const file of messageExamples()) {
      for (const example of file.examples) expect(bundle(example.value), `${file.type}: ${example.description}`).toBe(example.valid)
    }
  })
})
