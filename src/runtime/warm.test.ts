/** The warm-up samples stay valid messages, so warming runs the checks' passing paths. */
import { describe, expect, it } from 'vitest'
import { createRuntimeValidators } from './runtime.js'
import { INBOUND_SAMPLES, OUTBOUND_SAMPLES, warmValidators } from './warm.js'

describe('warmValidators', () => {
  it('every sample passes the default validators, in both inbound modes', () => {
    for (const mode of ['tolerant', 'strict'] as const) {
      expect(warmValidators(createRuntimeValidators(mode))).toBe(INBOUND_SAMPLES.length + OUTBOUND_SAMPLES.length)
    }
  })

  it('leaves validators of another protocol version alone', () => {
    expect(warmValidators({ ...createRuntimeValidators(), protocol: '0.36.0' })).toBe(0)
  })
})
