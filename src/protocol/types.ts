/**
 * Nested data types carried inside messages and request payloads; `docs/reference.md` lists them.
 * Each is defined once here and referenced by identity; the schema generator turns every use into
 * a `$ref` to the same `$defs` entry.
 */
import Type, { type Static } from 'typebox'
import { Id, IsoTimestamp, JsonObject, LocalizedString, Struct } from './common.js'

// ---------------------------------------------------------------------------------------------
// Chat
// ---------------------------------------------------------------------------------------------

/** A tool call made by the assistant; `arguments` is the parsed object, not a JSON string. */
export const ToolCall = Struct(
  {
    id: Type.String({ description: 'Id of the call; tool messages answer it with tool_call_id.' }),
    name: Type.String({ description: 'Name of the tool called.' }),
    arguments: JsonObject,
  },
  { description: 'A tool call made by the assistant.' },
)

/** One message of a conversation. */
export const ChatMessage = Struct(
  {
    role: Type.Enum(['user', 'assistant', 'system', 'tool']),
    content: Type.String(),
    tool_calls: Type.Optional(Type.Array(ToolCall, { description: 'Tool calls (assistant messages).' })),
    tool_call_id: Type.Optional(Type.String({ description: 'The call answered (tool messages).' })),
  },
  { description: 'One message of a conversation.' },
)

/** A tool offered to a provider in `ChatOptions.tools`. */
export const ToolDefinition = Struct(
  {
    id: Type.String(),
    name: LocalizedString,
    description: LocalizedString,
    parameters: Type.Optional(JsonObject),
  },
  { description: 'A tool offered to the model; parameters is a JSON Schema.' },
)

/**
 * Options of a chat request. Upstream also declares `signal?: AbortSignal`; it cannot cross a
 * structured clone (it arrives as `{}`), so it is not part of the wire shape (EXT-WIRE-006 rejects it
 * in strict mode).
 */
export const ChatOptions = Struct(
  {
    model: Type.Optional(Type.String()),
    temperature: Type.Optional(Type.Number()),
    maxTokens: Type.Optional(Type.Number({ minimum: 0 })),
    settings: Type.Optional(JsonObject),
    tools: Type.Optional(Type.Array(ToolDefinition)),
  },
  { description: 'Options of a chat request.' },
)

/** Options of a models request. */
export const GetModelsOptions = Struct(
  { settings: Type.Optional(JsonObject) },
  { description: 'Options of a models request.' },
)

/** A model a provider offers. */
export const ModelInfo = Struct(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.Optional(Type.String()),
    contextLength: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { description: 'A model a provider offers.' },
)

/** Token usage reported with a `done` event. */
export const TokenUsage = Struct(
  { inputTokens: Type.Number({ minimum: 0 }), outputTokens: Type.Number({ minimum: 0 }) },
  { description: 'Token usage of one chat turn.' },
)

/** Stream event `content`: a piece of the answer. */
export const StreamEventContent = Struct({ type: Type.Literal('content'), text: Type.String() })
/** Stream event `thinking`: a piece of the model's reasoning. */
export const StreamEventThinking = Struct({ type: Type.Literal('thinking'), text: Type.String() })
/** Stream event `tool_start`: the provider started a tool. */
export const StreamEventToolStart = Struct({
  type: Type.Literal('tool_start'),
  name: Type.String(),
  input: Type.Optional(Type.Unknown({ description: 'Tool input; may be absent when the tool takes none.' })),
  toolCallId: Type.String(),
})
/** Stream event `tool_end`: a tool the provider ran has finished. */
export const StreamEventToolEnd = Struct({
  type: Type.Literal('tool_end'),
  name: Type.String(),
  output: Type.Optional(Type.Unknown({ description: 'Tool output; may be absent.' })),
  toolCallId: Type.String(),
})
/** Stream event `done`: terminal, the answer is complete. */
export const StreamEventDone = Struct({ type: Type.Literal('done'), usage: Type.Optional(TokenUsage) })
/** Stream event `error`: terminal, the chat failed. */
export const StreamEventError = Struct({ type: Type.Literal('error'), message: Type.String() })

/** One event of a provider chat stream; `done` and `error` are terminal. */
export const StreamEvent = Type.Union(
  [StreamEventContent, StreamEventThinking, StreamEventToolStart, StreamEventToolEnd, StreamEventDone, StreamEventError],
  { description: 'One event of a chat stream, tagged by type; done and error are terminal.' },
)

// ---------------------------------------------------------------------------------------------
// Tools and actions
// ---------------------------------------------------------------------------------------------

/** The result of a tool execution. */
export const ToolResult = Struct(
  {
    success: Type.Boolean(),
    data: Type.Optional(Type.Unknown()),
    message: Type.Optional(Type.String()),
    error: Type.Optional(Type.String()),
  },
  { description: 'The result of a tool execution.' },
)

/** The result of an action execution. */
export const ActionResult = Struct(
  {
    success: Type.Boolean(),
    data: Type.Optional(Type.Unknown()),
    error: Type.Optional(Type.String()),
  },
  { description: 'The result of an action execution.' },
)

// ---------------------------------------------------------------------------------------------
// Scheduler
// ---------------------------------------------------------------------------------------------

/** A schedule: once at a time, by cron expression, or every N milliseconds. */
export const SchedulerSchedule = Type.Union(
  [
    Struct({ type: Type.Literal('at'), at: Type.String() }),
    Struct({ type: Type.Literal('cron'), cron: Type.String(), timezone: Type.Optional(Type.String()) }),
    Struct({ type: Type.Literal('interval'), everyMs: Type.Number({ exclusiveMinimum: 0 }) }),
  ],
  { description: 'When a job fires, tagged by type.' },
)

/** A job to schedule. `userId` is required. */
export const SchedulerJobRequest = Struct(
  {
    id: Id,
    schedule: SchedulerSchedule,
    payload: Type.Optional(JsonObject),
    misfire: Type.Optional(Type.Enum(['run_once', 'skip'])),
    userId: Id,
  },
  { description: 'A job to schedule.' },
)

/** What the host sends when a job fires. */
export const SchedulerFirePayload = Struct(
  {
    id: Id,
    payload: Type.Optional(JsonObject),
    scheduledFor: IsoTimestamp,
    firedAt: IsoTimestamp,
    delayMs: Type.Number(),
    userId: Id,
  },
  { description: 'A scheduled job that fired.' },
)

// ---------------------------------------------------------------------------------------------
// User and chat
// ---------------------------------------------------------------------------------------------

/** The current user's profile; every field is optional. */
export const UserProfile = Struct(
  {
    firstName: Type.Optional(Type.String()),
    nickname: Type.Optional(Type.String()),
    language: Type.Optional(Type.String()),
    timezone: Type.Optional(Type.String()),
  },
  { description: "The user's profile." },
)

/** An instruction appended to a conversation. */
export const ChatInstructionMessage = Struct(
  {
    text: Type.String({ minLength: 1 }),
    conversationId: Type.Optional(Type.String()),
    userId: Type.Optional(Type.String()),
  },
  { description: 'An instruction appended to a chat.' },
)

// ---------------------------------------------------------------------------------------------
// Background tasks
// ---------------------------------------------------------------------------------------------

/**
 * How the host restarts a background task, as the extension gave it (no defaults applied).
 * Host defaults: maxRestarts 0 (unlimited), initialDelayMs 1000, maxDelayMs 60000, backoffMultiplier 2.
 */
export const BackgroundRestartPolicy = Struct(
  {
    type: Type.Enum(['always', 'on-failure', 'never']),
    maxRestarts: Type.Optional(Type.Integer({ minimum: 0 })),
    initialDelayMs: Type.Optional(Type.Number({ minimum: 0 })),
    maxDelayMs: Type.Optional(Type.Number({ minimum: 0 })),
    backoffMultiplier: Type.Optional(Type.Number({ minimum: 1 })),
  },
  { description: 'Restart policy of a background task.' },
)

/** Status of a background task as reported by `backgroundWorkers.getStatus()` (never sent on the wire). */
export const BackgroundTaskHealth = Struct(
  {
    taskId: Id,
    name: Type.String(),
    userId: Type.String(),
    status: Type.Enum(['pending', 'running', 'stopped', 'failed', 'restarting']),
    restartCount: Type.Integer({ minimum: 0 }),
    lastHealthStatus: Type.Optional(Type.String()),
    lastHealthTime: Type.Optional(IsoTimestamp),
    error: Type.Optional(Type.String()),
  },
  { description: 'Local status of a background task (API only).' },
)

// ---------------------------------------------------------------------------------------------
// Static
// ---------------------------------------------------------------------------------------------

/** See {@link ToolCall}. */
export type ToolCall = Static<typeof ToolCall>
/** See {@link ChatMessage}. */
export type ChatMessage = Static<typeof ChatMessage>
/** See {@link ToolDefinition}. */
export type ToolDefinition = Static<typeof ToolDefinition>
/** See {@link ChatOptions}. */
export type ChatOptions = Static<typeof ChatOptions>
/** See {@link GetModelsOptions}. */
export type GetModelsOptions = Static<typeof GetModelsOptions>
/** See {@link ModelInfo}. */
export type ModelInfo = Static<typeof ModelInfo>
/** See {@link TokenUsage}. */
export type TokenUsage = Static<typeof TokenUsage>
/** See {@link StreamEvent}. */
export type StreamEvent = Static<typeof StreamEvent>
/** See {@link ToolResult}. */
export type ToolResult = Static<typeof ToolResult>
/** See {@link ActionResult}. */
export type ActionResult = Static<typeof ActionResult>
/** See {@link SchedulerSchedule}. */
export type SchedulerSchedule = Static<typeof SchedulerSchedule>
/** See {@link SchedulerJobRequest}. */
export type SchedulerJobRequest = Static<typeof SchedulerJobRequest>
/** See {@link SchedulerFirePayload}. */
export type SchedulerFirePayload = Static<typeof SchedulerFirePayload>
/** See {@link UserProfile}. */
export type UserProfile = Static<typeof UserProfile>
/** See {@link ChatInstructionMessage}. */
export type ChatInstructionMessage = Static<typeof ChatInstructionMessage>
/** See {@link BackgroundRestartPolicy}. */
export type BackgroundRestartPolicy = Static<typeof BackgroundRestartPolicy>
/** See {@link BackgroundTaskHealth}. */
export type BackgroundTaskHealth = Static<typeof BackgroundTaskHealth>
