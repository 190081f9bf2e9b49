/** describeConformance({ protocol }): an implementer's suite for a worker of another protocol version. */
import { describe, expect, it } from 'vitest'
import { conformanceSelection, describeConformance } from '../conformance/vitest.js'
import { embeddedTarget } from '../conformance/reference/target.js'

const FILTER = ['collections/storage-*', 'requests/*', 'tools-api/**', 'versions/**']

describe('the fixtures describeConformance selects per protocol version', () => {
  it('takes the fixtures of the version named, and 0.22.1 when none is', () => {
    const ids = (protocol?: string) => conformanceSelection({ filter: FILTER, ...(protocol === undefined ? {} : { protocol }) }).map((l) => l.fixture.id)
    const at036 = ids('0.36.0')
    expect(at036).toEqual(expect.arrayContaining(['collections/storage-get', 'requests/timeout-rejects-and-forgets-collections', 'tools-api/tools-list']))
    expect(at036).not.toContain('requests/storage-get')
    expect(at036).not.toContain('versions/tools-list-absent-before-0-30')
    const byDefault = ids()
    expect(byDefault).toEqual(ids('0.22.1'))
    expect(byDefault).toContain('requests/storage-get')
    expect(byDefault).not.toContain('collections/storage-get')
  })

  it('refuses a version that is not one, naming the known ones', () => {
    expect(() => conformanceSelection({ protocol: '0.99.0' })).toThrow(/protocol "0.99.0" is not a protocol version; expected one of .*0\.36\.0/)
  })
})

const at036 = embeddedTarget({ runtime: { protocol: '0.36.0' } })
describeConformance('reference runtime speaking 0.36.0', {
  connect: () => at036.connect(),
  features: ['short-request-timeout'],
  filter: FILTER,
  protocol: '0.36.0',
})

// A 0.22.1 runtime is not a 0.36.0 worker: judged as one, it fails (run as it.fails, so this stays
// green only while the version named changes the verdict).
const at0221 = embeddedTarget()
describeConformance('a 0.22.1 runtime judged as 0.36.0', {
  connect: () => at0221.connect(),
  filter: ['collections/storage-get', 'tools-api/tools-list'],
  expectedFailures: ['collections/storage-get', 'tools-api/tools-list'],
  protocol: '0.36.0',
  stepTimeoutMs: 300,
})
