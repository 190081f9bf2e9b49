/**
 * The tolerance rule for response data (EXT-REQ-007): hosts add fields and send `null` for fields
 * they have no value for (a user profile's `firstName: string | null`). Neither may fail the
 * extension's call, so `null` in an optional property counts as absent when the data is checked.
 * The data the extension receives is the data the host sent, unchanged.
 */
type JsonSchemaLike = { type?: unknown; properties?: Record<string, object>; required?: readonly string[]; items?: unknown }

/**
 * A copy of `data` without the `null` values of properties that `schema` declares optional, at any
 * depth of objects and arrays the schema describes. Values the schema does not describe are kept.
 * `schema` is a JSON Schema object: a TypeBox schema, or the response shape of `tables.ts`.
 */
export function withoutOptionalNulls(schema: object, data: unknown): unknown {
  const s = schema as JsonSchemaLike
  if (Array.isArray(data)) {
    const items = s.items
    return typeof items === 'object' && items !== null && !Array.isArray(items) ? data.map((v) => withoutOptionalNulls(items, v)) : data
  }
  if (typeof data !== 'object' || data === null || s.type !== 'object' || s.properties === undefined) return data
  const required = new Set(s.required ?? [])
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(data)) {
    const property = Object.prototype.hasOwnProperty.call(s.properties, key) ? s.properties[key] : undefined
    if (property === undefined) out[key] = value
    else if (value === null && !required.has(key)) continue
    else out[key] = withoutOptionalNulls(property, value)
  }
  return out
}
