/**
 * Generates the published JSON Schema (draft 2020-12) from the TypeBox source: one file per
 * message, one per request method payload and response, and a bundle with `$defs`. Named nested
 * types become `$ref`s to one `$defs` entry. `npm run schema` writes the result to `schema/`; a
 * test fails when the committed files differ from what this function returns.
 */
import type { TSchema } from 'typebox'
import { MESSAGES } from './catalogue.js'
import { DEFINITIONS } from './definitions.js'
import { PROTOCOL_VERSION } from './descriptor.js'
import { METHODS } from './methods.js'

/** The dialect of every generated file. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema'

/** Base of every generated `$id`. */
export const SCHEMA_ID_BASE = `https://extwire.dev/schema/${PROTOCOL_VERSION}`

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonSchemaObject = { [key: string]: Json }

/** PascalCase name of a message's definition: `tool-execute-request` -> `ToolExecuteRequestMessage`. */
export function messageDefName(type: string): string {
  return `${pascal(type)}Message`
}

/** PascalCase stem of a method's definitions: `storage.getForUser` -> `StorageGetForUser`. */
export function methodDefStem(method: string): string {
  return pascal(method)
}

function pascal(text: string): string {
  return text
    .split(/[-.]/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')
}

/** Converts a TypeBox value into plain 2020-12 JSON, replacing named types with `$ref`s. */
class Converter {
  private readonly byIdentity = new Map<unknown, string>()
  private readonly byShape = new Map<string, string>()
  /** Names referenced so far. */
  readonly used = new Set<string>()

  constructor(private readonly definitions: Readonly<Record<string, TSchema>> = DEFINITIONS) {
    for (const [name, schema] of Object.entries(definitions)) {
      this.byIdentity.set(schema, name)
      this.byShape.set(JSON.stringify(schema), name)
    }
  }

  /** The name of `node` if it is a named type (and not `self`). */
  private nameOf(node: unknown, self: string | undefined): string | undefined {
    const name = this.byIdentity.get(node) ?? this.byShape.get(JSON.stringify(node))
    return name === self ? undefined : name
  }

  convert(node: unknown, self?: string, root = true): Json {
    if (!root) {
      const name = this.nameOf(node, self)
      if (name !== undefined) {
        this.used.add(name)
        return { $ref: `#/$defs/${name}` }
      }
    }
    if (Array.isArray(node)) return node.map((n) => this.convert(n, self, false))
    if (typeof node !== 'object' || node === null) return node as Json
    const source = node as Record<string, unknown>
    const out: JsonSchemaObject = {}
    for (const [key, value] of Object.entries(source)) {
      if (key === 'items' && Array.isArray(value)) {
        // Draft-07 tuples (TypeBox) become 2020-12 prefixItems.
        out['prefixItems'] = value.map((v) => this.convert(v, self, false))
        if (source['additionalItems'] === false) out['items'] = false
        continue
      }
      if (key === 'additionalItems') continue
      out[key] = key === 'properties' || key === 'patternProperties' || key === '$defs'
        ? Object.fromEntries(Object.entries(value as object).map(([k, v]) => [k, this.convert(v, self, false)]))
        : this.convert(value, self, false)
    }
    return out
  }

  /** The `$defs` of every name used so far, closed over the names they use in turn. */
  defs(): JsonSchemaObject {
    const out: JsonSchemaObject = {}
    const pending = [...this.used]
    while (pending.length > 0) {
      const name = pending.shift() as string
      if (name in out) continue
      const before = new Set(this.used)
      out[name] = this.convert(this.definitions[name], name)
      for (const n of this.used) if (!before.has(n)) pending.push(n)
    }
    return Object.fromEntries(Object.keys(this.definitions).filter((n) => n in out).map((n) => [n, out[n] as Json]))
  }
}

/** A self-contained 2020-12 schema document for `schema` (used for the fixture and report formats too). */
export function standalone(
  id: string,
  title: string,
  schema: TSchema,
  description?: string,
  definitions: Readonly<Record<string, TSchema>> = DEFINITIONS,
): JsonSchemaObject {
  const c = new Converter(definitions)
  const body = c.convert(schema) as JsonSchemaObject
  const defs = c.defs()
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: id,
    title,
    ...(description ? { description } : {}),
    ...body,
    ...(Object.keys(defs).length > 0 ? { $defs: defs } : {}),
  }
}

/**
 * What the generator turns into files: the default is the 0.22.1 protocol of the catalogue; a
 * profile hands in its own messages, methods, named types and `$id` base (`src/protocol/profiles.ts`).
 */
export interface SchemaSource {
  readonly messages: readonly { readonly type: string; readonly direction: string; readonly description: string; readonly schema: TSchema }[]
  readonly methods: readonly { readonly method: string; readonly description: string; readonly payload: TSchema; readonly response: TSchema }[]
  readonly definitions: Readonly<Record<string, TSchema>>
  /** Base of every `$id`. */
  readonly idBase: string
  /** The version named in the bundle's title. */
  readonly version: string
}

const DEFAULT_SOURCE: SchemaSource = { messages: MESSAGES, methods: METHODS, definitions: DEFINITIONS, idBase: SCHEMA_ID_BASE, version: PROTOCOL_VERSION }

/** Every generated file, keyed by its path relative to `schema/` (or to a profile's folder), in a stable order. */
export function generateJsonSchemaFiles(source: SchemaSource = DEFAULT_SOURCE): Map<string, JsonSchemaObject> {
  const { idBase, definitions } = source
  const files = new Map<string, JsonSchemaObject>()
  for (const d of source.messages) {
    files.set(
      `messages/${d.type}.json`,
      standalone(`${idBase}/messages/${d.type}.json`, messageDefName(d.type), d.schema, `${d.direction}: ${d.description}`, definitions),
    )
  }
  for (const m of source.methods) {
    const stem = methodDefStem(m.method)
    files.set(`methods/${m.method}.payload.json`, standalone(`${idBase}/methods/${m.method}.payload.json`, `${stem}Payload`, m.payload, `payload of request method ${m.method}: ${m.description}`, definitions))
    files.set(`methods/${m.method}.response.json`, standalone(`${idBase}/methods/${m.method}.response.json`, `${stem}Response`, m.response, `response data of request method ${m.method}`, definitions))
  }
  files.set('extwire.schema.json', bundle(source))
  return files
}

/** The bundle: every named type, message, payload and response in `$defs`, and the two direction unions. */
function bundle(source: SchemaSource): JsonSchemaObject {
  const c = new Converter(source.definitions)
  const defs: JsonSchemaObject = {}
  for (const d of source.messages) defs[messageDefName(d.type)] = c.convert(d.schema)
  for (const m of source.methods) {
    defs[`${methodDefStem(m.method)}Payload`] = c.convert(m.payload)
    defs[`${methodDefStem(m.method)}Response`] = c.convert(m.response)
  }
  for (const name of Object.keys(source.definitions)) c.used.add(name)
  const named = c.defs()
  const union = (direction: 'host-to-worker' | 'worker-to-host'): Json => ({
    description: `Any ${direction} message.`,
    anyOf: source.messages.filter((d) => d.direction === direction).map((d) => ({ $ref: `#/$defs/${messageDefName(d.type)}` })),
  })
  return {
    $schema: JSON_SCHEMA_DIALECT,
    $id: `${source.idBase}/extwire.schema.json`,
    title: `extwire: @stina/extension-api ${source.version} host<->worker protocol`,
    description: 'Any message of the protocol. $defs holds every message, request payload, response and nested type.',
    anyOf: [{ $ref: '#/$defs/HostToWorkerMessage' }, { $ref: '#/$defs/WorkerToHostMessage' }],
    $defs: { HostToWorkerMessage: union('host-to-worker'), WorkerToHostMessage: union('worker-to-host'), ...defs, ...named },
  }
}
