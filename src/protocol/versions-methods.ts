/**
 * Every request method of every profile, each with the versions it exists in. The 19 methods of
 * 0.22.1 keep their schemas from `methods.ts` (the same objects, so the default profile is today's
 * protocol); a method whose payload changed under the same name has two entries, one ending where
 * the other starts.
 */
import Type, { type Static, type TSchema } from 'typebox'
import { Id, JsonObject, Struct } from './common.js'
import { METHODS, NoData, type MethodDescriptor } from './methods.js'
import { ToolResult } from './types.js'
import type { Breaks, ChangeVersion } from './versions.js'

// ---------------------------------------------------------------------------------------------
// Schema: types introduced after 0.22.1
// ---------------------------------------------------------------------------------------------

const Collection = Type.String({ minLength: 1, description: 'A collection the manifest declares (the host refuses others).' })
const DocId = Type.String({ minLength: 1, description: 'The id of a document in its collection.' })
const SecretKey = Type.String({ minLength: 1 })
const UserId = Type.String({ minLength: 1, pattern: '^[^:/\\\\]+$', description: 'A user id without ":", "/" or "\\".' })

/**
 * A collection query: each key is a document field, each value either the value the field must
 * equal or one operator object (`$gt`, `$gte`, `$lt`, `$lte`, `$ne`, `$in` with an array,
 * `$contains` with a string). Any value can be compared with equality, so the schema cannot be
 * narrower than an open object.
 */
export const StorageQuery = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Field -> value to equal, or an operator object such as {"$gt": 3} or {"$in": [1, 2]}.',
})

/** Sorting and paging of `storage.find`. */
export const StorageQueryOptions = Struct(
  {
    sort: Type.Optional(Type.Record(Type.String(), Type.Enum(['asc', 'desc']))),
    limit: Type.Optional(Type.Integer({ minimum: 0 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { description: 'Sort order per field, and how many documents to skip and return.' },
)

/** A stored document: an object (the host accepts any object, arrays included). */
export const StorageDocument = Type.Record(Type.String(), Type.Unknown(), { description: 'A stored document.' })

/** One entry of `storage.putMany`. */
export const StoragePutManyEntry = Struct({ id: DocId, data: StorageDocument })

/** One tool of the `tools.list` answer: the strings the owning extension registered. */
export const ListedTool = Struct(
  { id: Type.String(), name: Type.String(), description: Type.String(), parameters: Type.Optional(JsonObject) },
  { description: 'A tool some loaded extension registered, as tools.list reports it.' },
)

const Documents = Type.Array(Type.Unknown(), { description: 'The matching documents.' })
const Count = Type.Integer({ minimum: 0 })
const Names = Type.Array(Type.String())

function withUser(properties: Record<string, TSchema>): TSchema {
  return Struct({ userId: UserId, ...properties })
}

/** Payloads of the collection-storage methods (0.23.0), extension scope. */
export const StoragePayloads = {
  put: { collection: Collection, id: DocId, data: StorageDocument },
  get: { collection: Collection, id: DocId },
  delete: { collection: Collection, id: DocId },
  find: { collection: Collection, query: Type.Optional(StorageQuery), options: Type.Optional(StorageQueryOptions) },
  findOne: { collection: Collection, query: StorageQuery },
  count: { collection: Collection, query: Type.Optional(StorageQuery) },
  putMany: { collection: Collection, docs: Type.Array(StoragePutManyEntry) },
  deleteMany: { collection: Collection, query: StorageQuery },
  dropCollection: { collection: Collection },
  listCollections: {},
} as const

/** Payload of `scheduler.reportFireResult` (0.26.0). */
export const SchedulerReportFireResultPayload = Struct({
  jobId: Id,
  success: Type.Boolean(),
  error: Type.Optional(Type.String({ description: 'Why the first failing onFire callback failed (its String() form).' })),
})
/** Payload of `tools.execute` (0.30.0). */
export const ToolsExecutePayload = Struct({
  toolId: Type.String({ minLength: 1 }),
  params: JsonObject,
  userId: Type.Optional(Type.String()),
})
/** Payload of `secrets.set` (0.23.0). */
export const SecretsSetPayload = Struct({ key: SecretKey, value: Type.String({ minLength: 1 }) })
/** Payload of `secrets.get` and `secrets.delete` (0.23.0). */
export const SecretsKeyPayload = Struct({ key: SecretKey })
/** Payload of methods without parameters added after 0.22.1. */
const Empty = Struct({}, { description: 'No parameters.' })

// ---------------------------------------------------------------------------------------------
// Descriptor
// ---------------------------------------------------------------------------------------------

/** A request method as it exists between two versions. */
export interface VersionedMethod {
  /** The wire name. */
  readonly method: string
  /** First version with this definition. */
  readonly since: ChangeVersion
  /** First version without it (removed, or replaced by another definition under the same name). */
  readonly until?: ChangeVersion
  /** Why it ends at `until`: for the compatibility report and the reference. */
  readonly untilReason?: string
  /** Schema of `request.payload`. */
  readonly payload: TSchema
  /** Schema of `response.payload.data` when present. */
  readonly response: TSchema
  /** True when a successful response carries no data. */
  readonly noData: boolean
  /** True when a successful response may also omit `data` (not found), besides carrying `response`. */
  readonly dataOptional: boolean
  /** Permission without which the worker offers no API for it; null when the worker sends it unasked or ungated. */
  readonly workerGate: string | null
  /** Permission the host checks, or null where it checks none. */
  readonly hostGate: string | null
  /** One-line description. */
  readonly description: string
  /** The 0.22.1 descriptor this entry wraps, for the default profile. */
  readonly legacy?: MethodDescriptor
  /** Who its appearance breaks, where the general rule (a host without it answers `Unknown method`) does not fit. */
  readonly added?: { readonly breaks: Breaks; readonly reason: string }
}

interface Extra {
  until?: ChangeVersion
  untilReason?: string
  dataOptional?: boolean
  added?: { breaks: Breaks; reason: string }
}

function entry(
  name: string,
  since: ChangeVersion,
  payload: TSchema,
  response: TSchema,
  workerGate: string | null,
  hostGate: string | null,
  description: string,
  extra: Extra = {},
): VersionedMethod {
  return Object.freeze({
    method: name, since, payload, response, noData: response === NoData, dataOptional: extra.dataOptional ?? false,
    workerGate, hostGate, description,
    ...(extra.until ? { until: extra.until } : {}),
    ...(extra.untilReason ? { untilReason: extra.untilReason } : {}),
    ...(extra.added ? { added: Object.freeze(extra.added) } : {}),
  })
}

const CHANGED_023 = 'Same name, new payload: collection storage addresses a document by collection and id instead of a key.'
const UNHANDLED_023 =
  "Still named in upstream's method union, but no host handles it any more: it is answered `Unknown method`."

/** When each 0.22.1 method ends, and why. */
const LEGACY_UNTIL: Readonly<Record<string, Extra>> = {
  'database.execute': { until: '0.23.0', untilReason: UNHANDLED_023 },
  'storage.get': { until: '0.23.0', untilReason: CHANGED_023 },
  'storage.set': { until: '0.23.0', untilReason: `${UNHANDLED_023} Use storage.put.` },
  'storage.delete': { until: '0.23.0', untilReason: CHANGED_023 },
  'storage.keys': { until: '0.23.0', untilReason: `${UNHANDLED_023} Use storage.find.` },
  'storage.getForUser': { until: '0.23.0', untilReason: CHANGED_023 },
  'storage.setForUser': { until: '0.23.0', untilReason: `${UNHANDLED_023} Use storage.putForUser.` },
  'storage.deleteForUser': { until: '0.23.0', untilReason: CHANGED_023 },
  'storage.keysForUser': { until: '0.23.0', untilReason: `${UNHANDLED_023} Use storage.findForUser.` },
}

function legacy(m: MethodDescriptor): VersionedMethod {
  const extra = LEGACY_UNTIL[m.method] ?? {}
  return Object.freeze({ ...entry(m.method, m.since, m.payload, m.response, m.workerGate, m.hostGate, m.description, extra), noData: m.noData, legacy: m })
}

type StorageOp = keyof typeof StoragePayloads

const STORAGE_RESPONSES: Readonly<Record<StorageOp, [TSchema, boolean, string]>> = {
  put: [NoData, false, 'Store a document under an id in a collection.'],
  get: [StorageDocument, true, 'Read a document by id; data is absent when there is none.'],
  delete: [Type.Boolean({ description: 'True when a document was deleted.' }), false, 'Delete a document by id.'],
  find: [Documents, false, 'Find documents matching a query, sorted and paged.'],
  findOne: [StorageDocument, true, 'Find the first document matching a query; data is absent when none matches.'],
  count: [Count, false, 'Count documents matching a query.'],
  putMany: [NoData, false, 'Store several documents.'],
  deleteMany: [Count, false, 'Delete documents matching a query; answers how many.'],
  dropCollection: [NoData, false, 'Delete a collection and its documents.'],
  listCollections: [Names, false, 'List the collections that hold documents.'],
}

function storageMethods(): VersionedMethod[] {
  const out: VersionedMethod[] = []
  for (const op of Object.keys(StoragePayloads) as StorageOp[]) {
    const [response, dataOptional, description] = STORAGE_RESPONSES[op]
    const properties = StoragePayloads[op] as Record<string, TSchema>
    out.push(entry(`storage.${op}`, '0.23.0', op === 'listCollections' ? Empty : Struct(properties), response, 'storage.collections', 'storage.collections', description, { dataOptional }))
  }
  for (const op of Object.keys(StoragePayloads) as StorageOp[]) {
    const [response, dataOptional, description] = STORAGE_RESPONSES[op]
    const properties = StoragePayloads[op] as Record<string, TSchema>
    // The worker reaches user-scoped storage only through the context of a tool, action, fire or
    // task run for a user, which it builds whatever the permissions; the host checks them.
    out.push(entry(`storage.${op}ForUser`, '0.23.0', withUser(properties), response, null, 'storage.collections', `${description.replace(/\.$/, '')}, in one user's scope.`, { dataOptional }))
  }
  return out
}

function secretsMethods(): VersionedMethod[] {
  const ops: Array<[string, TSchema, TSchema, boolean, string]> = [
    ['set', SecretsSetPayload, NoData, false, 'Store a secret string under a key.'],
    ['get', SecretsKeyPayload, Type.String(), true, 'Read a secret; data is absent when there is none.'],
    ['delete', SecretsKeyPayload, Type.Boolean({ description: 'True when a secret was deleted.' }), false, 'Delete a secret.'],
    ['list', Empty, Names, false, 'List the keys of the stored secrets (never their values).'],
  ]
  const out: VersionedMethod[] = []
  for (const [op, payload, response, dataOptional, description] of ops) {
    out.push(entry(`secrets.${op}`, '0.23.0', payload, response, 'secrets.manage', 'secrets.manage', description, { dataOptional }))
  }
  for (const [op, payload, response, dataOptional, description] of ops) {
    const properties = (payload as unknown as { properties: Record<string, TSchema> }).properties
    out.push(entry(`secrets.${op}ForUser`, '0.23.0', withUser(properties), response, null, 'secrets.manage', `${description.replace(/\.$/, '')}, in one user's scope.`, { dataOptional }))
  }
  return out
}

/** Every request method of every profile, in the order the reference lists them. */
export const METHOD_HISTORY: readonly VersionedMethod[] = Object.freeze([
  ...METHODS.map(legacy),
  ...storageMethods(),
  ...secretsMethods(),
  entry('scheduler.reportFireResult', '0.26.0', SchedulerReportFireResultPayload, NoData, null, 'scheduler.register',
    'Report how the onFire callbacks of one scheduler-fire ended; the worker sends it after every fire and ignores the answer.',
    { added: { breaks: 'neither', reason: 'The worker sends it on its own and ignores the answer, so an older host answering `Unknown method` breaks nothing.' } }),
  entry('tools.list', '0.30.0', Empty, Type.Array(ListedTool), 'tools.list', 'tools.list', 'List the tools every loaded extension registered, the caller included.'),
  entry('tools.execute', '0.30.0', ToolsExecutePayload, ToolResult, 'tools.execute', 'tools.execute',
    'Run a tool of any loaded extension (the first in load order that registered the id).'),
  // Upstream's worker offers listIds under user.profile.read while its host checks user.list.
  entry('user.listIds', '0.31.0', Empty, Type.Array(Type.String()), 'user.profile.read', 'user.list', 'List the ids of the known users.'),
])

/** Static payload types of the methods added after 0.22.1. */
export interface AddedRequestPayloads {
  'storage.put': { collection: string; id: string; data: Static<typeof StorageDocument> }
  'storage.get': { collection: string; id: string }
  'storage.delete': { collection: string; id: string }
  'storage.find': { collection: string; query?: Static<typeof StorageQuery>; options?: Static<typeof StorageQueryOptions> }
  'storage.findOne': { collection: string; query: Static<typeof StorageQuery> }
  'storage.count': { collection: string; query?: Static<typeof StorageQuery> }
  'storage.putMany': { collection: string; docs: Array<Static<typeof StoragePutManyEntry>> }
  'storage.deleteMany': { collection: string; query: Static<typeof StorageQuery> }
  'storage.dropCollection': { collection: string }
  'storage.listCollections': Record<string, never>
  'storage.putForUser': { userId: string } & AddedRequestPayloads['storage.put']
  'storage.getForUser': { userId: string } & AddedRequestPayloads['storage.get']
  'storage.deleteForUser': { userId: string } & AddedRequestPayloads['storage.delete']
  'storage.findForUser': { userId: string } & AddedRequestPayloads['storage.find']
  'storage.findOneForUser': { userId: string } & AddedRequestPayloads['storage.findOne']
  'storage.countForUser': { userId: string } & AddedRequestPayloads['storage.count']
  'storage.putManyForUser': { userId: string } & AddedRequestPayloads['storage.putMany']
  'storage.deleteManyForUser': { userId: string } & AddedRequestPayloads['storage.deleteMany']
  'storage.dropCollectionForUser': { userId: string } & AddedRequestPayloads['storage.dropCollection']
  'storage.listCollectionsForUser': { userId: string }
  'secrets.set': Static<typeof SecretsSetPayload>
  'secrets.get': Static<typeof SecretsKeyPayload>
  'secrets.delete': Static<typeof SecretsKeyPayload>
  'secrets.list': Record<string, never>
  'secrets.setForUser': { userId: string } & Static<typeof SecretsSetPayload>
  'secrets.getForUser': { userId: string } & Static<typeof SecretsKeyPayload>
  'secrets.deleteForUser': { userId: string } & Static<typeof SecretsKeyPayload>
  'secrets.listForUser': { userId: string }
  'scheduler.reportFireResult': Static<typeof SchedulerReportFireResultPayload>
  'tools.list': Record<string, never>
  'tools.execute': Static<typeof ToolsExecutePayload>
  'user.listIds': Record<string, never>
}

/** Static response data of the methods added after 0.22.1 (`undefined` where absent). */
export interface AddedResponseData {
  'storage.put': undefined
  'storage.get': Static<typeof StorageDocument> | undefined
  'storage.delete': boolean
  'storage.find': unknown[]
  'storage.findOne': Static<typeof StorageDocument> | undefined
  'storage.count': number
  'storage.putMany': undefined
  'storage.deleteMany': number
  'storage.dropCollection': undefined
  'storage.listCollections': string[]
  'storage.putForUser': undefined
  'storage.getForUser': Static<typeof StorageDocument> | undefined
  'storage.deleteForUser': boolean
  'storage.findForUser': unknown[]
  'storage.findOneForUser': Static<typeof StorageDocument> | undefined
  'storage.countForUser': number
  'storage.putManyForUser': undefined
  'storage.deleteManyForUser': number
  'storage.dropCollectionForUser': undefined
  'storage.listCollectionsForUser': string[]
  'secrets.set': undefined
  'secrets.get': string | undefined
  'secrets.delete': boolean
  'secrets.list': string[]
  'secrets.setForUser': undefined
  'secrets.getForUser': string | undefined
  'secrets.deleteForUser': boolean
  'secrets.listForUser': string[]
  'scheduler.reportFireResult': undefined
  'tools.list': Array<Static<typeof ListedTool>>
  'tools.execute': Static<typeof ToolResult>
  'user.listIds': string[]
}

/** Named types introduced after 0.22.1, for `$defs` and the reference. */
export const ADDED_DEFINITIONS: Readonly<Record<string, TSchema>> = Object.freeze({
  StorageQuery,
  StorageQueryOptions,
  StorageDocument,
  StoragePutManyEntry,
  ListedTool,
})
