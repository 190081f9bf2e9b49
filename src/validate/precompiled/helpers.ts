/**
 * The run-time helpers the precompiled validators call, kept here so that they import nothing
 * from ajv (whose helpers are CommonJS) and run unchanged in any bundle or browser.
 */

/**
 * The length of a string in Unicode code points, as JSON Schema counts `minLength`/`maxLength`
 * (a surrogate pair is one character).
 */
export function ucs2length(text: string): number {
  const len = text.length
  let length = 0
  let pos = 0
  while (pos < len) {
    length++
    const value = text.charCodeAt(pos++)
    if (value >= 0xd800 && value <= 0xdbff && pos < len && (text.charCodeAt(pos) & 0xfc00) === 0xdc00) pos++
  }
  return length
}

/** One collected error, as ajv builds it, appended to the list (created on the first error). */
export interface CollectedError {
  readonly instancePath: string
  readonly schemaPath: string
  readonly keyword: string
  readonly params: Record<string, unknown>
}

/**
 * Appends an error to a full check's list and returns the list: the generated code calls this
 * instead of spelling out each error object and its append, which halves the size of that code.
 */
export function pushError(list: CollectedError[] | null, instancePath: string, schemaPath: string, keyword: string, params: Record<string, unknown>): CollectedError[] {
  const error = { instancePath, schemaPath, keyword, params }
  if (list === null) return [error]
  list.push(error)
  return list
}

const hasOwn = Object.prototype.hasOwnProperty

/** True when `data` has no own, defined `key`: what a full check reports as a missing required property. */
export function absentKey(data: Record<string, unknown>, key: string): boolean {
  return data[key] === undefined || !hasOwn.call(data, key)
}

/** {@link pushError} of a missing required property `key` (ajv's `required` error). */
export function missingError(list: CollectedError[] | null, instancePath: string, schemaPath: string, key: string): CollectedError[] {
  return pushError(list, instancePath, schemaPath, 'required', { missingProperty: key })
}

/** {@link pushError} of a value that is not of JSON type `type` (ajv's `type` error). */
export function typeError(list: CollectedError[] | null, instancePath: string, schemaPath: string, type: string): CollectedError[] {
  return pushError(list, instancePath, schemaPath, 'type', { type })
}
