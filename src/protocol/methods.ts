/**
 * The 19 request methods a worker may call on its host with a `request` message
 * (`docs/reference.md`, "Request methods"). Each method has its `payload` schema, its response `data` schema and a descriptor
 * with the permissions that gate it on either side.
 */
import Type, { type Static, type TSchema } from 'typebox'
import { Id, JsonObject, Struct } from './common.js'
import { ChatInstructionMessage, SchedulerJobRequest, UserProfile } from './types.js'

// ---------------------------------------------------------------------------------------------
// Schema: shared pieces
// ---------------------------------------------------------------------------------------------

/**
 * The `RequestInit` subset that survives a structured clone. `signal` is not cloneable and a
 * `Headers` instance arrives as `{}`, so headers travel as a plain object or as pairs.
 */
export const FetchOptions = Struct(
  {
    method: Type.Optional(Type.String()),
    headers: Type.Optional(
      Type.Union([Type.Record(Type.String(), Type.String()), Type.Array(Type.Tuple([Type.String(), Type.String()]))]),
    ),
    body: Type.Optional(Type.String()),
    mode: Type.Optional(Type.String()),
    credentials: Type.Optional(Type.String()),
    cache: Type.Optional(Type.String()),
    redirect: Type.Optional(Type.String()),
    referrer: Type.Optional(Type.String()),
    referrerPolicy: Type.Optional(Type.String()),
    integrity: Type.Optional(Type.String()),
    keepalive: Type.Optional(Type.Boolean()),
  },
  { description: 'The cloneable part of a fetch RequestInit.' },
)

/** The response to `network.fetch`: the body is always text. */
export const FetchResponse = Struct(
  {
    status: Type.Integer({ minimum: 0, maximum: 999 }),
    statusText: Type.String(),
    headers: Type.Record(Type.String(), Type.String()),
    body: Type.String(),
  },
  { description: 'A fetched HTTP response; header names are lower-case.' },
)

/**
 * Response data of methods that return nothing. Upstream hosts send `data: undefined`: JSON drops
 * the key and structured clone keeps it with `undefined`, which counts as absent (EXT-WIRE-003), so
 * on the wire the field is absent. A host written in a language without `undefined` may send `null`;
 * receivers treat it as absent. The schema can only judge a present value, hence `type: null`.
 */
export const NoData = Type.Null({
  description:
    'No data: a successful response omits `data` (or, under structured clone, carries it as undefined, which counts as absent). A present `data` must be null, which receivers treat as absent; any other value is invalid.',
})

/** Response data that may be any value, or absent. */
export const AnyData = Type.Unknown({ description: 'Any value, or absent.' })

const Key = Type.String({ minLength: 1 })
const UserId = Type.String({ minLength: 1, pattern: '^[^:/\\\\]+$', description: 'A user id without ":", "/" or "\\".' })

// ---------------------------------------------------------------------------------------------
// Schema: payloads and responses
// ---------------------------------------------------------------------------------------------

/** Payload of `network.fetch`. */
export const NetworkFetchPayload = Struct({ url: Type.String({ minLength: 1 }), options: Type.Optional(FetchOptions) })
/** Payload of `network.fetch-stream`; `requestId` equals the `request.id`. */
export const NetworkFetchStreamPayload = Struct({
  url: Type.String({ minLength: 1 }),
  options: Type.Optional(FetchOptions),
  requestId: Type.String({
    minLength: 1,
    description: "Equal to the request's own id; the host's streaming-fetch-chunk messages and the worker's acks carry it.",
  }),
})
/** Response of `network.fetch-stream`: the data follows as `streaming-fetch-chunk` messages. */
export const NetworkFetchStreamResponse = Struct({ status: Type.Literal('streaming') })
/** Payload of `settings.getAll` (and of other methods without parameters). */
export const EmptyPayload = Struct({}, { description: 'No parameters.' })
/** Payload of `settings.get`, `storage.get`, `storage.delete`. */
export const KeyPayload = Struct({ key: Key })
/** Payload of `settings.set` and `storage.set`. */
export const KeyValuePayload = Struct({ key: Key, value: Type.Optional(Type.Unknown()) })
/** Payload of `events.emit`. */
export const EventsEmitPayload = Struct({ name: Type.String({ minLength: 1 }), payload: Type.Optional(JsonObject) })
/** Payload of `scheduler.schedule`. */
export const SchedulerSchedulePayload = Struct({ job: SchedulerJobRequest })
/** Payload of `scheduler.cancel`. */
export const SchedulerCancelPayload = Struct({ jobId: Id })
/** Payload of `database.execute`. */
export const DatabaseExecutePayload = Struct({ sql: Type.String({ minLength: 1 }), params: Type.Optional(Type.Array(Type.Unknown())) })
/** Payload of `storage.getForUser` and `storage.deleteForUser`. */
export const UserKeyPayload = Struct({ userId: UserId, key: Key })
/** Payload of `storage.setForUser`. */
export const UserKeyValuePayload = Struct({ userId: UserId, key: Key, value: Type.Optional(Type.Unknown()) })
/** Payload of `storage.keysForUser`. */
export const UserPayload = Struct({ userId: UserId })

// ---------------------------------------------------------------------------------------------
// Descriptor
// ---------------------------------------------------------------------------------------------

/** What the protocol knows about one request method. */
export interface MethodDescriptor {
  /** The wire name, e.g. `storage.get`. */
  readonly method: string
  /** Schema of `request.payload`. */
  readonly payload: TSchema
  /** Schema of `response.payload.data` on success. */
  readonly response: TSchema
  /** Permission without which the worker does not expose the API (`network:` means any `network:` permission). */
  readonly workerGate: string
  /** Permission the host checks, or null where the host checks none (upstream B23). */
  readonly hostGate: string | null
  /** True when a successful response carries no data. */
  readonly noData: boolean
  /** Protocol version that introduced the method. */
  readonly since: '0.21.0'
  /** One-line description. */
  readonly description: string
}

function method(
  name: string,
  payload: TSchema,
  response: TSchema,
  workerGate: string,
  hostGate: string | null,
  description: string,
): MethodDescriptor {
  return Object.freeze({ method: name, payload, response, workerGate, hostGate, noData: response === NoData, since: '0.21.0', description })
}

/** All 19 request methods of 0.22.1, in upstream order. */
export const METHODS: readonly MethodDescriptor[] = Object.freeze([
  method('network.fetch', NetworkFetchPayload, FetchResponse, 'network:', 'network:<host>[:<port>]', 'Fetch a URL through the host.'),
  method('network.fetch-stream', NetworkFetchStreamPayload, NetworkFetchStreamResponse, 'network:', 'network:<host>[:<port>]', 'Fetch a URL and receive the body as acknowledged chunks.'),
  method('settings.getAll', EmptyPayload, JsonObject, 'settings.register', null, "Read all of the extension's settings."),
  method('settings.get', KeyPayload, AnyData, 'settings.register', null, 'Read one setting.'),
  method('settings.set', KeyValuePayload, NoData, 'settings.register', 'settings.register', 'Write one setting.'),
  method('user.getProfile', EmptyPayload, UserProfile, 'user.profile.read', 'user.profile.read', "Read the user's profile."),
  method('events.emit', EventsEmitPayload, NoData, 'events.emit', 'events.emit', 'Emit a named event to the host.'),
  method('scheduler.schedule', SchedulerSchedulePayload, NoData, 'scheduler.register', 'scheduler.register', 'Schedule a job.'),
  method('scheduler.cancel', SchedulerCancelPayload, NoData, 'scheduler.register', 'scheduler.register', 'Cancel a scheduled job.'),
  method('chat.appendInstruction', ChatInstructionMessage, NoData, 'chat.message.write', 'chat.message.write', 'Append an instruction to a chat.'),
  method('database.execute', DatabaseExecutePayload, Type.Array(Type.Unknown()), 'database.own', 'database.own', "Run SQL on the extension's own tables."),
  method('storage.get', KeyPayload, AnyData, 'storage.local', 'storage.local', 'Read a stored value.'),
  method('storage.set', KeyValuePayload, NoData, 'storage.local', 'storage.local', 'Store a value.'),
  method('storage.delete', KeyPayload, NoData, 'storage.local', 'storage.local', 'Delete a stored value.'),
  method('storage.keys', EmptyPayload, Type.Array(Type.String()), 'storage.local', 'storage.local', 'List stored keys.'),
  method('storage.getForUser', UserKeyPayload, AnyData, 'storage.local', 'storage.local', "Read a value from a user's storage."),
  method('storage.setForUser', UserKeyValuePayload, NoData, 'storage.local', 'storage.local', "Store a value in a user's storage."),
  method('storage.deleteForUser', UserKeyPayload, NoData, 'storage.local', 'storage.local', "Delete a value from a user's storage."),
  method('storage.keysForUser', UserPayload, Type.Array(Type.String()), 'storage.local', 'storage.local', "List a user's stored keys."),
])

/** The wire names of all request methods. */
export const METHOD_NAMES: readonly string[] = Object.freeze(METHODS.map((m) => m.method))

/** Descriptor of `name`, or undefined for an unknown method. Safe for any string (no prototype lookups). */
export function methodDescriptor(name: string): MethodDescriptor | undefined {
  return METHODS.find((m) => m.method === name)
}

// ---------------------------------------------------------------------------------------------
// Static
// ---------------------------------------------------------------------------------------------

/** A request method name. */
export type RequestMethod = keyof RequestPayloads

/** See {@link FetchOptions}. */
export type FetchOptions = Static<typeof FetchOptions>
/** See {@link FetchResponse}. */
export type FetchResponse = Static<typeof FetchResponse>

/** Payload type of each method. */
export interface RequestPayloads {
  'network.fetch': Static<typeof NetworkFetchPayload>
  'network.fetch-stream': Static<typeof NetworkFetchStreamPayload>
  'settings.getAll': Static<typeof EmptyPayload>
  'settings.get': Static<typeof KeyPayload>
  'settings.set': Static<typeof KeyValuePayload>
  'user.getProfile': Static<typeof EmptyPayload>
  'events.emit': Static<typeof EventsEmitPayload>
  'scheduler.schedule': Static<typeof SchedulerSchedulePayload>
  'scheduler.cancel': Static<typeof SchedulerCancelPayload>
  'chat.appendInstruction': Static<typeof ChatInstructionMessage>
  'database.execute': Static<typeof DatabaseExecutePayload>
  'storage.get': Static<typeof KeyPayload>
  'storage.set': Static<typeof KeyValuePayload>
  'storage.delete': Static<typeof KeyPayload>
  'storage.keys': Static<typeof EmptyPayload>
  'storage.getForUser': Static<typeof UserKeyPayload>
  'storage.setForUser': Static<typeof UserKeyValuePayload>
  'storage.deleteForUser': Static<typeof UserKeyPayload>
  'storage.keysForUser': Static<typeof UserPayload>
}

/** Response data type of each method (`undefined` where the method returns nothing). */
export interface ResponseData {
  'network.fetch': FetchResponse
  'network.fetch-stream': Static<typeof NetworkFetchStreamResponse>
  'settings.getAll': Static<typeof JsonObject>
  'settings.get': unknown
  'settings.set': undefined
  'user.getProfile': Static<typeof UserProfile>
  'events.emit': undefined
  'scheduler.schedule': undefined
  'scheduler.cancel': undefined
  'chat.appendInstruction': undefined
  'database.execute': unknown[]
  'storage.get': unknown
  'storage.set': undefined
  'storage.delete': undefined
  'storage.keys': string[]
  'storage.getForUser': unknown
  'storage.setForUser': undefined
  'storage.deleteForUser': undefined
  'storage.keysForUser': string[]
}
