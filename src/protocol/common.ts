/**
 * Building blocks shared by every message family: closed structs, open maps, identifiers and
 * localized strings. Every struct in the protocol is built with {@link Struct}, so the TypeBox
 * source is the strict form of the protocol; tolerant validation is derived from it by opening
 * the structs (see `src/validate/modes.ts`).
 */
import Type, { type TProperties, type TObject, type Static } from 'typebox'

// ---------------------------------------------------------------------------------------------
// Factories
// ---------------------------------------------------------------------------------------------

/** Options accepted by {@link Struct}: documentation keywords only. */
export interface StructOptions {
  /** One-line description that ends up in the JSON Schema and the generated reference. */
  description?: string
  /** Title used in the generated reference. */
  title?: string
}

/**
 * A closed object: every property is declared and no other property is allowed in strict mode.
 * EXT-WIRE-006 is the requirement that strict validation enforces with `additionalProperties: false`.
 */
export function Struct<P extends TProperties>(properties: P, options: StructOptions = {}): TObject<P> {
  return Type.Object(properties, { ...options, additionalProperties: false })
}

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

/** A correlation id or any other identifier on the wire: a non-empty string. */
export const Id = Type.String({ minLength: 1, description: 'A non-empty identifier.' })

/** An open JSON object (`Record<string, unknown>`): any keys, any values. Never closed by strict mode. */
export const JsonObject = Type.Record(Type.String(), Type.Unknown(), {
  description: 'An object with any keys and any values.',
})

/** A string, or a map from language code to text (`LocalizedString`). */
export const LocalizedString = Type.Union(
  [Type.String(), Type.Record(Type.String(), Type.String())],
  { description: 'Plain text, or an object mapping language codes to text.' },
)

const ISO_PATTERN = '^\\d{4,6}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:\\d{2})$'

/** An ISO-8601 timestamp as produced by `Date.prototype.toISOString()`. */
export const IsoTimestamp = Type.String({
  description: 'An ISO-8601 date-time, as produced by Date.prototype.toISOString().',
  pattern: ISO_PATTERN,
})

/** {@link IsoTimestamp}'s pattern as a RegExp, for code that checks timestamps outside a schema. */
export const ISO_TIMESTAMP = new RegExp(ISO_PATTERN)

// ---------------------------------------------------------------------------------------------
// Static
// ---------------------------------------------------------------------------------------------

/** See {@link Id}. */
export type Id = Static<typeof Id>
/** See {@link JsonObject}. */
export type JsonObject = Static<typeof JsonObject>
/** See {@link LocalizedString}. */
export type LocalizedString = Static<typeof LocalizedString>
/** See {@link IsoTimestamp}. */
export type IsoTimestamp = Static<typeof IsoTimestamp>
