/**
 * What the error report needs to know about a schema, computed from the schema once: the summary
 * of each required property, the tags of each union. ajv's `verbose` option would hand the report
 * whole schema copies with every error; precompiled code would then embed those copies, so the
 * few texts the report uses are derived here instead, at compile or generation time, and looked up
 * by the error's `schemaPath`. Plain JSON walking: no ajv, no TypeBox.
 */

/** Texts of one schema for the error report, keyed by ajv `schemaPath`. */
export interface ReportHints {
  /** `<node>/required` -> property -> summary of the property's schema. */
  readonly required: Readonly<Record<string, Readonly<Record<string, string>>>>
  /** `<node>/discriminator` -> the allowed tag values of the union. */
  readonly discriminator: Readonly<Record<string, string>>
  /** `<node>/anyOf` -> the union's summary and, per tag property, its allowed values. */
  readonly anyOf: Readonly<Record<string, UnionHint>>
}

/** The texts of one `anyOf`. */
export interface UnionHint {
  readonly summary: string
  readonly tags: Readonly<Record<string, string>>
}

/** Tag properties of the protocol's unions. */
export const TAGS: readonly string[] = ['type', 'method']

/** A short human summary of what a schema accepts. */
export function summarizeSchema(schema: unknown): string {
  if (typeof schema !== 'object' || schema === null) return 'any value'
  const s = schema as Record<string, unknown>
  if ('const' in s) return JSON.stringify(s['const'])
  if (Array.isArray(s['anyOf'])) return (s['anyOf'] as unknown[]).map(summarizeSchema).join(' | ')
  const props = s['properties'] as Record<string, Record<string, unknown>> | undefined
  for (const tag of TAGS) {
    const tagSchema = props !== undefined && Object.hasOwn(props, tag) ? props[tag] : undefined
    if (tagSchema && 'const' in tagSchema) return `object with ${tag} ${JSON.stringify(tagSchema['const'])}`
  }
  if (s['type'] === 'array') return `array of ${summarizeSchema(s['items'])}`
  if (typeof s['type'] === 'string') return s['type']
  return 'any value'
}

/** The allowed values of the tag property `tag` across the variants of a union schema. */
export function tagValues(variants: unknown, tag: string): string {
  if (!Array.isArray(variants)) return 'a tag'
  const values = variants
    .map((v) => {
      const props = (v as { properties?: Record<string, { const?: unknown }> }).properties
      return props !== undefined && Object.hasOwn(props, tag) ? props[tag] : undefined
    })
    .filter((p) => p !== undefined && 'const' in p)
    .map((p) => JSON.stringify(p?.const))
  return values.length > 0 ? values.join(' | ') : 'a tag'
}

/** ajv's escaping of one schema path segment. */
function fragment(key: string): string {
  return encodeURIComponent(key.replace(/~/g, '~0').replace(/\//g, '~1'))
}

type Mutable = { required: Record<string, Record<string, string>>; discriminator: Record<string, string>; anyOf: Record<string, UnionHint> }

/** The report texts of a schema (in the form it is compiled in, see `schemaForMode`). */
export function computeHints(schema: unknown): ReportHints {
  const out: Mutable = { required: {}, discriminator: {}, anyOf: {} }
  walk(schema, '#', out)
  return out
}

function walk(node: unknown, path: string, out: Mutable): void {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return
  const s = node as Record<string, unknown>
  const props = typeof s['properties'] === 'object' && s['properties'] !== null ? (s['properties'] as Record<string, unknown>) : undefined
  if (Array.isArray(s['required'])) {
    const texts: Record<string, string> = {}
    for (const name of s['required'] as unknown[]) {
      if (typeof name === 'string') texts[name] = summarizeSchema(props !== undefined && Object.hasOwn(props, name) ? props[name] : undefined)
    }
    out.required[`${path}/required`] = texts
  }
  const discriminator = s['discriminator'] as { propertyName?: unknown } | undefined
  if (discriminator !== undefined && typeof discriminator.propertyName === 'string') {
    out.discriminator[`${path}/discriminator`] = tagValues(s['oneOf'], discriminator.propertyName)
  }
  if (Array.isArray(s['anyOf'])) {
    const tags: Record<string, string> = {}
    for (const tag of TAGS) tags[tag] = tagValues(s['anyOf'], tag)
    out.anyOf[`${path}/anyOf`] = { summary: summarizeSchema(s), tags }
  }
  for (const key of ['properties', 'patternProperties'] as const) {
    const map = s[key]
    if (typeof map === 'object' && map !== null) for (const [name, child] of Object.entries(map)) walk(child, `${path}/${key}/${fragment(name)}`, out)
  }
  for (const key of ['anyOf', 'oneOf', 'allOf', 'prefixItems'] as const) {
    const list = s[key]
    if (Array.isArray(list)) list.forEach((child, i) => walk(child, `${path}/${key}/${i}`, out))
  }
  const items = s['items']
  if (Array.isArray(items)) items.forEach((child, i) => walk(child, `${path}/items/${i}`, out))
  else walk(items, `${path}/items`, out)
  for (const key of ['additionalProperties', 'not', 'additionalItems', 'contains'] as const) walk(s[key], `${path}/${key}`, out)
}

/** The value at an ajv `instancePath` of `root`, reading own properties only; undefined where there is none. */
export function dataAt(root: unknown, instancePath: string): unknown {
  if (instancePath === '') return root
  let value: unknown = root
  for (const raw of instancePath.slice(1).split('/')) {
    if (typeof value !== 'object' || value === null) return undefined
    const key = raw.includes('~') ? raw.replace(/~1/g, '/').replace(/~0/g, '~') : raw
    if (!Object.prototype.hasOwnProperty.call(value, key)) return undefined
    value = (value as Record<string, unknown>)[key]
  }
  return value
}

/** Looks a key up in a hints table without consulting `Object.prototype`. */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined
}
