/**
 * The AsyncAPI 3.0 documents in asyncapi/ parse with the official parser with no error and no
 * warning, their payloads resolve to the profile's schema files, and correlation ids sit where the
 * protocol correlates messages.
 */
import { join } from 'node:path'
import { fromFile, Parser } from '@asyncapi/parser'
import { describe, expect, it } from 'vitest'
import { profile } from '../src/protocol/profiles.js'
import { PROFILE_VERSIONS } from '../src/protocol/versions.js'
import { ROOT } from '../scripts/generate.js'

/**
 * The one diagnostic accepted: an information (severity 2, below warning) that AsyncAPI 3.1.0
 * exists. The documents are 3.0.0 on purpose, the version most tools generate from.
 */
const ACCEPTED = ['asyncapi-latest-version']

const parser = new Parser()

describe.each([...PROFILE_VERSIONS])('asyncapi/%s.json', (version) => {
  it('parses with no error, no warning and no diagnostic but the accepted one; every payload resolves', async () => {
    const { document, diagnostics } = await fromFile(parser, join(ROOT, 'asyncapi', `${version}.json`)).parse()
    const unexpected = diagnostics.filter((d) => !ACCEPTED.includes(String(d.code)))
    expect(unexpected.map((d) => `${d.severity} ${d.code}: ${d.message} at ${d.path.join('.')}`)).toEqual([])
    expect(diagnostics.every((d) => d.severity >= 2)).toBe(true)
    expect(document).toBeDefined()
    const p = profile(version)
    const messages = document?.allMessages().all() ?? []
    expect(messages.map((m) => m.name()).sort()).toEqual(p.messages.map((m) => m.type).sort())
    for (const m of messages) {
      type Obj = { properties?: Record<string, { const?: string }>; anyOf?: Obj[] }
      const payload = m.payload()?.json() as Obj | undefined
      // request is a union of one variant per method; every variant is a request.
      const variants = payload?.anyOf ?? [payload]
      if (m.name() === 'request') expect(variants).toHaveLength(p.methods.length)
      for (const v of variants) expect(v?.properties?.['type']?.const, m.name()).toBe(m.name())
    }
    const location = (type: string) => messages.find((m) => m.name() === type)?.correlationId()?.location()
    expect(location('request')).toBe('$message.payload#/id')
    expect(location('response')).toBe('$message.payload#/payload/requestId')
    expect(location('tool-execute-request')).toBe('$message.payload#/id')
    expect(location('tool-execute-response')).toBe('$message.payload#/payload/requestId')
    expect(location('stream-event')).toBe('$message.payload#/payload/requestId')
    expect(location('streaming-fetch-ack')).toBe('$message.payload#/payload/requestId')
    expect(location('ready')).toBeUndefined()
    const channels = document?.allChannels().all() ?? []
    expect(channels.map((c) => c.address()).sort()).toEqual(['host-to-worker', 'worker-to-host'])
  })
})
