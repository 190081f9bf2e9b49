/**
 * Records one whole session of the reference runtime with the conformance extension (ready,
 * activate, registrations, a tool call, a request to the host, a chat stream, a streaming fetch, a
 * background task, deactivate) and renders it as the annotated transcript of `docs/lifecycle.md`.
 * The transcript is generated so that it cannot drift from the runtime: `npx tsx scripts/transcript.ts`
 * rewrites it, and `test/docs-lifecycle.test.ts` fails when the committed one differs.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createConformanceExtension } from '../conformance/extension/extension.js'
import { HostPeer } from '../src/host/peer.js'
import { createWorkerRuntime } from '../src/runtime/index.js'
import { createMemoryPair } from '../src/transport/index.js'

/** One phase of the session: what the host does, and every message of it in order. */
export interface Phase {
  readonly title: string
  readonly text: string
  readonly messages: Array<{ readonly from: 'host' | 'worker'; readonly message: unknown }>
}

/** The permissions the session grants: enough for every phase, few enough to keep it short. */
export const SESSION_PERMISSIONS = ['provider.register', 'tools.register', 'storage.local', 'network:*', 'background.workers'] as const

/** Every wait of the session gives up after this long, so a broken runtime fails instead of hanging. */
const WAIT_MS = 10_000

type Msg = Record<string, unknown>
const field = (m: unknown, key: string): unknown => (m as Msg | null)?.[key]
const payload = (m: unknown): Msg => (field(m, 'payload') as Msg | undefined) ?? {}

/** Plays the session against the reference runtime over an in-memory pair that copies through JSON. */
export async function recordSession(): Promise<Phase[]> {
  const [hostEnd, workerEnd] = createMemoryPair({ copy: 'json' })
  const host = new HostPeer(hostEnd)
  const runtime = createWorkerRuntime({
    transport: workerEnd,
    module: createConformanceExtension(),
    options: { now: () => new Date('2026-01-01T09:00:00.000Z') },
  })
  const phases: Phase[] = []
  let mark = 0
  const phase = (title: string, text: string) => {
    const messages = host.timeline.slice(mark).map((e) => ({ from: e.direction === 'host-to-worker' ? ('host' as const) : ('worker' as const), message: e.message }))
    mark = host.timeline.length
    phases.push({ title, text, messages })
  }
  const answerTo = (id: string) => (m: Msg) => payload(m)['requestId'] === id
  try {
    await host.waitForType('ready', WAIT_MS)
    phase('Handshake', 'The worker installs its listener and sends `ready`, once and before anything else.')

    host.send({
      type: 'activate',
      id: 'h1',
      payload: { extensionId: 'conformance', extensionVersion: '1.0.0', storagePath: '/data/conformance', permissions: [...SESSION_PERMISSIONS], settings: {} },
    })
    await host.waitForType('log', WAIT_MS, (m) => payload(m)['message'] === 'conformance extension activated')
    phase(
      'Activation and registrations',
      'The host sends `activate`; the worker builds the context for the granted permissions, runs the module\'s `activate` and sends one `*-registered` message per registration. The closing `log` is the conformance extension\'s own line, not part of the protocol: the protocol has no activation acknowledgement.',
    )

    host.send({ type: 'tool-execute-request', id: 'h2', payload: { toolId: 'echo', params: { text: 'hi' }, userId: 'user-1' } })
    await host.waitForType('tool-execute-response', WAIT_MS, answerTo('h2'))
    phase('A tool call', 'The host runs the `echo` tool; the worker answers once, with the tool\'s result unchanged.')

    host.send({ type: 'tool-execute-request', id: 'h3', payload: { toolId: 'call', params: { api: 'storage', fn: 'get', args: ['greeting'] } } })
    const request = await host.waitForType('request', WAIT_MS, (m) => m['method'] === 'storage.get')
    const requestId = String(field(request.message, 'id'))
    host.send({ type: 'response', id: 'h4', payload: { requestId, success: true, data: 'hello' } })
    await host.waitForType('tool-execute-response', WAIT_MS, answerTo('h3'))
    phase(
      'A request to the host and its response',
      'The `call` tool makes the extension call `storage.get(\'greeting\')`. The worker sends a `request` with an id of its own; the host answers with a `response` whose `requestId` is that id, and the call resolves.',
    )

    host.send({
      type: 'provider-chat-request',
      id: 'h5',
      payload: { providerId: 'echo', messages: [{ role: 'user', content: 'hi' }], options: { settings: { mode: 'stream', count: 2 } } },
    })
    await host.waitForType('stream-event', WAIT_MS, (m) => answerTo('h5')(m) && field(payload(m)['event'], 'type') === 'done')
    phase('A chat stream', 'The host runs a chat on the `echo` provider (mode `stream`, two chunks); every event carries the chat request\'s id, and exactly one terminal event ends the stream.')

    host.send({ type: 'tool-execute-request', id: 'h6', payload: { toolId: 'fetch-stream', params: { url: 'https://example.com/data' } } })
    const fetch = await host.waitForType('request', WAIT_MS, (m) => m['method'] === 'network.fetch-stream')
    const streamId = String(field(fetch.message, 'id'))
    host.send({ type: 'response', id: 'h7', payload: { requestId: streamId, success: true, data: { status: 'streaming' } } })
    const chunks: Array<[string, boolean]> = [['Hello, ', false], ['world', false], ['', true]]
    for (const [i, [chunk, done]] of chunks.entries()) {
      const from = host.received.length
      host.send({ type: 'streaming-fetch-chunk', id: `h${8 + i}`, payload: { requestId: streamId, chunk, done } })
      // The host sends the next chunk only after this one's ack (EXT-FETCH-001).
      await host.waitForType('streaming-fetch-ack', WAIT_MS, () => true, from)
    }
    await host.waitForType('tool-execute-response', WAIT_MS, answerTo('h6'))
    phase(
      'A streaming fetch with acks',
      'The `fetch-stream` tool makes the extension iterate `network.fetchStream(url)`. The `request`\'s `id` is also its `payload.requestId`, which every chunk and ack carries. The host sends one chunk at a time and the next only after the ack: the window is one chunk.',
    )

    host.send({ type: 'background-task-start', id: 'h11', payload: { taskId: 'always-task' } })
    await host.waitForType('background-task-health', WAIT_MS, (m) => payload(m)['taskId'] === 'always-task')
    phase('A background task', 'The host starts the registered task `always-task`; the worker confirms `running`, and the task reports its health.')

    host.send({ type: 'deactivate', id: 'h12' })
    await host.waitForType('background-task-status', WAIT_MS, (m) => payload(m)['taskId'] === 'always-task' && payload(m)['status'] === 'stopped')
    await runtime.settled()
    // Let the in-memory pair deliver what the last handlers sent (it delivers on setImmediate).
    await new Promise<void>((resolve) => setImmediate(resolve))
    await new Promise<void>((resolve) => setImmediate(resolve))
    phase(
      'Deactivation',
      'The host sends `deactivate`; the worker runs the module\'s `deactivate` and stops the running task with one `stopped`. There is no reply: the host terminates the worker after its grace period.',
    )
  } finally {
    runtime.dispose()
    await hostEnd.close()
  }
  return renameWorkerIds(phases)
}

/**
 * Worker-generated request ids (a timestamp and random characters) differ in every run; they are
 * renamed `w1`, `w2`, … in order of appearance, everywhere they occur, so the transcript is stable.
 */
function renameWorkerIds(phases: Phase[]): Phase[] {
  const names = new Map<string, string>()
  for (const p of phases) {
    for (const m of p.messages) {
      const id = field(m.message, 'id')
      if (m.from === 'worker' && field(m.message, 'type') === 'request' && typeof id === 'string' && !names.has(id)) names.set(id, `w${names.size + 1}`)
    }
  }
  const rename = (value: unknown): unknown => {
    if (typeof value === 'string') return names.get(value) ?? value
    if (Array.isArray(value)) return value.map(rename)
    if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rename(v)]))
    return value
  }
  return phases.map((p) => ({ ...p, messages: p.messages.map((m) => ({ from: m.from, message: rename(m.message) })) }))
}

/** The requirement IDs one message shows, by what it is. */
export function annotate(from: 'host' | 'worker', message: unknown): string {
  const type = String(field(message, 'type'))
  const p = payload(message)
  const status = p['status']
  const event = field(p['event'], 'type')
  const notes: Record<string, string> = {
    ready: 'EXT-LIFE-001: once, first',
    activate: 'EXT-LIFE-002, EXT-PERM-003: the permissions decide which APIs the extension gets',
    'provider-registered': 'EXT-LIFE-002',
    'tool-registered': 'EXT-LIFE-002',
    'background-task-registered': 'EXT-LIFE-002, EXT-BG-001: the restart policy exactly as given',
    'tool-execute-request': 'EXT-TOOL-001: answered exactly once',
    'tool-execute-response': 'EXT-TOOL-001: `requestId` is the request\'s `id`; EXT-TOOL-003: the result unchanged',
    request: field(message, 'method') === 'network.fetch-stream'
      ? 'EXT-REQ-001, EXT-FETCH-002: tracked like any request; `payload.requestId` equals `id`'
      : 'EXT-REQ-001: the method\'s payload, a fresh non-empty id',
    response: p['success'] === true && field(p['data'], 'status') === 'streaming'
      ? 'EXT-FETCH-002: the host accepted the stream; the data follows as chunks'
      : 'EXT-REQ-003: matched by `requestId`',
    'provider-chat-request': 'EXT-PROV-001',
    'stream-event': event === 'done' || event === 'error' ? 'EXT-PROV-003: exactly one terminal event' : 'EXT-PROV-001: in order, `requestId` is the chat\'s `id`',
    'streaming-fetch-chunk': p['done'] === true ? 'EXT-FETCH-001: the `done` chunk is acknowledged too' : 'EXT-FETCH-001',
    'streaming-fetch-ack': 'EXT-FETCH-001: one ack per chunk; EXT-FETCH-005: sent when the extension takes the chunk',
    'background-task-start': 'EXT-BG-002',
    'background-task-status': status === 'running' ? 'EXT-BG-002, EXT-BG-011: `running` before the callback runs' : 'EXT-BG-003, EXT-LIFE-012: one terminal status per run',
    'background-task-health': 'EXT-BG-010: an ISO-8601 timestamp, while the run is active',
    deactivate: 'EXT-LIFE-012',
    log: typeof p['message'] === 'string' && p['message'].startsWith('conformance extension')
      ? 'the conformance extension\'s own log line (not protocol)'
      : 'a log line',
  }
  const note = notes[type]
  if (note === undefined) throw new Error(`no annotation for a ${from} message of type ${type}`)
  return note
}

/** The transcript as Markdown: one table per phase, one row per message. */
export function renderTranscript(phases: readonly Phase[]): string {
  const lines: string[] = []
  let n = 0
  for (const p of phases) {
    lines.push(`### ${p.title}`, '', p.text, '', '| # | from | message | shows |', '|---|---|---|---|')
    for (const m of p.messages) {
      n++
      lines.push(`| ${n} | ${m.from} | \`${JSON.stringify(m.message).replace(/\|/g, '\\|')}\` | ${annotate(m.from, m.message)} |`)
    }
    lines.push('')
  }
  return lines.join('\n')
}

/** Markers around the generated part of `docs/lifecycle.md`. */
export const START = '<!-- transcript:start (generated by `npx tsx scripts/transcript.ts`; do not edit) -->'
export const END = '<!-- transcript:end -->'

/** `docs/lifecycle.md` with the transcript replaced by `transcript`. */
export function withTranscript(doc: string, transcript: string): string {
  const start = doc.indexOf(START)
  const end = doc.indexOf(END)
  if (start < 0 || end < start) throw new Error(`docs/lifecycle.md has no ${START} ... ${END} markers`)
  return `${doc.slice(0, start + START.length)}\n\n${transcript}\n${doc.slice(end)}`
}

/** Path of the lifecycle document. */
export const LIFECYCLE_DOC = join(fileURLToPath(new URL('..', import.meta.url)), 'docs', 'lifecycle.md')

async function main(): Promise<void> {
  const doc = readFileSync(LIFECYCLE_DOC, 'utf8')
  writeFileSync(LIFECYCLE_DOC, withTranscript(doc, renderTranscript(await recordSession())))
  console.log(`wrote ${LIFECYCLE_DOC}`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main()
