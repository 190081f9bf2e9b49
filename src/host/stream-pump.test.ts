import { describe, expect, it } from 'vitest'
import type { StreamingFetchChunkMessage } from '../protocol/messages/rpc.js'
import { VirtualClock } from './clock.js'
import type { FetchLikeResponse, NetworkBackend } from './backends.js'
import { StreamPump } from './stream-pump.js'

const turns = async (n = 20): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (condition()) return
    await new Promise<void>((resolve) => setImmediate(resolve))
  }
  throw new Error(`never happened: ${what}`)
}

interface FakeBody {
  readonly stream: ReadableStream<Uint8Array>
  /** Number of reads the pump made. */
  pulls: number
  cancelled: boolean
}

/** A body that yields `parts` one per read, then ends (or fails with `failWith`). */
function body(parts: Uint8Array[], failWith?: Error): FakeBody {
  const state: FakeBody = { stream: undefined as unknown as ReadableStream<Uint8Array>, pulls: 0, cancelled: false }
  const queue = [...parts]
  Object.assign(state, {
    stream: new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          state.pulls++
          const next = queue.shift()
          if (next !== undefined) controller.enqueue(next)
          else if (failWith) controller.error(failWith)
          else controller.close()
        },
        cancel() {
          state.cancelled = true
        },
      },
      { highWaterMark: 0 },
    ),
  })
  return state
}

function respond(b: FakeBody | null, status = 200, statusText = 'OK'): FetchLikeResponse {
  return {
    status,
    statusText,
    ok: status >= 200 && status < 300,
    headers: { forEach: () => undefined },
    body: b?.stream ?? null,
    text: async () => '',
  }
}

function network(responses: Record<string, () => Promise<FetchLikeResponse>>): NetworkBackend {
  return { fetch: (url) => (responses[url] ?? (() => Promise.reject(new Error(`no route ${url}`))))() }
}

/** Acks every stream's newest chunk as it arrives until the extension has no stream left. */
async function drain(pump: StreamPump, extensionId: string, streams: Record<string, StreamingFetchChunkMessage[]>): Promise<void> {
  const acked: Record<string, number> = {}
  for (let i = 0; i < 5000 && pump.active(extensionId) > 0; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve))
    for (const [id, list] of Object.entries(streams)) {
      if (list.length > (acked[id] ?? 0)) {
        acked[id] = list.length
        pump.ack(extensionId, id)
      }
    }
  }
  if (pump.active(extensionId) > 0) throw new Error('streams never ended')
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

function setup(net: NetworkBackend, ackTimeoutMs?: number) {
  const clock = new VirtualClock()
  const diagnostics: string[] = []
  const pump = new StreamPump({ clock, network: net, ackTimeoutMs, onDiagnostic: (t) => diagnostics.push(t) })
  const sent: StreamingFetchChunkMessage[] = []
  const start = (extensionId: string, requestId: string, url: string, into = sent) => pump.start(extensionId, { url, requestId }, (c) => into.push(c))
  return { clock, pump, sent, start, diagnostics }
}

describe('StreamPump', () => {
  it('keeps a window of one chunk and ends with an empty done chunk (EXT-HOST-040, 041, 044)', async () => {
    const b = body([utf8('a'), utf8('b'), utf8('c')])
    const { pump, sent, start } = setup(network({ u: async () => respond(b) }))
    start('ext', 'r1', 'u')
    await until(() => sent.length === 1, 'first chunk')
    await turns()
    expect(sent).toHaveLength(1) // no second chunk before the ack
    expect(sent[0]).toMatchObject({ type: 'streaming-fetch-chunk', payload: { requestId: 'r1', chunk: 'a', done: false } })
    expect(typeof sent[0]?.id).toBe('string')
    for (const n of [2, 3, 4]) {
      pump.ack('ext', 'r1')
      await until(() => sent.length === n, `chunk ${n}`)
      await turns()
      expect(sent).toHaveLength(n)
    }
    expect(sent.map((c) => c.payload)).toEqual([
      { requestId: 'r1', chunk: 'a', done: false },
      { requestId: 'r1', chunk: 'b', done: false },
      { requestId: 'r1', chunk: 'c', done: false },
      { requestId: 'r1', chunk: '', done: true },
    ])
    expect(pump.active()).toBe(1) // the last chunk's ack is still owed
    pump.ack('ext', 'r1')
    await until(() => pump.active() === 0, 'stream ended')
    expect(new Set(sent.map((c) => c.id)).size).toBe(4)
  })

  it('decodes multi-byte characters split across reads, byte by byte, and flushes at the end (EXT-HOST-043)', async () => {
    const text = 'héllo € 😀 日本'
    const bytes = utf8(text)
    const parts = [...bytes].map((x) => Uint8Array.of(x))
    const truncated = [...utf8('ok😀')].slice(0, -1).map((x) => Uint8Array.of(x)) // a 4-byte emoji without its last byte
    const { pump, sent, start } = setup(network({ whole: async () => respond(body(parts)), cut: async () => respond(body(truncated)) }))
    const cut: StreamingFetchChunkMessage[] = []
    start('ext', 'r1', 'whole')
    start('ext', 'r2', 'cut', cut)
    await drain(pump, 'ext', { r1: sent, r2: cut })
    expect(sent.map((c) => c.payload.chunk).join('')).toBe(text)
    expect(sent.some((c) => c.payload.chunk.includes('\uFFFD'))).toBe(false)
    expect(sent.at(-1)?.payload).toEqual({ requestId: 'r1', chunk: '', done: true })
    // The truncated sequence is not dropped silently: the flush turns it into U+FFFD.
    expect(cut.map((c) => c.payload.chunk).join('')).toBe('ok\uFFFD')
    expect(cut.at(-1)?.payload).toEqual({ requestId: 'r2', chunk: '', done: true })
  })

  it('stops a stream whose consumer stops acking after the ack timeout and cancels its body (EXT-HOST-042)', async () => {
    const b = body([utf8('a'), utf8('b'), utf8('c')])
    const { clock, pump, sent, start, diagnostics } = setup(network({ u: async () => respond(b) }), 5000)
    start('ext', 'r1', 'u')
    await until(() => sent.length === 1, 'first chunk')
    pump.ack('ext', 'r1')
    await until(() => sent.length === 2, 'second chunk')
    clock.advance(4999)
    await turns()
    expect(b.cancelled).toBe(false)
    expect(pump.active()).toBe(1)
    clock.advance(1)
    await until(() => b.cancelled, 'body cancelled')
    expect(pump.active()).toBe(0)
    expect(clock.pending).toBe(0)
    pump.ack('ext', 'r1') // too late: nothing follows
    await turns()
    expect(sent).toHaveLength(2)
    expect(diagnostics.some((d) => d.includes('within 5000 ms'))).toBe(true)
  })

  it('sends one error chunk for a non-2xx status and cancels that body (EXT-HOST-044)', async () => {
    const b = body([utf8('not found page')])
    const { sent, start } = setup(network({ u: async () => respond(b, 404, 'Not Found') }))
    start('ext', 'r1', 'u')
    await until(() => sent.length === 1, 'error chunk')
    await turns()
    expect(sent.map((c) => c.payload)).toEqual([{ requestId: 'r1', chunk: '', done: true, error: 'HTTP 404: Not Found' }])
    expect(b.cancelled).toBe(true)
  })

  it('sends one error chunk for a network failure, a failed read, and ends a missing body as an empty one (EXT-HOST-044)', async () => {
    const { sent, start } = setup(
      network({
        down: async () => Promise.reject(new TypeError('fetch failed')),
        broken: async () => respond(body([utf8('x')], new Error('connection reset'))),
        empty: async () => respond(null),
      }),
    )
    start('ext', 'a', 'down')
    start('ext', 'b', 'broken')
    start('ext', 'c', 'empty')
    const byId = (id: string) => sent.filter((c) => c.payload.requestId === id).map((c) => c.payload)
    await until(() => ['a', 'b', 'c'].every((id) => byId(id).length === 1), 'first chunks')
    expect(byId('a')).toEqual([{ requestId: 'a', chunk: '', done: true, error: 'fetch failed' }])
    expect(byId('c')).toEqual([{ requestId: 'c', chunk: '', done: true }])
    expect(byId('b')).toEqual([{ requestId: 'b', chunk: 'x', done: false }])
  })

  it('reports a read failure after data as the final error chunk', async () => {
    const { pump, sent, start } = setup(network({ broken: async () => respond(body([utf8('x')], new Error('connection reset'))) }))
    start('ext', 'b', 'broken')
    await until(() => sent.length === 1, 'data chunk')
    pump.ack('ext', 'b')
    await until(() => sent.length === 2, 'error chunk')
    expect(sent[1]?.payload).toEqual({ requestId: 'b', chunk: '', done: true, error: 'connection reset' })
  })

  it('matches acks by (extension, requestId): another extension cannot move a stream (EXT-HOST-046)', async () => {
    const b = body([utf8('a'), utf8('b')])
    const { pump, sent, start, diagnostics } = setup(network({ u: async () => respond(b) }))
    start('one', 'r1', 'u')
    await until(() => sent.length === 1, 'first chunk')
    pump.ack('two', 'r1')
    pump.ack('one', 'unknown')
    await turns()
    expect(sent).toHaveLength(1)
    expect(diagnostics).toHaveLength(2)
    pump.ack('one', 'r1')
    await until(() => sent.length === 2, 'second chunk')
    pump.ack('one', 'r1')
    pump.ack('one', 'r1') // a duplicate ack must not release two chunks
    await until(() => sent.length === 3, 'done chunk')
    await turns()
    expect(sent).toHaveLength(3)
  })

  it('cancels the bodies of one extension only when it goes away (EXT-HOST-045)', async () => {
    const b1 = body([utf8('a'), utf8('b')])
    const b2 = body([utf8('c'), utf8('d')])
    const { clock, pump, sent, start } = setup(network({ one: async () => respond(b1), two: async () => respond(b2) }))
    start('one', 'r', 'one')
    start('two', 'r', 'two')
    await until(() => sent.length === 2, 'first chunks')
    pump.cancelExtension('one')
    await until(() => b1.cancelled, 'body of one cancelled')
    expect(pump.active('one')).toBe(0)
    expect(pump.active('two')).toBe(1)
    expect(b2.cancelled).toBe(false)
    pump.ack('one', 'r')
    pump.ack('two', 'r')
    await until(() => sent.length === 3, 'chunk of two')
    expect(sent[2]?.payload).toMatchObject({ chunk: 'd' })
    expect(sent.filter((c) => c.payload.chunk === 'b')).toHaveLength(0)
    pump.cancelExtension('two')
    expect(clock.pending).toBe(0)
  })

  it('cancels a body that arrives after its extension went away', async () => {
    const b = body([utf8('a')])
    let answer: (r: FetchLikeResponse) => void = () => undefined
    const { pump, sent, start } = setup({ fetch: () => new Promise((resolve) => (answer = resolve)) })
    start('ext', 'r', 'u')
    pump.cancelExtension('ext')
    answer(respond(b))
    await until(() => b.cancelled, 'late body cancelled')
    expect(sent).toHaveLength(0)
  })
})
