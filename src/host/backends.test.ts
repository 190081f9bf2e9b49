import { afterEach, describe, expect, it, vi } from 'vitest'
import { globalFetchNetwork, memoryChat, memoryEvents, memoryScheduler, memorySettings, memoryStorage, memoryUser, refusingDatabase } from './backends.js'

describe('memorySettings (EXT-HOST-027)', () => {
  it('starts from the defaults given to init, and set changes what get and getAll read', () => {
    const s = memorySettings()
    s.init?.('a', { greeting: 'hi', n: 1 })
    expect(s.getAll('a')).toEqual({ greeting: 'hi', n: 1 })
    s.set('a', 'greeting', 'hello')
    expect(s.get('a', 'greeting')).toBe('hello')
    expect(s.getAll('a')).toEqual({ greeting: 'hello', n: 1 })
    expect(s.getAll('b')).toEqual({})
    s.drop?.('a')
    expect(s.getAll('a')).toEqual({})
  })

  it('keeps extensions apart and is not aliased by the objects it is given or returns', () => {
    const s = memorySettings()
    const defaults = { list: [1] }
    s.init?.('a', defaults)
    defaults.list.push(2)
    const all = s.getAll('a') as { list: number[] }
    all.list.push(3)
    expect(s.getAll('a')).toEqual({ list: [1] })
    s.set('b', 'list', [9])
    expect(s.get('a', 'list')).toEqual([1])
  })

  it('stores a __proto__ key as a key, never as a prototype', () => {
    const s = memorySettings()
    s.set('a', '__proto__', { polluted: true })
    const all = s.getAll('a') as Record<string, unknown>
    expect(Object.getOwnPropertyNames(all)).toEqual(['__proto__'])
    expect(Object.getPrototypeOf(all)).toBe(Object.prototype)
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })
})

describe('memoryStorage (EXT-HOST-026)', () => {
  it('keeps global and per-user keys apart, whatever the key looks like', () => {
    const st = memoryStorage()
    const global = { extensionId: 'a' }
    const u1 = { extensionId: 'a', userId: 'u1' }
    st.set(global, 'user:u1:k', 'global')
    st.set(u1, 'k', 'user')
    st.set(u1, 'user:u1:k', 'user-2')
    expect(st.get(global, 'user:u1:k')).toBe('global')
    expect(st.get(u1, 'k')).toBe('user')
    expect(st.get(global, 'k')).toBeUndefined()
    expect(st.keys(global)).toEqual(['user:u1:k'])
    expect(st.keys(u1)).toEqual(['k', 'user:u1:k'])
  })

  it('keeps extensions and users apart, deletes per scope, and copies values', () => {
    const st = memoryStorage()
    const value = { n: 1 }
    st.set({ extensionId: 'a' }, 'k', value)
    value.n = 2
    expect(st.get({ extensionId: 'a' }, 'k')).toEqual({ n: 1 })
    expect(st.get({ extensionId: 'b' }, 'k')).toBeUndefined()
    expect(st.get({ extensionId: 'a', userId: 'u2' }, 'k')).toBeUndefined()
    st.set({ extensionId: 'a', userId: 'u2' }, 'k', 5)
    st.delete({ extensionId: 'a' }, 'k')
    expect(st.get({ extensionId: 'a' }, 'k')).toBeUndefined()
    expect(st.get({ extensionId: 'a', userId: 'u2' }, 'k')).toBe(5)
    expect(st.keys({ extensionId: 'zz' })).toEqual([])
    expect(st.keys({ extensionId: 'a', userId: 'none' })).toEqual([])
    st.delete({ extensionId: 'zz', userId: 'x' }, 'k')
  })
})

describe('memoryScheduler, memoryEvents, memoryChat, memoryUser, refusingDatabase', () => {
  it('the scheduler records jobs per extension; re-scheduling an id replaces it; cancel removes it', () => {
    const sch = memoryScheduler()
    const job = { id: 'j', schedule: { type: 'interval' as const, everyMs: 5 }, userId: 'u' }
    sch.schedule('a', job)
    sch.schedule('a', { ...job, id: 'k' })
    sch.schedule('a', { ...job, userId: 'v' })
    expect(sch.jobs('a').map((j) => [j.id, j.userId])).toEqual([
      ['k', 'u'],
      ['j', 'v'],
    ])
    expect(sch.jobs('b')).toEqual([])
    sch.cancel('a', 'k')
    sch.cancel('b', 'k')
    expect(sch.jobs('a').map((j) => j.id)).toEqual(['j'])
  })

  it('events are recorded with their extension and forwarded to the listener', () => {
    const seen: unknown[] = []
    const ev = memoryEvents((e) => seen.push(e))
    ev.emit('a', 'greeted', { who: 'Ada' })
    ev.emit('b', 'bare', undefined)
    expect(ev.emitted).toEqual([
      { extensionId: 'a', name: 'greeted', payload: { who: 'Ada' } },
      { extensionId: 'b', name: 'bare', payload: undefined },
    ])
    expect(seen).toEqual(ev.emitted)
  })

  it('chat records appended instructions', () => {
    const chat = memoryChat()
    chat.appendInstruction('a', { text: 'hi' })
    expect(chat.appended).toEqual([{ extensionId: 'a', instruction: { text: 'hi' } }])
  })

  it('the user profile is the one configured; without one the call fails clearly', () => {
    expect(memoryUser({ firstName: 'Ada' }).getProfile('a')).toEqual({ firstName: 'Ada' })
    expect(() => memoryUser().getProfile('a')).toThrow(/User profile not available/)
  })

  it('the reference database refuses every statement clearly (EXT-HOST-024)', () => {
    expect(() => refusingDatabase().execute('a', 'SELECT 1', [])).toThrow(/Database access is not configured/)
  })
})

describe('globalFetchNetwork', () => {
  afterEach(() => vi.unstubAllGlobals())

  it('calls the global fetch of call time with the options, and does not follow redirects by default', async () => {
    const calls: Array<[string, RequestInit | undefined]> = []
    const fake = async (url: string, init?: RequestInit) => {
      calls.push([url, init])
      return new Response('ok', { status: 200 })
    }
    vi.stubGlobal('fetch', fake)
    const net = globalFetchNetwork()
    const res = await net.fetch('https://example.com/', { method: 'POST', headers: [['a', 'b']], body: 'x', redirect: 'follow' })
    expect(await res.text()).toBe('ok')
    expect(calls[0]?.[0]).toBe('https://example.com/')
    expect(calls[0]?.[1]).toMatchObject({ method: 'POST', headers: [['a', 'b']], body: 'x', redirect: 'manual' })
    await globalFetchNetwork({ redirects: 'follow' }).fetch('https://example.com/', undefined)
    expect(calls[1]?.[1]?.redirect).toBe('follow')
  })

  it('fails clearly on a platform without fetch', async () => {
    vi.stubGlobal('fetch', undefined)
    await expect(globalFetchNetwork().fetch('https://example.com/', undefined)).rejects.toThrow(/no global fetch/)
  })
})
