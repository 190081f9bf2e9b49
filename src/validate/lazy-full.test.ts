/**
 * A check set whose full checks load on first use (what a CommonJS Node worker runs): it judges as
 * the eager set, loads once, and when the load fails, says the validator cannot judge rather than
 * blame the value.
 */
import { describe, expect, it } from 'vitest'
import { validatorOn } from './check-set.js'
import * as FULL from './precompiled/full.js'
import { workerCheckSet } from './worker-check-set.js'
import { workerValidator } from './worker-checks.js'

const valid = { type: 'tool-execute-request', id: 't', payload: { toolId: 'echo', params: {} } }
const invalid = { type: 'tool-execute-request', id: 't', payload: { toolId: 5 } }
const outbound = { type: 'log', payload: { level: 'loud', message: 1 } }

describe('lazily loaded full checks', () => {
  it('judge as the eager ones, and load once, on the first message that fails its fast check', () => {
    let loads = 0
    const set = workerCheckSet(() => {
      loads++
      return FULL
    })
    const inbound = validatorOn(set, { mode: 'tolerant', scope: ['host-to-worker'] })
    const strict = validatorOn(set, { mode: 'strict', scope: ['worker-to-host', 'payloads'] })
    expect(inbound.validateHostToWorker(valid)).toStrictEqual(workerValidator('tolerant', ['host-to-worker']).validateHostToWorker(valid))
    expect(loads).toBe(0)
    expect(inbound.validateHostToWorker(invalid)).toStrictEqual(workerValidator('tolerant', ['host-to-worker']).validateHostToWorker(invalid))
    expect(strict.validateWorkerToHost(outbound)).toStrictEqual(workerValidator('strict', ['worker-to-host', 'payloads']).validateWorkerToHost(outbound))
    expect(loads).toBe(1)
  })

  it('that cannot load: the message is rejected as unjudgeable (one line, no file paths), the load is not retried, valid messages still pass', () => {
    let loads = 0
    const set = workerCheckSet(() => {
      loads++
      throw new Error("Cannot find module './full-checks.cjs'\nRequire stack:\n- /somewhere/dist/chunk-X.cjs")
    })
    const inbound = validatorOn(set, { mode: 'tolerant', scope: ['host-to-worker'] })
    for (let i = 0; i < 2; i++) {
      const result = inbound.validateHostToWorker(invalid)
      expect(result.ok).toBe(false)
      const [error] = result.ok ? [] : result.errors
      expect(error).toMatchObject({ code: 'EXT-WIRE-007', keyword: 'load', expected: 'the checks that collect its errors', received: "none: the full checks could not be loaded: Cannot find module './full-checks.cjs'" })
      expect(JSON.stringify(result)).not.toContain('/somewhere')
    }
    expect(loads).toBe(1)
    expect(inbound.validateHostToWorker(valid).ok).toBe(true)
  })

  it('that is not a module of checks: the same, naming what was loaded', () => {
    const set = workerCheckSet(() => ({ STRICT: [], TOLERANT: [] }))
    const result = validatorOn(set, { mode: 'tolerant', scope: ['host-to-worker'] }).validateHostToWorker(invalid)
    expect(result.ok ? undefined : result.errors[0]).toMatchObject({ code: 'EXT-WIRE-007', keyword: 'load', received: expect.stringMatching(/^none: the lazily loaded full checks hold no tolerant check \d+$/) })
  })
})
