/**
 * The named types of the protocol. The schema generator replaces every occurrence of one of these
 * schema values (by identity) with a `$ref` to its `$defs` entry, so each type is defined once in
 * the JSON Schema as it is in the TypeBox source.
 */
import type { TSchema } from 'typebox'
import { IsoTimestamp, JsonObject, LocalizedString } from './common.js'
import { FetchOptions, FetchResponse } from './methods.js'
import * as T from './types.js'

/** Named nested types, in the order the reference lists them. */
export const DEFINITIONS: Readonly<Record<string, TSchema>> = Object.freeze({
  JsonObject,
  LocalizedString,
  IsoTimestamp,
  ChatMessage: T.ChatMessage,
  ToolCall: T.ToolCall,
  ChatOptions: T.ChatOptions,
  ToolDefinition: T.ToolDefinition,
  GetModelsOptions: T.GetModelsOptions,
  ModelInfo: T.ModelInfo,
  TokenUsage: T.TokenUsage,
  StreamEvent: T.StreamEvent,
  ToolResult: T.ToolResult,
  ActionResult: T.ActionResult,
  SchedulerSchedule: T.SchedulerSchedule,
  SchedulerJobRequest: T.SchedulerJobRequest,
  SchedulerFirePayload: T.SchedulerFirePayload,
  UserProfile: T.UserProfile,
  ChatInstructionMessage: T.ChatInstructionMessage,
  BackgroundRestartPolicy: T.BackgroundRestartPolicy,
  BackgroundTaskHealth: T.BackgroundTaskHealth,
  FetchOptions,
  FetchResponse,
})
