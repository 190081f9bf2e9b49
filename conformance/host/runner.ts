/**
 * The host-role runner: plays the worker(s) of one host-role fixture against a fresh host behind
 * its driver (docs/host-driver.md), checks every host message against the schemas and the trace
 * invariants of the host role, and reports the first divergence with the requirement it breaks.
 * It produces the same {@link FixtureResult} as the worker role, so verdicts, reporters, expected
 * failures and selection serve both.
 */
import { validatorFor } from '../../src/validate/index.js'
import type { ValidationError } from '../../src/validate/errors.js'
import type { CloseInfo, Disposable, Transport } from '../../src/transport/types.js'
import { describeClose } from '../../src/host/peer.js'
import { match, show, substitute, type Bindings, type Mismatch } from '../fixture/match.js'
import { DEFAULT_WORKER, type DriverCommand, type ExpectStep, type Fixture, type Step } from '../fixture/schema.js'
import type { Failure, FixtureResult, FixtureStatus, RunOptions } from '../runner.js'
import { FixtureStop, sleep, Stopped } from '../wait.js'
import { DEFAULT_DRIVER_PROTOCOL, type HostTarget } from './driver.js'
import { isKnownVersion, resolveProfile } from '../../src/protocol/versions.js'
import type { ProtocolValidator } from '../../src/validate/validator.js'
import { FixtureHttpServer, substituteHttp } from './http.js'
import { checkTaskInvariants } from './task-invariants.js'
import { probeUnordered } from '../fixture/unordered.js'

/** Requirements the host-role invariants judge (docs/spec/host.md). */
export const HOST_INVARIANTS = {
  /** `activate` is sent exactly once per worker. */
  activateOnce: 'EXT-HOST-001',
  /** Exactly one response per request. */
  oneResponse: 'EXT-HOST-020',
} as const

/** Default cap on lines from one driver channel (one fixture): more is a flood. */
export const DEFAULT_MAX_DRIVER_LINES = 10_000

/** One thing the suite saw on the driver channel, in arrival order. */
export interface ChannelEntry {
  readonly index: number
  /** `wire`: a host->worker message; `close`: the host closed a worker connection; `result`: a command's result; `event`: a host event. */
  readonly kind: 'wire' | 'close' | 'result' | 'event'
  readonly worker?: string
  /** The message, the result (`{ok, value}` or `{ok, error}`) or the event. */
  readonly value: unknown
  /** Command id of a result. */
  readonly id?: string
  /** Wire-schema errors of a host message (strict). */
  readonly errors: readonly ValidationError[]
}

/** A timeline entry of a host-role trace. */
interface TraceEntry {
  readonly direction: 'host-to-worker' | 'worker-to-host' | 'driver-command' | 'driver-result' | 'host-event' | 'worker-closed' | 'host-closed-worker'
  readonly worker?: string
  readonly message: unknown
}

class WaitTimeout extends Error {}
class ChannelClosed extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The suite's end of a driver channel: it records, validates and waits, so nothing can hang. */
export class DriverSession {
  readonly entries: ChannelEntry[] = []
  readonly trace: TraceEntry[] = []
  /** Lines from the driver that break the driver protocol, and transport errors. */
  readonly protocolErrors: string[] = []
  private readonly waiters = new Set<{ from: number; test: (e: ChannelEntry) => boolean; resolve: (e: ChannelEntry) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>()
  private readonly subscriptions: Disposable[]
  readonly validator: ProtocolValidator
  private closeInfo: CloseInfo | undefined
  private overflowText: string | undefined
  private nextId = 0
  private readonly closedWorkers = new Set<string>()

  constructor(
    readonly channel: Transport,
    private readonly maxLines = DEFAULT_MAX_DRIVER_LINES,
    validator?: ProtocolValidator,
  ) {
    // What the host sends is judged by the run's version (strict); 0.22.1's by default.
    this.validator = validator ?? validatorFor({ mode: 'strict' })
    this.subscriptions = [
      channel.onMessage((line) => this.receive(line)),
      channel.onError((error) => this.protocolErrors.push(`driver channel error: ${error.message}`)),
      channel.onClose((info) => this.closed(info)),
    ]
  }

  get closedWith(): CloseInfo | undefined {
    return this.closeInfo
  }

  get overflow(): string | undefined {
    return this.overflowText
  }

  private receive(line: unknown): void {
    if (this.overflowText !== undefined) return
    if (this.entries.length >= this.maxLines) {
      this.overflowText = `flood: the driver sent more than ${this.maxLines} lines in one fixture; the channel was closed and the host stopped`
      void this.channel.close().catch(() => undefined)
      return
    }
    if (!isObject(line) || (line['ch'] !== 'wire' && line['ch'] !== 'ctl')) return void this.protocolErrors.push(`not a driver line (expected an object with "ch": "wire" or "ctl"): ${show(line)}`)
    if (line['ch'] === 'wire') {
      const worker = line['worker']
      if (typeof worker !== 'string') return void this.protocolErrors.push(`a wire line without a "worker" name: ${show(line)}`)
      if (line['close'] === true) {
        this.closedWorkers.add(worker)
        this.trace.push({ direction: 'host-closed-worker', worker, message: null })
        return this.add({ kind: 'close', worker, value: null, errors: [] })
      }
      if (!('msg' in line)) return void this.protocolErrors.push(`a wire line with neither "msg" nor "close": ${show(line)}`)
      const msg = line['msg']
      const checked = this.validator.validateHostToWorker(msg)
      this.trace.push({ direction: 'host-to-worker', worker, message: msg })
      return this.add({ kind: 'wire', worker, value: msg, errors: checked.ok ? [] : checked.errors })
    }
    if (isObject(line['event'])) {
      this.trace.push({ direction: 'host-event', message: line['event'] })
      return this.add({ kind: 'event', value: line['event'], errors: [] })
    }
    const id = line['id']
    if (typeof id === 'string' && typeof line['ok'] === 'boolean') {
      const value = line['ok'] ? { ok: true, ...('value' in line ? { value: line['value'] } : {}) } : { ok: false, error: typeof line['error'] === 'string' ? line['error'] : show(line['error']) }
      this.trace.push({ direction: 'driver-result', message: { id, ...value } })
      return this.add({ kind: 'result', id, value, errors: [] })
    }
    this.protocolErrors.push(`a ctl line that is neither a result ({"id", "ok"}) nor an event ({"event"}): ${show(line)}`)
  }

  private add(entry: Omit<ChannelEntry, 'index'>): void {
    const full: ChannelEntry = { ...entry, index: this.entries.length }
    this.entries.push(full)
    for (const w of [...this.waiters]) {
      if (full.index >= w.from && w.test(full)) {
        this.waiters.delete(w)
        clearTimeout(w.timer)
        w.resolve(full)
      }
    }
  }

  private closed(info: CloseInfo): void {
    this.closeInfo = info
    for (const w of [...this.waiters]) {
      this.waiters.delete(w)
      clearTimeout(w.timer)
      w.reject(new ChannelClosed(`the driver channel closed (${describeClose(info)})`))
    }
  }

  /** Waits for the first entry at `from` or later passing `test`. */
  waitFor(test: (e: ChannelEntry) => boolean, timeoutMs: number, from = 0): Promise<ChannelEntry> {
    for (let i = from; i < this.entries.length; i++) if (test(this.entries[i] as ChannelEntry)) return Promise.resolve(this.entries[i] as ChannelEntry)
    if (this.closeInfo) return Promise.reject(new ChannelClosed(`the driver channel closed (${describeClose(this.closeInfo)})`))
    return new Promise((resolve, reject) => {
      const w = {
        from,
        test,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(w)
          reject(new WaitTimeout(`timed out after ${timeoutMs} ms`))
        }, timeoutMs),
      }
      this.waiters.add(w)
    })
  }

  /** Sends a worker message on connection `worker`. */
  sendWire(worker: string, message: unknown): void {
    this.trace.push({ direction: 'worker-to-host', worker, message })
    this.channel.send({ ch: 'wire', worker, msg: message })
  }

  /** The worker on connection `worker` goes away. */
  closeWorker(worker: string): void {
    this.trace.push({ direction: 'worker-closed', worker, message: null })
    this.channel.send({ ch: 'wire', worker, close: true })
  }

  /** Sends a command; returns its id. */
  command(cmd: string, args: Readonly<Record<string, unknown>>): string {
    const id = `c${++this.nextId}`
    this.trace.push({ direction: 'driver-command', message: { id, cmd, args } })
    this.channel.send({ ch: 'ctl', id, cmd, args })
    return id
  }

  async close(): Promise<void> {
    for (const s of this.subscriptions) s.dispose()
    for (const w of [...this.waiters]) {
      clearTimeout(w.timer)
      w.reject(new ChannelClosed('the session was closed'))
    }
    this.waiters.clear()
    await this.channel.close()
  }
}

/** Thrown by a failing host-role step. */
export class HostStepFailure extends Error {
  constructor(readonly failure: Failure) {
    super(`${failure.requirement}: ${failure.message}`)
    this.name = 'HostStepFailure'
  }
}

/** Commands of a fixture's `do` steps. */
export function commandsOf(fixture: Fixture): DriverCommand[] {
  return [...new Set(fixture.steps.flatMap((s) => ('do' in s ? [s.do] : [])))]
}

/** Plays the steps of one host-role fixture on one driver session. */
export class HostFixtureRun {
  private readonly bindings: Bindings = new Map()
  private readonly consumed = new Set<number>()
  private position = -1
  private eventPosition = -1
  private readonly labels = new Map<string, string>()
  private step = 0

  constructor(
    private readonly fixture: Fixture,
    private readonly session: DriverSession,
    private readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
    /** The fixture's scripted network, when it has an `http` section. */
    private readonly http?: FixtureHttpServer,
  ) {}

  get currentStep(): number {
    return this.step
  }

  private requirementOf(step?: { requirement?: string }): string {
    return step?.requirement ?? (this.fixture.requirements[0] as string)
  }

  private fail(failure: Omit<Failure, 'step'>): never {
    throw new HostStepFailure({ ...failure, step: this.step })
  }

  /** Runs `wait`, turning a closed channel into a transport failure and an abort into {@link Stopped}. */
  private async guard<T>(wait: () => Promise<T>): Promise<T | undefined> {
    try {
      return await wait()
    } catch (error) {
      if (this.signal?.aborted) throw new Stopped()
      if (error instanceof WaitTimeout) return undefined
      if (error instanceof ChannelClosed) {
        const info = this.session.closedWith
        this.fail({ requirement: this.requirementOf(), kind: 'transport', message: `the host (driver) went away: ${this.session.overflow ?? (info ? describeClose(info) : error.message)}` })
      }
      throw error
    }
  }

  async next(step: Step): Promise<void> {
    this.step++
    if (this.signal?.aborted) throw new Stopped()
    if ('send' in step) return this.send(step.send, step.worker ?? DEFAULT_WORKER, step.invalid === true)
    if ('sendRaw' in step) return this.session.sendWire(step.worker ?? DEFAULT_WORKER, step.sendRaw)
    if ('waitMs' in step) return sleep(step.waitMs, this.signal)
    if ('expectNone' in step) return this.expectNone(step.expectNone, step.withinMs, step.worker, step.requirement)
    if ('unordered' in step) return this.unordered(step.unordered)
    if ('expect' in step) return this.expectOne(step)
    if ('do' in step) return this.doCommand(step.do, step.args ?? {}, step.label, step.expectResult, step.timeoutMs, step.requirement)
    if ('awaitResult' in step) return this.awaitResult(this.labels.get(step.awaitResult), step.expectResult, step.timeoutMs, step.requirement)
    if ('expectEvent' in step) return this.expectEvent(step.expectEvent, step.timeoutMs, step.requirement)
    if ('expectNoEvent' in step) return this.expectNoEvent(step.expectNoEvent, step.withinMs, step.requirement)
    if ('closeWorker' in step) return this.session.closeWorker(step.closeWorker)
    if ('expectClosed' in step) return this.expectClosed(step.expectClosed, step.timeoutMs, step.requirement)
    if ('httpRelease' in step) return this.httpServer().release(step.httpRelease)
    if ('expectHttpClosed' in step) return this.expectHttpClosed(step.expectHttpClosed, step.timeoutMs, step.requirement)
    this.fail({ requirement: this.requirementOf(), kind: 'suite', message: `fixture error: a ${Object.keys(step)[0] ?? ''} step belongs to worker-role fixtures` })
  }

  private httpServer(): FixtureHttpServer {
    if (this.http === undefined) this.fail({ requirement: this.requirementOf(), kind: 'suite', message: 'fixture error: an http step in a fixture without an http section' })
    return this.http
  }

  private async expectHttpClosed(route: string, timeoutMs: number | undefined, requirement: string | undefined): Promise<void> {
    const server = this.httpServer()
    const wait = timeoutMs ?? this.timeoutMs
    const closed = await server.waitUntil(() => server.closedEarly(route) > 0, wait, this.signal)
    if (this.signal?.aborted) throw new Stopped()
    if (!closed) {
      this.fail({
        requirement: requirement ?? this.requirementOf(),
        kind: 'expect',
        message: `the host did not close its connection for ${route} within ${wait} ms (the body is still being read; ${server.requests(route)} request(s) reached the route)`,
        expected: `the response body of ${route} cancelled`,
      })
    }
  }

  private substitute(template: unknown): unknown {
    try {
      return substitute(substituteHttp(template, this.http), this.bindings)
    } catch (error) {
      this.fail({ requirement: this.requirementOf(), kind: 'suite', message: `fixture error: ${(error as Error).message}` })
    }
  }

  private send(template: Record<string, unknown>, worker: string, invalid: boolean): void {
    const message = this.substitute(template)
    const checked = this.session.validator.validateWorkerToHost(message)
    if (!invalid && !checked.ok) this.fail({ requirement: this.requirementOf(), kind: 'suite', message: `fixture error: the fixture sends an invalid worker message: ${checked.errors[0]?.message}`, actual: show(message) })
    this.session.sendWire(worker, message)
  }

  /**
   * `load` gets the fixture's manifest defaults: id (extensionId or `conformance`), version 1.0.0, its
   * permissions, no settings, worker `main`; `args.manifest` overrides them, and a field it sets to
   * `null` is left out (a manifest without permissions, EXT-HOST-002).
   */
  private argsOf(command: DriverCommand, args: Record<string, unknown>): Record<string, unknown> {
    const given = this.substitute(args) as Record<string, unknown>
    if (command !== 'load') return given
    const overrides = isObject(given['manifest']) ? given['manifest'] : {}
    const merged: Record<string, unknown> = { id: this.fixture.extensionId ?? 'conformance', version: '1.0.0', permissions: this.fixture.permissions, settings: {}, ...overrides }
    return { ...given, worker: given['worker'] ?? DEFAULT_WORKER, manifest: Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== null)) }
  }

  private async doCommand(command: DriverCommand, args: Record<string, unknown>, label: string | undefined, expected: Record<string, unknown> | undefined, timeoutMs: number | undefined, requirement: string | undefined): Promise<void> {
    const id = this.session.command(command, this.argsOf(command, args))
    if (label !== undefined) this.labels.set(label, id)
    if (expected !== undefined) await this.awaitResult(id, expected, timeoutMs, requirement, command)
  }

  private async awaitResult(id: string | undefined, expected: Record<string, unknown>, timeoutMs: number | undefined, requirement: string | undefined, command?: string): Promise<void> {
    if (id === undefined) this.fail({ requirement: this.requirementOf(), kind: 'suite', message: 'fixture error: awaitResult names no earlier labelled do step' })
    const wait = timeoutMs ?? this.timeoutMs
    const entry = await this.guard(() => this.session.waitFor((e) => e.kind === 'result' && e.id === id, wait))
    if (entry === undefined) {
      this.fail({ requirement: this.requirementOf({ ...(requirement ? { requirement } : {}) }), kind: 'expect', message: `the driver reported no result for ${command ?? 'the command'} within ${wait} ms`, expected: show(expected) })
    }
    const m = match(expected, entry.value, this.bindings)
    if (!m.ok) {
      this.fail({
        requirement: this.requirementOf({ ...(requirement ? { requirement } : {}) }),
        kind: 'expect',
        message: `the result differs at ${m.mismatch.path || '(result)'}: expected ${m.mismatch.expected}, got ${m.mismatch.actual}`,
        expected: show(expected),
        actual: show(entry.value),
        path: m.mismatch.path,
      })
    }
    for (const [k, v] of m.captures) this.bindings.set(k, v)
  }

  /** The first unconsumed entry after `after` of `kind` (and worker) matching `pattern`. */
  private scan(pattern: unknown, after: number, kind: 'wire' | 'event', worker: string | undefined): { e: ChannelEntry; captures: Bindings } | undefined {
    const type = (pattern as { type?: unknown } | null)?.type
    for (let i = after + 1; i < this.session.entries.length; i++) {
      const e = this.session.entries[i] as ChannelEntry
      if (e.kind !== kind || this.consumed.has(i) || (worker !== undefined && e.worker !== worker)) continue
      if (typeof type === 'string' && (e.value as { type?: unknown } | null)?.type !== type) continue
      const m = match(pattern, e.value, this.bindings)
      if (m.ok) return { e, captures: m.captures }
    }
    return undefined
  }

  private nearest(pattern: unknown, after: number, kind: 'wire' | 'event', worker: string | undefined): { actual?: string; path?: string; message: string } {
    const type = (pattern as { type?: unknown } | null)?.type
    let best: { e: ChannelEntry; mismatch: Mismatch } | undefined
    const seen: string[] = []
    for (let i = after + 1; i < this.session.entries.length; i++) {
      const e = this.session.entries[i] as ChannelEntry
      if (e.kind !== kind || this.consumed.has(i) || (worker !== undefined && e.worker !== worker)) continue
      seen.push(String((e.value as { type?: unknown } | null)?.type))
      if (typeof type === 'string' && (e.value as { type?: unknown } | null)?.type !== type) continue
      const m = match(pattern, e.value, this.bindings)
      if (!m.ok && (!best || m.mismatch.path.length > best.mismatch.path.length)) best = { e, mismatch: m.mismatch }
    }
    if (best) return { actual: show(best.e.value), path: best.mismatch.path, message: `at ${best.mismatch.path || '(message)'}: expected ${best.mismatch.expected}, got ${best.mismatch.actual}` }
    return { message: seen.length > 0 ? `received instead: ${seen.slice(0, 12).join(', ')}` : 'nothing was received' }
  }

  /** Waits until `probe` finds something or `deadline` passes. */
  private async until<T>(probe: () => T | undefined, deadline: number): Promise<T | undefined> {
    for (;;) {
      const found = probe()
      if (found !== undefined) return found
      const remaining = deadline - performance.now()
      if (remaining <= 0) return undefined
      const seen = this.session.entries.length
      const next = await this.guard(() => this.session.waitFor(() => true, remaining, seen))
      if (next === undefined) return probe()
    }
  }

  private async expectOne(step: ExpectStep): Promise<void> {
    const worker = step.worker ?? DEFAULT_WORKER
    const wait = step.timeoutMs ?? this.timeoutMs
    const found = await this.until(() => this.scan(step.expect, this.position, 'wire', worker), performance.now() + wait)
    if (found) {
      this.consumed.add(found.e.index)
      for (const [k, v] of found.captures) this.bindings.set(k, v)
      this.position = found.e.index
      return
    }
    const early = this.scan(step.expect, -1, 'wire', worker)
    const near = this.nearest(step.expect, this.position, 'wire', worker)
    this.fail({
      requirement: this.requirementOf(step),
      kind: 'expect',
      message: early
        ? `expected message arrived out of order (entry #${early.e.index}, before the previous expectation's match #${this.position})`
        : `expected host message on worker ${worker} did not arrive within ${wait} ms; ${near.message}`,
      expected: show(step.expect),
      ...(early ? { actual: show(early.e.value) } : near.actual !== undefined ? { actual: near.actual, path: near.path as string } : {}),
    })
  }

  private async unordered(members: readonly ExpectStep[]): Promise<void> {
    const start = this.position
    const matched = new Map<number, number>()
    const labels = new Map<string, number>()
    const deadline = performance.now() + Math.max(...members.map((m) => m.timeoutMs ?? this.timeoutMs))
    const probe = () =>
      probeUnordered(
        members,
        start,
        matched,
        labels,
        (member, after) => this.scan(member.expect, after, 'wire', member.worker ?? DEFAULT_WORKER),
        (found) => {
          this.consumed.add(found.e.index)
          for (const [k, v] of found.captures) this.bindings.set(k, v)
          return found.e.index
        },
      ) || undefined
    if (await this.until(probe, deadline)) {
      this.position = Math.max(start, ...matched.values())
      return
    }
    const missing = members.findIndex((_, i) => !matched.has(i))
    const member = members[missing] as ExpectStep
    const near = this.nearest(member.expect, start, 'wire', member.worker ?? DEFAULT_WORKER)
    this.fail({
      requirement: this.requirementOf(member),
      kind: 'expect',
      message: `unordered group: member ${missing + 1} of ${members.length} did not arrive; ${near.message}`,
      expected: show(member.expect),
      ...(near.actual !== undefined ? { actual: near.actual, path: near.path as string } : {}),
    })
  }

  private async expectNone(pattern: Record<string, unknown>, withinMs: number, worker: string | undefined, requirement: string | undefined): Promise<void> {
    await sleep(withinMs, this.signal)
    const found = this.scan(pattern, this.position, 'wire', worker)
    if (found) {
      this.fail({ requirement: requirement ?? this.requirementOf(), kind: 'expect-none', message: `a host message that must not arrive did (entry #${found.e.index}, worker ${found.e.worker ?? '?'})`, expected: `nothing matching ${show(pattern)}`, actual: show(found.e.value) })
    }
  }

  private async expectEvent(pattern: Record<string, unknown>, timeoutMs: number | undefined, requirement: string | undefined): Promise<void> {
    const wait = timeoutMs ?? this.timeoutMs
    const found = await this.until(() => this.scan(pattern, this.eventPosition, 'event', undefined), performance.now() + wait)
    if (found) {
      this.consumed.add(found.e.index)
      for (const [k, v] of found.captures) this.bindings.set(k, v)
      this.eventPosition = found.e.index
      return
    }
    const near = this.nearest(pattern, this.eventPosition, 'event', undefined)
    this.fail({
      requirement: requirement ?? this.requirementOf(),
      kind: 'expect',
      message: `expected host event was not reported within ${wait} ms; ${near.message}`,
      expected: show(pattern),
      ...(near.actual !== undefined ? { actual: near.actual, path: near.path as string } : {}),
    })
  }

  private async expectNoEvent(pattern: Record<string, unknown>, withinMs: number, requirement: string | undefined): Promise<void> {
    await sleep(withinMs, this.signal)
    const found = this.scan(pattern, this.eventPosition, 'event', undefined)
    if (found) this.fail({ requirement: requirement ?? this.requirementOf(), kind: 'expect-none', message: `a host event that must not be reported was (entry #${found.e.index})`, expected: `no event matching ${show(pattern)}`, actual: show(found.e.value) })
  }

  private async expectClosed(worker: string, timeoutMs: number | undefined, requirement: string | undefined): Promise<void> {
    const wait = timeoutMs ?? this.timeoutMs
    const entry = await this.guard(() => this.session.waitFor((e) => e.kind === 'close' && e.worker === worker, wait))
    if (entry === undefined) this.fail({ requirement: requirement ?? this.requirementOf(), kind: 'expect', message: `the host did not close worker connection ${worker} within ${wait} ms`, expected: `worker ${worker} closed` })
  }
}

/** Host-role trace invariants: one `activate` per worker connection, one `response` per worker request, and the task-start and unload bounds of ./task-invariants.ts. */
export function checkHostInvariants(trace: readonly TraceEntry[]): Array<{ requirement: string; message: string }> {
  const out: Array<{ requirement: string; message: string }> = []
  const activates = new Map<string, number>()
  const requests = new Set<string>()
  const responses = new Map<string, number>()
  for (const t of trace) {
    const m = t.message as { type?: unknown; id?: unknown; payload?: { requestId?: unknown } } | null
    if (!isObject(m)) continue
    const key = (id: unknown) => `${t.worker ?? ''}\u0000${String(id)}`
    if (t.direction === 'worker-to-host' && m.type === 'request' && typeof m.id === 'string') requests.add(key(m.id))
    if (t.direction !== 'host-to-worker') continue
    if (m.type === 'activate') {
      const n = (activates.get(t.worker ?? '') ?? 0) + 1
      activates.set(t.worker ?? '', n)
      if (n === 2) out.push({ requirement: HOST_INVARIANTS.activateOnce, message: `the host sent activate more than once on worker connection ${t.worker ?? '?'}` })
    }
    if (m.type === 'response' && typeof m.payload?.requestId === 'string' && requests.has(key(m.payload.requestId))) {
      const n = (responses.get(key(m.payload.requestId)) ?? 0) + 1
      responses.set(key(m.payload.requestId), n)
      if (n === 2) out.push({ requirement: HOST_INVARIANTS.oneResponse, message: `the host answered request ${m.payload.requestId} on worker ${t.worker ?? '?'} more than once` })
    }
  }
  return [...out, ...checkTaskInvariants(trace)]
}

/** What playing one fixture gave: the result, and why the host could not start, when it could not. */
export interface HostOutcome {
  readonly result: FixtureResult
  readonly startFailure?: string
}

/**
 * Why the host cannot be certified in `protocol`, when its driver does not say it speaks it: a driver
 * whose describe lists no `protocols` speaks 0.22.1 only (docs/host-driver.md, "Protocol versions").
 */
export function protocolUnspoken(protocol: string | undefined, listed: unknown): string | undefined {
  const wanted = resolveProfile(protocol ?? DEFAULT_DRIVER_PROTOCOL)
  const spoken = Array.isArray(listed) ? listed.filter((v): v is string => typeof v === 'string' && isKnownVersion(v)) : [DEFAULT_DRIVER_PROTOCOL]
  if (spoken.some((v) => resolveProfile(v) === wanted)) return undefined
  return `the driver does not speak protocol ${protocol ?? DEFAULT_DRIVER_PROTOCOL} (its describe lists ${Array.isArray(listed) ? `protocols ${spoken.join(', ') || 'none'}` : 'no protocols, so 0.22.1 only'})`
}

function describeStep(step: Step | undefined): string {
  if (step === undefined) return 'waiting for the driver'
  return Object.keys(step).find((k) => k !== 'comment' && k !== 'requirement' && k !== 'worker') ?? 'step'
}

/**
 * Plays one host-role fixture against a fresh host from `target`: `describe` first (within the ready
 * timeout: a driver that does not answer cannot start), then the steps, then the invariants.
 */
export async function playHost(fixture: Fixture, target: HostTarget, options: RunOptions & { readonly deadlineMs: number }, hooks: { readonly signal?: AbortSignal; readonly onReady?: () => void }): Promise<HostOutcome> {
  const started = performance.now()
  const base = { id: fixture.id, title: fixture.title, level: fixture.level, requirements: fixture.requirements }
  const first = fixture.requirements[0] as string
  let channel: Transport
  try {
    channel = await target.connect()
  } catch (error) {
    const message = `could not start the host driver: ${(error as Error).message}`
    return { startFailure: message, result: { ...base, status: 'fail', durationMs: performance.now() - started, warnings: [], failures: [{ requirement: first, kind: 'transport', message }] } }
  }
  const session = new DriverSession(channel, options.maxMessages ?? DEFAULT_MAX_DRIVER_LINES, options.validator)
  const failures: Failure[] = []
  const warnings: Failure[] = []
  const stopper = new FixtureStop(() => session.close(), options.deadlineMs, hooks.signal)
  let http: FixtureHttpServer | undefined
  if (fixture.http !== undefined) {
    try {
      http = await FixtureHttpServer.start(fixture.http)
    } catch (error) {
      stopper.disarm()
      await stopper.close()
      const message = `fixture error: the fixture's HTTP server could not start: ${(error as Error).message}`
      return { result: { ...base, status: 'suite-error', durationMs: performance.now() - started, warnings: [], failures: [{ requirement: first, kind: 'suite', message }] } }
    }
  }
  const run = new HostFixtureRun(fixture, session, options.stepTimeoutMs ?? 1000, stopper.signal, http)
  let described = false
  let untested: string | undefined
  try {
    const readyTimeoutMs = options.readyTimeoutMs ?? 10_000
    const id = session.command('describe', {})
    let answer: ChannelEntry | undefined
    try {
      answer = await session.waitFor((e) => e.kind === 'result' && e.id === id, readyTimeoutMs)
    } catch (error) {
      if (stopper.signal.aborted) throw new Stopped()
      const detail = error instanceof WaitTimeout ? `no answer to describe within ${readyTimeoutMs} ms (ready timeout)` : (error as Error).message
      const events = session.entries.filter((e) => e.kind === 'event').map((e) => show(e.value))
      throw new HostStepFailure({ requirement: first, kind: 'transport', step: 0, message: `the host driver did not start: ${detail}${events.length > 0 ? `; it reported ${events.join(', ')}` : ''}` })
    }
    const value = answer.value as { ok?: unknown; value?: { commands?: unknown; protocols?: unknown } }
    const commands = value.ok === true && Array.isArray(value.value?.commands) ? value.value.commands.filter((c): c is string => typeof c === 'string') : undefined
    if (commands === undefined) throw new HostStepFailure({ requirement: first, kind: 'transport', step: 0, message: `the driver's describe answer is not {"ok": true, "value": {"commands": [...]}}: ${show(answer.value)}` })
    described = true
    hooks.onReady?.()
    const lacking = commandsOf(fixture).filter((c) => !commands.includes(c))
    const unspoken = protocolUnspoken(target.protocol, value.value?.protocols)
    if (unspoken !== undefined) untested = unspoken
    else if (lacking.length > 0) untested = `the driver does not support ${lacking.join(', ')} (its describe lists ${commands.join(', ') || 'no command'})`
    else {
      for (const step of fixture.steps) await run.next(step)
      await sleep(options.settleMs ?? 20, stopper.signal)
      for (const v of checkHostInvariants(session.trace)) failures.push({ requirement: v.requirement, kind: 'invariant', message: v.message })
    }
  } catch (error) {
    if (stopper.stoppedBy !== undefined) {
      // Stopped by a deadline: said below.
    } else if (error instanceof HostStepFailure) failures.push(error.failure)
    else failures.push({ requirement: first, kind: 'suite', message: `runner error: ${(error as Error).stack ?? String(error)}` })
  } finally {
    stopper.disarm()
    await http?.close()
  }
  const stoppedBy = stopper.stoppedBy
  const where = `step ${run.currentStep} (${describeStep(fixture.steps[run.currentStep - 1])})`
  if (stoppedBy === 'outside') {
    await stopper.close()
    const why = typeof hooks.signal?.reason === 'string' ? hooks.signal.reason : 'the run was stopped'
    return { result: { ...base, status: 'untested', durationMs: performance.now() - started, failures: [], warnings: [], reason: `stopped at ${where}: ${why}` } }
  }
  if (untested !== undefined) {
    await stopper.close()
    return { result: { ...base, status: 'untested', durationMs: performance.now() - started, failures: [], warnings: [], reason: untested } }
  }
  if (stoppedBy === 'fixture') {
    failures.push({ requirement: first, kind: 'deadline', step: run.currentStep, message: `the fixture deadline of ${options.deadlineMs} ms passed at ${where} and the fixture was stopped (a deadline, not a failed expectation)` })
  }
  for (const e of session.entries) {
    for (const err of e.errors) {
      const entry: Failure = { requirement: err.code, kind: 'wire-schema', message: `host message #${e.index} (worker ${e.worker ?? '?'}): ${err.message}`, actual: show(e.value), path: err.path }
      if (err.code === 'EXT-WIRE-006') warnings.push(entry)
      else failures.push(entry)
    }
  }
  for (const p of session.protocolErrors) failures.push({ requirement: first, kind: 'transport', message: `driver protocol: ${p}` })
  const overflow = session.overflow
  if (overflow !== undefined && !failures.some((f) => f.message.includes(overflow))) failures.push({ requirement: first, kind: 'transport', message: overflow })
  const trace = options.keepTraces ? session.trace.map((t) => ({ direction: t.worker !== undefined ? `${t.direction} ${t.worker}` : t.direction, message: t.message })) : undefined
  await stopper.close()
  const status: FixtureStatus = failures.some((f) => f.kind === 'suite') ? 'suite-error' : failures.length > 0 ? 'fail' : 'pass'
  const result: FixtureResult = { ...base, status, durationMs: performance.now() - started, failures, warnings, ...(trace ? { trace } : {}) }
  return !described && stoppedBy === undefined ? { result, startFailure: failures[0]?.message ?? 'the host driver did not start' } : { result }
}
