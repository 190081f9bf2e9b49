/**
 * RPC family: the worker's `request` to its host, the host's `response`, and the chunk/ack
 * exchange of `network.fetch-stream`.
 */
import Type, { type Static } from 'typebox'
import { Id, Struct } from '../common.js'
import { describe } from '../descriptor.js'
import { METHODS, type RequestMethod, type RequestPayloads } from '../methods.js'

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

/** One variant of `request` per method, so the payload is checked against its method. */
export const RequestVariants = METHODS.map((m) =>
  Struct({ type: Type.Literal('request'), id: Id, method: Type.Literal(m.method), payload: m.payload }),
)

/**
 * The method-independent part of `request`, validated before the payload is checked against its
 * method's schema (the validators dispatch on `method` instead of trying 19 variants).
 */
export const RequestEnvelope = Struct({ type: Type.Literal('request'), id: Id, method: Type.String(), payload: Type.Unknown() })

/** Worker->host: call a host method. The host answers with a `response` whose `requestId` is this `id`. */
export const RequestMessage = Type.Union(RequestVariants, {
  description: 'A call from the worker to a host method; tagged by method.',
})

/** Host->worker: the answer to a `request`. `error` is set when `success` is false. */
export const ResponseMessage = Struct(
  {
    type: Type.Literal('response'),
    id: Id,
    payload: Struct({
      requestId: Id,
      success: Type.Boolean(),
      data: Type.Optional(Type.Unknown({ description: "The method's response data when success is true; absent for methods that return nothing." })),
      error: Type.Optional(Type.String({ description: 'Why the call failed, when success is false.' })),
    }),
  },
  { description: 'The answer to a worker request.' },
)

/** Host->worker: one chunk of a streaming fetch. The last one has `done: true`. */
export const StreamingFetchChunkMessage = Struct(
  {
    type: Type.Literal('streaming-fetch-chunk'),
    id: Id,
    payload: Struct({
      requestId: Id,
      chunk: Type.String(),
      done: Type.Boolean(),
      error: Type.Optional(Type.String()),
    }),
  },
  { description: 'One chunk of a streaming fetch.' },
)

/** Worker->host: the worker received a chunk; the host sends the next one only after this. */
export const StreamingFetchAckMessage = Struct(
  { type: Type.Literal('streaming-fetch-ack'), payload: Struct({ requestId: Id }) },
  { description: 'Acknowledges one streaming-fetch chunk.' },
)

// ---------------------------------------------------------------------------------------------
// Static
// ---------------------------------------------------------------------------------------------

/** See {@link RequestMessage}: a discriminated union over the methods. */
export type RequestMessage = {
  [M in RequestMethod]: { type: 'request'; id: string; method: M; payload: RequestPayloads[M] }
}[RequestMethod]
/** See {@link ResponseMessage}. */
export type ResponseMessage = Static<typeof ResponseMessage>
/** See {@link StreamingFetchChunkMessage}. */
export type StreamingFetchChunkMessage = Static<typeof StreamingFetchChunkMessage>
/** See {@link StreamingFetchAckMessage}. */
export type StreamingFetchAckMessage = Static<typeof StreamingFetchAckMessage>

// ---------------------------------------------------------------------------------------------
// Descriptor
// ---------------------------------------------------------------------------------------------

/** Descriptors of the RPC family. */
export const RPC = [
  describe({
    type: 'request', direction: 'worker-to-host', family: 'rpc', since: '0.21.0', schema: RequestMessage,
    correlations: [], permission: null,
    description: 'Calls one of the 19 host methods; each method has its own permission.',
  }),
  describe({
    type: 'response', direction: 'host-to-worker', family: 'rpc', since: '0.21.0', schema: ResponseMessage,
    correlations: [{ field: '/payload/requestId', answers: 'request', answersField: '/id', cardinality: 'one' }],
    permission: null,
    description: 'Answers a worker request with data or an error.',
  }),
  describe({
    type: 'streaming-fetch-chunk', direction: 'host-to-worker', family: 'rpc', since: '0.21.0',
    schema: StreamingFetchChunkMessage,
    correlations: [{ field: '/payload/requestId', answers: 'request', answersField: '/id', cardinality: 'many' }],
    permission: 'network:',
    description: 'One chunk of a network.fetch-stream body; at most one is unacknowledged at a time.',
  }),
  describe({
    type: 'streaming-fetch-ack', direction: 'worker-to-host', family: 'rpc', since: '0.21.0',
    schema: StreamingFetchAckMessage,
    correlations: [{ field: '/payload/requestId', answers: 'streaming-fetch-chunk', answersField: '/payload/requestId', cardinality: 'one' }],
    permission: 'network:',
    description: 'Acknowledges one streaming-fetch-chunk.',
  }),
] as const
