/**
 * The one run-time helper the precompiled validators call, kept here so that they import nothing
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
