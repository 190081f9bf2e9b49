/** initializeExtension in a real worker thread: the upstream entry point, guarded against a second call (EXT-LIFE-007). */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { HostPeer } from '../host/peer.js'
import { createWorkerThreadTransport } from '../transport/worker-thread.js'

describe('initializeExtension (EXT-LIFE-007)', () => {
  it('called twice in one worker, installs one listener and sends ready once', async () => {
    const transport = createWorkerThreadTransport(fileURLToPath(new URL('../../test/workers/double-init.ts', import.meta.url)))
    const host = new HostPeer(transport)
    await host.waitForType('ready', 20_000)
    host.send({ type: 'activate', id: 'a', payload: { extensionId: 'conformance', extensionVersion: '1', storagePath: '/s', permissions: ['tools.register'], settings: {} } })
    await host.waitForType('log', 20_000, (m) => (m['payload'] as { message: string }).message === 'conformance extension activated')
    host.send({ type: 'tool-execute-request', id: 't-1', payload: { toolId: 'echo', params: { once: true } } })
    await host.waitForType('tool-execute-response', 5000)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(host.ofType('ready')).toHaveLength(1)
    expect(host.ofType('tool-execute-response')).toHaveLength(1)
    expect(host.ofType('log').filter((m) => (m['payload'] as { message: string }).message === 'conformance extension activated')).toHaveLength(1)
    await host.close()
  }, 40_000)
})
