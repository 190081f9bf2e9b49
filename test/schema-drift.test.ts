/** The committed schema/ and docs/reference.md must be exactly what the TypeBox source generates. */
import { describe, expect, it } from 'vitest'
import { drift } from '../scripts/generate.js'

describe('generated files', () => {
  it('match the TypeBox source (run `npm run schema` after changing a schema)', () => {
    expect(drift()).toEqual([])
  })
})
