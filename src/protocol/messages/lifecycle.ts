/**
 * Lifecycle family: `ready`, `activate`, `deactivate`, `settings-changed` and `log`.
 */
import Type, { type Static } from 'typebox'
import { Id, JsonObject, Struct } from '../common.js'
import { describe } from '../descriptor.js'

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

/** Worker->host: the worker has installed its listener and is ready for `activate`. */
export const ReadyMessage = Struct({ type: Type.Literal('ready') }, { description: 'The worker is ready to be activated.' })

/** Payload of `activate`. */
export const ActivatePayload = Struct({
  extensionId: Type.String({ minLength: 1 }),
  extensionVersion: Type.String(),
  storagePath: Type.String(),
  permissions: Type.Array(Type.String()),
  settings: JsonObject,
})

/** Host->worker: activate the extension with its identity, permissions and initial settings. */
export const ActivateMessage = Struct(
  { type: Type.Literal('activate'), id: Id, payload: ActivatePayload },
  { description: 'Activate the extension.' },
)

/** Host->worker: deactivate the extension; the host terminates the worker shortly after. */
export const DeactivateMessage = Struct(
  { type: Type.Literal('deactivate'), id: Id },
  { description: 'Deactivate the extension.' },
)

/** Host->worker: one setting changed. */
export const SettingsChangedMessage = Struct(
  {
    type: Type.Literal('settings-changed'),
    id: Id,
    payload: Struct({ key: Type.String({ minLength: 1 }), value: Type.Optional(Type.Unknown()) }),
  },
  { description: 'A setting changed.' },
)

/** Severity of a log line. */
export const LogLevel = Type.Enum(['debug', 'info', 'warn', 'error'])

/** Worker->host: a log line. Background tasks prefix `message` with `[taskId] `. */
export const LogMessage = Struct(
  {
    type: Type.Literal('log'),
    payload: Struct({ level: LogLevel, message: Type.String(), data: Type.Optional(JsonObject) }),
  },
  { description: 'A log line from the extension or the runtime.' },
)

// ---------------------------------------------------------------------------------------------
// Static
// ---------------------------------------------------------------------------------------------

/** See {@link ReadyMessage}. */
export type ReadyMessage = Static<typeof ReadyMessage>
/** See {@link ActivatePayload}. */
export type ActivatePayload = Static<typeof ActivatePayload>
/** See {@link ActivateMessage}. */
export type ActivateMessage = Static<typeof ActivateMessage>
/** See {@link DeactivateMessage}. */
export type DeactivateMessage = Static<typeof DeactivateMessage>
/** See {@link SettingsChangedMessage}. */
export type SettingsChangedMessage = Static<typeof SettingsChangedMessage>
/** See {@link LogLevel}. */
export type LogLevel = Static<typeof LogLevel>
/** See {@link LogMessage}. */
export type LogMessage = Static<typeof LogMessage>

// ---------------------------------------------------------------------------------------------
// Descriptor
// ---------------------------------------------------------------------------------------------

/** Descriptors of the lifecycle family. */
export const LIFECYCLE = [
  describe({
    type: 'ready', direction: 'worker-to-host', family: 'lifecycle', since: '0.21.0', schema: ReadyMessage,
    correlations: [], permission: null,
    description: 'Sent once when the worker is ready; the host answers with activate.',
  }),
  describe({
    type: 'activate', direction: 'host-to-worker', family: 'lifecycle', since: '0.21.0', schema: ActivateMessage,
    correlations: [], permission: null,
    description: 'Activates the extension with its id, version, storage path, permissions and settings.',
  }),
  describe({
    type: 'deactivate', direction: 'host-to-worker', family: 'lifecycle', since: '0.21.0', schema: DeactivateMessage,
    correlations: [], permission: null,
    description: 'Deactivates the extension; the host terminates the worker about 1 s later.',
  }),
  describe({
    type: 'settings-changed', direction: 'host-to-worker', family: 'lifecycle', since: '0.21.0', schema: SettingsChangedMessage,
    correlations: [], permission: 'settings.register',
    description: 'Tells the worker that one setting changed.',
  }),
  describe({
    type: 'log', direction: 'worker-to-host', family: 'lifecycle', since: '0.21.0', schema: LogMessage,
    correlations: [], permission: null,
    description: 'A log line at debug, info, warn or error level.',
  }),
] as const
