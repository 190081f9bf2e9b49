/**
 * One activation of an extension: what it registered, the callbacks it installed, its
 * background tasks and its open chat streams. A runtime creates a new session for every
 * `activate` and tears it down on `deactivate`, so re-activation starts clean (EXT-LIFE-008).
 */
import type { Action, AIProvider, Disposable, ExecutionContext, ExtensionInfo, Tool } from './api.js'
import type { BackgroundTasks } from './background.js'
import type { SchedulerFirePayload } from '../protocol/types.js'

/** A chat stream in flight: `ended` is set once its terminal event went out (EXT-PROV-003). */
export interface OpenChat {
  ended: boolean
}

/** State of one activation. */
export class Session {
  readonly providers = new Map<string, AIProvider>()
  readonly tools = new Map<string, Tool>()
  readonly actions = new Map<string, Action>()
  readonly settingsCallbacks = new Set<(key: string, value: unknown) => void>()
  readonly fireCallbacks = new Set<(payload: SchedulerFirePayload, context: ExecutionContext) => void | Promise<void>>()
  readonly chats = new Map<string, OpenChat>()
  background: BackgroundTasks | undefined
  /** From 0.23.0: the storage and secrets every execution context carries, for a user or none. */
  executionApis: ((userId: string | undefined) => Omit<ExecutionContext, 'userId' | 'extension'>) | undefined
  activationDisposable: Disposable | undefined

  constructor(readonly extension: ExtensionInfo, readonly permissions: readonly string[]) {}

  /** The ExecutionContext of a call for `userId` (EXT-TOOL-005). */
  executionContext(userId: string | undefined): ExecutionContext {
    const base = userId === undefined ? { extension: this.extension } : { userId, extension: this.extension }
    return this.executionApis ? { ...base, ...this.executionApis(userId) } : base
  }
}
