import { describe, expect, it } from 'vitest'
import { HOST_TO_WORKER_TYPES, MESSAGES, messageDescriptor, WORKER_TO_HOST_TYPES } from './catalogue.js'
import { METHODS, methodDescriptor } from './methods.js'

describe('the message catalogue', () => {
  it('has the 12 host->worker and 14 worker->host types of 0.22.1, each once', () => {
    expect(HOST_TO_WORKER_TYPES).toHaveLength(12)
    expect(WORKER_TO_HOST_TYPES).toHaveLength(14)
    expect(new Set(MESSAGES.map((m) => m.type)).size).toBe(26)
  })

  it('marks the five background-task messages as new in 0.22.0 and the rest as 0.21.0', () => {
    const bg = MESSAGES.filter((m) => m.since === '0.22.0').map((m) => m.type).sort()
    expect(bg).toEqual(['background-task-health', 'background-task-registered', 'background-task-start', 'background-task-status', 'background-task-stop'])
  })

  it('says which field correlates which message', () => {
    expect(messageDescriptor('tool-execute-response')?.correlations).toEqual([
      { field: '/payload/requestId', answers: 'tool-execute-request', answersField: '/id', cardinality: 'one' },
    ])
    expect(messageDescriptor('stream-event')?.correlations[0]?.cardinality).toBe('many')
    for (const m of MESSAGES) for (const c of m.correlations) expect(messageDescriptor(c.answers), `${m.type} -> ${c.answers}`).toBeDefined()
  })

  it('looks up safely for any string', () => {
    expect(messageDescriptor('__proto__')).toBeUndefined()
    expect(messageDescriptor('constructor')).toBeUndefined()
    expect(methodDescriptor('toString')).toBeUndefined()
  })

  it('has 19 methods, each with payload and response schemas and gates', () => {
    expect(METHODS).toHaveLength(19)
    for (const m of METHODS) {
      expect(m.payload).toBeTypeOf('object')
      expect(m.response).toBeTypeOf('object')
      expect(m.workerGate.length).toBeGreaterThan(0)
    }
    expect(methodDescriptor('settings.get')?.hostGate).toBeNull()
  })
})
