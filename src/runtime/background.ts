/**
 * Background tasks in the worker (EXT-BG-001 to EXT-BG-011). Upstream's manager is the starting
 * point (seed diff `background.ts`); this one fixes B30-B33: one terminal status per run, no
 * overlapping runs, no restart of a task the extension stopped, and the payload reaches the task.
 */
import type { BackgroundTaskHealth } from '../protocol/types.js'
import type { ProtocolValidator } from '../validate/validator.js'
import { errorText } from './handlers.js'
import type { BackgroundTaskCallback, BackgroundTaskConfig, Disposable, ExecutionContext, ExtensionInfo, LogAPI } from './api.js'

interface Run {
  readonly controller: AbortController
  ended: boolean
}

interface Task {
  readonly config: BackgroundTaskConfig
  readonly callback: BackgroundTaskCallback
  status: 'pending' | 'running' | 'stopped' | 'failed'
  stoppedByExtension: boolean
  run: Run | undefined
  starts: number
  lastHealthStatus?: string
  lastHealthTime?: string
  error?: string
}

/** What the task manager needs from its runtime. */
export interface BackgroundDeps {
  readonly send: (message: unknown) => void
  readonly extension: ExtensionInfo
  readonly validator: ProtocolValidator
  readonly log: (taskId: string) => LogAPI
  readonly warn: (message: string, data?: Record<string, unknown>) => void
  readonly now: () => Date
  /** From 0.23.0: the storage and secrets of a task's context, for its user. */
  readonly executionApis?: (userId: string | undefined) => Omit<ExecutionContext, 'userId' | 'extension'>
}

/** The background tasks of one activation. */
export class BackgroundTasks {
  private readonly tasks = new Map<string, Task>()

  constructor(private readonly deps: BackgroundDeps) {}

  private status(taskId: string, status: 'running' | 'stopped' | 'failed', error?: string): void {
    this.deps.send({ type: 'background-task-status', payload: error === undefined ? { taskId, status } : { taskId, status, error } })
  }

  /** EXT-BG-001: validates and registers a task, then sends `background-task-registered`. */
  register(config: BackgroundTaskConfig, callback: BackgroundTaskCallback): Disposable {
    if (typeof callback !== 'function') throw new TypeError('Background task callback must be a function')
    const c = (config ?? {}) as Partial<BackgroundTaskConfig>
    const payload: Record<string, unknown> = { taskId: c.id, name: c.name, userId: c.userId, restartPolicy: c.restartPolicy }
    if (c.payload !== undefined) payload['payload'] = c.payload
    const message = { type: 'background-task-registered', payload }
    const checked = this.deps.validator.validateWorkerToHost(message)
    if (!checked.ok) throw new Error(`Invalid background task config: ${checked.errors.map((e) => e.message).join('; ')}`)
    const id = config.id
    if (this.tasks.has(id)) throw new Error(`Background task with id '${id}' is already registered`)
    this.tasks.set(id, { config, callback, status: 'pending', stoppedByExtension: false, run: undefined, starts: 0 })
    this.deps.send(message)
    return { dispose: () => this.stop(id, true) }
  }

  /** Handles `background-task-start` (EXT-BG-002, -004, -005, -006). */
  start(taskId: string): void {
    const task = this.tasks.get(taskId)
    if (!task) {
      this.status(taskId, 'failed', `Unknown background task ${taskId}`)
      return
    }
    if (task.stoppedByExtension) {
      this.deps.warn(`[${taskId}] background-task-start ignored: the extension stopped this task`)
      return
    }
    if (task.run) {
      this.deps.warn(`[${taskId}] background-task-start ignored: the task is already running`)
      return
    }
    const run: Run = { controller: new AbortController(), ended: false }
    task.run = run
    task.starts++
    task.status = 'running'
    task.error = undefined
    this.status(taskId, 'running')
    const end = (status: 'stopped' | 'failed', error?: string) => {
      if (run.ended) return // EXT-BG-003: the run already has its terminal status
      run.ended = true
      if (task.run === run) task.run = undefined
      task.status = status
      if (error !== undefined) task.error = error
      this.status(taskId, status, error)
    }
    const log = this.deps.log(taskId)
    const context = {
      userId: task.config.userId,
      extension: this.deps.extension,
      ...(this.deps.executionApis ? this.deps.executionApis(task.config.userId) : {}),
      signal: run.controller.signal,
      ...(task.config.payload !== undefined ? { payload: task.config.payload } : {}),
      reportHealth: (status: string) => {
        if (run.ended) return // EXT-BG-010: only while the run is active
        const timestamp = this.deps.now().toISOString()
        task.lastHealthStatus = String(status)
        task.lastHealthTime = timestamp
        this.deps.send({ type: 'background-task-health', payload: { taskId, status: String(status), timestamp } })
      },
      log,
    }
    let result: unknown
    try {
      result = task.callback(context)
    } catch (error) {
      end('failed', errorText(error))
      return
    }
    Promise.resolve(result).then(
      () => end('stopped'),
      (error: unknown) => end('failed', errorText(error)),
    )
  }

  /**
   * Stops a task (EXT-BG-009). `byExtension` marks it so that later starts are refused (EXT-BG-005).
   * A running task's signal is aborted and its run ends `stopped`; a task that never ran reports
   * `stopped` once.
   */
  stop(taskId: string, byExtension: boolean): boolean {
    const task = this.tasks.get(taskId)
    if (!task) return false
    if (byExtension) task.stoppedByExtension = true
    const run = task.run
    if (run) {
      run.ended = true
      task.run = undefined
      task.status = 'stopped'
      run.controller.abort()
      this.status(taskId, 'stopped')
    } else if (task.status === 'pending') {
      task.status = 'stopped'
      this.status(taskId, 'stopped')
    }
    return true
  }

  /** EXT-BG-008: local status of every task; restarts are the starts after the first. */
  getStatus(): BackgroundTaskHealth[] {
    return [...this.tasks.values()].map((t) => {
      const health: BackgroundTaskHealth = {
        taskId: t.config.id,
        name: t.config.name,
        userId: t.config.userId,
        status: t.status,
        restartCount: Math.max(0, t.starts - 1),
      }
      if (t.lastHealthStatus !== undefined) health.lastHealthStatus = t.lastHealthStatus
      if (t.lastHealthTime !== undefined) health.lastHealthTime = t.lastHealthTime
      if (t.error !== undefined) health.error = t.error
      return health
    })
  }

  /** Stops every running task (each reports `stopped` once) and forgets all tasks (deactivate). */
  disposeAll(): void {
    for (const id of [...this.tasks.keys()]) {
      const task = this.tasks.get(id)
      if (task?.run) this.stop(id, true)
    }
    this.tasks.clear()
  }
}
