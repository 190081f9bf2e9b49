import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { networkAccess } from './network-access.js'

const allowed = (permissions: string[], url: string): boolean => networkAccess(permissions, url).ok
const error = (permissions: string[], url: string): string => {
  const r = networkAccess(permissions, url)
  return r.ok ? '' : r.error
}

describe('networkAccess (EXT-HOST-023)', () => {
  it('network:* allows every http, https, ws and wss URL, localhost included', () => {
    for (const url of ['http://example.com', 'https://a.b.c:8443/x?y#z', 'ws://localhost:1', 'wss://[::1]/', 'http://127.0.0.1:9']) {
      expect(allowed(['network:*'], url), url).toBe(true)
    }
  })

  it('network:<hostname> allows that host on every port, and no other host', () => {
    const p = ['network:example.com']
    expect(allowed(p, 'https://example.com')).toBe(true)
    expect(allowed(p, 'http://example.com:8080/path')).toBe(true)
    expect(allowed(p, 'wss://example.com:1/')).toBe(true)
    expect(allowed(p, 'https://example.org')).toBe(false)
    expect(allowed(p, 'https://example.com.evil.org')).toBe(false)
    expect(allowed(p, 'https://evilexample.com')).toBe(false)
  })

  it('matches no subdomain and no parent domain', () => {
    expect(allowed(['network:example.com'], 'https://api.example.com')).toBe(false)
    expect(allowed(['network:api.example.com'], 'https://example.com')).toBe(false)
    expect(allowed(['network:api.example.com'], 'https://api.example.com')).toBe(true)
  })

  it('network:<hostname>:<port> allows that port only, with the default port of the scheme', () => {
    expect(allowed(['network:example.com:8080'], 'http://example.com:8080/')).toBe(true)
    expect(allowed(['network:example.com:8080'], 'http://example.com:8081/')).toBe(false)
    expect(allowed(['network:example.com:8080'], 'http://example.com/')).toBe(false)
    expect(allowed(['network:example.com:443'], 'https://example.com/')).toBe(true)
    expect(allowed(['network:example.com:443'], 'https://example.com:443/')).toBe(true)
    expect(allowed(['network:example.com:443'], 'wss://example.com/')).toBe(true)
    expect(allowed(['network:example.com:80'], 'http://example.com/')).toBe(true)
    expect(allowed(['network:example.com:80'], 'ws://example.com/')).toBe(true)
    expect(allowed(['network:example.com:80'], 'https://example.com/')).toBe(false)
    expect(allowed(['network:example.com:443'], 'http://example.com/')).toBe(false)
    // wss: defaults to 443, not 80 (upstream quirk decided)
    expect(allowed(['network:example.com:80'], 'wss://example.com/')).toBe(false)
  })

  it('localhost, 127.0.0.1 and ::1 are allowed by network:localhost on every port', () => {
    for (const url of ['http://localhost', 'http://localhost:3000/x', 'https://127.0.0.1:1/', 'ws://[::1]:9000', 'http://[0:0:0:0:0:0:0:1]/', 'http://LOCALHOST/']) {
      expect(allowed(['network:localhost'], url), url).toBe(true)
    }
  })

  it('network:localhost:<port> allows the local host forms on that port only', () => {
    const p = ['network:localhost:3000']
    expect(allowed(p, 'http://localhost:3000')).toBe(true)
    expect(allowed(p, 'http://127.0.0.1:3000')).toBe(true)
    expect(allowed(p, 'http://[::1]:3000')).toBe(true)
    expect(allowed(p, 'http://localhost:3001')).toBe(false)
    expect(allowed(p, 'http://localhost')).toBe(false)
    expect(allowed(['network:localhost:80'], 'http://localhost')).toBe(true)
    expect(allowed(['network:localhost:443'], 'https://[::1]')).toBe(true)
  })

  it('a host permission never reaches localhost, and network:localhost reaches nothing else', () => {
    expect(allowed(['network:example.com'], 'http://localhost')).toBe(false)
    expect(allowed(['network:example.com'], 'http://example.com@localhost/')).toBe(false)
    expect(allowed(['network:localhost'], 'http://localhost.example.com')).toBe(false)
    expect(allowed(['network:localhost'], 'http://localhost@example.com/')).toBe(false)
    expect(allowed(['network:localhost'], 'http://example.com')).toBe(false)
  })

  it('refuses other schemes whatever is granted', () => {
    for (const url of ['ftp://example.com/', 'file:///etc/passwd', 'data:text/plain,hi', 'javascript:alert(1)', 'blob:https://example.com/x', 'gopher://example.com']) {
      expect(allowed(['network:*'], url), url).toBe(false)
      expect(error(['network:*'], url)).toMatch(/scheme .* is not allowed/)
    }
  })

  it('refuses unparsable URLs with an Invalid URL error', () => {
    for (const url of ['', 'not a url', 'example.com', '//example.com', 'http://', 'http://exa mple.com']) {
      expect(allowed(['network:*'], url), url).toBe(false)
      expect(error(['network:*'], url)).toMatch(/^Invalid URL: /)
    }
  })

  it('names the host, port and permission needed', () => {
    expect(error([], 'https://example.com/x')).toBe('Network access to example.com:443 not allowed. Required permission: network:example.com:443')
    expect(error(['network:example.com'], 'http://[::1]:8080/')).toBe('Network access to [::1]:8080 not allowed. Required permission: network:localhost:8080')
  })

  it('compares host names without case', () => {
    expect(allowed(['network:Example.COM'], 'https://EXAMPLE.com')).toBe(true)
  })

  it('ignores non-network and non-string permissions, and needs a permission at all', () => {
    expect(allowed([], 'https://example.com')).toBe(false)
    expect(allowed(['storage.local', 'network:'], 'https://example.com')).toBe(false)
    expect(allowed([42 as unknown as string, null as unknown as string, 'network:example.com'], 'https://example.com')).toBe(true)
  })

  it('keeps errors short for huge URLs, and never throws on any string', () => {
    const huge = `https://${'a'.repeat(5_000_000)}.com/`
    expect(error([], huge).length).toBeLessThan(20_000)
    expect(error([], `x${'y'.repeat(1_000_000)}`).length).toBeLessThan(400)
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string(), { maxLength: 4 }), (url, permissions) => {
        const r = networkAccess(permissions, url)
        expect(typeof r.ok).toBe('boolean')
      }),
      { numRuns: 300 },
    )
  })
})
