/**
 * An `expectNone` window closes only after the worker has had its turn: on a busy event loop its
 * timer can be due before the turn that carries an in-process worker's answer.
 */
import { describe, expect, it } from 'vitest'
import { HostPeer } from '../src/host/peer.js'
import { createMemoryPair } from '../src/transport/memory.js'
import { FixtureRun, StepFailure } from './runner.js'
import type { Fixture } from './fixture/schema.js'

const fixture: Fixture = { id: 'test/expect-none', title: 'expectNone on a busy loop', requirements: ['EXT-LIFE-011'], level: 'MUST', since: '0.22.0', permissions: [], steps: [{ waitMs: 0 }] }

describe('expectNone', () => {
  it('sees a forbidden answer that a busy worker sends after the window timer is due', async () => {
    const [host, worker] = createMemoryPair()
    worker.onMessage(() => {
      // Busy past the window (so its timer is due before the answer's delivery turn), then answer.
      const until = performance.now() + 40
      while (performance.now() < until) {
        // busy
      }
      worker.send({ type: 'log', payload: { level: 'info', message: 'must not be sent' } })
    })
    const peer = new HostPeer(host)
    worker.send({ type: 'ready' })
    const run = new FixtureRun(fixture, peer, 1000)
    await run.ready()
    await run.next({ send: { type: 'settings-changed', id: 's-1', payload: { key: 'greeting', value: 'hi' } } })
    const failure = await run.next({ expectNone: { type: 'log' }, withinMs: 20, requirement: 'EXT-LIFE-011' }).then(() => undefined, (error: unknown) => error)
    expect(failure).toBeInstanceOf(StepFailure)
    expect((failure as StepFailure).failure.requirement).toBe('EXT-LIFE-011')
    await peer.close()
  })
})
