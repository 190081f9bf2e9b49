/** describeConformance({ protocol }): an implementer's suite for a worker of another protocol version. */
import { describe, expect, it } from 'vitest'
import { conformanceSelection, describeConformance } from '../conformance/vitest.js'
import { embeddedTarget } from '../conformance/reference/target.js'
import { referenceHostDriver } from '../conformance/reference/host-driver.js'

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

// The host role per version: the driver is told the version (ctx.protocol), and the host's messages
// are judged by that version's schema. The reference host passes the 0.36.0 host fixtures named here.
const HOST_FILTER = ['host/versions/collections-*', 'host/versions/secrets-*', 'host/versions/tools-list-*', 'host/versions/storage-outlives-unload-collections']
describeConformance('reference host speaking 0.36.0', { host: referenceHostDriver(), filter: HOST_FILTER, protocol: '0.36.0' })

// A host driver that ignores the version it is given speaks 0.22.1: judged as 0.36.0, its collection
// methods are unknown, so the fixtures fail (it.fails keeps this green only while the version reaches the driver).
describeConformance('a 0.22.1 host judged as 0.36.0', {
  host: (ctx) => referenceHostDriver()({ ...ctx, protocol: '0.22.1' }),
  filter: ['host/versions/collections-put-get-delete', 'host/versions/secrets-per-scope-list-keys'],
  expectedFailures: ['host/versions/collections-put-get-delete', 'host/versions/secrets-per-scope-list-keys'],
  protocol: '0.36.0',
  stepTimeoutMs: 300,
})

describe('the host fixtures describeConformance selects per protocol version', () => {
  it('takes the host fixtures of the version named', () => {
    const ids = conformanceSelection({ host: referenceHostDriver(), filter: HOST_FILTER, protocol: '0.36.0' }).map((l) => l.fixture.id)
    expect(ids).toEqual(expect.arrayContaining(['host/versions/collections-put-get-delete', 'host/versions/storage-outlives-unload-collections']))
    expect(conformanceSelection({ host: referenceHostDriver(), filter: HOST_FILTER, protocol: '0.22.1' }).map((l) => l.fixture.id)).toEqual([])
  })
})
