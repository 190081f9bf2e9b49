/**
 * The permissions of the conformance extension (docs/conformance-extension.md): data of its
 * specification, which the suite and the fuzzer use without loading any implementation.
 */
export const CONFORMANCE_PERMISSIONS: readonly string[] = Object.freeze([
  'network:*',
  'settings.register',
  'provider.register',
  'tools.register',
  'actions.register',
  'events.emit',
  'scheduler.register',
  'user.profile.read',
  'chat.message.write',
  'database.own',
  'storage.local',
  'background.workers',
])
