/**
 * Every protocol profile is precompiled: the precompiled validators of each version judge exactly
 * as validators compiled from that version's TypeBox source, with the same errors, on values
 * generated from the version's own schemas (valid ones, and each mutated into invalid ones).
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { arbitraryOf, mutationsOf } from '../conformance/fuzz/arbitrary.js'
import { profile } from '../src/protocol/profiles.js'
import { PROFILE_VERSIONS } from '../src/protocol/versions.js'
import { createValidator } from '../src/validate/compile.js'
import { precompiledValidator } from '../src/validate/precompiled.js'
import type { ValidationMode } from '../src/validate/modes.js'

const SAMPLES = 4

function corpus(schema: unknown, seed: number): unknown[] {
  const out: unknown[] = []
  for (const valid of fc.sample(arbitraryOf(schema), { numRuns: SAMPLES, seed })) {
    out.push(valid)
    for (const m of mutationsOf(schema, valid, true)) out.push(m.apply(valid))
  }
  return out
}

describe.each(PROFILE_VERSIONS)('profile %s: precompiled and compiled validators agree', (version) => {
  const p = profile(version)
  for (const mode of ['strict', 'tolerant'] as ValidationMode[]) {
    it(`on generated messages, payloads and responses and their mutations (${mode})`, () => {
      const pre = precompiledValidator({ mode, protocol: version })
      const compiled = createValidator({ mode, protocol: version })
      let checked = 0
      let invalid = 0
      p.messages.forEach((m, i) => {
        for (const value of corpus(m.schema, i + 1)) {
          const a = pre.validateMessage(value)
          expect(a, `${m.type}: ${JSON.stringify(value)}`).toStrictEqual(compiled.validateMessage(value))
          expect(pre.validateWorkerToHost(value)).toStrictEqual(compiled.validateWorkerToHost(value))
          expect(pre.validateHostToWorker(value)).toStrictEqual(compiled.validateHostToWorker(value))
          checked++
          if (!a.ok) invalid++
        }
      })
      p.methods.forEach((m, i) => {
        for (const value of corpus(m.payload, 1000 + i)) {
          expect(pre.validateRequest(m.method, value), `${m.method}: ${JSON.stringify(value)}`).toStrictEqual(compiled.validateRequest(m.method, value))
        }
        for (const value of [undefined, ...corpus(m.response, 2000 + i)]) {
          expect(pre.validateResponse(m.method, value), `${m.method} response: ${JSON.stringify(value)}`).toStrictEqual(compiled.validateResponse(m.method, value))
        }
      })
      expect(checked).toBeGreaterThan(200)
      expect(invalid / checked).toBeGreaterThan(0.3)
    })
  }
})
