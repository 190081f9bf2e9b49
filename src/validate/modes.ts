/**
 * Strict and tolerant validation, and the form in which schemas are compiled. The TypeBox source
 * is strict: every struct is closed with `additionalProperties: false`. Tolerant schemas are
 * derived by opening every struct, so a peer of a newer protocol version may add fields.
 */

/**
 * `strict` rejects undeclared properties (EXT-WIRE-006); `tolerant` ignores them.
 * The default is `tolerant` (see README, "Validation modes"): real hosts already send fields that
 * 0.22.1 does not declare (HEAD adds `ChatOptions.context`), and rejecting them would break a
 * working pair. The conformance suite checks what a worker sends in strict mode.
 */
export type ValidationMode = 'strict' | 'tolerant'

/** The default mode of the package-level validators. */
export const DEFAULT_MODE: ValidationMode = 'tolerant'

/**
 * Returns the schema to compile for `mode`, as a deep copy: opened in tolerant mode, and with
 * every tagged union (an `anyOf` whose variants all carry a `const` `type`) rewritten to ajv's
 * `discriminator` form, which checks only the variant the tag selects. The published JSON Schema
 * keeps the plain `anyOf`; both accept exactly the same values.
 */
export function schemaForMode(schema: unknown, mode: ValidationMode): unknown {
  return prepare(schema, mode)
}

function tagOf(variants: unknown[]): string | undefined {
  for (const tag of ['type']) {
    const all = variants.every((v) => {
      const props = (v as { properties?: Record<string, { const?: unknown }>; required?: string[] })
      return typeof props.properties?.[tag]?.const === 'string' && props.required?.includes(tag)
    })
    if (all && variants.length > 1) return tag
  }
  return undefined
}

function prepare(node: unknown, mode: ValidationMode): unknown {
  if (Array.isArray(node)) return node.map((n) => prepare(n, mode))
  if (typeof node !== 'object' || node === null) return node
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false && mode === 'tolerant') continue
    out[key] = prepare(value, mode)
  }
  const variants = out['anyOf']
  if (Array.isArray(variants)) {
    const tag = tagOf(variants)
    if (tag !== undefined) {
      delete out['anyOf']
      out['type'] = 'object'
      out['discriminator'] = { propertyName: tag }
      out['oneOf'] = variants
    }
  }
  return out
}
