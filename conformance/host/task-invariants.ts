/**
 * Host-role trace invariants about background-task starts and unloads, judged on the whole trace of a
 * host-role fixture or fuzz sequence (the runner checks them after every fixture). Each follows from
 * a MUST of docs/spec/host.md alone, and each is an upper bound: a correct host may send fewer starts
 * than allowed (a start timeout, a timer the suite never ran), never more.
 *
 * - EXT-HOST-055: after a `stopTask` the host answered `ok`, no `background-task-start` for that task
 *   until the next `startTask` for it.
 * - EXT-HOST-050, 051, 053, 057: the starts of a task are at most one for its registration, one per
 *   `startTask`, and one restart per counted terminal status the policy restarts on (a terminal status
 *   that closes an open run, not under a host stop), and at most `maxRestarts` restarts in all.
 * - EXT-HOST-070: nothing reaches a worker connection after the unload of its extension completed.
 */

/** The entries of a host-role trace these invariants read (the runner's trace, structurally). */
export interface TaskTraceEntry {
  readonly direction: string
  readonly worker?: string
  readonly message: unknown
}

/** One broken invariant. */
export interface TaskViolation {
  readonly requirement: string
  readonly message: string
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const POLICIES = new Set(['always', 'on-failure', 'never'])

interface TaskTrack {
  policy?: { readonly type: string; readonly maxRestarts: number }
  /** Starts the host may send without a restart: its registration and each `startTask`. */
  allowance: number
  starts: number
  /** Starts not yet answered by a `running`. */
  unanswered: number
  open: boolean
  /** Terminal statuses that closed an open run, outside a host stop; and those the policy restarts on. */
  counted: number
  restartable: number
  /** Terminal statuses that closed no open run (duplicate or stale): they must count for nothing. */
  ignored: number
  stopRequested: boolean
  reported: boolean
}

/** Checks the task-start and unload invariants of a host-role trace. */
export function checkTaskInvariants(trace: readonly TaskTraceEntry[]): TaskViolation[] {
  const out: TaskViolation[] = []
  const workerOf = new Map<string, string>() // extension id -> worker connection
  const tasks = new Map<string, TaskTrack>() // worker \0 task id
  const commands = new Map<string, { cmd: string; args: Record<string, unknown> }>()
  const unloaded = new Set<string>()
  const track = (worker: string, taskId: string): TaskTrack => {
    const key = `${worker}\u0000${taskId}`
    let t = tasks.get(key)
    if (!t) {
      t = { allowance: 0, starts: 0, unanswered: 0, open: false, counted: 0, restartable: 0, ignored: 0, stopRequested: false, reported: false }
      tasks.set(key, t)
    }
    return t
  }
  const taskOfCommand = (args: Record<string, unknown>): TaskTrack | undefined => {
    const worker = typeof args['extensionId'] === 'string' ? workerOf.get(args['extensionId']) : undefined
    return worker !== undefined && typeof args['taskId'] === 'string' ? track(worker, args['taskId']) : undefined
  }
  for (const entry of trace) {
    const m = entry.message
    if (!isObject(m)) continue
    const worker = entry.worker ?? ''
    if (entry.direction === 'driver-command') {
      const cmd = String(m['cmd'])
      const args = isObject(m['args']) ? m['args'] : {}
      commands.set(String(m['id']), { cmd, args })
      if (cmd === 'load') {
        const manifest = isObject(args['manifest']) ? args['manifest'] : {}
        const w = typeof args['worker'] === 'string' ? args['worker'] : 'main'
        if (typeof manifest['id'] === 'string') workerOf.set(manifest['id'], w)
        unloaded.delete(w)
        for (const key of [...tasks.keys()]) if (key.startsWith(`${w}\u0000`)) tasks.delete(key)
      }
      if (cmd === 'startTask') {
        const t = taskOfCommand(args)
        if (t) {
          t.allowance++
          t.stopRequested = false
        }
      }
      continue
    }
    if (entry.direction === 'driver-result') {
      const command = commands.get(String(m['id']))
      if (!command || m['ok'] !== true) continue
      if (command.cmd === 'stopTask') {
        const t = taskOfCommand(command.args)
        if (t) t.stopRequested = true
      }
      if (command.cmd === 'unload' && typeof command.args['extensionId'] === 'string') {
        const w = workerOf.get(command.args['extensionId'])
        if (w !== undefined) unloaded.add(w)
      }
      continue
    }
    const payload = isObject(m['payload']) ? m['payload'] : {}
    const taskId = typeof payload['taskId'] === 'string' ? payload['taskId'] : undefined
    if (entry.direction === 'worker-to-host') {
      if (taskId === undefined) continue
      if (m['type'] === 'background-task-registered') {
        const policy = isObject(payload['restartPolicy']) ? payload['restartPolicy'] : undefined
        const maxRestarts = policy?.['maxRestarts'] ?? 0
        // An invalid registration must not be acted on (EXT-HOST-010): it allows no start.
        if (!policy || !POLICIES.has(String(policy['type'])) || typeof maxRestarts !== 'number' || typeof payload['name'] !== 'string' || typeof payload['userId'] !== 'string') continue
        const t = track(worker, taskId)
        if (t.policy) continue // a second registration is ignored (EXT-HOST-050)
        t.policy = { type: String(policy['type']), maxRestarts }
        t.allowance++
      }
      if (m['type'] === 'background-task-status') {
        const t = tasks.get(`${worker}\u0000${taskId}`)
        if (!t) continue
        const status = payload['status']
        if (status === 'running' && !t.open && t.unanswered > 0) {
          t.open = true
          t.unanswered--
        } else if ((status === 'stopped' || status === 'failed') && t.open) {
          t.open = false
          if (!t.stopRequested) {
            t.counted++
            if (t.policy?.type === 'always' || (t.policy?.type === 'on-failure' && status === 'failed')) t.restartable++
          }
        } else if (status === 'stopped' || status === 'failed') t.ignored++
      }
      continue
    }
    if (entry.direction !== 'host-to-worker') continue
    if (unloaded.has(worker)) {
      out.push({ requirement: 'EXT-HOST-070', message: `the host sent ${String(m['type'])} on worker connection ${worker} after the unload of its extension completed` })
      unloaded.delete(worker) // reported once
    }
    if (m['type'] !== 'background-task-start' || taskId === undefined) continue
    const t = track(worker, taskId)
    t.starts++
    t.unanswered++
    if (t.reported) continue
    const restarts = t.starts - t.allowance
    const where = `task ${taskId} (worker ${worker})`
    let violation: TaskViolation | undefined
    if (t.stopRequested) violation = { requirement: 'EXT-HOST-055', message: `the host sent background-task-start for ${where} after its stopTask, with no startTask since` }
    else if (!t.policy) violation = { requirement: 'EXT-HOST-050', message: `the host sent background-task-start for ${where}, which the worker never validly registered` }
    else if (restarts > t.restartable) {
      // A duplicate or stale terminal status seen: the likelier cause is that it counted (057); otherwise a policy branch (051).
      violation = t.ignored === 0 && t.counted > t.restartable
        ? { requirement: 'EXT-HOST-051', message: `the host restarted ${where} (policy ${t.policy.type}) on a terminal status its policy does not restart on: ${restarts} restart(s), ${t.restartable} allowed` }
        : { requirement: 'EXT-HOST-057', message: `the host restarted ${where} more often than runs ended: ${restarts} restart(s) for ${t.restartable} counted terminal status(es) (a duplicate, stale or unanswered status must not count)` }
    } else if (t.policy.maxRestarts > 0 && restarts > t.policy.maxRestarts) {
      violation = { requirement: 'EXT-HOST-053', message: `the host restarted ${where} ${restarts} time(s) although maxRestarts is ${t.policy.maxRestarts}: a task is never started again by the supervisor after exhaustion` }
    }
    if (violation) {
      t.reported = true
      out.push(violation)
    }
  }
  return out
}
