import { describe, expect, it } from 'vitest'
import { VirtualClock, systemClock } from './clock.js'

describe('VirtualClock', () => {
  it('runs callbacks in due order, each at its own time, including ones scheduled on the way', () => {
    const clock = new VirtualClock()
    const seen: string[] = []
    clock.setTimeout(() => seen.push(`b@${clock.now()}`), 20)
    clock.setTimeout(() => {
      seen.push(`a@${clock.now()}`)
      clock.setTimeout(() => seen.push(`c@${clock.now()}`), 5)
    }, 10)
    clock.setTimeout(() => seen.push(`late@${clock.now()}`), 100)
    clock.advance(30)
    expect(seen).toEqual(['a@10', 'c@15', 'b@20'])
    expect(clock.now()).toBe(30)
    expect(clock.pending).toBe(1)
    expect(clock.nextDue()).toBe(100)
  })

  it('clears timers, keeps ties in scheduling order, and never moves backwards', () => {
    const clock = new VirtualClock(5)
    const seen: number[] = []
    const h = clock.setTimeout(() => seen.push(0), 1)
    clock.setTimeout(() => seen.push(1), 1)
    clock.setTimeout(() => seen.push(2), 1)
    clock.clearTimeout(h)
    clock.clearTimeout(h)
    clock.advanceTo(0)
    expect(clock.now()).toBe(5)
    clock.advanceTo(6)
    expect(seen).toEqual([1, 2])
  })

  it('runAll stops a self-rescheduling callback at its limit', () => {
    const clock = new VirtualClock()
    const tick = (): void => void clock.setTimeout(tick, 1000)
    tick()
    expect(clock.runAll(50)).toBe(50)
    expect(clock.now()).toBe(50_000)
  })
})

describe('systemClock', () => {
  it('fires and clears real timers', async () => {
    const clock = systemClock()
    let cleared = false
    const h = clock.setTimeout(() => (cleared = true), 0)
    clock.clearTimeout(h)
    await new Promise<void>((resolve) => clock.setTimeout(resolve, 1))
    expect(cleared).toBe(false)
  })
})
