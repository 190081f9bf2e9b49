/** The transports: order, copying, errors, and closes that never leave a waiter hanging. */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { HostPeer } from '../host/peer.js'
import { createMemoryPair } from './memory.js'
import { PassThrough, Writable } from 'node:stream'
import { BoundedLineSplitter } from './lines.js'
import { createStdioTransport, LineTransport, ProcessReaper } from './stdio.js'
import { createWorkerThreadTransport } from './worker-thread.js'
import type { CloseInfo, Transport } from './types.js'

// The built, bundled entry when present (npm test builds first): through tsx a worker takes seconds to load on a busy machine.
const builtWorker = fileURLToPath(new URL('../../dist/conformance-worker.cjs', import.meta.url))
const conformanceWorker = existsSync(builtWorker) ? builtWorker : fileURLToPath(new URL('../../conformance/extension/worker.ts', import.meta.url))
const closed = (t: Transport) => new Promise<CloseInfo>((resolve) => t.onClose(resolve))

describe('memory pair', () => {
  it('delivers in order, asynchronously, as structured clones', async () => {
    const [a, b] = createMemoryPair()
    const got: unknown[] = []
    b.onMessage((m) => got.push(m))
    const original = { type: 'x', when: new Date(0), n: [1, 2] }
    a.send(original)
    a.send({ type: 'y' })
    expect(got).toEqual([])
    await new Promise((r) => setImmediate(r))
    expect(got).toEqual([original, { type: 'y' }])
    expect(got[0]).not.toBe(original)
  })

  it('copies as JSON when asked, dropping undefined keys', async () => {
    const [a, b] = createMemoryPair({ copy: 'json' })
    const got: unknown[] = []
    b.onMessage((m) => got.push(m))
    a.send({ a: undefined, b: 1 })
    await new Promise((r) => setImmediate(r))
    expect(got).toEqual([{ b: 1 }])
    expect(Object.keys(got[0] as object)).toEqual(['b'])
  })

  it('reports an uncloneable message as an error event, not a throw', async () => {
    const [a] = createMemoryPair()
    const errors: Error[] = []
    a.onError((e) => errors.push(e))
    expect(() => a.send({ f: () => 1 })).not.toThrow()
    expect(errors[0]?.message).toContain('cannot be sent')
  })

  it('closing one end closes the other as peer', async () => {
    const [a, b] = createMemoryPair()
    const info = closed(b)
    await a.close()
    expect(await info).toEqual({ reason: 'peer' })
    expect(a.closed).toBe(true)
  })

  it('a throwing listener becomes an error event', async () => {
    const [a, b] = createMemoryPair()
    const errors: Error[] = []
    b.onError((e) => errors.push(e))
    b.onMessage(() => {
      throw new Error('listener broke')
    })
    a.send(1)
    await new Promise((r) => setImmediate(r))
    expect(errors[0]?.message).toBe('listener broke')
  })
})

describe('worker_threads', () => {
  it('runs a module as a worker: the reference runtime says ready', async () => {
    const t = createWorkerThreadTransport(conformanceWorker)
    const host = new HostPeer(t)
    await host.waitForType('ready', 30_000)
    await host.close()
    expect(t.closed).toBe(true)
  }, 60_000)

  it('a worker that crashes closes the transport with its exit code, and waiters fail at once', async () => {
    const file = 'data:text/javascript,' + encodeURIComponent('throw new Error("crash on start")')
    const t = createWorkerThreadTransport(file)
    const host = new HostPeer(t)
    await expect(host.waitForType('ready', 10_000)).rejects.toThrow(/closed/)
    expect(host.closedWith?.reason).toMatch(/error|exit/)
  })
})

describe('stdio', () => {
  it('exchanges one JSON message per line', async () => {
    const t = createStdioTransport(`node -e "process.stdin.on('data', d => process.stdout.write(d))"`)
    const host = new HostPeer(t, {})
    t.send({ type: 'ready' })
    const r = await host.waitForType('ready', 5000)
    expect(r.message).toEqual({ type: 'ready' })
    await host.close()
  })

  it('reports a line that is not JSON as an error event', async () => {
    const t = createStdioTransport(`node -e "console.log('hello'); console.log(JSON.stringify({type:'ready'}))"`)
    const host = new HostPeer(t)
    await host.waitForType('ready', 5000)
    expect(host.transportErrors[0]?.message).toContain('line 1 is not JSON')
    await host.close()
  })

  it('a process that exits closes the transport with its code and stderr', async () => {
    const t = createStdioTransport(`node -e "console.error('dying'); process.exit(3)"`)
    const info = await closed(t)
    expect(info.reason).toBe('exit')
    expect(info.exitCode).toBe(3)
    expect(info.detail).toContain('dying')
  })

  it('a command that does not exist closes the transport', async () => {
    const t = createStdioTransport('definitely-not-a-command-extwire')
    const info = await closed(t)
    expect(info.exitCode).toBe(127)
  })
})

describe('messages before the first listener', () => {
  it('are queued and handed to the first listener, in order', async () => {
    const [a, b] = createMemoryPair()
    a.send(1)
    a.send(2)
    await new Promise((r) => setImmediate(r))
    const got: unknown[] = []
    b.onMessage((m) => got.push(m))
    expect(got).toEqual([1, 2])
  })
})

describe('Web Worker scope transport', () => {
  it('runs the reference runtime on a worker global scope', async () => {
    const { webWorkerTransport, createWorkerRuntime } = await import('../runtime/index.js')
    const { createConformanceExtension } = await import('../../conformance/extension/extension.js')
    const toHost: unknown[] = []
    const listeners = new Set<(e: { data: unknown }) => void>()
    const scope = {
      postMessage: (m: unknown) => toHost.push(structuredClone(m)),
      addEventListener: (_: 'message', l: (e: { data: unknown }) => void) => void listeners.add(l),
      removeEventListener: (_: 'message', l: (e: { data: unknown }) => void) => void listeners.delete(l),
    }
    const runtime = createWorkerRuntime({ transport: webWorkerTransport(scope), module: createConformanceExtension() })
    expect(toHost).toEqual([{ type: 'ready' }])
    for (const l of listeners) l({ data: { type: 'activate', id: 'a', payload: { extensionId: 'c', extensionVersion: '1', storagePath: '/s', permissions: ['tools.register'], settings: {} } } })
    await runtime.settled()
    expect(toHost.some((m) => (m as { type: string }).type === 'tool-registered')).toBe(true)
    runtime.dispose()
    expect(listeners.size).toBe(0)
  })
})

describe('bounded line splitter', () => {
  it('splits LF and CRLF lines, and joins a UTF-8 character split across chunks', () => {
    const s = new BoundedLineSplitter(100)
    const bytes = Buffer.from('{"a":"é"}\r\n{"b":1}\npart', 'utf8')
    const cut = bytes.indexOf(0xa9) // inside the two bytes of é
    expect(s.push(bytes.subarray(0, cut)).lines).toEqual([])
    expect(s.push(bytes.subarray(cut)).lines).toEqual(['{"a":"é"}', '{"b":1}'])
    expect(s.end()).toBe('part')
    expect(s.end()).toBeUndefined()
  })

  it('refuses a line over the bound, counting bytes across chunks, but not one exactly at it', () => {
    const s = new BoundedLineSplitter(10)
    expect(s.push(Buffer.from('0123456789\n'))).toEqual({ lines: ['0123456789'] })
    expect(s.push(Buffer.from('01234'))).toEqual({ lines: [] })
    expect(s.push(Buffer.from('567890'))).toEqual({ lines: [], overflow: 11 })
    expect(() => new BoundedLineSplitter(0)).toThrow(RangeError)
  })
})

describe('line transport limits', () => {
  it('an over-long line closes the transport with a wire error, keeping the lines before it', async () => {
    const input = new PassThrough()
    let stopped = 0
    const t = new LineTransport(input, new PassThrough(), async () => void stopped++, false, { maxMessageBytes: 64 })
    const got: unknown[] = []
    const errors: string[] = []
    t.onMessage((m) => got.push(m))
    t.onError((e) => errors.push(e.message))
    const info = closed(t)
    input.write('{"type":"ready"}\n' + 'x'.repeat(65))
    expect((await info).reason).toBe('error')
    expect(got).toEqual([{ type: 'ready' }])
    expect(errors[0]).toMatch(/line 2 is longer than the maximum message size of 64 bytes/)
    await t.close()
    expect(stopped).toBe(1)
  })

  it('holds writes while the peer does not read, in order, and fails past the pending bound', async () => {
    const written: string[] = []
    let release: (() => void) | undefined
    // A writable with a tiny buffer whose consumer is stalled until `release` is called.
    const output = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _enc, callback) {
        written.push(chunk.toString().trim())
        release = callback
      },
    })
    const t = new LineTransport(new PassThrough(), output, async () => undefined, false, { maxPendingBytes: 100 })
    const errors: string[] = []
    t.onError((e) => errors.push(e.message))
    for (let i = 0; i < 3; i++) t.send({ n: i })
    expect(written).toEqual(['{"n":0}'])
    for (let i = 3; i < 6; i++) t.send({ n: i })
    while (written.length < 6) {
      const r = release
      release = undefined
      r?.()
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(written).toEqual([0, 1, 2, 3, 4, 5].map((n) => `{"n":${n}}`))
    expect(errors).toEqual([])
    // Stalled again: queued bytes grow past 100 and the transport fails instead of buffering on.
    for (let i = 0; i < 20 && !t.closed; i++) t.send({ n: 'z'.repeat(10) })
    expect(t.closed).toBe(true)
    expect(errors[0]).toMatch(/the peer does not read its input: \d+ bytes wait to be written, over the limit of 100/)
  })
})

describe('process reaper', () => {
  it('holds one exit listener while anything is registered', () => {
    const reaper = new ProcessReaper()
    const base = process.listenerCount('exit')
    const a = reaper.add(() => undefined)
    const b = reaper.add(() => undefined)
    expect(process.listenerCount('exit')).toBe(base + 1)
    a.dispose()
    expect(process.listenerCount('exit')).toBe(base + 1)
    b.dispose()
    b.dispose()
    expect(process.listenerCount('exit')).toBe(base)
  })
})
