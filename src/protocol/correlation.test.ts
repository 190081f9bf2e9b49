/** The request/answer table derived from the descriptors. */
import { describe, expect, it } from 'vitest'
import { HOST_REQUEST_ANSWERS, REQUEST_ANSWERS, answerOf, correlationKey } from './correlation.js'

describe('correlation table', () => {
  it('pairs every request with its answers, from the descriptors', () => {
    expect(REQUEST_ANSWERS.map((a) => `${a.request} -> ${a.answer} (${a.cardinality})`).sort()).toEqual([
      'action-execute-request -> action-execute-response (one)',
      'provider-chat-request -> stream-event (many)',
      'provider-models-request -> provider-models-response (one)',
      'request -> response (one)',
      'request -> streaming-fetch-chunk (many)',
      'tool-execute-request -> tool-execute-response (one)',
    ])
  })

  it('lists the four host requests a worker must answer', () => {
    expect([...HOST_REQUEST_ANSWERS.keys()].sort()).toEqual(['action-execute-request', 'provider-chat-request', 'provider-models-request', 'tool-execute-request'])
    expect(answerOf('tool-execute-request')?.field).toBe('/payload/requestId')
    expect(answerOf('settings-changed')).toBeUndefined()
    expect(answerOf('__proto__')).toBeUndefined()
  })

  it('keys a message by the exchange it belongs to', () => {
    expect(correlationKey({ type: 'stream-event', payload: { requestId: 'c1', event: { type: 'done' } } })).toBe('provider-chat-request:c1')
    expect(correlationKey({ type: 'streaming-fetch-ack', payload: { requestId: 's1' } })).toBe('streaming-fetch-chunk:s1')
    expect(correlationKey({ type: 'background-task-status', payload: { taskId: 't', status: 'running' } })).toBe('background-task-registered:t')
    expect(correlationKey({ type: 'background-task-registered', payload: { taskId: 't' } })).toBe('background-task-registered:t')
    expect(correlationKey({ type: 'request', id: 'r1', method: 'storage.keys', payload: {} })).toBe('request:r1')
    expect(correlationKey({ type: 'ready' })).toBeUndefined()
    expect(correlationKey({ type: 'stream-event', payload: { requestId: 5 } })).toBeUndefined()
    expect(correlationKey(null)).toBeUndefined()
  })
})
