/**
 * Both ends together: the reference host (`createHost`) drives the reference runtime with the
 * conformance extension over memory, worker_threads and stdio (the built, bundled worker entries:
 * `npm test` builds first), through tools, actions, chat, models, storage, fetch and fetch-stream
 * from a local HTTP server, a task under each restart policy in virtual time, and unload.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CONFORMANCE_PERMISSIONS } from '../conformance/extension/permissions.js'
import { embeddedTarget } from '../conformance/reference/target.js'
import { commandTarget, workerTarget, type Target } from '../conformance/targets.js'
import { VirtualClock } from '../src/host/clock.js'
import { createHost, type HostEvent } from '../src/host/host.js'
import { memoryStorage } from '../src/host/backends.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const STREAMED = 'héllo wörld 😀 '.repeat(400)

async function until(condition: () => boolean, what: string, limit = 20_000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (condition()) return
    await new Promise<void>((resolve) => setTimeout(resolve, i < 100 ? 0 : 5))
  }
  throw new Error(`never happened: ${what}`)
}

let server: Server
let base = ''

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain', 'x-test': 'yes' })
      res.end('hello from http')
      return
    }
    if (req.url === '/stream') {
      // Written in pieces that cut multi-byte characters in two.
      const bytes = Buffer.from(STREAMED, 'utf8')
      res.writeHead(200, { 'content-type': 'text/plain' })
      for (let i = 0; i < bytes.length; i += 1001) res.write(bytes.subarray(i, i + 1001))
      res.end()
      return
    }
    res.writeHead(404, 'Not Found')
    res.end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const targets: Array<[string, () => Target]> = [
  ['memory', () => embeddedTarget()],
  ['worker_threads', () => workerTarget(fileURLToPath(new URL('../dist/conformance-worker.cjs', import.meta.url)))],
  ['stdio', () => commandTarget('node dist/conformance-stdio.cjs', [], root)],
]

describe.each(targets)('the reference host with the reference runtime over %s', (_name, target) => {
  it('runs every host API, the requests, the streams and the restart policies, then unloads', async () => {
    const clock = new VirtualClock()
    const storage = memoryStorage()
    const host = createHost({ clock, backends: { storage } })
    const events: HostEvent[] = []
    host.onEvent((e) => events.push(e))
    const transport = await target().connect({ features: [] })
    try {
      const view = await host.load({ id: 'conformance', version: '1.0.0', permissions: CONFORMANCE_PERMISSIONS }, transport)
      expect(view.state).toBe('active')
      await until(() => events.some((e) => e.type === 'log' && e.message === 'conformance extension activated'), 'activation log')

      // tools, actions, chat, models
      expect(await host.executeTool('conformance', 'echo', { x: 'y' })).toEqual({ success: true, data: { x: 'y' } })
      expect(await host.executeAction('conformance', 'echo-action', { a: 1 })).toEqual({ success: true, data: { a: 1 } })
      const chat = []
      for await (const e of host.chat('conformance', 'echo', [{ role: 'user', content: 'hi' }], { settings: { mode: 'tools' } })) chat.push(e.type)
      expect(chat).toEqual(['thinking', 'tool_start', 'tool_end', 'content', 'done'])
      expect((await host.getModels('conformance', 'echo')).map((m) => m.id)).toEqual(['echo-1', 'echo-2'])

      // storage, through the extension's own requests
      const call = (api: string, fn: string, args: unknown[]) => host.executeTool('conformance', 'call', { api, fn, args })
      expect(await call('storage', 'setForUser', ['u1', 'k', 42])).toEqual({ success: true, data: null })
      expect(await call('storage', 'keysForUser', ['u1'])).toEqual({ success: true, data: ['k'] })
      expect(await call('storage', 'keys', [])).toEqual({ success: true, data: [] })
      expect(await storage.get({ extensionId: 'conformance', userId: 'u1' }, 'k')).toBe(42)

      // fetch and fetch-stream from a real HTTP server, through the platform's fetch
      const fetched = await call('network', 'fetch', [`${base}/text`])
      expect(fetched).toMatchObject({ success: true, data: { status: 200, body: 'hello from http', headers: { 'x-test': 'yes' } } })
      const streamed = await host.executeTool('conformance', 'fetch-stream', { url: `${base}/stream` })
      expect(streamed.success).toBe(true)
      expect((streamed.data as { chunks: string[] }).chunks.join('')).toBe(STREAMED)
      const missing = await host.executeTool('conformance', 'fetch-stream', { url: `${base}/missing` })
      expect(missing).toMatchObject({ success: false, error: 'HTTP 404: Not Found' })

      // restart policies, in virtual time
      const task = (id: string) => events.flatMap((e) => (e.type === 'task' && e.event.taskId === id ? [e.event] : []))
      await until(() => task('on-failure-task').some((e) => e.type === 'restarting'), 'on-failure restart 1')
      clock.advance(10)
      await until(() => task('on-failure-task').filter((e) => e.type === 'restarting').length === 2, 'on-failure restart 2')
      clock.advance(20)
      await until(() => task('on-failure-task').some((e) => e.type === 'exhausted'), 'on-failure exhausted')
      expect(task('on-failure-task').map((e) => e.type)).toEqual(['started', 'failed', 'restarting', 'started', 'failed', 'restarting', 'started', 'failed', 'exhausted'])
      await until(() => task('never-task').some((e) => e.type === 'stopped'), 'never-task stopped')
      expect(task('never-task').map((e) => e.type)).toEqual(['started', 'stopped'])
      await until(() => task('always-task').some((e) => e.type === 'health'), 'always-task health')
      host.stopTask('conformance', 'always-task')
      clock.advance(120_000)
      expect(task('always-task').filter((e) => e.type === 'restarting')).toEqual([])
      expect(host.extension('conformance')?.tasks.map((t) => [t.taskId, t.state])).toEqual([
        ['always-task', 'stopped'],
        ['on-failure-task', 'failed'],
        ['never-task', 'stopped'],
      ])

      // unload: deactivate, the grace period on the host's clock, close; no error
      const unloading = host.unload('conformance')
      await until(() => events.some((e) => e.type === 'log' && e.message === 'conformance extension deactivated') || transport.closed, 'deactivated')
      clock.advance(1000)
      await unloading
      expect(transport.closed).toBe(true)
      expect(host.extension('conformance')).toBeUndefined()
      expect(events.filter((e) => e.type === 'extension-error')).toEqual([])
    } finally {
      await transport.close()
    }
  }, 60_000)
})
