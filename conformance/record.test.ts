/** The recorder: a recorded session becomes a fixture that replays green against the same worker. */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { HostPeer } from '../src/host/peer.js'
import { createMemoryPair } from '../src/transport/memory.js'
import { createStdioTransport } from '../src/transport/stdio.js'
import { PACKAGE_ROOT } from './paths.js'
import { lintFixtures } from './fixture/lint.js'
import type { Fixture } from './fixture/schema.js'
import { record, toFixture } from './record.js'
import { loadRequirements } from './requirements.js'
import { runFixture } from './runner.js'
import { embeddedTarget } from './reference/target.js'

/** A host session that exercises generated ids, timestamps and interleaving. */
async function session(host: HostPeer): Promise<void> {
  await host.waitForType('ready', 30_000)
  host.send({ type: 'activate', id: 'a-1', payload: { extensionId: 'conformance', extensionVersion: '1.0.0', storagePath: '/data', permissions: ['tools.register', 'storage.local', 'provider.register', 'background.workers'], settings: {} } })
  await host.waitFor((r) => (r.message as { payload?: { message?: string } }).payload?.message === 'conformance extension activated', 30_000)
  host.send({ type: 'tool-execute-request', id: 't-1', payload: { toolId: 'call', params: { api: 'storage', fn: 'get', args: ['k'] } } })
  const request = (await host.waitForType('request', 30_000)).message as { id: string }
  host.send({ type: 'response', id: 'h-1', payload: { requestId: request.id, success: true, data: 42 } })
  await host.waitForType('tool-execute-response', 30_000)
  host.send({ type: 'provider-chat-request', id: 'c-1', payload: { providerId: 'echo', messages: [{ role: 'user', content: 'hi' }], options: { settings: { mode: 'stream', count: 3 } } } })
  host.send({ type: 'background-task-start', id: 'b-1', payload: { taskId: 'always-task' } })
  await host.waitForType('background-task-health', 30_000)
  await host.waitForType('stream-event', 5000, (m) => (m['payload'] as { event: { type: string } }).event.type === 'done')
  host.send({ type: 'background-task-stop', id: 'b-2', payload: { taskId: 'always-task' } })
  await host.waitForType('background-task-status', 5000, (m) => (m['payload'] as { status: string }).status === 'stopped')
}

function replays(fixture: Fixture): Promise<string[]> {
  return runFixture(fixture, embeddedTarget()).then((r) => r.failures.map((f) => `${f.requirement}: ${f.message} ${f.expected ?? ''} ${f.actual ?? ''}`))
}

describe('extwire record', () => {
  it('turns a session into a lint-clean fixture that replays green', async () => {
    const [hostEnd, recorderHostSide] = createMemoryPair()
    const worker = await embeddedTarget().connect()
    const recording = record(recorderHostSide, worker)
    const host = new HostPeer(hostEnd)
    await session(host)
    await host.close()
    await recording.done
    const fixture = toFixture(recording.timeline, { id: 'recorded/storage-chat-task', title: 'Recorded session' })
    const text = JSON.stringify(fixture)
    expect(text).toContain('"$capture":"r1"')
    expect(text).toContain('"requestId":{"$ref":"r1"}')
    expect(text).toContain('"timestamp":{"$match":"iso-time"}')
    expect(fixture.steps.some((s) => 'unordered' in s)).toBe(true)
    expect(lintFixtures([{ file: 'recorded.json', fixture }], [], loadRequirements(join(PACKAGE_ROOT, 'docs/spec')), { 'EXT-LIFE-007': 'n/a' }).filter((p) => p.startsWith('recorded.json'))).toEqual([])
    expect(await replays(fixture)).toEqual([])
  })

  it('works as a command between a host and a worker process', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'extwire-record-')), 'session.json')
    const transport = createStdioTransport(`node bin/extwire.js record --cmd "node dist/conformance-stdio.cjs" --out ${out} --id recorded/via-cli`, { cwd: PACKAGE_ROOT })
    const host = new HostPeer(transport)
    await session(host)
    await host.close()
    const fixture = JSON.parse(readFileSync(out, 'utf8')) as Fixture
    expect(fixture.id).toBe('recorded/via-cli')
    expect(await replays(fixture)).toEqual([])
  }, 120_000)
})
