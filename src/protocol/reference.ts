/**
 * Renders `docs/reference.md`, the message reference, from the descriptors and schemas. Generated:
 * edit the TypeBox source and run `npm run schema`, never the Markdown. An implementer in another
 * language works from this file and `schema/` alone, so every field of every message, union variant
 * and nested object is listed with its type, whether it is required, and its description; enums list
 * their values; named types link to their own section.
 */
import { MESSAGES } from './catalogue.js'
import { PROTOCOL_VERSION } from './descriptor.js'
import { AnyData, METHODS, NoData, type MethodDescriptor } from './methods.js'
import { DEFINITIONS } from './definitions.js'
import { FIELD_NOTES } from './reference-notes.js'

type Node = Record<string, unknown>

const BY_IDENTITY = new Map<unknown, string>(Object.entries(DEFINITIONS).map(([name, def]) => [def, name]))
const BY_SHAPE = new Map<string, string>(Object.entries(DEFINITIONS).map(([name, def]) => [JSON.stringify(def), name]))

/** The named type `node` is (by identity or shape, as the JSON Schema generator decides), unless it is `self`. */
function nameOf(node: unknown, self?: string): string | undefined {
  if (typeof node !== 'object' || node === null) return undefined
  const name = BY_IDENTITY.get(node) ?? BY_SHAPE.get(JSON.stringify(node))
  return name === self ? undefined : name
}

/** GitHub's heading anchor for a heading text without punctuation other than `.` and `-`. */
function anchor(heading: string): string {
  return heading.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')
}

/** A method's heading; the suffix keeps `scheduler.schedule` apart from the type `SchedulerSchedule`. */
function methodHeading(method: string): string {
  return `${method} (method)`
}

function link(name: string): string {
  return `[${name}](#${anchor(name)})`
}

function asNode(node: unknown): Node | undefined {
  return typeof node === 'object' && node !== null && !Array.isArray(node) ? (node as Node) : undefined
}

function props(node: unknown): Record<string, Node> | undefined {
  return asNode(node)?.['properties'] as Record<string, Node> | undefined
}

function code(value: unknown): string {
  return `\`${JSON.stringify(value)}\``
}

/**
 * The property whose `const` tells the variants of a union of objects apart (`type` for stream
 * events, `method` for requests), or undefined when the variants are not tagged objects.
 */
function discriminator(variants: readonly unknown[]): string | undefined {
  const first = props(variants[0])
  if (!first) return undefined
  return Object.keys(first).find((key) => {
    const values = variants.map((v) => asNode(props(v)?.[key])?.['const'])
    return values.every((v) => v !== undefined) && new Set(values.map((v) => JSON.stringify(v))).size === values.length
  })
}

/** A short type summary of a schema node for a table cell. */
function typeOf(node: unknown, self?: string): string {
  const s = asNode(node)
  if (!s) return 'any value'
  const name = nameOf(s, self)
  if (name !== undefined) return link(name)
  if ('const' in s) return code(s['const'])
  if (Array.isArray(s['enum'])) return `one of ${(s['enum'] as unknown[]).map(code).join(', ')}`
  if (Array.isArray(s['anyOf'])) return (s['anyOf'] as unknown[]).map((n) => typeOf(n, self)).join(' \\| ')
  if (s['type'] === 'array') {
    if (Array.isArray(s['items'])) return `[${(s['items'] as unknown[]).map((n) => typeOf(n, self)).join(', ')}]`
    const item = typeOf(s['items'], self)
    return item.includes(' ') && !item.startsWith('[') ? `array of (${item})` : `${item}[]`
  }
  if (s['type'] === 'object' && asNode(s['patternProperties'])) {
    const values = Object.values(s['patternProperties'] as Node)[0]
    const valueType = typeOf(values, self)
    return valueType === 'any value' ? 'object (any keys, any values)' : `object (any keys, ${valueType} values)`
  }
  const tag = props(s)?.['type']
  if (tag && 'const' in tag) return `object (\`type\` ${code(tag['const'])})`
  if (typeof s['type'] === 'string') {
    const limits = ['minLength', 'minimum', 'exclusiveMinimum', 'maximum', 'pattern']
      .filter((k) => k in s)
      .map((k) => (k === 'pattern' ? `pattern \`${String(s[k])}\`` : `${k} ${String(s[k])}`))
    return limits.length > 0 ? `${s['type']} (${limits.join(', ')})` : String(s['type'])
  }
  return 'any value'
}

function describeNode(node: Node): string {
  const own = typeof node['description'] === 'string' ? (node['description'] as string) : ''
  return own.replace(/\|/g, '\\|')
}

/**
 * The description column: the field's note (`reference-notes.ts`), else its schema's description,
 * else the place's default note, else a generic text. Records which notes were used, so that a note
 * for a field that no longer exists fails the generation.
 */
class NoteBook {
  private readonly used = new Set<string>()

  describe(where: Where, path: string, key: string, child: Node): string {
    const notes = FIELD_NOTES[where.place]
    const note = notes?.[path]
    if (note !== undefined) {
      this.used.add(`${where.place} ${path}`)
      return note.replace(/\|/g, '\\|')
    }
    const own = describeNode(child)
    if (own) return own
    const fallback = notes?.['*']
    if (fallback !== undefined) {
      this.used.add(`${where.place} *`)
      return fallback.replace(/\|/g, '\\|')
    }
    const message = MESSAGES.some((d) => d.type === where.place)
    if (key === 'type' && 'const' in child) return message && path === '/type' ? 'The message type.' : 'Selects the variant.'
    if (message && path === '/payload') return "The message's content."
    return ''
  }

  /** Notes that matched no field. */
  unused(): string[] {
    return Object.entries(FIELD_NOTES).flatMap(([place, notes]) => Object.keys(notes).map((path) => `${place} ${path}`)).filter((k) => !this.used.has(k))
  }
}

/** Where fields are being listed: the named type being defined (never linked to itself), and the place notes are keyed by. */
interface Where {
  readonly self?: string
  readonly place: string
  readonly notes: NoteBook
}

/**
 * Rows `path | type | required | description` for every property of an object schema, and, for
 * anonymous nested objects, arrays of them and tagged unions of them, for their properties in turn.
 * Named types are not expanded: their section lists their fields.
 */
function fieldRows(node: unknown, path: string, where: Where): string[] {
  const properties = props(node)
  if (!properties) return []
  const required = new Set((asNode(node)?.['required'] as string[] | undefined) ?? [])
  return Object.entries(properties).flatMap(([key, child]) => {
    const here = `${path}/${key}`
    const row = `| \`${here}\` | ${typeOf(child, where.self)} | ${required.has(key) ? 'yes' : 'no'} | ${where.notes.describe(where, here, key, child)} |`
    return [row, ...nestedRows(child, here, where)]
  })
}

/** The rows below a field: its own fields when it is an anonymous object, array of objects or union of objects. */
function nestedRows(child: Node, here: string, where: Where): string[] {
  if (nameOf(child, where.self) !== undefined) return []
  if (props(child)) return fieldRows(child, here, where)
  if (child['type'] === 'array' && asNode(child['items'])) return nestedRows(child['items'] as Node, `${here}/<i>`, where)
  if (Array.isArray(child['anyOf'])) {
    const variants = child['anyOf'] as unknown[]
    const tag = discriminator(variants)
    return variants.flatMap((variant, i) => {
      const v = asNode(variant)
      if (!v || nameOf(v, where.self) !== undefined) return []
      const label = tag ? `${here} (${tag} ${code(asNode(props(v)?.[tag])?.['const'])})` : `${here} (variant ${i + 1})`
      return fieldRows(v, label, where)
    })
  }
  return []
}

const TABLE_HEAD = ['| field | type | required | description |', '|---|---|---|---|']

/** A field table, or a one-line type when the schema has no fields. */
function typeBlock(schema: unknown, where: Where, root = ''): string[] {
  const s = asNode(schema)
  if (s && Array.isArray(s['anyOf'])) {
    const variants = s['anyOf'] as unknown[]
    const tag = discriminator(variants)
    if (tag) {
      const lines = [`One of ${variants.length} variants, told apart by \`${tag}\`:`, '']
      for (const variant of variants) {
        const v = variant as Node
        const value = asNode(props(v)?.[tag])?.['const']
        const what = describeNode(v)
        const place = `${where.place} (${tag} ${JSON.stringify(value)})`
        lines.push(`**\`${tag}\` = ${code(value)}**${what ? `: ${what}` : ''}`, '', ...TABLE_HEAD, ...fieldRows(v, root, { ...where, place }), '')
      }
      return lines
    }
  }
  const rows = fieldRows(schema, root, where)
  if (rows.length > 0) return [...TABLE_HEAD, ...rows, '']
  if (s && s['type'] === 'object' && props(s)) return ['No fields: an empty object `{}`.', '']
  return [`Type: ${typeOf(schema, where.self)}.`, '']
}

/** What a successful `response` to a method carries in `payload.data`. */
function responseBlock(m: MethodDescriptor, notes: NoteBook): string[] {
  if (m.response === NoData) {
    return [
      'None. A successful response carries no `data` field (see [Responses without data](#responses-without-data)).',
      '',
    ]
  }
  if (m.response === AnyData) return ['Any value, or absent when there is none (`undefined` in the extension).', '']
  const name = nameOf(m.response)
  if (name !== undefined) return [`\`data\` is a ${link(name)}.`, '']
  return typeBlock(m.response, { place: 'response data', notes }, '/payload/data').map((line) => (line.startsWith('Type: ') ? `\`data\`: ${line.slice(6)}` : line))
}

/** The whole reference document. */
export function renderReference(): string {
  const notes = new NoteBook()
  const lines: string[] = [
    '<!-- Generated from src/protocol by `npm run schema`. Do not edit by hand. -->',
    `# Message reference (@stina/extension-api ${PROTOCOL_VERSION})`,
    '',
    `${MESSAGES.length} message types and ${METHODS.length} request methods. JSON Schema for each is in \`schema/\`.`,
    'Requirement IDs (EXT-...) are defined in `docs/spec/`. Field paths are JSON pointers into the message;',
    '`<i>` stands for any array index. "required: no" means the field may be absent (a field whose value is',
    '`undefined` counts as absent, EXT-WIRE-003); no field is nullable unless its type says `null`. Objects accept',
    'no undeclared fields in strict mode (EXT-WIRE-006), except those typed "any keys".',
    '',
    '## Messages',
    '',
    '| type | direction | since | permission | correlates | description |',
    '|---|---|---|---|---|---|',
  ]
  for (const d of MESSAGES) {
    const corr = d.correlations.map((c) => `\`${c.field}\` = ${c.answers} \`${c.answersField}\` (${c.cardinality})`).join('; ')
    lines.push(`| [\`${d.type}\`](#${anchor(d.type)}) | ${d.direction} | ${d.since} | ${d.permission ?? '—'} | ${corr || '—'} | ${d.description} |`)
  }
  for (const d of MESSAGES) {
    lines.push('', `### ${d.type}`, '', `${d.description} Direction: ${d.direction}. Since ${d.since}. Schema: \`schema/messages/${d.type}.json\`.`, '')
    if (d.type === 'request') {
      const envelope = asNode((d.schema as Node)['anyOf'] && ((d.schema as Node)['anyOf'] as unknown[])[0])
      const idField = props(envelope)?.['id'] as Node
      lines.push(
        ...TABLE_HEAD,
        `| \`/type\` | \`"request"\` | yes | The message type. |`,
        `| \`/id\` | ${typeOf(idField)} | yes | Unique within the worker; the \`response\` carries it as \`payload.requestId\`. |`,
        `| \`/method\` | one of the ${METHODS.length} [request methods](#request-methods) | yes | Selects the variant. |`,
        `| \`/payload\` | object | yes | The method's payload: its fields are listed under the method. |`,
        '',
        `One variant per method, told apart by \`method\`: ${METHODS.map((m) => `[\`${m.method}\`](#${anchor(methodHeading(m.method))})`).join(', ')}.`,
      )
      continue
    }
    lines.push(...typeBlock(d.schema, { place: d.type, notes }))
    if (lines[lines.length - 1] === '') lines.pop()
  }
  lines.push(
    '',
    '## Request methods',
    '',
    '| method | worker gate | host gate | payload | response data | description |',
    '|---|---|---|---|---|---|',
  )
  for (const m of METHODS) {
    const payload = Object.keys(props(m.payload) ?? {}).join(', ') || '{}'
    const data = m.response === NoData ? 'none' : m.response === AnyData ? 'any value' : typeOf(m.response)
    lines.push(`| [\`${m.method}\`](#${anchor(methodHeading(m.method))}) | ${m.workerGate} | ${m.hostGate ?? 'none (upstream [B23](upstream.md#b23))'} | ${payload} | ${data} | ${m.description} |`)
  }
  lines.push(
    '',
    '### Responses without data',
    '',
    `${describeNode(asNode(NoData) ?? {})} The methods ${METHODS.filter((m) => m.response === NoData).map((m) => `\`${m.method}\``).join(', ')} return nothing.`,
    'Their JSON Schema files (`schema/methods/<method>.response.json`) say `"type": "null"`: JSON Schema',
    'judges a value, and cannot require a field to be absent, so the file describes the one value that is',
    'tolerated when the field is present anyway.',
  )
  for (const m of METHODS) {
    lines.push(
      '',
      `### ${methodHeading(m.method)}`,
      '',
      `${m.description} Worker gate: ${m.workerGate}. Host gate: ${m.hostGate ?? 'none'}. Since ${m.since}.`,
      `Schemas: \`schema/methods/${m.method}.payload.json\`, \`schema/methods/${m.method}.response.json\`.`,
      '',
      'Request `payload`:',
      '',
      ...typeBlock(m.payload, { place: 'payload', notes }, '/payload'),
      'Response `data` (when `success` is true):',
      '',
      ...responseBlock(m, notes),
    )
    if (lines[lines.length - 1] === '') lines.pop()
  }
  lines.push('', '## Nested types', '')
  for (const [name, def] of Object.entries(DEFINITIONS)) {
    lines.push(`### ${name}`, '', describeNode(def as Node), '', ...typeBlock(def, { self: name, place: name, notes }))
  }
  while (lines[lines.length - 1] === '') lines.pop()
  const stale = notes.unused()
  if (stale.length > 0) throw new Error(`reference-notes.ts has notes for fields that do not exist: ${stale.join(', ')}`)
  return `${lines.join('\n')}\n`
}

