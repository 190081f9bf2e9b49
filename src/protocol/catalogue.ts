/**
 * The one table of all 26 message descriptors, and the two direction unions built from it.
 */
import Type from 'typebox'
import type { Direction, MessageDescriptor } from './descriptor.js'
import { BACKGROUND } from './messages/background.js'
import { LIFECYCLE } from './messages/lifecycle.js'
import { PROVIDER } from './messages/provider.js'
import { RPC } from './messages/rpc.js'
import { SCHEDULER } from './messages/scheduler.js'
import { TOOLS } from './messages/tools.js'
import type * as M from './messages/index.js'

/** Every message type of 0.22.1 with its descriptor. */
export const MESSAGES: readonly MessageDescriptor[] = Object.freeze([
  ...LIFECYCLE,
  ...PROVIDER,
  ...TOOLS,
  ...RPC,
  ...SCHEDULER,
  ...BACKGROUND,
])

/** Descriptors of the messages one side sends. */
export function messagesOf(direction: Direction): readonly MessageDescriptor[] {
  return MESSAGES.filter((m) => m.direction === direction)
}

/** The `type` literals of host->worker messages (12). */
export const HOST_TO_WORKER_TYPES: readonly string[] = Object.freeze(messagesOf('host-to-worker').map((m) => m.type))
/** The `type` literals of worker->host messages (14). */
export const WORKER_TO_HOST_TYPES: readonly string[] = Object.freeze(messagesOf('worker-to-host').map((m) => m.type))

/** Descriptor of a message type, or undefined. Safe for any string (no prototype lookups). */
export function messageDescriptor(type: string): MessageDescriptor | undefined {
  return MESSAGES.find((m) => m.type === type)
}

/** Any host->worker message (schema). */
export const HostToWorkerMessage = Type.Union(messagesOf('host-to-worker').map((m) => m.schema), {
  description: 'Any message the host sends to a worker.',
})
/** Any worker->host message (schema). */
export const WorkerToHostMessage = Type.Union(messagesOf('worker-to-host').map((m) => m.schema), {
  description: 'Any message a worker sends to its host.',
})

/** Any host->worker message. */
export type HostToWorkerMessage =
  | M.ActivateMessage
  | M.DeactivateMessage
  | M.SettingsChangedMessage
  | M.SchedulerFireMessage
  | M.ProviderChatRequestMessage
  | M.ProviderModelsRequestMessage
  | M.ToolExecuteRequestMessage
  | M.ActionExecuteRequestMessage
  | M.ResponseMessage
  | M.StreamingFetchChunkMessage
  | M.BackgroundTaskStartMessage
  | M.BackgroundTaskStopMessage

/** Any worker->host message. */
export type WorkerToHostMessage =
  | M.ReadyMessage
  | M.RequestMessage
  | M.ProviderRegisteredMessage
  | M.ToolRegisteredMessage
  | M.ActionRegisteredMessage
  | M.StreamEventMessage
  | M.LogMessage
  | M.ProviderModelsResponseMessage
  | M.ToolExecuteResponseMessage
  | M.ActionExecuteResponseMessage
  | M.StreamingFetchAckMessage
  | M.BackgroundTaskRegisteredMessage
  | M.BackgroundTaskStatusMessage
  | M.BackgroundTaskHealthMessage

/** Any message of the protocol. */
export type ProtocolMessage = HostToWorkerMessage | WorkerToHostMessage
/** The `type` of a host->worker message. */
export type HostToWorkerType = HostToWorkerMessage['type']
/** The `type` of a worker->host message. */
export type WorkerToHostType = WorkerToHostMessage['type']
/** The message of a given type. */
export type MessageOfType<T extends ProtocolMessage['type']> = Extract<ProtocolMessage, { type: T }>
