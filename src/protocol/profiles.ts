/**
 * Profiles: the protocol as one version speaks it, derived from the versioned source. Validators,
 * runtimes and fixtures per version build on {@link profile}: it hands them the messages (with
 * their schemas), the methods (payload and response schemas), the permissions, behaviours and texts
 * of that version, and the two direction unions. The 0.22.0 profile is made of the very descriptors
 * and schemas the rest of the package uses, so the default stays exactly what it was.
 */
import Type, { type TSchema } from 'typebox'
import { Id, Struct } from './common.js'
import { MESSAGES } from './catalogue.js'
import { DEFINITIONS } from './definitions.js'
import type { Direction } from './descriptor.js'
import { RequestEnvelope } from './messages/rpc.js'
import { NETWORK_PERMISSION_PATTERNS } from './permissions.js'
import { METHOD_HISTORY, type VersionedMethod } from './versions-methods.js'
import {
  BEHAVIOUR_HISTORY,
  DEFINITION_HISTORY,
  MESSAGE_HISTORY,
  PERMISSION_HISTORY,
  TEXT_HISTORY,
  type VersionedBehaviour,
  type VersionedMessage,
  type VersionedPermission,
  type VersionedText,
} from './versions-source.js'
import { inVersion, PROFILE_RELEASES, PROFILE_VERSIONS, resolveProfile, type ProfileVersion } from './versions.js'

/** The protocol of one version. */
export interface Profile {
  /** The profile's name. */
  readonly version: ProfileVersion
  /** The releases it stands for. */
  readonly releases: string
  /** Every message type with its descriptor (the `request` schema is this profile's union of methods). */
  readonly messages: readonly VersionedMessage[]
  /** Every request method with its payload and response schemas. */
  readonly methods: readonly VersionedMethod[]
  /** Every literal permission a manifest may declare (the `network:` patterns apply too). */
  readonly permissions: readonly VersionedPermission[]
  /** Behaviours in force, with no schema of their own. */
  readonly behaviours: readonly VersionedBehaviour[]
  /** Texts a peer of this version sends. */
  readonly texts: readonly VersionedText[]
  /** Named nested types, by name (for `$defs`). */
  readonly definitions: Readonly<Record<string, TSchema>>
  /** Any host->worker message of this version. */
  readonly hostToWorker: TSchema
  /** Any worker->host message of this version. */
  readonly workerToHost: TSchema
  /** The `request` envelope checked before the payload is checked against its method. */
  readonly requestEnvelope: TSchema
  /** The messages one side sends. */
  messagesOf(direction: Direction): readonly VersionedMessage[]
  /** Descriptor of a message type, or undefined. */
  message(type: string): VersionedMessage | undefined
  /** Descriptor of a method, or undefined when the version has no such method. */
  method(name: string): VersionedMethod | undefined
  /** True when a manifest of this version may declare `permission`. */
  isKnownPermission(permission: string): boolean
}

function sameMethods(a: readonly VersionedMethod[], b: readonly { payload: TSchema }[]): boolean {
  return a.length === b.length && a.every((m, i) => m.payload === b[i]?.payload)
}

const LEGACY_METHODS = METHOD_HISTORY.filter((m) => m.legacy !== undefined)

function requestMessage(methods: readonly VersionedMethod[]): VersionedMessage {
  const legacy = MESSAGES.find((m) => m.type === 'request') as VersionedMessage
  // Where the methods are those of 0.22.1, the request schema is today's, by identity.
  if (sameMethods(methods, LEGACY_METHODS)) return legacy
  const schema = Type.Union(
    methods.map((m) => Struct({ type: Type.Literal('request'), id: Id, method: Type.Literal(m.method), payload: m.payload })),
    { description: 'A call from the worker to a host method; tagged by method.' },
  )
  return Object.freeze({ ...legacy, schema, description: `Calls one of the ${methods.length} host methods; each method has its own permission.` })
}

function build(version: ProfileVersion): Profile {
  const within = <T extends { since: string; until?: string }>(list: readonly T[]): T[] => list.filter((e) => inVersion(version, e.since, e.until))
  const methods = Object.freeze(within(METHOD_HISTORY))
  const request = requestMessage(methods)
  const order = MESSAGES.map((m) => m.type)
  const messages = Object.freeze(
    [
      // Where a version's definition is the catalogue's, the profile hands out the catalogue's descriptor itself.
      ...within(MESSAGE_HISTORY).filter((m) => m.type !== 'request').map((e) => MESSAGES.find((m) => m.type === e.type && m.schema === e.schema) ?? e),
      request,
    ].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type)),
  )
  const definitionEntries = within(DEFINITION_HISTORY)
  const sameDefinitions = definitionEntries.length === Object.keys(DEFINITIONS).length && definitionEntries.every((d) => DEFINITIONS[d.name] === d.schema)
  const definitions = sameDefinitions ? DEFINITIONS : Object.freeze(Object.fromEntries(definitionEntries.map((d) => [d.name, d.schema])))
  const permissions = Object.freeze(within(PERMISSION_HISTORY))
  const union = (direction: Direction, description: string): TSchema =>
    Type.Union(messages.filter((m) => m.direction === direction).map((m) => m.schema), { description })
  return Object.freeze({
    version,
    releases: PROFILE_RELEASES[version],
    messages,
    methods,
    permissions,
    behaviours: Object.freeze(within(BEHAVIOUR_HISTORY)),
    texts: Object.freeze(within(TEXT_HISTORY)),
    definitions,
    hostToWorker: union('host-to-worker', 'Any message the host sends to a worker.'),
    workerToHost: union('worker-to-host', 'Any message a worker sends to its host.'),
    requestEnvelope: RequestEnvelope,
    messagesOf: (direction: Direction) => messages.filter((m) => m.direction === direction),
    message: (type: string) => messages.find((m) => m.type === type),
    method: (name: string) => methods.find((m) => m.method === name),
    isKnownPermission: (permission: string) =>
      permissions.some((p) => p.name === permission) || NETWORK_PERMISSION_PATTERNS.some((pattern) => pattern.test(permission)),
  })
}

/** Every profile, oldest first, built once at load. */
export const PROFILES: Readonly<Record<ProfileVersion, Profile>> = Object.freeze(
  Object.fromEntries(PROFILE_VERSIONS.map((v) => [v, build(v)])) as Record<ProfileVersion, Profile>,
)

/**
 * The protocol of `version`: a profile name (`0.36.0`) or an alias (`0.22.1`). Throws an
 * `UnknownVersionError` that lists the known versions.
 */
export function profile(version: string): Profile {
  return PROFILES[resolveProfile(version)]
}
