/**
 * Permissions as they affect the protocol (`docs/spec/permissions.md`), and the one matching rule both
 * sides use. This is the only place that knows the matching grammar.
 */

/** Every literal permission a 0.22.1 manifest may declare (besides the `network:` patterns). */
export const PERMISSIONS = [
  'network:*',
  'network:localhost',
  'database.own',
  'storage.local',
  'user.profile.read',
  'user.location.read',
  'chat.history.read',
  'chat.current.read',
  'provider.register',
  'tools.register',
  'actions.register',
  'settings.register',
  'commands.register',
  'panels.register',
  'events.emit',
  'scheduler.register',
  'chat.message.write',
  'background.workers',
  'files.read',
  'files.write',
  'clipboard.read',
  'clipboard.write',
] as const

/** A literal permission name. */
export type KnownPermission = (typeof PERMISSIONS)[number]

/** Patterns for the parameterised network permissions a manifest may declare. */
export const NETWORK_PERMISSION_PATTERNS: readonly RegExp[] = [
  /^network:localhost:\d+$/,
  /^network:[a-zA-Z0-9.-]+$/,
  /^network:[a-zA-Z0-9.-]+:\d+$/,
]

/** True when `permission` is a literal permission or matches a network pattern. */
export function isKnownPermission(permission: string): boolean {
  return (
    (PERMISSIONS as readonly string[]).includes(permission) ||
    NETWORK_PERMISSION_PATTERNS.some((pattern) => pattern.test(permission))
  )
}

/**
 * EXT-PERM-001: a granted permission grants `required` when it is equal to it, or when it ends in
 * `:*` and the granted text without the `*` (keeping the `:`) is a prefix of `required`.
 * So `network:*` grants `network:example.com`, and `a:*` does not grant `a`.
 */
export function permissionGrants(granted: string, required: string): boolean {
  if (granted === required) return true
  if (granted.length >= 2 && granted.endsWith(':*')) {
    return required.startsWith(granted.slice(0, -1))
  }
  return false
}

/** EXT-PERM-001 over a list: true when any granted permission grants `required`. */
export function hasPermission(granted: readonly string[], required: string): boolean {
  for (const permission of granted) {
    if (typeof permission === 'string' && permissionGrants(permission, required)) return true
  }
  return false
}

/**
 * EXT-PERM-002: the network API is present when any granted permission starts with `network:`.
 * The host still checks each URL; the worker only decides whether `network` exists at all.
 */
export function hasAnyNetworkPermission(granted: readonly string[]): boolean {
  return granted.some((permission) => typeof permission === 'string' && permission.startsWith('network:'))
}
