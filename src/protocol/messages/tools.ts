/**
 * Tools-and-actions family: registration and execution of tools and actions.
 */
import Type, { type Static } from 'typebox'
import { Id, JsonObject, Struct } from '../common.js'
import { describe } from '../descriptor.js'
import { ActionResult, ToolResult } from '../types.js'

// ---------------------------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------------------------

/** Worker->host: the extension registered a tool. */
export const ToolRegisteredMessage = Struct(
  {
    type: Type.Literal('tool-registered'),
    payload: Struct({ id: Id, name: Type.String(), description: Type.String(), parameters: Type.Optional(JsonObject) }),
  },
  { description: 'A tool was registered.' },
)

/** Host->worker: execute a tool; `id` correlates the response. */
export const ToolExecuteRequestMessage = Struct(
  {
    type: Type.Literal('tool-execute-request'),
    id: Id,
    payload: Struct({ toolId: Id, params: JsonObject, userId: Type.Optional(Type.String()) }),
  },
  { description: 'Execute a tool.' },
)

/** Worker->host: the result of a tool execution. `error` is set when the execution failed. */
export const ToolExecuteResponseMessage = Struct(
  {
    type: Type.Literal('tool-execute-response'),
    payload: Struct({ requestId: Id, result: ToolResult, error: Type.Optional(Type.String()) }),
  },
  { description: 'The answer to a tool execution.' },
)

/** Worker->host: the extension registered an action. */
export const ActionRegisteredMessage = Struct(
  { type: Type.Literal('action-registered'), payload: Struct({ id: Id }) },
  { description: 'An action was registered.' },
)

/** Host->worker: execute an action; `id` correlates the response. */
export const ActionExecuteRequestMessage = Struct(
  {
    type: Type.Literal('action-execute-request'),
    id: Id,
    payload: Struct({ actionId: Id, params: JsonObject, userId: Type.Optional(Type.String()) }),
  },
  { description: 'Execute an action.' },
)

/** Worker->host: the result of an action execution. */
export const ActionExecuteResponseMessage = Struct(
  {
    type: Type.Literal('action-execute-response'),
    payload: Struct({ requestId: Id, result: ActionResult, error: Type.Optional(Type.String()) }),
  },
  { description: 'The answer to an action execution.' },
)

// ---------------------------------------------------------------------------------------------
// Static
// ---------------------------------------------------------------------------------------------

/** See {@link ToolRegisteredMessage}. */
export type ToolRegisteredMessage = Static<typeof ToolRegisteredMessage>
/** See {@link ToolExecuteRequestMessage}. */
export type ToolExecuteRequestMessage = Static<typeof ToolExecuteRequestMessage>
/** See {@link ToolExecuteResponseMessage}. */
export type ToolExecuteResponseMessage = Static<typeof ToolExecuteResponseMessage>
/** See {@link ActionRegisteredMessage}. */
export type ActionRegisteredMessage = Static<typeof ActionRegisteredMessage>
/** See {@link ActionExecuteRequestMessage}. */
export type ActionExecuteRequestMessage = Static<typeof ActionExecuteRequestMessage>
/** See {@link ActionExecuteResponseMessage}. */
export type ActionExecuteResponseMessage = Static<typeof ActionExecuteResponseMessage>

// ---------------------------------------------------------------------------------------------
// Descriptor
// ---------------------------------------------------------------------------------------------

/** Descriptors of the tools-and-actions family. */
export const TOOLS = [
  describe({
    type: 'tool-registered', direction: 'worker-to-host', family: 'tools', since: '0.21.0',
    schema: ToolRegisteredMessage, correlations: [], permission: 'tools.register',
    description: 'The extension registered a tool.',
  }),
  describe({
    type: 'tool-execute-request', direction: 'host-to-worker', family: 'tools', since: '0.21.0',
    schema: ToolExecuteRequestMessage, correlations: [], permission: 'tools.register',
    description: 'Executes a registered tool; answered by exactly one tool-execute-response.',
  }),
  describe({
    type: 'tool-execute-response', direction: 'worker-to-host', family: 'tools', since: '0.21.0',
    schema: ToolExecuteResponseMessage,
    correlations: [{ field: '/payload/requestId', answers: 'tool-execute-request', answersField: '/id', cardinality: 'one' }],
    permission: 'tools.register',
    description: 'The result of a tool execution.',
  }),
  describe({
    type: 'action-registered', direction: 'worker-to-host', family: 'tools', since: '0.21.0',
    schema: ActionRegisteredMessage, correlations: [], permission: 'actions.register',
    description: 'The extension registered an action.',
  }),
  describe({
    type: 'action-execute-request', direction: 'host-to-worker', family: 'tools', since: '0.21.0',
    schema: ActionExecuteRequestMessage, correlations: [], permission: 'actions.register',
    description: 'Executes a registered action; answered by exactly one action-execute-response.',
  }),
  describe({
    type: 'action-execute-response', direction: 'worker-to-host', family: 'tools', since: '0.21.0',
    schema: ActionExecuteResponseMessage,
    correlations: [{ field: '/payload/requestId', answers: 'action-execute-request', answersField: '/id', cardinality: 'one' }],
    permission: 'actions.register',
    description: 'The result of an action execution.',
  }),
] as const
