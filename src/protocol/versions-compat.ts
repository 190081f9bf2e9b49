/**
 * The compatibility report between two profiles, computed from the versioned source alone: what a
 * worker or a host written for one version meets when its peer speaks the other. `extwire compat`
 * prints it and `docs/compat/` holds it for the common pairs.
 */
import type { TSchema } from 'typebox'
import { profile, type Profile } from './profiles.js'
import type { VersionedMethod } from './versions-methods.js'
import { FIELD_HISTORY, type VersionedMessage } from './versions-source.js'
import { compareVersions, resolveProfile, type Breaks } from './versions.js'

/** Where a change sits: a message direction, or the manifest (permissions). */
export type CompatArea = 'host-to-worker' | 'worker-to-host' | 'manifest'

/** One difference between two profiles. */
export interface CompatChange {
  readonly area: CompatArea
  /** What kind of thing changed. */
  readonly kind: 'message' | 'method' | 'field' | 'payload' | 'permission' | 'behaviour' | 'text'
  readonly change: 'added' | 'removed' | 'changed' | 'renamed'
  /** The message type, method, field path, permission or behaviour. */
  readonly subject: string
  /** For a rename or a changed text: the value in `from` and in `to`. */
  readonly before?: string
  readonly after?: string
  /** `workers`: a worker written for `from` fails against a host of `to`; `hosts`: a host written for `from` fails against a worker of `to`. */
  readonly breaks: Breaks
  /** One line: why. */
  readonly reason: string
}

/** The report for one ordered pair. */
export interface CompatReport {
  /** The versions as asked for (`0.22.1`). */
  readonly from: string
  readonly to: string
  /** The profiles they resolve to. */
  readonly fromProfile: string
  readonly toProfile: string
  readonly changes: readonly CompatChange[]
}

type Node = Record<string, unknown>

function swap(breaks: Breaks): Breaks {
  return breaks === 'workers' ? 'hosts' : breaks === 'hosts' ? 'workers' : breaks
}

function keysOf(schema: TSchema): string[] {
  const props = (schema as Node)['properties']
  return typeof props === 'object' && props !== null ? Object.keys(props) : []
}

function required(schema: TSchema): string[] {
  const r = (schema as Node)['required']
  return Array.isArray(r) ? (r as string[]) : []
}

/** Top-level field differences of two object schemas, as `-key +collection +id`. */
function fieldDelta(a: TSchema, b: TSchema): string {
  const [ka, kb] = [keysOf(a), keysOf(b)]
  const removed = ka.filter((k) => !kb.includes(k)).map((k) => `-${k}`)
  const added = kb.filter((k) => !ka.includes(k)).map((k) => `+${k}`)
  const parts = [...removed, ...added]
  return parts.length > 0 ? `fields ${parts.join(' ')}` : 'field types'
}

function shapeOf(schema: TSchema): string {
  return JSON.stringify(schema)
}

/** Every object field of a schema, by JSON pointer, with the node that declares it (unions are not entered). */
function fields(schema: unknown, path = '', owner?: unknown): Map<string, { owner: unknown; node: Node; optional: boolean }> {
  const out = new Map<string, { owner: unknown; node: Node; optional: boolean }>()
  const node = schema as Node
  const props = node?.['properties'] as Record<string, Node> | undefined
  if (!props) return out
  const req = Array.isArray(node['required']) ? (node['required'] as string[]) : []
  for (const [key, child] of Object.entries(props)) {
    const here = `${path}/${key}`
    out.set(here, { owner: owner ?? schema, node: child, optional: !req.includes(key) })
    for (const [p, f] of fields(child, here, child)) out.set(p, f)
  }
  return out
}

function ownerName(node: unknown, p: Profile, fallback: string): string {
  return Object.entries(p.definitions).find(([, schema]) => schema === node)?.[0] ?? fallback
}

/** Differences from `lo` to `hi` (older to newer), with breaks as seen from `lo`. */
function forward(lo: Profile, hi: Profile): CompatChange[] {
  const out: CompatChange[] = []
  const [a, b] = [lo.version, hi.version]

  // Messages: added, removed, and fields of messages present in both.
  for (const m of hi.messages) {
    const old = lo.message(m.type)
    if (!old) {
      out.push({
        area: m.direction, kind: 'message', change: 'added', subject: m.type,
        breaks: m.direction === 'host-to-worker' ? 'workers' : 'hosts',
        reason: m.direction === 'host-to-worker'
          ? `A host of ${b} sends it; a worker of ${a} does not know the type.`
          : `A worker of ${b} sends it; a host of ${a} does not know the type.`,
      })
      continue
    }
    if (m.type === 'request' || old.schema === m.schema) continue
    out.push(...messageFields(old, m, lo, hi))
  }
  for (const m of lo.messages) {
    if (hi.message(m.type)) continue
    out.push({
      area: m.direction, kind: 'message', change: 'removed', subject: m.type,
      breaks: m.direction === 'host-to-worker' ? 'hosts' : 'workers',
      reason: `A ${m.direction === 'host-to-worker' ? 'host' : 'worker'} of ${a} sends it; its peer of ${b} does not know the type.`,
    })
  }

  // Methods.
  for (const m of hi.methods) {
    const old = lo.method(m.method)
    if (!old) {
      out.push({
        area: 'worker-to-host', kind: 'method', change: 'added', subject: m.method,
        breaks: m.added?.breaks ?? 'hosts',
        reason: m.added?.reason ?? `A worker of ${b} may call it; a host of ${a} answers \`Unknown method\`.`,
      })
    } else if (old !== m) {
      out.push(methodChange(old, m, a, b))
    }
  }
  for (const m of lo.methods) {
    if (hi.method(m.method)) continue
    out.push({
      area: 'worker-to-host', kind: 'method', change: 'removed', subject: m.method, breaks: 'workers',
      reason: `A worker of ${a} that calls it gets \`Unknown method\` from a host of ${b}.${m.untilReason ? ` ${m.untilReason}` : ''}`,
    })
  }

  // Permissions: a removed permission with a successor in the newer profile is a rename.
  const renamedTo = new Set<string>()
  for (const p of lo.permissions) {
    if (hi.isKnownPermission(p.name)) continue
    const successor = p.replacedBy !== undefined && hi.isKnownPermission(p.replacedBy) && !lo.isKnownPermission(p.replacedBy) ? p.replacedBy : undefined
    if (successor) {
      renamedTo.add(successor)
      out.push({
        area: 'manifest', kind: 'permission', change: 'renamed', subject: p.name, before: p.name, after: successor, breaks: 'both',
        reason: `${p.reason ?? ''} A manifest of ${a} declares a permission a host of ${b} does not know, and the other way round.`.trim(),
      })
    } else {
      out.push({
        area: 'manifest', kind: 'permission', change: 'removed', subject: p.name, breaks: 'workers',
        reason: `A host of ${b} does not know it: an extension of ${a} that declares it is refused or goes without the API.`,
      })
    }
  }
  for (const p of hi.permissions) {
    if (lo.isKnownPermission(p.name) || renamedTo.has(p.name)) continue
    out.push({
      area: 'manifest', kind: 'permission', change: 'added', subject: p.name, breaks: 'hosts',
      reason: `${p.reason ?? ''} A host of ${a} does not know it: an extension of ${b} that declares it is refused or goes without the API.`.trim(),
    })
  }

  // Behaviours and texts that start between the two.
  for (const x of hi.behaviours) {
    if (lo.behaviours.some((y) => y.id === x.id)) continue
    out.push({ area: areaOf(x.subject, hi), kind: 'behaviour', change: 'added', subject: `${x.subject}: ${x.text}`, breaks: x.breaks, reason: x.reason })
  }
  for (const t of hi.texts) {
    const old = lo.texts.find((y) => y.id === t.id)
    if (old && old.text === t.text) continue
    out.push({
      area: areaOf(t.message, hi), kind: 'text', change: old ? 'changed' : 'added',
      subject: `${t.message} ${t.field}`, ...(old ? { before: old.text } : {}), after: t.text, breaks: t.breaks, reason: t.reason,
    })
  }
  return out
}

function areaOf(subject: string, p: Profile): CompatArea {
  return p.message(subject)?.direction ?? 'worker-to-host'
}

function messageFields(old: VersionedMessage, now: VersionedMessage, lo: Profile, hi: Profile): CompatChange[] {
  const out: CompatChange[] = []
  const [fa, fb] = [fields(old.schema), fields(now.schema)]
  const describeField = (path: string, owner: unknown, p: Profile) => {
    const name = ownerName(owner, p, now.type)
    const field = path.slice(path.lastIndexOf('/') + 1)
    return { name, field, subject: `${now.type} ${path}${name !== now.type ? ` (${name}.${field})` : ''}` }
  }
  const receiver = now.direction === 'host-to-worker' ? 'worker' : 'host'
  const receiverBreaks: Breaks = now.direction === 'host-to-worker' ? 'workers' : 'hosts'
  // A field inside an added or removed field is part of it, not a change of its own.
  const inside = (path: string, gone: Map<string, unknown>, there: Map<string, unknown>) =>
    [...gone.keys()].some((p) => !there.has(p) && path.startsWith(`${p}/`))
  for (const [path, f] of fb) {
    if (fa.has(path) || inside(path, fb, fa)) continue
    const { name, field, subject } = describeField(path, f.owner, hi)
    const known = FIELD_HISTORY.find((c) => c.owner === name && c.field === field)
    out.push({
      area: now.direction, kind: 'field', change: 'added', subject,
      breaks: known?.breaks ?? (f.optional ? 'neither' : receiverBreaks),
      reason: known?.reason ?? (f.optional ? `Optional; an older ${receiver} that ignores unknown fields is unaffected.` : `Required; an older ${receiver} does not expect it.`),
    })
  }
  for (const [path, f] of fa) {
    if (fb.has(path) || inside(path, fa, fb)) continue
    const { subject } = describeField(path, f.owner, lo)
    out.push({
      area: now.direction, kind: 'field', change: 'removed', subject,
      breaks: f.optional ? 'neither' : swap(receiverBreaks),
      reason: f.optional ? 'It was optional.' : `An older ${receiver} requires it.`,
    })
  }
  return out
}

function methodChange(old: VersionedMethod, now: VersionedMethod, a: string, b: string): CompatChange {
  const payload = shapeOf(old.payload) !== shapeOf(now.payload)
  const response = shapeOf(old.response) !== shapeOf(now.response) || old.dataOptional !== now.dataOptional
  const what = [payload ? `payload ${fieldDelta(old.payload, now.payload)}` : '', response ? 'response data' : ''].filter(Boolean).join('; ')
  const sameRequired = required(old.payload).join() === required(now.payload).join()
  return {
    area: 'worker-to-host', kind: 'payload', change: 'changed', subject: `${now.method} (${what || 'gates'})`,
    breaks: payload || response ? 'both' : 'neither',
    reason: `${old.untilReason ?? ''} A worker of ${a} and a host of ${b} disagree on the ${payload ? (sameRequired ? 'payload' : 'payload fields') : 'response'}, and the other way round.`.trim(),
  }
}

/** The report for `from` -> `to` (any two known versions, either order). Throws `UnknownVersionError` for others. */
export function compatReport(from: string, to: string): CompatReport {
  const [pf, pt] = [resolveProfile(from), resolveProfile(to)]
  const base = { from, to, fromProfile: pf, toProfile: pt }
  const order = compareVersions(pf, pt)
  if (order === 0) return { ...base, changes: [] }
  if (order < 0) return { ...base, changes: forward(profile(pf), profile(pt)) }
  // Going back: what the newer side added is what the older side lacks, and the roles swap.
  const back = forward(profile(pt), profile(pf)).map((c): CompatChange => ({
    ...c,
    change: c.change === 'added' ? 'removed' : c.change === 'removed' ? 'added' : c.change,
    ...(c.after !== undefined ? { subject: c.change === 'renamed' ? c.after : c.subject, after: c.before ?? '', before: c.after } : {}),
    breaks: swap(c.breaks),
  })).map((c) => (c.after === '' ? { ...c, after: undefined } : c))
  return { ...base, changes: back }
}

const AREAS: ReadonlyArray<[CompatArea, string]> = [
  ['host-to-worker', 'Host → worker'],
  ['worker-to-host', 'Worker → host (messages and request methods)'],
  ['manifest', 'Manifest permissions'],
]

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ')
}

function what(c: CompatChange): string {
  if (c.change === 'renamed') return `\`${c.before}\` → \`${c.after}\``
  if (c.before !== undefined || c.after !== undefined) return `${c.subject}: ${c.before !== undefined ? `\`${c.before}\`` : '(none)'} → ${c.after !== undefined ? `\`${c.after}\`` : '(none)'}`
  return c.subject
}

/** The report as Markdown: a summary and one table per area. */
export function renderCompatMarkdown(report: CompatReport): string {
  const { from, to, changes } = report
  const count = (b: Breaks) => changes.filter((c) => c.breaks === b).length
  const lines = [
    `# Compatibility: ${from} → ${to}`,
    '',
    `Generated from the versioned protocol source by \`extwire compat ${from} ${to}\`; do not edit by hand.`,
    '',
    `Profiles: ${report.fromProfile} → ${report.toProfile}. **Breaks workers**: a worker written for ${from} fails against a host of ${to}. ` +
      `**Breaks hosts**: a host written for ${from} fails against a worker of ${to}.`,
    '',
    changes.length === 0
      ? 'No differences.'
      : `${changes.length} changes: ${count('both')} break both, ${count('workers')} break workers, ${count('hosts')} break hosts, ${count('neither')} break neither.`,
  ]
  for (const [area, title] of AREAS) {
    const rows = changes.filter((c) => c.area === area)
    if (rows.length === 0) continue
    lines.push('', `## ${title}`, '', '| change | what | breaks | why |', '|---|---|---|---|')
    for (const c of rows) lines.push(`| ${c.kind} ${c.change} | ${cell(what(c))} | ${c.breaks} | ${cell(c.reason)} |`)
  }
  return `${lines.join('\n')}\n`
}
