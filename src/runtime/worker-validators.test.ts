/**
 * What a worker entry starts its runtime with: the default version's validators at once, on a
 * default worker's own checks; another version's (or another inbound mode's) after loading every
 * check; an unknown version refused at once.
 */
import { describe, expect, it } from 'vitest'
import { UnknownVersionError } from '../protocol/versions.js'
import { createRuntimeValidators, type RuntimeValidators } from './runtime.js'
import { INBOUND_SAMPLES, OUTBOUND_SAMPLES } from './warm.js'
import { defaultWorkerValidators, loadRuntimeValidators } from './worker-validators.js'

const secretsGet = { type: 'request', id: 'r1', method: 'secrets.get', payload: { key: 'k' } }

describe('loadRuntimeValidators', () => {
  it('the default version (absent or named) in the default mode: at once, judging as createRuntimeValidators', () => {
    const reference = createRuntimeValidators()
    for (const protocol of [undefined, '0.22.1', '0.22.0']) {
      const loaded = loadRuntimeValidators(protocol)
      expect(loaded).not.toBeInstanceOf(Promise)
      const v = loaded as RuntimeValidators
      expect(v.protocol).toBeUndefined()
      for (const m of [...INBOUND_SAMPLES, { type: 'activate', id: 'a' }, { type: 'tool-execute-request', id: 't', payload: { toolId: 1 } }]) {
        expect(v.inbound.validateHostToWorker(m)).toStrictEqual(reference.inbound.validateHostToWorker(m))
      }
      for (const m of [...OUTBOUND_SAMPLES, secretsGet, { type: 'log', payload: { level: 'loud', message: 'x' } }]) {
        expect(v.outbound.validateWorkerToHost(m)).toStrictEqual(reference.outbound.validateWorkerToHost(m))
      }
      expect(v.responses.validateResponse('storage.get', 5)).toStrictEqual(reference.responses.validateResponse('storage.get', 5))
    }
    expect(defaultWorkerValidators().outbound.validateWorkerToHost(secretsGet).ok).toBe(false)
  })

  it('another version: loads its checks first, then speaks it', async () => {
    const loaded = loadRuntimeValidators('0.36.0')
    expect(loaded).toBeInstanceOf(Promise)
    const v = await loaded
    expect(v.protocol).toBe('0.36.0')
    expect(v.outbound.validateWorkerToHost(secretsGet)).toMatchObject({ ok: true })
  })

  it('strict inbound validation: loads every check first', async () => {
    const loaded = loadRuntimeValidators(undefined, 'strict')
    expect(loaded).toBeInstanceOf(Promise)
    const v = await loaded
    expect(v.inbound.mode).toBe('strict')
    const extra = { type: 'deactivate', id: 'd', extra: 1 }
    expect(v.inbound.validateHostToWorker(extra).ok).toBe(false)
    expect(defaultWorkerValidators().inbound.validateHostToWorker(extra).ok).toBe(true)
  })

  it('an unknown version: refused at once, naming the known ones', () => {
    expect(() => loadRuntimeValidators('9.9.9')).toThrow(UnknownVersionError)
  })
})
