/** Host-side pieces. */
export { HostPeer, WaitError, DEFAULT_MAX_MESSAGES, describeClose, type HostPeerOptions, type Received, type TimelineEntry } from './peer.js'
export { VirtualClock, systemClock, type Clock, type TimerHandle } from './clock.js'
export {
  createInboundGuard,
  requestIdOf,
  messageTypeOf,
  UNKNOWN_MESSAGE_TYPE,
  type InboundCounts,
  type InboundGuard,
  type InboundGuardOptions,
  type InvalidInbound,
} from './guard.js'
export {
  defaultBackends,
  globalFetchNetwork,
  memoryChat,
  memoryEvents,
  memoryScheduler,
  memorySettings,
  memoryStorage,
  memoryUser,
  noTools,
  refusingDatabase,
  type FireResult,
  type ListedToolInfo,
  type ToolsBackend,
  type AppendedInstruction,
  type Awaitable,
  type ChatBackend,
  type DatabaseBackend,
  type EmittedEvent,
  type EventsBackend,
  type FetchLikeResponse,
  type GlobalFetchOptions,
  type HostBackends,
  type MemoryChat,
  type MemoryEvents,
  type MemoryScheduler,
  type NetworkBackend,
  type SchedulerBackend,
  type SettingsBackend,
  type StorageBackend,
  type StorageScope,
  type UserProfileBackend,
} from './backends.js'
export { networkAccess, type NetworkAccess } from './network-access.js'
export {
  matchesQuery,
  memoryCollections,
  memorySecrets,
  type CollectionDocument,
  type CollectionQuery,
  type CollectionQueryOptions,
  type CollectionsBackend,
  type SecretsBackend,
} from './collections.js'
export { DEFAULT_HOST_PROTOCOL } from './protocol.js'
export {
  createRequestDispatcher,
  DEFAULT_BACKEND_TIMEOUT_MS,
  DEFAULT_TOOLS_EXECUTE_TIMEOUT_MS,
  type RequestContext,
  type RequestDispatcher,
  type RequestDispatcherOptions,
} from './dispatcher.js'
export {
  TaskSupervisor,
  resolvePolicy,
  restartDelay,
  DEFAULT_RESTART_POLICY,
  DEFAULT_TASK_START_TIMEOUT_MS,
  type ResolvedRestartPolicy,
  type TaskEvent,
  type TaskState,
  type TaskSupervisorOptions,
  type TaskView,
} from './supervisor.js'
export { StreamPump, DEFAULT_ACK_TIMEOUT_MS, HTTP_ERROR_BODY_CHARS, type StreamPumpOptions } from './stream-pump.js'
export {
  createHost,
  HOST_DEFAULTS,
  type ActionInfo,
  type ExtensionManifest,
  type ExtensionView,
  type Host,
  type HostEvent,
  type HostOptions,
  type HostPieces,
  type HostStreamPump,
  type HostTaskSupervisor,
  type ProviderInfo,
  type ToolInfo,
} from './host.js'
