/** The tolerance rule for response data (EXT-REQ-007), on the schemas themselves. */
import Type from 'typebox'
import { describe, expect, it } from 'vitest'
import { FetchResponse } from '../protocol/methods.js'
import { UserProfile } from '../protocol/types.js'
import { withoutOptionalNulls } from './response-data.js'

describe('withoutOptionalNulls', () => {
  it('drops null from optional properties only, and keeps undeclared ones', () => {
    expect(withoutOptionalNulls(UserProfile, { firstName: null, nickname: 'N', extra: null })).toEqual({ nickname: 'N', extra: null })
    expect(withoutOptionalNulls(FetchResponse, { status: null, statusText: 'OK', headers: {}, body: '' })).toEqual({ status: null, statusText: 'OK', headers: {}, body: '' })
  })

  it('walks arrays and nested objects the schema describes, and leaves its input alone', () => {
    const schema = Type.Array(Type.Object({ a: Type.Optional(Type.String()), inner: Type.Object({ b: Type.Optional(Type.Number()) }) }))
    const data = [{ a: null, inner: { b: null } }, { a: 'x', inner: { b: 1 } }]
    expect(withoutOptionalNulls(schema, data)).toEqual([{ inner: {} }, { a: 'x', inner: { b: 1 } }])
    expect(data[0]).toEqual({ a: null, inner: { b: null } })
  })

  it('passes through what the schema does not describe', () => {
    expect(withoutOptionalNulls(Type.Unknown(), { a: null })).toEqual({ a: null })
    expect(withoutOptionalNulls(UserProfile, null)).toBeNull()
    expect(withoutOptionalNulls(UserProfile, 'x')).toBe('x')
  })
})
