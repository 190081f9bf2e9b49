/**
 * fast-check arbitraries derived from the protocol's schemas: one generic translation for every
 * JSON Schema keyword the TypeBox source uses, so that a change to a schema changes the fuzzer.
 * Also the mutations that make a valid message invalid, each of which is invalid by construction.
 */
import fc from 'fast-check'

type Node = Record<string, unknown>

/** JSON values that survive both JSON and structured clone unchanged (no -0, no NaN, no undefined). */
export const jsonValue: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown)

function numberArb(node: Node, integer: boolean): fc.Arbitrary<number> {
  const min = typeof node['minimum'] === 'number' ? node['minimum'] : typeof node['exclusiveMinimum'] === 'number' ? node['exclusiveMinimum'] + (integer ? 1 : 1e-9) : -1e6
  const max = typeof node['maximum'] === 'number' ? node['maximum'] : 1e6
  const base = integer ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true, noDefaultInfinity: true })
  return base.map((n) => (Object.is(n, -0) ? 0 : n))
}

function stringArb(node: Node): fc.Arbitrary<string> {
  const minLength = typeof node['minLength'] === 'number' ? node['minLength'] : 0
  if (typeof node['pattern'] === 'string') {
    const re = new RegExp(node['pattern'])
    return fc.stringMatching(re).filter((s) => s.length >= minLength)
  }
  return fc.string({ minLength, maxLength: Math.max(minLength, 12) })
}

/** The arbitrary of a schema (TypeBox value or plain JSON Schema without $ref). */
export function arbitraryOf(schema: unknown): fc.Arbitrary<unknown> {
  const node = (schema ?? {}) as Node
  if ('const' in node) return fc.constant(node['const'])
  if (Array.isArray(node['enum'])) return fc.constantFrom(...(node['enum'] as unknown[]))
  if (Array.isArray(node['anyOf'])) return fc.oneof(...(node['anyOf'] as unknown[]).map(arbitraryOf))
  switch (node['type']) {
    case 'string':
      return stringArb(node)
    case 'number':
      return numberArb(node, false)
    case 'integer':
      return numberArb(node, true)
    case 'boolean':
      return fc.boolean()
    case 'null':
      return fc.constant(null)
    case 'array': {
      if (Array.isArray(node['items'])) return fc.tuple(...(node['items'] as unknown[]).map(arbitraryOf))
      const minLength = typeof node['minItems'] === 'number' ? node['minItems'] : 0
      return fc.array(arbitraryOf(node['items']), { minLength, maxLength: Math.max(minLength, 3) })
    }
    case 'object': {
      const properties = node['properties'] as Record<string, unknown> | undefined
      if (!properties) {
        // A map (`Record<string, T>`): the value schema is the `^.*$` pattern property.
        const pattern = Object.values((node['patternProperties'] ?? {}) as Record<string, unknown>)[0]
        return fc.dictionary(fc.string({ maxLength: 8 }), pattern === undefined ? jsonValue : arbitraryOf(pattern), { maxKeys: 3, noNullPrototype: true })
      }
      const required = (node['required'] as string[] | undefined) ?? []
      const model: Record<string, fc.Arbitrary<unknown>> = {}
      for (const [key, sub] of Object.entries(properties)) model[key] = arbitraryOf(sub)
      return fc.record(model, { requiredKeys: required, noNullPrototype: true })
    }
    default:
      return jsonValue // `{}`: any value
  }
}

// ---------------------------------------------------------------------------------------------
// Mutations
// ---------------------------------------------------------------------------------------------

/** One way to make a valid value invalid. */
export interface Mutation {
  /** `missing-field`, `wrong-type`, `extra-field`, `wrong-literal` or `corrupted-nesting`. */
  readonly kind: 'missing-field' | 'wrong-type' | 'extra-field' | 'wrong-literal' | 'corrupted-nesting'
  /** JSON pointer of the change. */
  readonly path: string
  /** Applies it to a deep copy. */
  apply(value: unknown): unknown
}

const SAMPLES: ReadonlyArray<[string, unknown]> = [
  ['null', null],
  ['boolean', true],
  ['number', 12345.5],
  ['string', '\u0000not-a-valid-value'],
  ['array', [1, 'x']],
  ['object', { unexpected: 1 }],
]

/** JSON types a schema node accepts, or undefined when it accepts anything. */
function acceptedTypes(node: Node): Set<string> | undefined {
  if ('const' in node) return new Set([typeName(node['const'])])
  if (Array.isArray(node['enum'])) return new Set((node['enum'] as unknown[]).map(typeName))
  if (Array.isArray(node['anyOf'])) {
    const out = new Set<string>()
    for (const sub of node['anyOf'] as Node[]) {
      const t = acceptedTypes(sub)
      if (!t) return undefined
      for (const x of t) out.add(x)
    }
    return out
  }
  if (typeof node['type'] === 'string') return new Set(node['type'] === 'integer' ? ['number'] : [node['type']])
  return undefined
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v
}

function setAt(root: unknown, path: readonly string[], update: (parent: Record<string, unknown> | unknown[], key: string) => void): unknown {
  const copy = structuredClone(root)
  let cursor: unknown = copy
  for (const key of path.slice(0, -1)) cursor = (cursor as Record<string, unknown>)[key]
  update(cursor as Record<string, unknown>, path[path.length - 1] as string)
  return copy
}

/** Every mutation of `value` (valid for `schema`) that is invalid by construction. */
export function mutationsOf(schema: unknown, value: unknown, strict = true): Mutation[] {
  const out: Mutation[] = []
  const walk = (node: Node, v: unknown, path: string[]) => {
    const pointer = `/${path.join('/')}`
    const accepted = acceptedTypes(node)
    if (path.length > 0 && accepted) {
      const wrong = SAMPLES.find(([t]) => !accepted.has(t))
      if (wrong) out.push({ kind: 'wrong-type', path: pointer, apply: (root) => setAt(root, path, (p, k) => ((p as Record<string, unknown>)[k] = structuredClone(wrong[1]))) })
    }
    if (path.length > 0 && (('const' in node && typeof node['const'] === 'string') || (Array.isArray(node['enum']) && typeof (node['enum'] as unknown[])[0] === 'string'))) {
      out.push({ kind: 'wrong-literal', path: pointer, apply: (root) => setAt(root, path, (p, k) => ((p as Record<string, unknown>)[k] = 'not-a-valid-literal')) })
    }
    if (node['type'] === 'object' && node['properties'] && typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const obj = v as Record<string, unknown>
      const required = (node['required'] as string[] | undefined) ?? []
      for (const key of required) {
        if (path.length === 0 && key === 'type') continue // a message without type is a different failure (dispatch)
        out.push({ kind: 'missing-field', path: `${pointer === '/' ? '' : pointer}/${key}`, apply: (root) => setAt(root, [...path, key], (p, k) => delete (p as Record<string, unknown>)[k]) })
      }
      if (strict && node['additionalProperties'] === false) {
        out.push({ kind: 'extra-field', path: `${pointer === '/' ? '' : pointer}/zzExtra`, apply: (root) => setAt(root, [...path, 'zzExtra'], (p, k) => ((p as Record<string, unknown>)[k] = 1)) })
      }
      if (path.length > 0) out.push({ kind: 'corrupted-nesting', path: pointer, apply: (root) => setAt(root, path, (p, k) => ((p as Record<string, unknown>)[k] = 'flattened')) })
      for (const [key, sub] of Object.entries(node['properties'] as Record<string, Node>)) {
        if (key in obj && obj[key] !== undefined) walk(sub, obj[key], [...path, key])
      }
    }
    if (node['type'] === 'array' && Array.isArray(v) && !Array.isArray(node['items']) && v.length > 0) walk(node['items'] as Node, v[0], [...path, '0'])
  }
  walk(schema as Node, value, [])
  return out
}

/** Arbitrary of invalid values: a valid value with one mutation applied. */
export function invalidArbitraryOf(schema: unknown, strict = true): fc.Arbitrary<{ value: unknown; mutation: Mutation['kind']; path: string }> {
  return arbitraryOf(schema)
    .chain((valid) => {
      const mutations = mutationsOf(schema, valid, strict)
      return mutations.length === 0 ? fc.constant(undefined) : fc.constantFrom(...mutations).map((m) => ({ value: m.apply(valid), mutation: m.kind, path: m.path }))
    })
    .filter((x): x is { value: unknown; mutation: Mutation['kind']; path: string } => x !== undefined)
}
