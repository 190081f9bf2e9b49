/**
 * Background-task family (new in 0.22.0): the worker registers long-running tasks, the host
 * starts and stops them under a restart policy, and the worker reports status and health.
 */
import Type, { type Static } from 'typebox'
import { Id, IsoTimestamp, JsonObject, Struct } from '../common.js'
import { describe } from '../descriptor.js'
import { BackgroundRestartPolicy } from '../types.js'

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

const TaskRef = Struct({ taskId: Id })

/** Host->worker: run a registered task (first start, or a restart). */
export const BackgroundTaskStartMessage = Struct(
  { type: Type.Literal('background-task-start'), id: Id, payload: TaskRef },
  { description: 'Start a registered background task.' },
)

/** Host->worker: stop a running task. */
export const BackgroundTaskStopMessage = Struct(
  { type: Type.Literal('background-task-stop'), id: Id, payload: TaskRef },
  { description: 'Stop a background task.' },
)

/** Worker->host: the extension registered a task; the host answers with `background-task-start`. */
export const BackgroundTaskRegisteredMessage = Struct(
  {
    type: Type.Literal('background-task-registered'),
    payload: Struct({
      taskId: Id,
      name: Type.String(),
      userId: Type.String(),
      restartPolicy: BackgroundRestartPolicy,
      payload: Type.Optional(JsonObject),
    }),
  },
  { description: 'A background task was registered.' },
)

/** Status a worker reports for a task. */
export const BackgroundTaskReportedStatus = Type.Enum(['running', 'stopped', 'failed'])

/** Worker->host: a task's status changed. `error` is set with `failed`. */
export const BackgroundTaskStatusMessage = Struct(
  {
    type: Type.Literal('background-task-status'),
    payload: Struct({ taskId: Id, status: BackgroundTaskReportedStatus, error: Type.Optional(Type.String()) }),
  },
  { description: 'A background task changed status.' },
)

/** Worker->host: a running task reported its health. */
export const BackgroundTaskHealthMessage = Struct(
  {
    type: Type.Literal('background-task-health'),
    payload: Struct({ taskId: Id, status: Type.String(), timestamp: IsoTimestamp }),
  },
  { description: 'A health report of a running background task.' },
)

// ---------------------------------------------------------------------------------------------
// Static
// ---------------------------------------------------------------------------------------------

/** See {@link BackgroundTaskStartMessage}. */
export type BackgroundTaskStartMessage = Static<typeof BackgroundTaskStartMessage>
/** See {@link BackgroundTaskStopMessage}. */
export type BackgroundTaskStopMessage = Static<typeof BackgroundTaskStopMessage>
/** See {@link BackgroundTaskRegisteredMessage}. */
export type BackgroundTaskRegisteredMessage = Static<typeof BackgroundTaskRegisteredMessage>
/** See {@link BackgroundTaskReportedStatus}. */
export type BackgroundTaskReportedStatus = Static<typeof BackgroundTaskReportedStatus>
/** See {@link BackgroundTaskStatusMessage}. */
export type BackgroundTaskStatusMessage = Static<typeof BackgroundTaskStatusMessage>
/** See {@link BackgroundTaskHealthMessage}. */
export type BackgroundTaskHealthMessage = Static<typeof BackgroundTaskHealthMessage>

// ---------------------------------------------------------------------------------------------
// Descriptor
// ---------------------------------------------------------------------------------------------

const byTaskId = (answers: string) =>
  ({ field: '/payload/taskId', answers, answersField: '/payload/taskId', cardinality: 'many' }) as const

/** Descriptors of the background-task family. */
export const BACKGROUND = [
  describe({
    type: 'background-task-start', direction: 'host-to-worker', family: 'background', since: '0.22.0',
    schema: BackgroundTaskStartMessage, correlations: [byTaskId('background-task-registered')],
    permission: 'background.workers',
    description: 'Runs a registered task: after registration and on every restart.',
  }),
  describe({
    type: 'background-task-stop', direction: 'host-to-worker', family: 'background', since: '0.22.0',
    schema: BackgroundTaskStopMessage, correlations: [byTaskId('background-task-registered')],
    permission: 'background.workers',
    description: 'Stops a task; upstream hosts never send it.',
  }),
  describe({
    type: 'background-task-registered', direction: 'worker-to-host', family: 'background', since: '0.22.0',
    schema: BackgroundTaskRegisteredMessage, correlations: [], permission: 'background.workers',
    description: 'The extension registered a task with a restart policy.',
  }),
  describe({
    type: 'background-task-status', direction: 'worker-to-host', family: 'background', since: '0.22.0',
    schema: BackgroundTaskStatusMessage, correlations: [byTaskId('background-task-registered')],
    permission: 'background.workers',
    description: 'A task became running, stopped or failed.',
  }),
  describe({
    type: 'background-task-health', direction: 'worker-to-host', family: 'background', since: '0.22.0',
    schema: BackgroundTaskHealthMessage, correlations: [byTaskId('background-task-registered')],
    permission: 'background.workers',
    description: 'A running task reported its health.',
  }),
] as const
