/**
 * The ajv options of the two compilations, shared by `createValidator` (compiling at run time) and
 * the generator of the precompiled validators, so that both check exactly the same thing. Plain
 * data: importing this loads nothing of ajv.
 */

const COMMON = { strict: false, allowUnionTypes: true, validateFormats: false, discriminator: true, messages: false } as const

/** `fast`: stops at the first error and reads properties plainly; the check of every valid message. */
export const FAST_OPTIONS = { ...COMMON, allErrors: false } as const

/**
 * `full`: checks own properties only and collects every error. It reports errors, and it is the
 * check itself while `Object.prototype` is polluted. The report reads offending values from the
 * checked value and the schema's texts from its hints, so `verbose` (schema copies in every error,
 * and in the generated code) is not needed.
 */
export const FULL_OPTIONS = { ...COMMON, ownProperties: true, allErrors: true } as const
