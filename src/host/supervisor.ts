/**
 * The background-task supervisor (EXT-HOST-050 to EXT-HOST-061): the host half of the background
 * family. The worker only runs tasks and reports `running` / `stopped` / `failed`; the host decides
 * restarts under each task's policy, waits out the backoff on an injected {@link Clock}, gives up when
 * the budget is spent, and keeps what a host UI shows. It sends nothing itself: the host hands it
 * `sendStart` / `sendStop`, and checks the `background.workers` permission before `register`.
 *
 * Each task follows one rule set:
 * - a run is *open* from the worker's `running` to the next terminal status (`stopped` / `failed`);
 *   only a terminal status that closes an open run counts (EXT-HOST-057), so a duplicate or stale
 *   status never double-counts, never schedules a second restart and never revives a task;
 * - a `running` is accepted only as the answer to a start the host sent (a start is *awaited* from
 *   the `background-task-start` until its `running`); any other `running` is stale and ignored;
 * - at most one timer per task (EXT-HOST-058): the restart timer while `restarting`, the start
 *   confirmation timer while `starting`, never both.
 */
import type { BackgroundRestartPolicy } from '../protocol/types.js'
import type { BackgroundTaskHealthMessage, BackgroundTaskRegisteredMessage, BackgroundTaskStatusMessage } from '../protocol/messages/background.js'
import type { Clock, TimerHandle } from './clock.js'

/** Default time the host waits for `running` after a start (EXT-HOST-056). */
export const DEFAULT_TASK_START_TIMEOUT_MS = 10_000

/** The restart-policy defaults of EXT-HOST-050 (upstream's): 0 restarts means unlimited. */
export const DEFAULT_RESTART_POLICY = Object.freeze({ maxRestarts: 0, initialDelayMs: 1000, maxDelayMs: 60_000, backoffMultiplier: 2 })

/** A restart policy with every default applied, so that decisions never look at a missing field. */
export interface ResolvedRestartPolicy {
  readonly type: 'always' | 'on-failure' | 'never'
  /** 0 = unlimited. */
  readonly maxRestarts: number
  readonly initialDelayMs: number
  readonly maxDelayMs: number
  readonly backoffMultiplier: number
}

/**
 * What the host believes of a task. `starting`: a start was sent and its `running` has not come yet
 * (EXT-HOST-056). `restarting`: a restart waits on its timer. `pending` is upstream's name for a
 * registered task that was never started; this supervisor sends the first start inside `register`, so
 * it never shows it, but a host mapping its own states onto upstream's `BackgroundTaskHealth` may.
 */
export type TaskState = 'pending' | 'starting' | 'running' | 'stopped' | 'failed' | 'restarting'

/** One task, as a host UI shows it. A snapshot: later changes do not alter it. */
export interface TaskView {
  readonly extensionId: string
  readonly taskId: string
  readonly name: string
  readonly userId: string
  readonly policy: ResolvedRestartPolicy
  readonly state: TaskState
  /** Restarts scheduled so far; never reset (EXT-HOST-052). */
  readonly restartCount: number
  /** The restart budget is spent (EXT-HOST-053); `state` keeps the last run's truth (EXT-HOST-054). */
  readonly exhausted: boolean
  /** The host stopped the task (EXT-HOST-055); nothing restarts it until the host starts it. */
  readonly stopRequested: boolean
  /** The last start was never confirmed by `running` in time (EXT-HOST-056); it is not retried. */
  readonly unconfirmed: boolean
  /** The `error` of the last counted `failed`. */
  readonly lastError?: string
  /** The last health report (EXT-HOST-059). */
  readonly health?: { readonly status: string; readonly timestamp: string }
  /** Clock time of the pending restart, while `restarting`. */
  readonly nextStartAt?: number
}

interface TaskEventBase {
  readonly extensionId: string
  readonly taskId: string
}

/**
 * What changed, for a host UI. `started`: the worker confirmed a run with `running`. `stopped` /
 * `failed`: a counted terminal status (`requested: true` for the host's own `stop`). `restarting`: a
 * restart was scheduled after `delayMs`. `exhausted`: the budget is spent; `state` is the last run's.
 * `unconfirmed`: a start got no `running` within the start timeout.
 */
export type TaskEvent =
  | (TaskEventBase & { readonly type: 'started'; readonly restartCount: number })
  | (TaskEventBase & { readonly type: 'stopped'; readonly restartCount: number; readonly requested: boolean })
  | (TaskEventBase & { readonly type: 'failed'; readonly restartCount: number; readonly error?: string })
  | (TaskEventBase & { readonly type: 'restarting'; readonly restartCount: number; readonly delayMs: number })
  | (TaskEventBase & { readonly type: 'exhausted'; readonly restartCount: number; readonly state: 'stopped' | 'failed' })
  | (TaskEventBase & { readonly type: 'health'; readonly status: string; readonly timestamp: string })
  | (TaskEventBase & { readonly type: 'unconfirmed'; readonly restartCount: number; readonly waitedMs: number })

/** How the supervisor reaches the worker and the host. */
export interface TaskSupervisorOptions {
  /** Every timer of the supervisor runs on it: a `VirtualClock` makes a 60 s backoff instant in tests. */
  readonly clock: Clock
  /** Sends `background-task-start` for the task to the extension's worker. */
  readonly sendStart: (extensionId: string, taskId: string) => void
  /** Sends `background-task-stop` for the task to the extension's worker. */
  readonly sendStop: (extensionId: string, taskId: string) => void
  readonly onEvent?: (event: TaskEvent) => void
  /** How long a start waits for `running` (EXT-HOST-056); default {@link DEFAULT_TASK_START_TIMEOUT_MS}. */
  readonly startTimeoutMs?: number
  /** Ignored and dropped inputs, one line each (EXT-HOST-104 for unknown tasks). */
  readonly onDiagnostic?: (text: string) => void
}

/** The worker's fixed answer to a start for a task it does not know (EXT-BG-006, docs/spec/texts.md). */
export function unknownTaskText(taskId: string): string {
  return `Unknown background task ${taskId}`
}

/** Applies the defaults of EXT-HOST-050 to a policy as the extension sent it (no defaults on the wire). */
export function resolvePolicy(policy: BackgroundRestartPolicy): ResolvedRestartPolicy {
  return {
    type: policy.type,
    maxRestarts: policy.maxRestarts ?? DEFAULT_RESTART_POLICY.maxRestarts,
    initialDelayMs: policy.initialDelayMs ?? DEFAULT_RESTART_POLICY.initialDelayMs,
    maxDelayMs: policy.maxDelayMs ?? DEFAULT_RESTART_POLICY.maxDelayMs,
    backoffMultiplier: policy.backoffMultiplier ?? DEFAULT_RESTART_POLICY.backoffMultiplier,
  }
}

/**
 * The delay before a restart (EXT-HOST-052): min(initialDelayMs × backoffMultiplier^count, maxDelayMs),
 * with `count` the restarts scheduled before this one. The power may overflow to Infinity after many
 * unlimited restarts; with `initialDelayMs` 0 that product is NaN, whose limit is 0.
 */
export function restartDelay(policy: ResolvedRestartPolicy, count: number): number {
  const grown = policy.initialDelayMs * Math.pow(policy.backoffMultiplier, count)
  return Math.min(Number.isNaN(grown) ? 0 : grown, policy.maxDelayMs)
}

interface Task {
  readonly extensionId: string
  readonly taskId: string
  readonly name: string
  readonly userId: string
  readonly policy: ResolvedRestartPolicy
  state: TaskState
  restartCount: number
  exhausted: boolean
  stopRequested: boolean
  unconfirmed: boolean
  /** A start was sent and its `running` has not come (kept after the start timeout, for a late `running`). */
  awaitingStart: boolean
  /** A `running` came and no terminal status since: the next terminal status counts (EXT-HOST-057). */
  runOpen: boolean
  lastError: string | undefined
  health: { readonly status: string; readonly timestamp: string } | undefined
  /** The task's one timer (EXT-HOST-058): a restart or a start confirmation. */
  timer: { readonly handle: TimerHandle; readonly kind: 'restart' | 'confirm'; readonly at: number } | undefined
}

const keyOf = (extensionId: string, taskId: string): string => JSON.stringify([extensionId, taskId])

/**
 * Supervises the background tasks of every extension of one host. Tasks are keyed by (extension,
 * task id), so two extensions may use the same task id. A host creates one for all its extensions.
 */
export class TaskSupervisor {
  private readonly tasksByKey = new Map<string, Task>()
  private readonly startTimeoutMs: number

  constructor(private readonly options: TaskSupervisorOptions) {
    const timeout = options.startTimeoutMs ?? DEFAULT_TASK_START_TIMEOUT_MS
    if (!Number.isFinite(timeout) || timeout < 0) throw new RangeError(`startTimeoutMs: expected a finite number >= 0, received ${String(timeout)}`)
    this.startTimeoutMs = timeout
  }

  /**
   * Accepts a registered task and sends its first `background-task-start` at once (EXT-HOST-050).
   * Returns false, changing nothing, for a task id the extension already registered (the first
   * registration stays as it is). The caller has checked `background.workers`.
   */
  register(extensionId: string, payload: BackgroundTaskRegisteredMessage['payload']): boolean {
    const key = keyOf(extensionId, payload.taskId)
    if (this.tasksByKey.has(key)) {
      this.diagnostic(`background-task-registered ignored: extension ${extensionId} already registered task ${payload.taskId} (EXT-HOST-050)`)
      return false
    }
    const task: Task = {
      extensionId,
      taskId: payload.taskId,
      name: payload.name,
      userId: payload.userId,
      policy: resolvePolicy(payload.restartPolicy),
      state: 'pending',
      restartCount: 0,
      exhausted: false,
      stopRequested: false,
      unconfirmed: false,
      awaitingStart: false,
      runOpen: false,
      lastError: undefined,
      health: undefined,
      timer: undefined,
    }
    this.tasksByKey.set(key, task)
    this.sendStartNow(task)
    return true
  }

  /**
   * A `background-task-status` from the worker (EXT-HOST-051 to -057, -061).
   * - `running` confirms an awaited start (even after its start timeout: the task does run then);
   *   otherwise it is stale and ignored.
   * - `stopped` / `failed` count only when they close an open run (EXT-HOST-057). A counted one is
   *   recorded as the task's state and then decides a restart: `stopped` restarts only `always`,
   *   `failed` restarts `always` and `on-failure`, `never` never (EXT-HOST-051); never after a host
   *   stop (EXT-HOST-055) or exhaustion (EXT-HOST-053).
   */
  status(extensionId: string, payload: BackgroundTaskStatusMessage['payload']): void {
    const task = this.find(extensionId, payload.taskId, `background-task-status ${payload.status}`)
    if (!task) return
    if (payload.status === 'running') {
      this.confirmRun(task)
      return
    }
    if (!task.runOpen && task.state === 'starting' && payload.status === 'failed' && payload.error === unknownTaskText(task.taskId)) {
      // EXT-BG-006: the worker does not know the task. Its fixed text tells this answer apart from a
      // stale duplicate (which 057 ignores): the start ends as this failure, and no restart follows,
      // since no run of a task the worker does not know can ever succeed (EXT-HOST-056).
      this.clearTimer(task)
      task.state = 'failed'
      task.lastError = payload.error
      this.emit({ type: 'failed', extensionId, taskId: task.taskId, restartCount: task.restartCount, error: payload.error })
      return
    }
    if (!task.runOpen) {
      const error = payload.error !== undefined ? ` (error: ${payload.error})` : ''
      this.diagnostic(`background-task-status ${payload.status}${error} ignored for task ${task.taskId} of extension ${extensionId}: no run is open, so it is a duplicate or stale status (EXT-HOST-057)`)
      return
    }
    task.runOpen = false
    task.state = payload.status
    if (payload.status === 'failed') {
      task.lastError = payload.error
      this.emit({ type: 'failed', extensionId, taskId: task.taskId, restartCount: task.restartCount, ...(payload.error !== undefined ? { error: payload.error } : {}) })
    } else {
      this.emit({ type: 'stopped', extensionId, taskId: task.taskId, restartCount: task.restartCount, requested: false })
    }
    const wanted = task.policy.type === 'always' || (task.policy.type === 'on-failure' && payload.status === 'failed')
    // A host stop or an exhaustion leaves no run open, so a counted status cannot meet one; the flags
    // are checked anyway, so that EXT-HOST-053 and -055 do not rest on that argument alone.
    if (wanted && !task.stopRequested && !task.exhausted) this.decideRestart(task, payload.status)
  }

  /** Keeps a health report of a known task and reports it (EXT-HOST-059); an unknown task's is dropped. */
  health(extensionId: string, payload: BackgroundTaskHealthMessage['payload']): void {
    const task = this.find(extensionId, payload.taskId, 'background-task-health')
    if (!task) return
    task.health = { status: payload.status, timestamp: payload.timestamp }
    this.emit({ type: 'health', extensionId, taskId: task.taskId, status: payload.status, timestamp: payload.timestamp })
  }

  /**
   * The host starts a task deliberately (host API `startTask`). This is the only way out of a host
   * stop (EXT-HOST-055), an exhaustion (EXT-HOST-053) or an unconfirmed start (EXT-HOST-056): it
   * clears `stopRequested`, `exhausted` and `unconfirmed`, because a person or program asked for
   * this run, and then sends `background-task-start`. It does not count as a restart and does not
   * reset `restartCount` (EXT-HOST-052: never reset), so after an exhaustion the task gets this one
   * run and is exhausted again at its end if its policy would restart it. While a restart waits, the
   * start takes that restart now (its timer is cleared; its count stands). Returns false, sending
   * nothing, for an unknown task or one that runs or awaits its `running` already (no overlapping runs).
   */
  start(extensionId: string, taskId: string): boolean {
    const task = this.tasksByKey.get(keyOf(extensionId, taskId))
    if (!task || task.runOpen || task.state === 'starting') return false
    task.stopRequested = false
    task.exhausted = false
    this.sendStartNow(task)
    return true
  }

  /**
   * The host stops a task (host API `stopTask`, EXT-HOST-055): its timer is cleared, its run is
   * closed, its state is `stopped`, `background-task-stop` is sent, and no later status restarts it
   * (the worker's `stopped` echo finds no open run) until {@link start}. Returns false, sending
   * nothing, for an unknown task or one the host has already stopped.
   */
  stop(extensionId: string, taskId: string): boolean {
    const task = this.tasksByKey.get(keyOf(extensionId, taskId))
    if (!task || task.stopRequested) return false
    this.clearTimer(task)
    task.stopRequested = true
    task.runOpen = false
    task.awaitingStart = false
    task.state = 'stopped'
    this.emit({ type: 'stopped', extensionId, taskId, restartCount: task.restartCount, requested: true })
    this.send('stop', task)
    return true
  }

  /** Forgets an extension's tasks and clears their timers (EXT-HOST-060); later messages for them are unknown (EXT-HOST-061). */
  dropExtension(extensionId: string): void {
    for (const [key, task] of this.tasksByKey) {
      if (task.extensionId !== extensionId) continue
      this.clearTimer(task)
      this.tasksByKey.delete(key)
    }
  }

  task(extensionId: string, taskId: string): TaskView | undefined {
    const task = this.tasksByKey.get(keyOf(extensionId, taskId))
    return task && view(task)
  }

  /** Every task, or one extension's, in registration order. */
  tasks(extensionId?: string): TaskView[] {
    return [...this.tasksByKey.values()].filter((t) => extensionId === undefined || t.extensionId === extensionId).map(view)
  }

  private find(extensionId: string, taskId: string, what: string): Task | undefined {
    const task = this.tasksByKey.get(keyOf(extensionId, taskId))
    if (!task) this.diagnostic(`${what} dropped: extension ${extensionId} has no task ${taskId} (EXT-HOST-061)`)
    return task
  }

  /** `running`: confirms an awaited start, or is ignored as a duplicate or stale status. */
  private confirmRun(task: Task): void {
    if (task.runOpen || !task.awaitingStart) {
      const why = task.runOpen ? 'the task runs already' : 'no start awaits it'
      this.diagnostic(`background-task-status running ignored for task ${task.taskId} of extension ${task.extensionId}: ${why} (EXT-HOST-057)`)
      return
    }
    if (task.timer?.kind === 'confirm') this.clearTimer(task)
    task.awaitingStart = false
    task.unconfirmed = false
    task.runOpen = true
    task.state = 'running'
    this.emit({ type: 'started', extensionId: task.extensionId, taskId: task.taskId, restartCount: task.restartCount })
  }

  /**
   * The restart decision of a counted terminal status (EXT-HOST-052, -053, -054): exhausted when the
   * budget is spent (the task keeps `state`; any timer is cleared), otherwise one restart timer.
   */
  private decideRestart(task: Task, last: 'stopped' | 'failed'): void {
    const { policy } = task
    if (policy.maxRestarts > 0 && task.restartCount >= policy.maxRestarts) {
      // H2: no restart may follow an exhaustion. A decision needs an open run, so no restart timer
      // can be pending here; it is cleared regardless, as EXT-HOST-053 says.
      this.clearTimer(task)
      task.exhausted = true
      this.emit({ type: 'exhausted', extensionId: task.extensionId, taskId: task.taskId, restartCount: task.restartCount, state: last })
      return
    }
    const delayMs = restartDelay(policy, task.restartCount)
    task.restartCount++
    task.state = 'restarting'
    this.setTimer(task, 'restart', delayMs, () => this.sendStartNow(task))
    this.emit({ type: 'restarting', extensionId: task.extensionId, taskId: task.taskId, restartCount: task.restartCount, delayMs })
  }

  /** Sends a start and awaits its `running` for the start timeout (EXT-HOST-056). */
  private sendStartNow(task: Task): void {
    task.state = 'starting'
    task.awaitingStart = true
    task.unconfirmed = false
    const waitedMs = this.startTimeoutMs
    this.setTimer(task, 'confirm', waitedMs, () => {
      // Never retried: an extension that stopped its task refuses the start (EXT-BG-005) and sends nothing.
      task.state = 'stopped'
      task.unconfirmed = true
      this.emit({ type: 'unconfirmed', extensionId: task.extensionId, taskId: task.taskId, restartCount: task.restartCount, waitedMs })
    })
    this.send('start', task)
  }

  private setTimer(task: Task, kind: 'restart' | 'confirm', ms: number, fire: () => void): void {
    this.clearTimer(task)
    const { clock } = this.options
    const handle = clock.setTimeout(() => {
      if (task.timer?.handle !== handle) return
      task.timer = undefined
      fire()
    }, ms)
    task.timer = { handle, kind, at: clock.now() + Math.max(0, ms) }
  }

  private clearTimer(task: Task): void {
    if (task.timer) this.options.clock.clearTimeout(task.timer.handle)
    task.timer = undefined
  }

  /** A host callback that throws must not corrupt the supervisor or escape into a timer. */
  private send(kind: 'start' | 'stop', task: Task): void {
    try {
      if (kind === 'start') this.options.sendStart(task.extensionId, task.taskId)
      else this.options.sendStop(task.extensionId, task.taskId)
    } catch (error) {
      this.diagnostic(`background-task-${kind} for task ${task.taskId} of extension ${task.extensionId} could not be sent: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private emit(event: TaskEvent): void {
    try {
      this.options.onEvent?.(event)
    } catch (error) {
      this.diagnostic(`a task event listener threw on ${event.type}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  private diagnostic(text: string): void {
    try {
      this.options.onDiagnostic?.(text)
    } catch {
      // A diagnostic sink that throws has nowhere left to report to.
    }
  }
}

function view(task: Task): TaskView {
  return {
    extensionId: task.extensionId,
    taskId: task.taskId,
    name: task.name,
    userId: task.userId,
    policy: task.policy,
    state: task.state,
    restartCount: task.restartCount,
    exhausted: task.exhausted,
    stopRequested: task.stopRequested,
    unconfirmed: task.unconfirmed,
    ...(task.lastError !== undefined ? { lastError: task.lastError } : {}),
    ...(task.health !== undefined ? { health: task.health } : {}),
    ...(task.timer?.kind === 'restart' ? { nextStartAt: task.timer.at } : {}),
  }
}
