/**
 * docs/lifecycle.md's transcript is a real session of the reference runtime: it must still be what
 * the runtime does (regenerated and compared), every message in it must validate against the
 * published JSON Schema, and every requirement ID it cites must exist.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { describe, expect, it } from 'vitest'
import { END, LIFECYCLE_DOC, recordSession, renderTranscript, START, withTranscript } from '../scripts/transcript.js'
import { ROOT } from '../scripts/generate.js'
import { HOST_TO_WORKER_TYPES, WORKER_TO_HOST_TYPES } from '../src/protocol/index.js'

const doc = readFileSync(LIFECYCLE_DOC, 'utf8')
const rows = [...doc.matchAll(/^\| (\d+) \| (host|worker) \| `(.*)` \| (.*) \|$/gm)].map((m) => ({
  n: Number(m[1]),
  from: m[2] as 'host' | 'worker',
  json: (m[3] as string).replace(/\\\|/g, '|'),
  shows: m[4] as string,
}))

describe('docs/lifecycle.md', () => {
  it('has a Mermaid sequence diagram without the characters Mermaid reads as syntax in message text', () => {
    const diagram = /```mermaid\n(sequenceDiagram\n[\s\S]*?)```/.exec(doc)?.[1]
    expect(diagram).toBeDefined()
    // `;` ends a statement and `#` starts an entity code, even inside a message's text.
    expect(diagram).not.toMatch(/[;#]/)
  })

  it('shows the whole session: ready, activate, registrations, a tool call, a request, a chat, a streaming fetch, a task, deactivate', () => {
    const types = rows.map((r) => (JSON.parse(r.json) as { type: string }).type)
    expect(rows.map((r) => r.n)).toEqual(rows.map((_, i) => i + 1))
    for (const type of ['ready', 'activate', 'tool-registered', 'tool-execute-request', 'request', 'response', 'provider-chat-request', 'stream-event', 'streaming-fetch-chunk', 'streaming-fetch-ack', 'background-task-start', 'background-task-status', 'background-task-health', 'deactivate']) {
      expect(types, type).toContain(type)
    }
    expect(types[0]).toBe('ready')
    expect(types.at(-1)).toBe('background-task-status')
  })

  it('holds only messages that validate against schema/ for their direction', () => {
    const ajv = new Ajv2020({ strict: false })
    const check = new Map<string, ReturnType<typeof ajv.compile>>()
    for (const file of readdirSync(join(ROOT, 'schema/messages'))) {
      check.set(file.replace(/\.json$/, ''), ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema/messages', file), 'utf8')) as object))
    }
    expect(rows.length).toBeGreaterThan(30)
    for (const row of rows) {
      const message = JSON.parse(row.json) as { type: string }
      expect(row.from === 'host' ? HOST_TO_WORKER_TYPES : WORKER_TO_HOST_TYPES, `row ${row.n}`).toContain(message.type)
      const validate = check.get(message.type)
      expect(validate, message.type).toBeDefined()
      expect(validate?.(message), `row ${row.n}: ${JSON.stringify(validate?.errors)}`).toBe(true)
    }
  })

  it('cites only requirement IDs that docs/spec defines, and one on every row', () => {
    const spec = readdirSync(join(ROOT, 'docs/spec')).map((f) => readFileSync(join(ROOT, 'docs/spec', f), 'utf8')).join('\n')
    const defined = new Set([...spec.matchAll(/^\| (EXT-[A-Z]+-\d{3}) \|/gm)].map((m) => m[1]))
    expect(defined.size).toBeGreaterThan(40)
    for (const row of rows) {
      const ids = row.shows.match(/EXT-[A-Z]+-\d{3}/g) ?? []
      if (!row.shows.includes('not protocol')) expect(ids.length, `row ${row.n}`).toBeGreaterThan(0)
      for (const id of ids) expect(defined.has(id), `row ${row.n}: ${id}`).toBe(true)
    }
  })

  it('is what the reference runtime does now (run `npx tsx scripts/transcript.ts` after a change)', async () => {
    expect(doc).toContain(START)
    expect(doc).toContain(END)
    expect(withTranscript(doc, renderTranscript(await recordSession()))).toBe(doc)
  })
})
