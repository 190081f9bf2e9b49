/**
 * Provider family: registration, chat streaming and model listing.
 */
import Type, { type Static } from 'typebox'
import { Id, Struct } from '../common.js'
import { describe } from '../descriptor.js'
import { ChatMessage, ChatOptions, GetModelsOptions, ModelInfo, StreamEvent } from '../types.js'

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

/** Worker->host: the extension registered an AI provider. */
export const ProviderRegisteredMessage = Struct(
  { type: Type.Literal('provider-registered'), payload: Struct({ id: Id, name: Type.String() }) },
  { description: 'A provider was registered.' },
)

/** Host->worker: run a chat on a provider; `id` correlates the stream events. */
export const ProviderChatRequestMessage = Struct(
  {
    type: Type.Literal('provider-chat-request'),
    id: Id,
    payload: Struct({ providerId: Id, messages: Type.Array(ChatMessage), options: ChatOptions }),
  },
  { description: 'Run a chat on a provider.' },
)

/** Worker->host: one event of a chat stream, for the chat request `requestId`. */
export const StreamEventMessage = Struct(
  { type: Type.Literal('stream-event'), payload: Struct({ requestId: Id, event: StreamEvent }) },
  { description: 'One event of a chat stream.' },
)

/** Host->worker: list a provider's models. */
export const ProviderModelsRequestMessage = Struct(
  {
    type: Type.Literal('provider-models-request'),
    id: Id,
    payload: Struct({ providerId: Id, options: Type.Optional(GetModelsOptions) }),
  },
  { description: "List a provider's models." },
)

/** Worker->host: the models of a provider, or an error (then `models` is empty). */
export const ProviderModelsResponseMessage = Struct(
  {
    type: Type.Literal('provider-models-response'),
    payload: Struct({ requestId: Id, models: Type.Array(ModelInfo), error: Type.Optional(Type.String()) }),
  },
  { description: 'The answer to a models request.' },
)

// ---------------------------------------------------------------------------------------------
// Static
// ---------------------------------------------------------------------------------------------

/** See {@link ProviderRegisteredMessage}. */
export type ProviderRegisteredMessage = Static<typeof ProviderRegisteredMessage>
/** See {@link ProviderChatRequestMessage}. */
export type ProviderChatRequestMessage = Static<typeof ProviderChatRequestMessage>
/** See {@link StreamEventMessage}. */
export type StreamEventMessage = Static<typeof StreamEventMessage>
/** See {@link ProviderModelsRequestMessage}. */
export type ProviderModelsRequestMessage = Static<typeof ProviderModelsRequestMessage>
/** See {@link ProviderModelsResponseMessage}. */
export type ProviderModelsResponseMessage = Static<typeof ProviderModelsResponseMessage>

// ---------------------------------------------------------------------------------------------
// Descriptor
// ---------------------------------------------------------------------------------------------

/** Descriptors of the provider family. */
export const PROVIDER = [
  describe({
    type: 'provider-registered', direction: 'worker-to-host', family: 'provider', since: '0.21.0',
    schema: ProviderRegisteredMessage, correlations: [], permission: 'provider.register',
    description: 'The extension registered an AI provider.',
  }),
  describe({
    type: 'provider-chat-request', direction: 'host-to-worker', family: 'provider', since: '0.21.0',
    schema: ProviderChatRequestMessage, correlations: [], permission: 'provider.register',
    description: 'Runs a chat on a registered provider; answered by stream-event messages.',
  }),
  describe({
    type: 'stream-event', direction: 'worker-to-host', family: 'provider', since: '0.21.0',
    schema: StreamEventMessage,
    correlations: [{ field: '/payload/requestId', answers: 'provider-chat-request', answersField: '/id', cardinality: 'many' }],
    permission: 'provider.register',
    description: 'One event of a chat stream; the stream ends with exactly one done or error event.',
  }),
  describe({
    type: 'provider-models-request', direction: 'host-to-worker', family: 'provider', since: '0.21.0',
    schema: ProviderModelsRequestMessage, correlations: [], permission: 'provider.register',
    description: "Asks a registered provider for its models.",
  }),
  describe({
    type: 'provider-models-response', direction: 'worker-to-host', family: 'provider', since: '0.21.0',
    schema: ProviderModelsResponseMessage,
    correlations: [{ field: '/payload/requestId', answers: 'provider-models-request', answersField: '/id', cardinality: 'one' }],
    permission: 'provider.register',
    description: 'The models of a provider, or an error with an empty list.',
  }),
] as const
