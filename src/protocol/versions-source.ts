/**
 * The versioned source: every message, field, permission, behaviour and text with the versions it
 * exists in. Profiles, per-version schemas, the compatibility report and the AsyncAPI documents are
 * all derived from these tables and `versions-methods.ts`, never written by hand.
 */
import Type, { type Static, type TSchema } from 'typebox'
import { Id, Struct } from './common.js'
import { MESSAGES } from './catalogue.js'
import { DEFINITIONS } from './definitions.js'
import type { MessageDescriptor } from './descriptor.js'
import { ProviderChatRequestMessage } from './messages/provider.js'
import { PERMISSIONS } from './permissions.js'
import { ChatMessage, ChatOptions } from './types.js'
import { ADDED_DEFINITIONS } from './versions-methods.js'
import type { Breaks, ChangeVersion } from './versions.js'

export type { Breaks } from './versions.js'


// ---------------------------------------------------------------------------------------------
// Messages and fields
// ---------------------------------------------------------------------------------------------

/**
 * Free-form context of a chat request (0.30.0): upstream's chat orchestrator sets `userId`; the
 * object is open, so hosts may add more.
 */
export const ChatContext = Type.Object(
  { userId: Type.Optional(Type.String()) },
  { description: 'Context of a chat request: the user it runs for, and anything else the host adds.' },
)

/** `ChatOptions` from 0.30.0: gains `context`. */
export const ChatOptionsWithContext = Struct(
  { ...ChatOptions.properties, context: Type.Optional(ChatContext) },
  { description: 'Options of a chat request.' },
)

/** See {@link ChatOptionsWithContext}. */
export type ChatOptionsWithContext = Static<typeof ChatOptionsWithContext>
/** See {@link ChatContext}. */
export type ChatContext = Static<typeof ChatContext>

/** `provider-chat-request` from 0.30.0, whose options may carry `context`. */
export const ProviderChatRequestMessageWithContext = Struct(
  {
    type: Type.Literal('provider-chat-request'),
    id: Id,
    payload: Struct({ providerId: Id, messages: Type.Array(ChatMessage), options: ChatOptionsWithContext }),
  },
  { description: 'Run a chat on a provider.' },
)

/** A message descriptor with the versions it exists in. */
export type VersionedMessage = Omit<MessageDescriptor, 'since'> & {
  readonly since: ChangeVersion
  readonly until?: ChangeVersion
}

function chatRequest(): VersionedMessage[] {
  const base = MESSAGES.find((m) => m.type === 'provider-chat-request') as MessageDescriptor
  if (base.schema !== ProviderChatRequestMessage) throw new Error('provider-chat-request: the catalogue and the provider family disagree')
  return [
    Object.freeze({ ...base, until: '0.30.0' as const }),
    Object.freeze({ ...base, since: '0.30.0' as const, schema: ProviderChatRequestMessageWithContext }),
  ]
}

/**
 * Every message with the versions it exists in; a message whose schema changed has one entry per
 * definition. The `request` entry stands for the message only: each profile builds its schema from
 * its own methods.
 */
export const MESSAGE_HISTORY: readonly VersionedMessage[] = Object.freeze(
  MESSAGES.flatMap((m): VersionedMessage[] => (m.type === 'provider-chat-request' ? chatRequest() : [m])),
)

/** A field added to (or removed from) a named type or message after its owner appeared. */
export interface FieldChange {
  /** The named type (`ChatOptions`) or message type (`provider-chat-request`) that owns the field. */
  readonly owner: string
  /** The property name. */
  readonly field: string
  readonly since: ChangeVersion
  readonly until?: ChangeVersion
  /** Who a peer of the older profile breaks for when the field appears, and why. */
  readonly breaks: Breaks
  readonly reason: string
}

/**
 * Fields whose versions differ from their owner's. Every other field exists exactly as long as the
 * definition that declares it ({@link fieldSince}).
 */
export const FIELD_HISTORY: readonly FieldChange[] = Object.freeze([
  {
    owner: 'ChatOptions', field: 'context', since: '0.30.0', breaks: 'neither',
    reason: 'Optional; a receiver that ignores unknown fields is unaffected (strict validation of the older profile rejects it).',
  },
])

/** The version a field first exists in: its own entry in {@link FIELD_HISTORY}, else its owner's. */
export function fieldSince(owner: string, field: string, ownerSince: ChangeVersion): ChangeVersion {
  return FIELD_HISTORY.find((f) => f.owner === owner && f.field === field)?.since ?? ownerSince
}

/** A named nested type with the versions it exists in. */
export interface VersionedDefinition {
  readonly name: string
  readonly schema: TSchema
  readonly since: ChangeVersion
  readonly until?: ChangeVersion
}

const DEFINITION_SINCE: Readonly<Record<string, ChangeVersion>> = {
  BackgroundRestartPolicy: '0.22.0',
  BackgroundTaskHealth: '0.22.0',
  StorageQuery: '0.23.0',
  StorageQueryOptions: '0.23.0',
  StorageDocument: '0.23.0',
  StoragePutManyEntry: '0.23.0',
  ListedTool: '0.30.0',
}

/** Every named type of every profile; `ChatOptions` has two definitions. */
export const DEFINITION_HISTORY: readonly VersionedDefinition[] = Object.freeze([
  ...Object.entries(DEFINITIONS).flatMap(([name, schema]): VersionedDefinition[] =>
    name === 'ChatOptions'
      ? [
          { name, schema, since: '0.21.0', until: '0.30.0' },
          { name, schema: ChatOptionsWithContext, since: '0.30.0' },
          { name: 'ChatContext', schema: ChatContext, since: '0.30.0' },
        ]
      : [{ name, schema, since: DEFINITION_SINCE[name] ?? '0.21.0' }],
  ),
  ...Object.entries(ADDED_DEFINITIONS).map(([name, schema]) => ({ name, schema, since: DEFINITION_SINCE[name] ?? '0.23.0' })),
])

// ---------------------------------------------------------------------------------------------
// Permissions
// ---------------------------------------------------------------------------------------------

/** A literal manifest permission with the versions it exists in. */
export interface VersionedPermission {
  readonly name: string
  readonly since: ChangeVersion
  readonly until?: ChangeVersion
  /** The permission that took over what this one granted, when it was removed. */
  readonly replacedBy?: string
  /** Why it was added, removed or replaced (for the report). */
  readonly reason?: string
}

const PERMISSION_CHANGES: Readonly<Record<string, Omit<VersionedPermission, 'name'>>> = {
  'background.workers': { since: '0.22.0', reason: 'Gates the background-task messages, new in 0.22.0.' },
  'storage.local': {
    since: '0.21.0', until: '0.23.0', replacedBy: 'storage.collections',
    reason: 'Key-value storage gave way to collection storage; the storage methods that remain are gated by storage.collections.',
  },
  'database.own': {
    since: '0.21.0', until: '0.23.0', replacedBy: 'storage.collections',
    reason: "database.execute lost its handler; an extension's own structured data lives in declared collections instead.",
  },
}

/** Every literal permission of every profile (the `network:` patterns exist in all of them). */
export const PERMISSION_HISTORY: readonly VersionedPermission[] = Object.freeze([
  ...PERMISSIONS.map((name) => Object.freeze({ name, since: '0.21.0' as ChangeVersion, ...PERMISSION_CHANGES[name] })),
  { name: 'storage.collections', since: '0.23.0', reason: 'Gates collection storage (the host also requires the collection to be declared in the manifest).' },
  { name: 'secrets.manage', since: '0.23.0', reason: 'Gates the secrets methods.' },
  { name: 'tools.list', since: '0.30.0', reason: 'Gates tools.list.' },
  { name: 'tools.execute', since: '0.30.0', reason: 'Gates tools.execute.' },
  { name: 'user.list', since: '0.31.0', reason: 'Gates user.listIds on the host.' },
])

// ---------------------------------------------------------------------------------------------
// Behaviours and texts
// ---------------------------------------------------------------------------------------------

/** Something a peer does that changed without a schema change. */
export interface VersionedBehaviour {
  readonly id: string
  /** The message type or method it is about. */
  readonly subject: string
  readonly since: ChangeVersion
  readonly until?: ChangeVersion
  /** What a peer of this profile does. */
  readonly text: string
  /** Who a peer of the older profile breaks for when this starts, and why. */
  readonly breaks: Breaks
  readonly reason: string
}

/** Behaviour changes, oldest first. */
export const BEHAVIOUR_HISTORY: readonly VersionedBehaviour[] = Object.freeze([
  {
    id: 'scheduler-fire-report', subject: 'scheduler-fire', since: '0.26.0',
    text: 'After the onFire callbacks of a fire have settled, the worker sends scheduler.reportFireResult with the outcome, even when no callback is registered.',
    breaks: 'neither', reason: 'The worker ignores the answer, so an older host answering `Unknown method` breaks nothing.',
  },
  {
    id: 'tools-execute-source', subject: 'tool-execute-request', since: '0.30.0',
    text: "A tool-execute-request may come from another extension's tools.execute call.",
    breaks: 'neither', reason: 'The message is unchanged; only its cause is new.',
  },
  {
    id: 'settings-changed-unsent', subject: 'settings-changed', since: '0.33.0',
    text: 'Hosts never send settings-changed: settings start empty (activate carries settings {}) and change only through settings.set. Workers still accept the message.',
    breaks: 'workers', reason: 'An extension that waits for onChange, or reads initial settings from activate, never hears them.',
  },
])

/** A text on the wire that a peer may read, with the versions it is sent in. */
export interface VersionedText {
  readonly id: string
  /** Message type and JSON pointer of the field that carries it. */
  readonly message: string
  readonly field: string
  readonly since: ChangeVersion
  readonly until?: ChangeVersion
  /** The text, with `<placeholders>`. */
  readonly text: string
  readonly breaks: Breaks
  readonly reason: string
}

/** Texts whose wording changed, oldest first. */
export const TEXT_HISTORY: readonly VersionedText[] = Object.freeze([
  {
    id: 'fetch-stream-http-error', message: 'streaming-fetch-chunk', field: '/payload/error', since: '0.21.0', until: '0.35.0',
    text: 'HTTP <status>: <statusText>',
    breaks: 'neither', reason: 'The original text.',
  },
  {
    id: 'fetch-stream-http-error', message: 'streaming-fetch-chunk', field: '/payload/error', since: '0.35.0',
    text: 'HTTP <status> <statusText>[: <body, cut to 1024 characters and marked by … when longer>] (hosts running in a browser keep the older text)',
    breaks: 'workers', reason: 'Extension code that reads the status out of the error text parses a different text.',
  },
])
