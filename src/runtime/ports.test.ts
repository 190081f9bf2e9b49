/**
 * Messages that reach a worker while another version's checks load are held, in order, and handled
 * once the runtime starts (a Web Worker drops a message that finds no listener).
 */
import { describe, expect, it, vi } from 'vitest'
import type { RuntimeTransport } from './runtime.js'
import { HELD_MESSAGES_LIMIT, holdUntilListening, startOnPort, webWorkerTransport, type WebScope } from './ports.js'
import { loadRuntimeValidators } from './worker-validators.js'

/** A fake Web Worker scope: like a browser, it drops a message no listener is there for. */
function fakeScope() {
  const listeners = new Set<(event: { data: unknown }) => void>()
  const sent: unknown[] = []
  const scope: WebScope = {
    postMessage: (m) => void sent.push(m),
    addEventListener: (_t, l) => void listeners.add(l),
    removeEventListener: (_t, l) => void listeners.delete(l),
  }
  return { scope, sent, listeners, deliver: (data: unknown) => listeners.forEach((l) => l({ data })) }
}

describe('holdUntilListening', () => {
  it('gives what arrived before the listener to it, in order, then passes messages straight on', () => {
    const { scope, deliver } = fakeScope()
    const held = holdUntilListening(webWorkerTransport(scope))
    deliver(1)
    deliver(2)
    const got: unknown[] = []
    held.onMessage((m) => void got.push(m))
    deliver(3)
    expect(got).toEqual([1, 2, 3])
  })

  it('holds at most HELD_MESSAGES_LIMIT messages and says so once when it drops', () => {
    const { scope, deliver } = fakeScope()
    const error = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      const held = holdUntilListening(webWorkerTransport(scope))
      for (let i = 0; i < HELD_MESSAGES_LIMIT + 5; i++) deliver(i)
      const got: unknown[] = []
      held.onMessage((m) => void got.push(m))
      expect(got.length).toBe(HELD_MESSAGES_LIMIT)
      expect(error).toHaveBeenCalledTimes(1)
      expect(String(error.mock.calls[0]?.[0])).toMatch(/dropped/)
    } finally {
      error.mockRestore()
    }
  })

  it('stops listening on release', () => {
    const { scope, listeners } = fakeScope()
    const held = holdUntilListening(webWorkerTransport(scope))
    expect(listeners.size).toBe(1)
    held.release()
    expect(listeners.size).toBe(0)
  })
})

describe('startOnPort for another version', () => {
  it('handles an activate that arrives while the checks load', async () => {
    const { scope, sent, deliver } = fakeScope()
    const activated = vi.fn()
    const started = startOnPort(async () => ({ owner: {}, transport: webWorkerTransport(scope) as RuntimeTransport }), { activate: activated }, { protocol: '0.36.0' }, loadRuntimeValidators)
    // The port is found on a microtask; the checks of 0.36.0 load after that.
    await Promise.resolve()
    await Promise.resolve()
    deliver({ type: 'activate', id: 'a-1', payload: { extensionId: 'x', extensionVersion: '1', storagePath: '/s', permissions: [], settings: {} } })
    await started
    await vi.waitFor(() => expect(activated).toHaveBeenCalledTimes(1))
    expect(sent[0]).toEqual({ type: 'ready' })
  })
})
