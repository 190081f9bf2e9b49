/**
 * The host's URL rule for `network.fetch` and `network.fetch-stream` (EXT-HOST-023). The worker only
 * decides whether the network API exists (any `network:` permission); the host decides per URL.
 * Pure: no I/O, no state, the same answer for the same input.
 */
import { hasPermission } from '../protocol/permissions.js'

/** The verdict of {@link networkAccess}; `error` is the text the refused request's response carries. */
export type NetworkAccess = { ok: true } | { ok: false; error: string }

/** Schemes the host fetches, with the port a URL without one uses. */
const DEFAULT_PORTS: ReadonlyMap<string, string> = new Map([
  ['http:', '80'],
  ['https:', '443'],
  ['ws:', '80'],
  ['wss:', '443'],
])

/** Host names that reach this machine and so need a `network:localhost` permission, as `URL` spells them. */
const LOCALHOST: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]'])

const MAX_SHOWN = 200

function shown(text: string): string {
  return text.length > MAX_SHOWN ? `${JSON.stringify(text.slice(0, MAX_SHOWN))}… (${text.length} chars)` : JSON.stringify(text)
}

/**
 * EXT-HOST-023: may an extension with `permissions` fetch `url`?
 * - `network:*` allows every http(s)/ws(s) URL;
 * - `localhost`, `127.0.0.1` and `::1` are allowed by `network:localhost` or `network:localhost:<port>`;
 * - any host is allowed by `network:<hostname>` (every port) or `network:<hostname>:<port>`;
 * - the port of a URL without one is 443 for `https:`/`wss:` and 80 for `http:`/`ws:`;
 * - host names compare exactly, ignoring case: `network:example.com` does not allow `api.example.com`;
 * - any other scheme, and any URL that does not parse, is refused.
 */
export function networkAccess(permissions: readonly string[], url: string): NetworkAccess {
  if (typeof url !== 'string') return { ok: false, error: `Invalid URL: expected a string, received ${typeof url}` }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { ok: false, error: `Invalid URL: ${shown(url)}` }
  }
  const defaultPort = DEFAULT_PORTS.get(parsed.protocol)
  if (defaultPort === undefined) {
    return { ok: false, error: `Network access refused: scheme ${shown(parsed.protocol)} is not allowed (only http:, https:, ws:, wss:), in ${shown(url)}` }
  }
  const host = parsed.hostname.toLowerCase()
  const port = parsed.port === '' ? defaultPort : parsed.port
  const granted = Array.isArray(permissions) ? permissions.filter((p): p is string => typeof p === 'string').map((p) => (p.startsWith('network:') ? p.toLowerCase() : p)) : []
  const local = LOCALHOST.has(host)
  if (local && (hasPermission(granted, 'network:localhost') || hasPermission(granted, `network:localhost:${port}`))) return { ok: true }
  if (hasPermission(granted, `network:${host}`) || hasPermission(granted, `network:${host}:${port}`)) return { ok: true }
  const name = host.length > MAX_SHOWN ? `${host.slice(0, MAX_SHOWN)}…` : host
  const required = local ? `network:localhost:${port}` : `network:${name}:${port}`
  return { ok: false, error: `Network access to ${name}:${port} not allowed. Required permission: ${required}` }
}
