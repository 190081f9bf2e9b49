/**
 * The lifecycle of the extension in a runtime (EXT-LIFE-*): one session per activation, activation
 * and deactivation, and the guarded teardown of a session. `runtime.ts` routes `activate` and
 * `deactivate` here and asks `active()` before it hands anything else to the extension.
 */
import type { ActivateMessage } from '../protocol/messages/lifecycle.js'
import type { Disposable, ExtensionContext, ExtensionModule } from './api.js'
import { buildContext, type ContextDeps } from './context.js'
import type { FetchStreams } from './fetch-stream.js'
import { errorText } from './handlers.js'
import type { Outbox } from './outbox.js'
import type { Requests } from './requests.js'
import { Session } from './session.js'

/** Where a runtime is in its lifecycle. */
export type RuntimeState = 'idle' | 'activating' | 'active' | 'failed' | 'deactivating' | 'deactivated'

/** What the lifecycle needs from its runtime. */
export interface LifecycleDeps {
  readonly module: ExtensionModule
  readonly outbox: Outbox
  readonly requests: Requests
  readonly fetchStreams: FetchStreams
  readonly context: Omit<ContextDeps, 'send' | 'requests' | 'fetchStreams' | 'createLog'>
  /** Called when an activation has finished, successfully or not (the runtime then drains its queue). */
  readonly onActivated: () => void
}

/** Tears a session down; each step is guarded on its own (EXT-LIFE-012). */
export function teardown(target: Session, reason: string, deps: Pick<LifecycleDeps, 'outbox' | 'requests' | 'fetchStreams'>): void {
  const { send, log } = deps.outbox
  const step = (name: string, fn: () => void) => {
    try {
      fn()
    } catch (error) {
      log.error(`Error during deactivation (${name}): ${errorText(error)}`)
    }
  }
  step('activation disposable', () => target.activationDisposable?.dispose())
  step('background tasks', () => target.background?.disposeAll())
  step('pending requests', () => deps.requests.rejectAll(reason))
  step('chat streams', () => {
    for (const [requestId, chat] of target.chats) {
      if (chat.ended) continue
      chat.ended = true
      send({ type: 'stream-event', payload: { requestId, event: { type: 'error', message: reason } } })
    }
    target.chats.clear()
  })
  step('fetch streams', () => deps.fetchStreams.failAll(reason))
  step('registrations', () => {
    target.providers.clear()
    target.tools.clear()
    target.actions.clear()
    target.settingsCallbacks.clear()
    target.fireCallbacks.clear()
  })
}

/** The lifecycle state machine of one runtime. */
export class Lifecycle {
  private current: RuntimeState = 'idle'
  private session: Session | undefined

  constructor(private readonly deps: LifecycleDeps) {}

  /** The current state. */
  get state(): RuntimeState {
    return this.current
  }

  /** The session of the active extension, or undefined when none is active. */
  active(): Session | undefined {
    return this.current === 'active' ? this.session : undefined
  }

  /** Handles `activate` (EXT-LIFE-002 to EXT-LIFE-006, EXT-LIFE-008). */
  async activate(message: ActivateMessage): Promise<void> {
    const { log, send, createLog } = this.deps.outbox
    if (this.current === 'activating' || this.current === 'active' || this.current === 'deactivating') {
      log.warn(`activate ignored: the extension is ${this.current}`) // EXT-LIFE-006 (upstream B3)
      return
    }
    this.current = 'activating'
    const { extensionId, extensionVersion, storagePath, permissions } = message.payload
    // EXT-PERM-004: an activate without a permissions array never gets here; validation rejected it.
    const session = new Session({ id: extensionId, version: extensionVersion, storagePath }, permissions)
    this.session = session
    try {
      const context: ExtensionContext = buildContext(session, { ...this.deps.context, send, createLog, requests: this.deps.requests, fetchStreams: this.deps.fetchStreams })
      const result: unknown = await this.deps.module.activate(context)
      // EXT-LIFE-005: only an object with a dispose function is kept.
      if (typeof result === 'object' && result !== null && typeof (result as Disposable).dispose === 'function') {
        session.activationDisposable = result as Disposable
      }
      if (this.session === session) this.current = 'active'
    } catch (error) {
      // EXT-LIFE-003 and EXT-LIFE-004 (upstream B2): report, and leave nothing half-active.
      log.error(`Failed to activate extension: ${errorText(error)}`, { error: errorText(error) })
      teardown(session, 'Extension failed to activate', this.deps)
      if (this.session === session) this.session = undefined
      this.current = 'failed'
    }
    this.deps.onActivated()
  }

  /** Handles `deactivate` (EXT-LIFE-012); a later `activate` starts a new session (EXT-LIFE-008, upstream B4). */
  async deactivate(): Promise<void> {
    const session = this.session
    if (!session || this.current !== 'active') {
      this.deps.outbox.log.warn(`deactivate ignored: the extension is ${this.current}`)
      return
    }
    this.current = 'deactivating'
    try {
      await this.deps.module.deactivate?.()
    } catch (error) {
      this.deps.outbox.log.error(`Error during deactivation (module deactivate): ${errorText(error)}`)
    }
    teardown(session, 'Extension deactivated', this.deps)
    this.session = undefined
    this.current = 'deactivated'
  }

  /** The connection is gone: stops the extension's work (what it sends from now on is dropped). */
  dispose(): void {
    if (this.session) teardown(this.session, 'Runtime disposed', this.deps)
    this.session = undefined
  }
}
