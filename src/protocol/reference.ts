/**
 * Renders `docs/reference.md`, the message reference, from the descriptors and schemas. Generated:
 * edit the TypeBox source and run `npm run schema`, never the Markdown.
 */
import { MESSAGES } from './catalogue.js'
import { PROTOCOL_VERSION } from './descriptor.js'
import { METHODS } from './methods.js'
import { DEFINITIONS } from './definitions.js'

type Node = Record<string, unknown>

/** A short type summary of a schema node for tables. */
function typeOf(node: unknown, top = false): string {
  if (typeof node !== 'object' || node === null) return 'any'
  if (!top) for (const [name, def] of Object.entries(DEFINITIONS)) if (def === node || JSON.stringify(def) === JSON.stringify(node)) return name
  const s = node as Node
  if ('const' in s) return `\`${JSON.stringify(s['const'])}\``
  if (Array.isArray(s['anyOf'])) return (s['anyOf'] as unknown[]).map((n) => typeOf(n)).join(' \\| ')
  if (s['type'] === 'array') return Array.isArray(s['items']) ? `[${(s['items'] as unknown[]).map((n) => typeOf(n)).join(', ')}]` : `${typeOf(s['items'])}[]`
  if (s['type'] === 'object' && s['patternProperties']) return 'object (any keys)'
  const tag = (s['properties'] as Record<string, Node> | undefined)?.['type']
  if (tag && 'const' in tag) return `object (type ${JSON.stringify(tag['const'])})`
  if (typeof s['type'] === 'string') {
    const limits = ['minLength', 'minimum', 'exclusiveMinimum', 'maximum', 'pattern'].filter((k) => k in s).map((k) => `${k} ${String(s[k])}`)
    return limits.length > 0 ? `${s['type']} (${limits.join(', ')})` : s['type']
  }
  return 'any'
}

/** Rows `path | type | required | description` for the properties of an object schema, recursively. */
function fieldRows(node: unknown, path: string, depth: number): string[] {
  const s = node as Node
  const props = s['properties'] as Record<string, Node> | undefined
  if (!props || depth > 2) return []
  const required = new Set((s['required'] as string[] | undefined) ?? [])
  return Object.entries(props).flatMap(([key, child]) => {
    const here = `${path}/${key}`
    const named = Object.values(DEFINITIONS).includes(child)
    const row = `| \`${here}\` | ${typeOf(child)} | ${required.has(key) ? 'yes' : 'no'} | ${String(child['description'] ?? '')} |`
    return [row, ...(named ? [] : fieldRows(child, here, depth + 1))]
  })
}

/** The whole reference document. */
export function renderReference(): string {
  const lines: string[] = [
    '<!-- Generated from src/protocol by `npm run schema`. Do not edit by hand. -->',
    `# Message reference (@stina/extension-api ${PROTOCOL_VERSION})`,
    '',
    `${MESSAGES.length} message types and ${METHODS.length} request methods. JSON Schema for each is in \`schema/\`.`,
    'Requirement IDs (EXT-...) are defined in `docs/spec/`.',
    '',
    '## Messages',
    '',
    '| type | direction | since | permission | correlates | description |',
    '|---|---|---|---|---|---|',
  ]
  for (const d of MESSAGES) {
    const corr = d.correlations.map((c) => `\`${c.field}\` = ${c.answers} \`${c.answersField}\` (${c.cardinality})`).join('; ')
    lines.push(`| [\`${d.type}\`](#${d.type}) | ${d.direction} | ${d.since} | ${d.permission ?? '—'} | ${corr || '—'} | ${d.description} |`)
  }
  for (const d of MESSAGES) {
    lines.push('', `### ${d.type}`, '', `${d.description} Direction: ${d.direction}. Since ${d.since}. Schema: \`schema/messages/${d.type}.json\`.`, '')
    if (d.type === 'request') {
      lines.push('One variant per request method; see [Request methods](#request-methods).')
      continue
    }
    lines.push('| field | type | required | description |', '|---|---|---|---|', ...fieldRows(d.schema, '', 0))
  }
  lines.push('', '## Request methods', '', '| method | worker gate | host gate | payload | response data | description |', '|---|---|---|---|---|---|')
  for (const m of METHODS) {
    const payload = Object.keys(((m.payload as Node)["properties"] as object | undefined) ?? {}).join(", ") || "{}"
    lines.push(`| \`${m.method}\` | ${m.workerGate} | ${m.hostGate ?? 'none (upstream B23)'} | ${payload} | ${m.noData ? 'none' : typeOf(m.response)} | ${m.description} |`)
  }
  lines.push('', '## Nested types', '')
  for (const [name, def] of Object.entries(DEFINITIONS)) {
    lines.push(`### ${name}`, '', String((def as Node)['description'] ?? ''), '')
    const rows = fieldRows(def, '', 0)
    if (rows.length > 0) lines.push('| field | type | required | description |', '|---|---|---|---|', ...rows, '')
    else lines.push(`Type: ${typeOf(def, true)}.`, '')
  }
  return `${lines.join('\n')}\n`
}
