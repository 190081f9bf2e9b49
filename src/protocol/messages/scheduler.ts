/**
 * Scheduler family: the host tells the worker that a scheduled job fired. Scheduling itself goes
 * through the `scheduler.schedule` and `scheduler.cancel` request methods.
 */
import Type, { type Static } from 'typebox'
import { Id, Struct } from '../common.js'
import { describe } from '../descriptor.js'
import { SchedulerFirePayload } from '../types.js'

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

/** Host->worker: a scheduled job fired. */
export const SchedulerFireMessage = Struct(
  { type: Type.Literal('scheduler-fire'), id: Id, payload: SchedulerFirePayload },
  { description: 'A scheduled job fired.' },
)

// ---------------------------------------------------------------------------------------------
// Static
// ---------------------------------------------------------------------------------------------

/** See {@link SchedulerFireMessage}. */
export type SchedulerFireMessage = Static<typeof SchedulerFireMessage>

// ---------------------------------------------------------------------------------------------
// Descriptor
// ---------------------------------------------------------------------------------------------

/** Descriptors of the scheduler family. */
export const SCHEDULER = [
  describe({
    type: 'scheduler-fire', direction: 'host-to-worker', family: 'scheduler', since: '0.21.0',
    schema: SchedulerFireMessage, correlations: [], permission: 'scheduler.register',
    description: 'A job scheduled with scheduler.schedule fired; the worker runs its onFire callbacks.',
  }),
] as const
