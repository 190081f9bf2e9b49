/**
 * A default worker's own checks (`worker-checks.ts`) judge exactly as every check
 * (`precompiled.ts`) in the modes and scopes a worker runtime uses, and refuse, by name, what they
 * do not hold, rather than judging with a missing check.
 */
import { describe, expect, it } from 'vitest'
import { messageExamples, methodExamples } from '../../test/helpers/examples.js'
import { checkSet, validatorOn } from './check-set.js'
import * as ENTRIES from './precompiled/entries.js'
import * as FAST from './precompiled/fast.js'
import * as FULL from './precompiled/full.js'
import { precompiledValidator } from './precompiled.js'
import { workerValidator } from './worker-checks.js'

/** `value`, and its neighbours one change away at the top level and in `payload`. */
function neighbours(value: unknown): unknown[] {
  const out: unknown[] = [value]
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return out
  const record = value as Record<string, unknown>
  out.push({ ...record, zzExtra: 1 })
  for (const key of Object.keys(record)) {
    const { [key]: _dropped, ...rest } = record
    out.push(rest, { ...record, [key]: 42 })
  }
  const payload = record['payload']
  if (typeof payload === 'object' && payload !== null && !Array.isArray(payload)) {
    for (const key of Object.keys(payload)) {
      const { [key]: _dropped, ...rest } = payload as Record<string, unknown>
      out.push({ ...record, payload: rest }, { ...record, payload: { ...payload, [key]: null } }, { ...record, payload: { ...payload, zzExtra: 'x' } })
    }
  }
  return out
}

const messages = messageExamples().flatMap((f) => f.examples.flatMap((e) => neighbours(e.value)))

describe('a default worker\'s checks', () => {
  it('judge host->worker messages (tolerant) as every check does', () => {
    const own = workerValidator('tolerant', ['host-to-worker'])
    const every = precompiledValidator({ mode: 'tolerant', scope: ['host-to-worker'] })
    let invalid = 0
    for (const value of messages) {
      const result = own.validateHostToWorker(value)
      expect(result, JSON.stringify(value)).toStrictEqual(every.validateHostToWorker(value))
      if (!result.ok) invalid++
    }
    expect(invalid).toBeGreaterThan(100)
  })

  it('judge worker->host messages and request payloads (strict) as every check does', () => {
    const own = workerValidator('strict', ['worker-to-host', 'payloads'])
    const every = precompiledValidator({ mode: 'strict', scope: ['worker-to-host', 'payloads'] })
    for (const value of messages) expect(own.validateWorkerToHost(value), JSON.stringify(value)).toStrictEqual(every.validateWorkerToHost(value))
    for (const file of methodExamples()) {
      for (const e of file.payload) for (const value of neighbours(e.value)) expect(own.validateRequest(file.method, value)).toStrictEqual(every.validateRequest(file.method, value))
    }
  })

  it('judge response data (tolerant) as every check does', () => {
    const own = workerValidator('tolerant', ['responses'])
    const every = precompiledValidator({ mode: 'tolerant', scope: ['responses'] })
    let checked = 0
    for (const file of methodExamples()) {
      for (const e of file.response) {
        for (const value of neighbours(e.value)) {
          expect(own.validateResponse(file.method, value)).toStrictEqual(every.validateResponse(file.method, value))
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(50)
  })

  it('refuse a mode, scope or version they do not hold, naming it', () => {
    expect(() => workerValidator('strict', ['host-to-worker'])).toThrow(/does not hold the strict check of message activate \(protocol 0\.22\.0\)/)
    expect(() => workerValidator('tolerant', ['worker-to-host'])).toThrow(/does not hold the tolerant check of message/)
    expect(() => workerValidator('strict', ['responses'])).toThrow(/does not hold the strict check of response/)
    const set = checkSet([ENTRIES], [{ fast: FAST, full: FULL }])
    expect(() => validatorOn(set, { mode: 'tolerant', scope: ['host-to-worker'], protocol: '0.36.0' })).toThrow(/does not hold protocol 0\.36\.0/)
    expect(() => validatorOn(set, { protocol: '9.9.9' })).toThrow(/9\.9\.9/)
  })
})
