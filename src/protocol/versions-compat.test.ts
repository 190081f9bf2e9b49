import { describe, expect, it } from 'vitest'
import { compatReport, renderCompatMarkdown, type CompatChange } from './versions-compat.js'
import { PROFILE_VERSIONS } from './versions.js'

const row = (c: CompatChange) => `${c.kind} ${c.change} ${c.subject} ${c.breaks}`

describe('the compatibility report', () => {
  it('0.21.0 -> 0.22.0: the background messages and background.workers', () => {
    const r = compatReport('0.21.0', '0.22.0')
    expect(r.changes.map(row)).toEqual([
      'message added background-task-start workers',
      'message added background-task-stop workers',
      'message added background-task-registered hosts',
      'message added background-task-status hosts',
      'message added background-task-health hosts',
      'permission added background.workers hosts',
    ])
  })

  it('0.22.1 -> 0.23.0: changed payloads break both sides, removed methods break workers, renamed permissions', () => {
    const rows = compatReport('0.22.1', '0.23.0').changes.map(row)
    expect(rows).toContain('payload changed storage.get (payload fields -key +collection +id; response data) both')
    expect(rows).toContain('payload changed storage.deleteForUser (payload fields -key +collection +id; response data) both')
    expect(rows).toContain('method removed database.execute workers')
    expect(rows).toContain('method added storage.putManyForUser hosts')
    expect(rows).toContain('permission renamed storage.local both')
    expect(rows).toContain('permission added secrets.manage hosts')
    expect(rows.filter((r) => r.startsWith('method added'))).toHaveLength(24)
  })

  it('0.26.0 -> 0.30.0: ChatOptions.context is a field added to provider-chat-request that breaks neither', () => {
    const c = compatReport('0.26.0', '0.30.0').changes.find((x) => x.kind === 'field')
    expect(c).toMatchObject({ area: 'host-to-worker', change: 'added', subject: 'provider-chat-request /payload/options/context (ChatOptions.context)', breaks: 'neither' })
  })

  it('0.33.0 -> 0.36.0: only the fetch-stream error text changed', () => {
    const r = compatReport('0.33.0', '0.36.0')
    expect(r.changes).toHaveLength(1)
    expect(r.changes[0]).toMatchObject({ kind: 'text', change: 'changed', before: 'HTTP <status>: <statusText>', breaks: 'workers' })
  })

  it('going back swaps added and removed and which side breaks', () => {
    for (let i = 0; i < PROFILE_VERSIONS.length; i++) {
      for (let j = i + 1; j < PROFILE_VERSIONS.length; j++) {
        const [a, b] = [PROFILE_VERSIONS[i] as string, PROFILE_VERSIONS[j] as string]
        const up = compatReport(a, b).changes
        const down = compatReport(b, a).changes
        expect(down).toHaveLength(up.length)
        up.forEach((c, k) => {
          const d = down[k] as CompatChange
          const flip: Record<string, string> = { added: 'removed', removed: 'added', changed: 'changed', renamed: 'renamed' }
          expect(d.change).toBe(flip[c.change])
          const swap: Record<string, string> = { workers: 'hosts', hosts: 'workers', both: 'both', neither: 'neither' }
          expect(d.breaks).toBe(swap[c.breaks])
          if (c.before !== undefined || c.after !== undefined) expect([d.before, d.after]).toEqual([c.after, c.before])
        })
      }
    }
    expect(compatReport('0.31.0', '0.22.1').changes.map(row)).toContain('permission renamed storage.collections both')
  })

  it('renders a row per change', () => {
    const r = compatReport('0.22.1', '0.36.0')
    const md = renderCompatMarkdown(r)
    expect(md.split('\n').filter((l) => /^\| (message|method|field|payload|permission|behaviour|text) /.test(l))).toHaveLength(r.changes.length)
  })
})
