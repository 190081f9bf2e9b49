/**
 * The recorder: sits between a real host and a real worker, forwards both directions unchanged,
 * records them, and turns the recording into a fixture. Ids the worker generates become captures
 * and references, timestamps become matchers, and messages that may interleave become unordered
 * groups that keep each stream's own order.
 */
import type { TimelineEntry } from '../src/host/peer.js'
import type { Transport } from '../src/transport/types.js'
import { messageDescriptor } from '../src/protocol/catalogue.js'
import { correlationKey } from '../src/protocol/correlation.js'
import { ISO_TIMESTAMP } from '../src/protocol/common.js'
import type { ExpectStep, Fixture, Step } from './fixture/schema.js'

/** A recording in progress. */
export interface Recording {
  /** Everything forwarded so far, in order. */
  readonly timeline: readonly TimelineEntry[]
  /** Resolves when either side closes (the other side is then closed too). */
  readonly done: Promise<void>
}

/** Pipes `host` and `worker` into each other and records every message. */
export function record(host: Transport, worker: Transport): Recording {
  const timeline: TimelineEntry[] = []
  host.onMessage((message) => {
    timeline.push({ direction: 'host-to-worker', message, at: performance.now() })
    worker.send(message)
  })
  worker.onMessage((message) => {
    timeline.push({ direction: 'worker-to-host', message, at: performance.now() })
    host.send(message)
  })
  const done = new Promise<void>((resolve) => {
    const end = () => {
      void Promise.all([host.close(), worker.close()]).then(() => resolve())
    }
    host.onClose(end)
    worker.onClose(end)
  })
  return { timeline, done }
}


/** The requirement a recorded message type exercises, for the fixture's metadata. */
const REQUIREMENT_OF_TYPE: Record<string, string> = {
  'tool-execute-response': 'EXT-TOOL-001',
  'action-execute-response': 'EXT-TOOL-001',
  'stream-event': 'EXT-PROV-001',
  'provider-models-response': 'EXT-PROV-005',
  request: 'EXT-REQ-001',
  'streaming-fetch-ack': 'EXT-FETCH-001',
  'background-task-status': 'EXT-BG-011',
}

/** Options of {@link toFixture}. */
export interface ToFixtureOptions {
  readonly id: string
  readonly title?: string
  readonly requirements?: readonly string[]
}

type Json = Record<string, unknown>

/** Replaces worker-generated values by `$ref`s and timestamps by matchers. */
function normalise(value: unknown, refs: ReadonlyMap<string, string>, inWorker: boolean): unknown {
  if (typeof value === 'string') {
    const name = refs.get(value)
    if (name !== undefined) return { $ref: name }
    if (inWorker && ISO_TIMESTAMP.test(value)) return { $match: 'iso-time' }
    return value
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, refs, inWorker))
  if (typeof value === 'object' && value !== null) {
    const out: Json = {}
    for (const [k, v] of Object.entries(value)) out[k] = normalise(v, refs, inWorker)
    return out
  }
  return value
}

/** The key whose messages must keep their relative order (one chat, one stream, one task), from the descriptors. */
function orderKey(message: Json): string | undefined {
  return correlationKey(message)
}

/** Turns a recording into a fixture that replays against the same worker. */
export function toFixture(timeline: readonly TimelineEntry[], options: ToFixtureOptions): Fixture {
  const refs = new Map<string, string>()
  const steps: Step[] = []
  let permissions: string[] = []
  let pending: Json[] = []
  const used = new Set<string>()
  let label = 0

  const flush = () => {
    if (pending.length === 1) steps.push({ expect: pending[0] as Json })
    else if (pending.length > 1) {
      const last = new Map<string, string>()
      const members: ExpectStep[] = pending.map((pattern, i) => {
        const key = orderKey(pending[i] as Json)
        const member: { expect: Json; label?: string; after?: string[] } = { expect: pattern }
        if (key !== undefined) {
          const name = `m${++label}`
          member.label = name
          const before = last.get(key)
          if (before !== undefined) member.after = [before]
          last.set(key, name)
        }
        return member
      })
      steps.push({ unordered: members })
    }
    pending = []
  }

  let first = true
  for (const entry of timeline) {
    const message = entry.message as Json
    if (entry.direction === 'host-to-worker') {
      flush()
      if (message?.['type'] === 'activate') permissions = [...(((message['payload'] as Json)?.['permissions'] as string[]) ?? [])]
      const sent = normalise(message, refs, false)
      const valid = typeof message === 'object' && message !== null && !Array.isArray(message)
      steps.push(valid ? { send: sent as Json, ...(messageDescriptor(String(message['type'])) ? {} : { invalid: true }) } : { sendRaw: sent })
      continue
    }
    if (first && message?.['type'] === 'ready') {
      first = false
      continue // the runner waits for ready itself
    }
    first = false
    if (message?.['type'] === 'request' && typeof message['id'] === 'string') {
      // The worker's request id is generated: capture it, and refer to it from then on.
      const name = `r${refs.size + 1}`
      const pattern = normalise(message, refs, true) as Json
      pattern['id'] = { $capture: name }
      refs.set(message['id'], name)
      pending.push(normalise(pattern, refs, true) as Json)
    } else {
      pending.push(normalise(message, refs, true) as Json)
    }
    if (typeof message?.['type'] === 'string') used.add(message['type'])
  }
  flush()
  const requirements = options.requirements ?? [...new Set([...used].map((t) => REQUIREMENT_OF_TYPE[t]).filter((r): r is string => r !== undefined))]
  return {
    $schema: '../../schema/conformance-fixture.schema.json',
    id: options.id,
    title: options.title ?? 'Recorded session',
    requirements: requirements.length > 0 ? [...requirements] : ['EXT-LIFE-002'],
    level: 'MUST',
    since: [...used].some((t) => t.startsWith('background-task')) ? '0.22.0' : '0.21.0',
    permissions,
    description: `Recorded by extwire record on ${new Date().toISOString().slice(0, 10)}.`,
    steps: steps.length > 0 ? steps : [{ waitMs: 0 }],
  }
}
