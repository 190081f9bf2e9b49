/**
 * The recorder in both roles: a session between the reference host (`createHost`) and the reference
 * runtime, recorded once, becomes a worker-role fixture that replays green against the reference
 * runtime and a host-role fixture that replays green against the reference host.
 */
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { VirtualClock } from '../src/host/clock.js'
import { createHost, type Host, type HostEvent } from '../src/host/host.js'
import { createMemoryPair } from '../src/transport/memory.js'
import { createStdioTransport } from '../src/transport/stdio.js'
import { run } from '../src/cli/main.js'
import { checkFixture } from './fixture/check.js'
import { lintFixtures } from './fixture/lint.js'
import type { Fixture } from './fixture/schema.js'
import { driverHostTarget, type HostDriverFactory } from './host/driver.js'
import { PACKAGE_ROOT } from './paths.js'
import { record, toFixture } from './record.js'
import { embeddedTarget } from './reference/target.js'
import { createHostDriver } from './reference/host-driver.js'
import { loadRequirements } from './requirements.js'
import { runFixture } from './runner.js'

/** The reference host behind its driver, on a virtual clock the fixture moves (docs/host-driver.md). */
const referenceHost: HostDriverFactory = createHostDriver

/** Waits for a condition on the host's events; the session is event-driven, never timed. */
function until(events: readonly HostEvent[], test: (e: HostEvent) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now()
    const poll = () => (events.some(test) ? resolve() : Date.now() - started > 30_000 ? reject(new Error('the session stalled')) : setImmediate(poll))
    poll()
  })
}

const logged = (message: string) => (e: HostEvent) => e.type === 'log' && e.message === message
const taskEvent = (taskId: string, type: string) => (e: HostEvent) => e.type === 'task' && e.event.taskId === taskId && e.event.type === type

/** Records a session of the reference host with the reference runtime, driven by `script`. */
async function recordSession(permissions: readonly string[], script: (host: Host, clock: VirtualClock, events: HostEvent[]) => Promise<void>) {
  const [hostEnd, recorderHostSide] = createMemoryPair()
  const worker = await embeddedTarget().connect()
  const recording = record(recorderHostSide, worker)
  const clock = new VirtualClock()
  const host = createHost({ clock })
  const events: HostEvent[] = []
  host.onEvent((e) => events.push(e))
  await host.load({ id: 'conformance', version: '1.0.0', permissions: [...permissions], settings: { greeting: 'hi' } }, hostEnd)
  await until(events, logged('conformance extension activated'))
  await script(host, clock, events)
  const unloading = host.unload('conformance')
  await until(events, logged('conformance extension deactivated'))
  clock.advance(1000) // the grace period: the host closes the connection, which ends the recording
  await unloading
  await recording.done
  await host.dispose()
  return recording.timeline
}

const requirements = loadRequirements(join(PACKAGE_ROOT, 'docs/spec'))
const lint = (file: string, fixture: Fixture) => [...checkFixture(fixture), ...lintFixtures([{ file, fixture }], [], requirements, {}).filter((p) => p.startsWith(file))]
const failuresOf = (result: Awaited<ReturnType<typeof runFixture>>) => [result.status, ...result.failures.map((f) => `${f.requirement} step ${f.step ?? '?'}: ${f.message} ${f.expected ?? ''} ${f.actual ?? ''}`)]

describe('extwire record, both roles from one trace', () => {
  it('host API calls, requests, chats and settings: a worker fixture and a host fixture, each green against the other side', async () => {
    const timeline = await recordSession(['tools.register', 'actions.register', 'provider.register', 'storage.local', 'settings.register', 'scheduler.register'], async (host) => {
      await host.executeTool('conformance', 'echo', { x: 'y' })
      await host.executeTool('conformance', 'call', { api: 'storage', fn: 'set', args: ['k', 42] })
      await host.executeTool('conformance', 'soft-fail', { message: 'nope' })
      await host.executeAction('conformance', 'echo-action', { a: 1 })
      for await (const e of host.chat('conformance', 'echo', [{ role: 'user', content: 'hi' }], { settings: { mode: 'stream', count: 2 } })) void e
      await expect(async () => {
        for await (const e of host.chat('conformance', 'echo', [{ role: 'user', content: 'hi' }], { settings: { mode: 'error-event', message: 'down' } })) void e
      }).rejects.toThrow('down')
      await host.getModels('conformance', 'echo')
      host.changeSetting('conformance', 'greeting', 'hello')
      host.fireSchedule('conformance', { id: 'job-1', payload: { n: 1 }, scheduledFor: '2026-11-26T12:00:00.000Z', firedAt: '2026-11-26T12:00:00.015Z', delayMs: 15, userId: 'u1' })
      await host.executeTool('conformance', 'call', { api: 'settings', fn: 'get', args: ['greeting'] })
    })

    const worker = toFixture(timeline, { id: 'recorded/reference-session' })
    expect(lint('fixtures/recorded/reference-session.json', worker)).toEqual([])
    expect(failuresOf(await runFixture(worker, embeddedTarget()))).toEqual(['pass'])

    const hostFixture = toFixture(timeline, { id: 'host/recorded/reference-session', role: 'host' })
    const text = JSON.stringify(hostFixture)
    expect(hostFixture.role).toBe('host')
    expect(hostFixture.steps[0]).toEqual({ do: 'load', label: 'load', args: { manifest: { id: 'conformance', version: '1.0.0', permissions: hostFixture.permissions, settings: { greeting: 'hi' } } } })
    for (const command of ['executeTool', 'executeAction', 'chat', 'getModels', 'changeSetting', 'fireSchedule', 'unload']) expect(text).toContain(`"do":"${command}"`)
    expect(text).toContain('"id":{"$capture":"h1"}')
    expect(text).toContain('"requestId":{"$ref":"h1"}')
    expect(text).toContain('"expectResult":{"ok":true,"value":{"success":false,"error":"nope"}}')
    expect(text).toContain('"expectResult":{"ok":false}')
    expect(text).toContain('"storagePath":{"$match":"string"}')
    expect(lint('fixtures/host/recorded/reference-session.json', hostFixture)).toEqual([])
    expect(failuresOf(await runFixture(hostFixture, driverHostTarget(referenceHost, 'reference host')))).toEqual(['pass'])
  }, 60_000)

  it('background tasks: restarts become advanceClock by the policy delay, a host stop a stopTask, a later start a startTask', async () => {
    const timeline = await recordSession(['tools.register', 'background.workers'], async (host, clock, events) => {
      await until(events, taskEvent('on-failure-task', 'restarting'))
      clock.advance(10)
      await until(events, (e) => events.filter(taskEvent('on-failure-task', 'restarting')).length === 2 && e === e)
      clock.advance(20)
      await until(events, taskEvent('on-failure-task', 'exhausted'))
      await until(events, taskEvent('always-task', 'health'))
      host.stopTask('conformance', 'always-task')
      await until(events, taskEvent('always-task', 'stopped'))
      host.startTask('conformance', 'always-task')
      await until(events, (e) => events.filter(taskEvent('always-task', 'started')).length === 2 && e === e)
    })
    const hostFixture = toFixture(timeline, { id: 'host/recorded/tasks', role: 'host' })
    const commands = hostFixture.steps.flatMap((s) => ('do' in s ? [s.do === 'advanceClock' ? `advanceClock ${String(s.args?.['ms'])}` : s.do] : []))
    expect(commands).toEqual(['load', 'advanceClock 10', 'advanceClock 20', 'stopTask', 'startTask', 'unload'])
    expect(hostFixture.since).toBe('0.22.0')
    expect(lint('fixtures/host/recorded/tasks.json', hostFixture)).toEqual([])
    expect(failuresOf(await runFixture(hostFixture, driverHostTarget(referenceHost, 'reference host')))).toEqual(['pass'])
  }, 60_000)

  it('works as a command: extwire record --role host between a host and a worker process', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'extwire-record-host-')), 'session.json')
    const transport = createStdioTransport(`node bin/extwire.js record --role host --cmd "node dist/conformance-stdio.cjs" --out ${out} --id host/recorded/via-cli`, { cwd: PACKAGE_ROOT })
    const clock = new VirtualClock()
    const host = createHost({ clock })
    const events: HostEvent[] = []
    host.onEvent((e) => events.push(e))
    await host.load({ id: 'conformance', version: '1.0.0', permissions: ['tools.register'] }, transport)
    await until(events, logged('conformance extension activated'))
    expect(await host.executeTool('conformance', 'echo', { via: 'cli' })).toEqual({ success: true, data: { via: 'cli' } })
    const unloading = host.unload('conformance')
    await until(events, logged('conformance extension deactivated'))
    clock.advance(1000)
    await unloading
    await host.dispose()
    await transport.close()
    const fixture = JSON.parse(readFileSync(out, 'utf8')) as Fixture
    expect([fixture.id, fixture.role]).toEqual(['host/recorded/via-cli', 'host'])
    expect(lint('fixtures/host/recorded/via-cli.json', fixture)).toEqual([])
    expect(failuresOf(await runFixture(fixture, driverHostTarget(referenceHost, 'reference host')))).toEqual(['pass'])
  }, 120_000)

  it('refuses an unknown --role and a host-role id outside host/ before starting anything', async () => {
    let text = ''
    const io = { cwd: PACKAGE_ROOT, stdout: { write: (t: string) => (text += t) }, stderr: { write: (t: string) => (text += t) } }
    expect(await run({ ...io, argv: ['record', '--role', 'judge', '--cmd', 'node dist/conformance-stdio.cjs', '--out', join(tmpdir(), 'never.json')] })).toBe(2)
    expect(text).toContain('--role judge: expected worker or host')
    expect(await run({ ...io, argv: ['record', '--role', 'host', '--id', 'recorded/x', '--cmd', 'node dist/conformance-stdio.cjs', '--out', join(tmpdir(), 'never.json')] })).toBe(2)
    expect(text).toContain("a host-role fixture's id starts with host/")
  })
})
