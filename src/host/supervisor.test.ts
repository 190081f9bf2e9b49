import { describe, expect, it } from 'vitest'
import type { BackgroundRestartPolicy } from '../protocol/types.js'
import { VirtualClock } from './clock.js'
import { DEFAULT_TASK_START_TIMEOUT_MS, TaskSupervisor, resolvePolicy, restartDelay, type TaskEvent, type TaskSupervisorOptions } from './supervisor.js'

const EXT = 'ext.a'
const TASK = 'sync'

/** A supervisor on a virtual clock that records every message it sends (with its time), event and diagnostic. */
function setup(options: Partial<Omit<TaskSupervisorOptions, 'clock' | 'sendStart' | 'sendStop'>> = {}) {
  const clock = new VirtualClock()
  const sent: string[] = []
  const events: TaskEvent[] = []
  const diagnostics: string[] = []
  const sup = new TaskSupervisor({
    clock,
    sendStart: (e, t) => sent.push(`start ${e}/${t} @${clock.now()}`),
    sendStop: (e, t) => sent.push(`stop ${e}/${t} @${clock.now()}`),
    onEvent: (e) => events.push(e),
    onDiagnostic: (d) => diagnostics.push(d),
    ...options,
  })
  const register = (restartPolicy: BackgroundRestartPolicy, taskId = TASK, ext = EXT) => sup.register(ext, { taskId, name: `Task ${taskId}`, userId: 'u1', restartPolicy })
  const status = (s: 'running' | 'stopped' | 'failed', error?: string, taskId = TASK, ext = EXT) =>
    sup.status(ext, error === undefined ? { taskId, status: s } : { taskId, status: s, error })
  const starts = () => sent.filter((m) => m.startsWith('start'))
  const types = () => events.map((e) => e.type)
  const view = (taskId = TASK, ext = EXT) => sup.task(ext, taskId)
  return { clock, sup, sent, events, diagnostics, register, status, starts, types, view }
}

describe('resolvePolicy and restartDelay (EXT-HOST-050, EXT-HOST-052)', () => {
  it('fills each missing field with its default and keeps the given ones', () => {
    expect(resolvePolicy({ type: 'always' })).toEqual({ type: 'always', maxRestarts: 0, initialDelayMs: 1000, maxDelayMs: 60_000, backoffMultiplier: 2 })
    expect(resolvePolicy({ type: 'never', maxRestarts: 3, initialDelayMs: 0, maxDelayMs: 5, backoffMultiplier: 1 })).toEqual({ type: 'never', maxRestarts: 3, initialDelayMs: 0, maxDelayMs: 5, backoffMultiplier: 1 })
    expect(resolvePolicy({ type: 'on-failure', backoffMultiplier: 3 })).toMatchObject({ maxRestarts: 0, initialDelayMs: 1000, maxDelayMs: 60_000, backoffMultiplier: 3 })
  })

  it('grows by the multiplier from the count before the increment and stops at the cap', () => {
    const p = resolvePolicy({ type: 'always' })
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => restartDelay(p, n))).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000])
    const q = resolvePolicy({ type: 'always', initialDelayMs: 100, backoffMultiplier: 1.5, maxDelayMs: 300 })
    expect([0, 1, 2, 3].map((n) => restartDelay(q, n))).toEqual([100, 150, 225, 300])
    expect(restartDelay(resolvePolicy({ type: 'always', initialDelayMs: 500, maxDelayMs: 200 }), 0)).toBe(200)
  })

  it('stays a number after the power overflows, also with a zero initial delay', () => {
    expect(restartDelay(resolvePolicy({ type: 'always' }), 5000)).toBe(60_000)
    expect(restartDelay(resolvePolicy({ type: 'always', initialDelayMs: 0 }), 5000)).toBe(0)
  })
})

describe('registration (EXT-HOST-050)', () => {
  it('sends the first start at once and awaits running', () => {
    const t = setup()
    expect(t.register({ type: 'always' })).toBe(true)
    expect(t.sent).toEqual([`start ${EXT}/${TASK} @0`])
    expect(t.view()).toMatchObject({ state: 'starting', restartCount: 0, name: 'Task sync', userId: 'u1', policy: resolvePolicy({ type: 'always' }) })
    t.status('running')
    expect(t.view()?.state).toBe('running')
    expect(t.events).toEqual([{ type: 'started', extensionId: EXT, taskId: TASK, restartCount: 0 }])
  })

  it('ignores a duplicate id of the same extension, keeping the first, but not the same id in another extension', () => {
    const t = setup()
    t.register({ type: 'never' })
    expect(t.register({ type: 'always' })).toBe(false)
    expect(t.view()?.policy.type).toBe('never')
    expect(t.starts()).toHaveLength(1)
    expect(t.diagnostics.join('\n')).toMatch(/already registered task sync/)
    expect(t.register({ type: 'always' }, TASK, 'ext.b')).toBe(true)
    expect(t.sup.tasks().map((v) => `${v.extensionId}/${v.taskId}`)).toEqual([`${EXT}/${TASK}`, `ext.b/${TASK}`])
    expect(t.sup.tasks('ext.b')).toHaveLength(1)
  })
})

describe('restart policies (EXT-HOST-051)', () => {
  const cases = [
    { type: 'always', end: 'stopped', restarts: true },
    { type: 'always', end: 'failed', restarts: true },
    { type: 'on-failure', end: 'stopped', restarts: false },
    { type: 'on-failure', end: 'failed', restarts: true },
    { type: 'never', end: 'stopped', restarts: false },
    { type: 'never', end: 'failed', restarts: false },
  ] as const
  for (const c of cases) {
    it(`${c.type} after ${c.end}: ${c.restarts ? 'restarts after the delay' : 'stays ' + c.end}`, () => {
      const t = setup()
      t.register({ type: c.type, initialDelayMs: 250 })
      t.status('running')
      t.status(c.end, c.end === 'failed' ? 'boom' : undefined)
      if (!c.restarts) {
        expect(t.view()).toMatchObject({ state: c.end, restartCount: 0 })
        expect(t.clock.pending).toBe(0)
        t.clock.runAll()
        expect(t.starts()).toHaveLength(1)
        return
      }
      expect(t.view()).toMatchObject({ state: 'restarting', restartCount: 1, nextStartAt: 250 })
      t.clock.advance(249)
      expect(t.starts()).toHaveLength(1)
      t.clock.advance(1)
      expect(t.starts()).toEqual([`start ${EXT}/${TASK} @0`, `start ${EXT}/${TASK} @250`])
      expect(t.view()?.state).toBe('starting')
      expect(t.view()?.nextStartAt).toBeUndefined()
    })
  }

  it('reports stopped, failed (with its error) and restarting with the delay', () => {
    const t = setup()
    t.register({ type: 'always' })
    t.status('running')
    t.status('failed', 'disk full')
    expect(t.view()?.lastError).toBe('disk full')
    t.clock.advance(1000)
    t.status('running')
    t.status('stopped')
    expect(t.events.slice(1)).toEqual([
      { type: 'failed', extensionId: EXT, taskId: TASK, restartCount: 0, error: 'disk full' },
      { type: 'restarting', extensionId: EXT, taskId: TASK, restartCount: 1, delayMs: 1000 },
      { type: 'started', extensionId: EXT, taskId: TASK, restartCount: 1 },
      { type: 'stopped', extensionId: EXT, taskId: TASK, restartCount: 1, requested: false },
      { type: 'restarting', extensionId: EXT, taskId: TASK, restartCount: 2, delayMs: 2000 },
    ])
  })
})

describe('backoff (EXT-HOST-052)', () => {
  it('follows the formula with the defaults, capped at 60 s, and never resets the count', () => {
    const t = setup()
    t.register({ type: 'always' })
    const delays: number[] = []
    for (let i = 0; i < 9; i++) {
      t.status('running')
      if (i === 4) t.clock.advance(3_600_000) // a long healthy run does not reset the count
      t.status('failed', `run ${i}`)
      const ev = t.events.at(-1)
      if (ev?.type !== 'restarting') throw new Error(`expected restarting, got ${ev?.type}`)
      delays.push(ev.delayMs)
      expect(t.view()?.nextStartAt).toBe(t.clock.now() + ev.delayMs)
      t.clock.advance(ev.delayMs)
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000])
    expect(t.view()?.restartCount).toBe(9)
    expect(t.starts()).toHaveLength(10)
  })
})

describe('exhaustion (EXT-HOST-053, EXT-HOST-054)', () => {
  it('stops restarting after maxRestarts, reports exhausted once, and keeps failed when the last run failed', () => {
    const t = setup()
    t.register({ type: 'on-failure', maxRestarts: 2, initialDelayMs: 10 })
    for (let i = 0; i < 3; i++) {
      t.status('running')
      t.status('failed', `e${i}`)
      t.clock.runAll()
    }
    expect(t.starts()).toHaveLength(3)
    expect(t.view()).toMatchObject({ state: 'failed', exhausted: true, restartCount: 2, lastError: 'e2' })
    expect(t.events.filter((e) => e.type === 'exhausted')).toEqual([{ type: 'exhausted', extensionId: EXT, taskId: TASK, restartCount: 2, state: 'failed' }])
    expect(t.clock.pending).toBe(0)
  })

  it('H3: a task whose runs ended normally stays stopped when exhausted, not failed', () => {
    const t = setup()
    t.register({ type: 'always', maxRestarts: 1, initialDelayMs: 0 })
    t.status('running')
    t.status('stopped')
    t.clock.runAll()
    t.status('running')
    t.status('stopped')
    expect(t.view()).toMatchObject({ state: 'stopped', exhausted: true, restartCount: 1 })
    expect(t.events.at(-1)).toMatchObject({ type: 'exhausted', state: 'stopped' })
  })

  it('H2: a duplicate stopped at the exhaustion edge neither counts nor lets a start follow the exhaustion', () => {
    const t = setup()
    t.register({ type: 'always', maxRestarts: 1, initialDelayMs: 100 })
    t.status('running')
    t.status('stopped')
    t.status('stopped') // upstream would count it: 1 >= 1, exhausted, with the restart timer still pending
    expect(t.view()).toMatchObject({ state: 'restarting', restartCount: 1, exhausted: false })
    expect(t.types()).not.toContain('exhausted')
    t.clock.advance(100)
    t.status('stopped') // stale again, now while the restart awaits its running
    expect(t.view()?.state).toBe('starting')
    t.status('running')
    t.status('stopped')
    t.status('stopped')
    expect(t.view()).toMatchObject({ state: 'stopped', exhausted: true, restartCount: 1 })
    t.clock.runAll()
    expect(t.starts()).toHaveLength(2)
    expect(t.types().filter((x) => x === 'exhausted')).toHaveLength(1)
  })
})

describe('a terminal status counts once per run (EXT-HOST-057, upstream B31)', () => {
  it('stopped then failed after one run counts once, and does not restart an on-failure task', () => {
    const t = setup()
    t.register({ type: 'on-failure', initialDelayMs: 5 })
    t.status('running')
    t.status('stopped')
    t.status('failed', 'aborted')
    expect(t.view()).toMatchObject({ state: 'stopped', restartCount: 0 })
    expect(t.view()?.lastError).toBeUndefined()
    t.clock.runAll()
    expect(t.starts()).toHaveLength(1)
    expect(t.diagnostics.join('\n')).toMatch(/failed \(error: aborted\) ignored .*no run is open/)
  })

  it('a double stopped of an always task schedules one restart with one timer', () => {
    const t = setup()
    t.register({ type: 'always' })
    t.status('running')
    t.status('stopped')
    t.status('stopped')
    expect(t.view()?.restartCount).toBe(1)
    expect(t.clock.pending).toBe(1)
    expect(t.types().filter((x) => x === 'restarting')).toHaveLength(1)
  })

  it('a duplicate or unsolicited running is ignored', () => {
    const t = setup()
    t.register({ type: 'always', initialDelayMs: 50 })
    t.status('running')
    t.status('running')
    expect(t.types()).toEqual(['started'])
    t.status('stopped')
    t.status('running') // no start awaits it: the restart is still on its timer
    expect(t.view()).toMatchObject({ state: 'restarting', nextStartAt: 50 })
    t.status('stopped')
    expect(t.view()?.restartCount).toBe(1)
  })
})

describe('a deliberate host stop is never undone (EXT-HOST-055, H1)', () => {
  it('sends stop, and the worker stopped echo restarts nothing', () => {
    const t = setup()
    t.register({ type: 'always', initialDelayMs: 0 })
    t.status('running')
    expect(t.sup.stop(EXT, TASK)).toBe(true)
    expect(t.sent.at(-1)).toBe(`stop ${EXT}/${TASK} @0`)
    t.status('stopped')
    t.status('failed', 'aborted')
    t.clock.runAll()
    expect(t.starts()).toHaveLength(1)
    expect(t.view()).toMatchObject({ state: 'stopped', stopRequested: true, restartCount: 0 })
    expect(t.events.at(-1)).toEqual({ type: 'stopped', extensionId: EXT, taskId: TASK, restartCount: 0, requested: true })
    expect(t.sup.stop(EXT, TASK)).toBe(false)
    expect(t.sent.filter((m) => m.startsWith('stop'))).toHaveLength(1)
  })

  it('clears a pending restart, and a running racing the stop is ignored', () => {
    const t = setup()
    t.register({ type: 'always', initialDelayMs: 1000 })
    t.status('running')
    t.status('failed', 'x')
    expect(t.clock.pending).toBe(1)
    t.sup.stop(EXT, TASK)
    expect(t.clock.pending).toBe(0)
    expect(t.view()?.nextStartAt).toBeUndefined()
    t.clock.advance(10_000)
    t.status('running')
    t.status('stopped')
    expect(t.starts()).toHaveLength(1)
    expect(t.view()?.state).toBe('stopped')
  })

  it('a stop while a start awaits its running cancels the confirmation timer', () => {
    const t = setup()
    t.register({ type: 'always' })
    t.sup.stop(EXT, TASK)
    expect(t.clock.pending).toBe(0)
    t.clock.runAll()
    expect(t.view()).toMatchObject({ state: 'stopped', unconfirmed: false })
  })

  it('only a deliberate start resumes it, and that start is not a restart', () => {
    const t = setup()
    t.register({ type: 'always', initialDelayMs: 0 })
    t.status('running')
    t.sup.stop(EXT, TASK)
    t.status('stopped')
    expect(t.sup.start(EXT, TASK)).toBe(true)
    expect(t.view()).toMatchObject({ state: 'starting', stopRequested: false, restartCount: 0 })
    t.status('running')
    t.status('stopped')
    expect(t.view()).toMatchObject({ state: 'restarting', restartCount: 1 })
    expect(t.starts()).toHaveLength(2)
  })
})

describe('host start (host API startTask)', () => {
  it('refuses a running, starting or unknown task', () => {
    const t = setup()
    expect(t.sup.start(EXT, TASK)).toBe(false)
    t.register({ type: 'always' })
    expect(t.sup.start(EXT, TASK)).toBe(false)
    t.status('running')
    expect(t.sup.start(EXT, TASK)).toBe(false)
    expect(t.starts()).toHaveLength(1)
  })

  it('takes a waiting restart now: one timer, the count stands', () => {
    const t = setup()
    t.register({ type: 'always', initialDelayMs: 5000 })
    t.status('running')
    t.status('stopped')
    t.clock.advance(10)
    expect(t.sup.start(EXT, TASK)).toBe(true)
    expect(t.starts().at(-1)).toBe(`start ${EXT}/${TASK} @10`)
    expect(t.clock.pending).toBe(1) // the confirmation timer only
    t.status('running')
    t.clock.advance(10_000)
    expect(t.starts()).toHaveLength(2)
    expect(t.view()).toMatchObject({ state: 'running', restartCount: 1 })
  })

  it('after exhaustion gives one more run, exhausted again at its end', () => {
    const t = setup()
    t.register({ type: 'on-failure', maxRestarts: 1, initialDelayMs: 0 })
    t.status('running')
    t.status('failed', 'a')
    t.clock.runAll()
    t.status('running')
    t.status('failed', 'b')
    expect(t.view()).toMatchObject({ exhausted: true, state: 'failed' })
    expect(t.sup.start(EXT, TASK)).toBe(true)
    expect(t.view()).toMatchObject({ exhausted: false, state: 'starting', restartCount: 1 })
    t.status('running')
    t.status('failed', 'c')
    t.clock.runAll()
    expect(t.view()).toMatchObject({ exhausted: true, state: 'failed', restartCount: 1, lastError: 'c' })
    expect(t.starts()).toHaveLength(3)
    expect(t.types().filter((x) => x === 'exhausted')).toHaveLength(2)
  })
})

describe('start confirmation (EXT-HOST-056)', () => {
  it('a start without running in time leaves the task stopped (unconfirmed) and is never retried', () => {
    const t = setup()
    t.register({ type: 'always', initialDelayMs: 100 })
    t.status('running')
    t.status('stopped') // the extension stopped it: same wire as a finished run
    t.clock.advance(100)
    expect(t.starts()).toHaveLength(2)
    t.clock.advance(DEFAULT_TASK_START_TIMEOUT_MS - 1)
    expect(t.view()?.state).toBe('starting')
    t.clock.advance(1)
    expect(t.view()).toMatchObject({ state: 'stopped', unconfirmed: true, restartCount: 1 })
    expect(t.events.at(-1)).toEqual({ type: 'unconfirmed', extensionId: EXT, taskId: TASK, restartCount: 1, waitedMs: DEFAULT_TASK_START_TIMEOUT_MS })
    t.clock.runAll()
    expect(t.starts()).toHaveLength(2)
    expect(t.clock.pending).toBe(0)
  })

  it('honours the configured timeout, and a late running still confirms the run', () => {
    const t = setup({ startTimeoutMs: 30 })
    t.register({ type: 'never' })
    t.clock.advance(30)
    expect(t.view()).toMatchObject({ state: 'stopped', unconfirmed: true })
    t.status('running')
    expect(t.view()).toMatchObject({ state: 'running', unconfirmed: false })
  })

  it("ends a start the worker answers with EXT-BG-006's unknown-task failure: failed, its error kept, no restart, no timer", () => {
    const t = setup()
    t.register({ type: 'always', initialDelayMs: 0 })
    t.status('failed', `Unknown background task ${TASK}`)
    expect(t.view()).toMatchObject({ state: 'failed', lastError: `Unknown background task ${TASK}`, unconfirmed: false, restartCount: 0 })
    expect(t.events.at(-1)).toEqual({ type: 'failed', extensionId: EXT, taskId: TASK, restartCount: 0, error: `Unknown background task ${TASK}` })
    expect(t.clock.pending).toBe(0)
    t.clock.runAll()
    expect(t.starts()).toHaveLength(1)
  })

  it('still ignores any other failed that answers a start: a stale duplicate cannot end it (EXT-HOST-057)', () => {
    const t = setup()
    t.register({ type: 'always', initialDelayMs: 0 })
    t.status('failed', 'boom')
    expect(t.view()).toMatchObject({ state: 'starting' })
    t.status('running')
    expect(t.view()).toMatchObject({ state: 'running' })
  })

  it('a running in time clears the confirmation timer', () => {
    const t = setup()
    t.register({ type: 'never' })
    expect(t.clock.pending).toBe(1)
    t.status('running')
    expect(t.clock.pending).toBe(0)
  })

  it('rejects a start timeout that is not a finite number >= 0', () => {
    expect(() => setup({ startTimeoutMs: -1 })).toThrow(/startTimeoutMs: expected a finite number >= 0, received -1/)
  })
})

describe('health (EXT-HOST-059)', () => {
  it('keeps the last report of a known task and reports it; drops an unknown task\'s', () => {
    const t = setup()
    t.register({ type: 'always' })
    t.status('running')
    t.sup.health(EXT, { taskId: TASK, status: 'ok', timestamp: '2026-01-01T00:00:00.000Z' })
    t.sup.health(EXT, { taskId: TASK, status: 'slow', timestamp: '2026-01-01T00:00:05.000Z' })
    expect(t.view()?.health).toEqual({ status: 'slow', timestamp: '2026-01-01T00:00:05.000Z' })
    expect(t.events.at(-1)).toEqual({ type: 'health', extensionId: EXT, taskId: TASK, status: 'slow', timestamp: '2026-01-01T00:00:05.000Z' })
    const before = t.events.length
    t.sup.health(EXT, { taskId: 'ghost', status: 'ok', timestamp: '2026-01-01T00:00:00.000Z' })
    t.sup.health('ext.other', { taskId: TASK, status: 'ok', timestamp: '2026-01-01T00:00:00.000Z' })
    expect(t.events).toHaveLength(before)
    expect(t.diagnostics.filter((d) => d.includes('background-task-health dropped'))).toHaveLength(2)
  })
})

describe('unknown tasks and dropped extensions (EXT-HOST-060, EXT-HOST-061)', () => {
  it('ignores statuses of an unknown task with a diagnostic', () => {
    const t = setup()
    t.status('failed', 'x', 'ghost')
    expect(t.events).toEqual([])
    expect(t.diagnostics).toEqual(['background-task-status failed dropped: extension ext.a has no task ghost (EXT-HOST-061)'])
  })

  it('dropExtension clears its timers and tasks and leaves other extensions alone', () => {
    const t = setup()
    t.register({ type: 'always' }, 'a')
    t.register({ type: 'always' }, 'a', 'ext.b')
    t.status('running', undefined, 'a')
    t.status('stopped', undefined, 'a')
    t.status('running', undefined, 'a', 'ext.b')
    t.status('stopped', undefined, 'a', 'ext.b')
    expect(t.clock.pending).toBe(2)
    t.sup.dropExtension(EXT)
    expect(t.clock.pending).toBe(1)
    expect(t.sup.tasks().map((v) => v.extensionId)).toEqual(['ext.b'])
    t.clock.runAll()
    expect(t.starts().filter((m) => m.includes(`${EXT}/`))).toHaveLength(1)
    expect(t.starts().filter((m) => m.includes('ext.b/'))).toHaveLength(2)
    t.status('running', undefined, 'a')
    expect(t.view('a')).toBeUndefined()
    expect(t.diagnostics.at(-1)).toMatch(/dropped: extension ext.a has no task a/)
  })
})

describe('host callbacks that throw', () => {
  it('a throwing sendStart or listener is reported and the supervisor carries on', () => {
    const clock = new VirtualClock()
    const diagnostics: string[] = []
    let starts = 0
    const sup = new TaskSupervisor({
      clock,
      sendStart: () => {
        starts++
        throw new Error('transport closed')
      },
      sendStop: () => undefined,
      onEvent: () => {
        throw new Error('ui gone')
      },
      onDiagnostic: (d) => diagnostics.push(d),
    })
    sup.register(EXT, { taskId: TASK, name: 'n', userId: 'u', restartPolicy: { type: 'always', initialDelayMs: 1 } })
    sup.status(EXT, { taskId: TASK, status: 'running' })
    sup.status(EXT, { taskId: TASK, status: 'stopped' })
    clock.advance(1)
    expect(starts).toBe(2)
    expect(sup.task(EXT, TASK)?.state).toBe('starting')
    expect(diagnostics.filter((d) => d.includes('could not be sent: transport closed'))).toHaveLength(2)
    expect(diagnostics.filter((d) => d.includes('listener threw'))).toHaveLength(3)
  })
})
