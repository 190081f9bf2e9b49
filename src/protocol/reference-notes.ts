/**
 * What a field means, for the fields whose schema carries no description: the reference prints
 * these beside the field. Keyed by where the field is (a message type, a named type, a tagged
 * variant such as `StreamEvent (type "content")`, `payload` for every request method's payload, or
 * `response data` for response data) and then by its JSON pointer there; `*` applies to every field of a
 * place without a note of its own. The renderer fails on a note that matches no field, so a renamed
 * field cannot leave a stale note behind.
 */
const HOST_ID = 'A fresh id of the host; nothing reads it.'

/** Notes by place, then by field path. */
export const FIELD_NOTES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  activate: {
    '/id': HOST_ID,
    '/payload/extensionId': "The extension's id, from its manifest.",
    '/payload/extensionVersion': "The extension's version, from its manifest.",
    '/payload/storagePath': 'Where the extension may keep its files; given to the extension unchanged.',
    '/payload/permissions': 'The granted permissions: they decide which context APIs the worker offers (EXT-PERM-001 to EXT-PERM-003). Missing or not an array of strings makes the message invalid (EXT-PERM-004).',
    '/payload/settings': "The extension's settings at activation (upstream workers ignore them, B23).",
  },
  deactivate: { '/id': `${HOST_ID} Nothing answers deactivate.` },
  'settings-changed': {
    '/id': HOST_ID,
    '/payload/key': 'The setting that changed.',
    '/payload/value': 'Its new value: any JSON value, or absent.',
  },
  log: {
    '/payload/level': 'Severity.',
    '/payload/message': 'The text.',
    '/payload/data': 'Structured details, for example `{error}` with a failure.',
  },
  'provider-registered': {
    '/payload/id': 'The id chat and models requests name as `providerId`.',
    '/payload/name': 'Display name.',
  },
  'provider-chat-request': {
    '/id': 'Correlation id: every stream-event of this chat carries it as `requestId`.',
    '/payload/providerId': 'The registered provider to run.',
    '/payload/messages': 'The conversation so far, oldest first.',
  },
  'stream-event': { '/payload/requestId': 'The `id` of the provider-chat-request.' },
  'provider-models-request': {
    '/id': 'Correlation id, answered by exactly one provider-models-response.',
    '/payload/providerId': 'The registered provider to ask.',
  },
  'provider-models-response': {
    '/payload/requestId': 'The `id` of the provider-models-request.',
    '/payload/models': "The provider's models; empty when `error` is set.",
    '/payload/error': 'Why there are no models: `Provider <id> not found`, the error `getModels` threw, or invalid models (EXT-PROV-005).',
  },
  'tool-registered': {
    '/payload/id': 'The id tool-execute-request names as `toolId`.',
    '/payload/name': 'Display name, plain text on the wire.',
    '/payload/description': 'What the tool does, for the model.',
    '/payload/parameters': "JSON Schema of the tool's `params`.",
  },
  'tool-execute-request': {
    '/id': 'Correlation id, answered by exactly one tool-execute-response (EXT-TOOL-001).',
    '/payload/toolId': 'The registered tool to run.',
    '/payload/params': "The tool's arguments.",
    '/payload/userId': 'The user the call is made for; absent when there is none (EXT-TOOL-005).',
  },
  'tool-execute-response': {
    '/payload/requestId': 'The `id` of the tool-execute-request.',
    '/payload/error': 'Present only when the tool could not run, and then equal to `result.error` (EXT-TOOL-002, EXT-TOOL-003).',
  },
  'action-registered': { '/payload/id': 'The id action-execute-request names as `actionId`.' },
  'action-execute-request': {
    '/id': 'Correlation id, answered by exactly one action-execute-response (EXT-TOOL-001).',
    '/payload/actionId': 'The registered action to run.',
    '/payload/params': "The action's arguments.",
    '/payload/userId': 'The user the call is made for; absent when there is none.',
  },
  'action-execute-response': {
    '/payload/requestId': 'The `id` of the action-execute-request.',
    '/payload/error': 'Present only when the action could not run, and then equal to `result.error` (EXT-TOOL-002).',
  },
  response: {
    '/id': HOST_ID,
    '/payload/requestId': "The `id` of the worker's `request`.",
    '/payload/success': 'Whether the call succeeded.',
  },
  'streaming-fetch-chunk': {
    '/id': HOST_ID,
    '/payload/requestId': "The stream's id: the `id` (and `payload.requestId`) of the network.fetch-stream request.",
    '/payload/chunk': 'The next piece of the body, as text; empty in a chunk that only ends the stream.',
    '/payload/done': 'True in the last chunk of the stream.',
    '/payload/error': 'Set when the fetch failed (then `done` is true); the stream ends with this error after the chunks received before it (EXT-FETCH-006).',
  },
  'streaming-fetch-ack': { '/payload/requestId': "The stream's id, as in the chunk acknowledged." },
  'scheduler-fire': { '/id': HOST_ID },
  'background-task-start': {
    '/id': HOST_ID,
    '/payload/taskId': 'The task to run, as registered.',
  },
  'background-task-stop': {
    '/id': HOST_ID,
    '/payload/taskId': 'The task to stop, as registered.',
  },
  'background-task-registered': {
    '/payload/taskId': "The task's id (the `id` of the extension's task config).",
    '/payload/name': 'Display name.',
    '/payload/userId': 'The user the task runs for.',
    '/payload/restartPolicy': 'Exactly as the extension gave it: the host applies its own defaults (EXT-BG-001).',
    '/payload/payload': "The config's payload, which the task's context carries too (EXT-BG-007).",
  },
  'background-task-status': {
    '/payload/taskId': 'The task, as registered.',
    '/payload/status': 'The new state, following the state machine of EXT-BG-011.',
    '/payload/error': 'With `failed`: the error the task threw.',
  },
  'background-task-health': {
    '/payload/taskId': 'The task, as registered.',
    '/payload/status': 'The text the task reported.',
  },
  ChatMessage: {
    '/role': 'Who wrote the message.',
    '/content': 'Its text.',
  },
  ChatOptions: {
    '/model': 'The model to use.',
    '/temperature': 'Sampling temperature.',
    '/maxTokens': 'Upper bound of tokens to generate.',
    '/settings': "The provider's settings (the conformance extension reads `mode`, `count`, `delayMs` and `message` here).",
    '/tools': 'Tools the model may call.',
  },
  ToolDefinition: { '/id': "The tool's id." },
  ModelInfo: {
    '/id': 'The model id chat requests name as `model`.',
    '/name': 'Display name.',
    '/description': 'What the model is.',
    '/contextLength': 'Context window, in tokens.',
  },
  TokenUsage: {
    '/inputTokens': 'Tokens read.',
    '/outputTokens': 'Tokens written.',
  },
  'StreamEvent (type "content")': { '/text': 'A piece of the answer.' },
  'StreamEvent (type "thinking")': { '/text': "A piece of the model's reasoning." },
  'StreamEvent (type "tool_start")': {
    '/name': 'The tool called.',
    '/toolCallId': 'Ties this event to its `tool_end` and to the tool message that answers it.',
  },
  'StreamEvent (type "tool_end")': {
    '/name': 'The tool called.',
    '/toolCallId': 'The `toolCallId` of the matching `tool_start`.',
  },
  'StreamEvent (type "error")': { '/message': 'Why the chat failed.' },
  ToolResult: {
    '/success': 'Whether the tool succeeded, by its own account (EXT-TOOL-003).',
    '/data': "The tool's output.",
    '/message': 'A message for the user.',
    '/error': 'Why it failed, when `success` is false.',
  },
  ActionResult: {
    '/success': 'Whether the action succeeded.',
    '/data': "The action's output.",
    '/error': 'Why it failed, when `success` is false.',
  },
  'SchedulerSchedule (type "at")': { '/at': 'When to fire, as an ISO-8601 date-time.' },
  'SchedulerSchedule (type "cron")': {
    '/cron': 'A cron expression.',
    '/timezone': 'The time zone the expression is read in (IANA name).',
  },
  'SchedulerSchedule (type "interval")': { '/everyMs': 'The period, in milliseconds.' },
  SchedulerJobRequest: {
    '/payload': 'Data the host gives back in scheduler-fire.',
    '/misfire': 'What to do about a fire time that was missed: run once, or skip it.',
  },
  SchedulerFirePayload: {
    '/payload': "The job's payload, as scheduled.",
    '/delayMs': 'How late the job fired, in milliseconds.',
  },
  UserProfile: {
    '/firstName': "The user's first name.",
    '/nickname': "The user's nickname.",
    '/language': 'Preferred language code.',
    '/timezone': 'Time zone (IANA name).',
  },
  ChatInstructionMessage: {
    '/text': 'The instruction.',
    '/conversationId': 'The conversation to append to.',
    '/userId': 'The user whose conversation it is.',
  },
  BackgroundRestartPolicy: {
    '/type': 'When the host restarts the task: after every end, after a failure, or never.',
    '/maxRestarts': 'The most restarts; 0 means no limit (host default 0).',
    '/initialDelayMs': 'Delay before the first restart (host default 1000).',
    '/maxDelayMs': 'Longest delay between restarts (host default 60000).',
    '/backoffMultiplier': 'Factor applied to the delay at each restart (host default 2).',
  },
  BackgroundTaskHealth: {
    '/name': 'Display name.',
    '/userId': 'The user the task runs for.',
    '/status': 'The state as the worker knows it; `pending` until the first start.',
    '/restartCount': 'Starts after the first (EXT-BG-008).',
    '/lastHealthStatus': 'The last text the task reported.',
    '/error': 'With `failed`: the error the task threw.',
  },
  FetchOptions: {
    '/headers': 'Request headers, as an object or as `[name, value]` pairs (a `Headers` instance does not survive a structured clone).',
    '*': "As in the Fetch API's `RequestInit`.",
  },
  FetchResponse: {
    '/status': 'HTTP status code; a status without a body (204, 304, …) comes with an empty `body`.',
    '/statusText': 'HTTP status text.',
    '/headers': 'Response headers, names in lower case.',
    '/body': 'The whole body, as text.',
  },
  payload: {
    '/payload/url': "The URL to fetch; the host checks it against the extension's network permissions.",
    '/payload/options': 'Method, headers, body and the other cloneable fetch options.',
    '/payload/key': 'The key.',
    '/payload/value': 'The value: any JSON value.',
    '/payload/name': 'The event name.',
    '/payload/payload': "The event's data.",
    '/payload/job': 'The job to schedule.',
    '/payload/jobId': 'The id of the job to cancel.',
    '/payload/text': 'The instruction.',
    '/payload/conversationId': 'The conversation to append to.',
    '/payload/userId': 'The user whose data it is.',
    '/payload/sql': "SQL on the extension's own tables.",
    '/payload/params': "Values bound to the SQL's placeholders.",
  },
  'response data': {
    '/payload/data/status': 'Always `streaming`: the body follows as streaming-fetch-chunk messages.',
  },
}
