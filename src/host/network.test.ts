/** The dispatcher's network.fetch over the platform fetch, against a real local HTTP server. */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createRequestDispatcher } from './dispatcher.js'

let server: Server
let base = ''
const hits: string[] = []

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(`${req.method} ${req.url}`)
    if (req.url === '/redirect') {
      res.writeHead(302, { Location: 'http://example.invalid/' })
      res.end()
      return
    }
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString('utf8')))
    req.on('end', () => {
      res.writeHead(201, 'Made', { 'X-Echo': 'yes', 'Content-Type': 'text/plain; charset=utf-8' })
      res.end(`${req.method} ${body} ✓`)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const ctx = { extensionId: 'ext-a', permissions: ['network:localhost'] }

describe('network.fetch over globalFetchNetwork', () => {
  it('fetches with the options and answers status, statusText, lower-case headers and the text body', async () => {
    const d = createRequestDispatcher()
    const r = await d.dispatch(ctx, { type: 'request', id: 'r', method: 'network.fetch', payload: { url: `${base}/echo`, options: { method: 'POST', body: 'hi', headers: { 'X-A': '1' } } } })
    expect(r.payload).toMatchObject({ success: true, data: { status: 201, statusText: 'Made', body: 'POST hi ✓' } })
    expect((r.payload.data as { headers: Record<string, string> }).headers['x-echo']).toBe('yes')
  })

  it('returns a redirect as it is, so following it is a new request under the URL rule', async () => {
    const d = createRequestDispatcher()
    const r = await d.dispatch(ctx, { type: 'request', id: 'r', method: 'network.fetch', payload: { url: `${base}/redirect` } })
    expect(r.payload).toMatchObject({ success: true, data: { status: 302 } })
    expect((r.payload.data as { headers: Record<string, string> }).headers['location']).toBe('http://example.invalid/')
  })

  it('a URL the permissions do not allow never reaches the server', async () => {
    const before = hits.length
    const d = createRequestDispatcher()
    const r = await d.dispatch({ extensionId: 'ext-a', permissions: ['network:example.com'] }, { type: 'request', id: 'r', method: 'network.fetch', payload: { url: `${base}/echo` } })
    expect(r.payload.success).toBe(false)
    expect(hits.length).toBe(before)
  })
})
