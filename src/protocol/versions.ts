/**
 * Protocol versions: the profiles the kit describes and the one ordering every `since`/`until` is
 * compared with. A profile is named after the first release whose wire protocol it describes and
 * covers every release up to the next profile; `0.22.1` is an alias of `0.22.0`, the default.
 */

/** The versions that changed something a peer can observe, oldest first. Each one names a profile. */
export const PROFILE_VERSIONS = ['0.21.0', '0.22.0', '0.23.0', '0.26.0', '0.30.0', '0.31.0', '0.33.0', '0.36.0'] as const

/** The name of a profile. */
export type ProfileVersion = (typeof PROFILE_VERSIONS)[number]

/**
 * A release at which something was added, removed or changed. 0.35.0 changed only a text, which
 * the 0.36.0 profile carries; it has no profile of its own.
 */
export type ChangeVersion = ProfileVersion | '0.35.0'

/** The profile every existing API speaks when none is named. */
export const DEFAULT_PROFILE: ProfileVersion = '0.22.0'

/** Names that resolve to a profile although they are not its name: the releases a profile stands for exactly. */
export const PROFILE_ALIASES: Readonly<Record<string, ProfileVersion>> = Object.freeze({ '0.22.1': '0.22.0' })

/** The releases each profile stands for, as people name them. */
export const PROFILE_RELEASES: Readonly<Record<ProfileVersion, string>> = Object.freeze({
  '0.21.0': '0.21.x',
  '0.22.0': '0.22.0 and 0.22.1',
  '0.23.0': '0.23.0 to 0.25.x',
  '0.26.0': '0.26.0 to 0.29.x',
  '0.30.0': '0.30.x',
  '0.31.0': '0.31.0 to 0.32.x',
  '0.33.0': '0.33.0 to 0.35.x',
  '0.36.0': '0.36.0',
})

/** Who a change breaks: a worker written for the older profile, a host written for it, both, or neither. */
export type Breaks = 'workers' | 'hosts' | 'both' | 'neither'

/** Every name {@link resolveProfile} accepts, for usage and error texts. */
export const KNOWN_VERSION_NAMES: readonly string[] = Object.freeze([...PROFILE_VERSIONS, ...Object.keys(PROFILE_ALIASES)].sort(compareVersions))

function parts(version: string): [number, number, number] {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version)
  if (!match) throw new Error(`not a version: ${JSON.stringify(version)} (expected MAJOR.MINOR.PATCH)`)
  return [Number(match[1]), Number(match[2]), Number(match[3])]
}

/** Orders two `MAJOR.MINOR.PATCH` versions (negative when `a` is older). */
export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)]
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2]
}

/** True when something that exists from `since` and until (not including) `until` exists in `version`. */
export function inVersion(version: string, since: string, until?: string): boolean {
  return compareVersions(since, version) <= 0 && (until === undefined || compareVersions(version, until) < 0)
}

/** True when `name` is a profile name or an alias of one. */
export function isKnownVersion(name: string): boolean {
  return Object.hasOwn(PROFILE_ALIASES, name) || (PROFILE_VERSIONS as readonly string[]).includes(name)
}

/** The profile `name` names (a profile name or an alias); throws a {@link UnknownVersionError} naming the known versions. */
export function resolveProfile(name: string): ProfileVersion {
  if (Object.hasOwn(PROFILE_ALIASES, name)) return PROFILE_ALIASES[name] as ProfileVersion
  if ((PROFILE_VERSIONS as readonly string[]).includes(name)) return name as ProfileVersion
  throw new UnknownVersionError(name)
}

/** A version the kit has no profile for; the message lists the ones it has. */
export class UnknownVersionError extends Error {
  constructor(readonly version: string) {
    super(`unknown protocol version ${JSON.stringify(version)}; known versions: ${KNOWN_VERSION_NAMES.join(', ')}`)
    this.name = 'UnknownVersionError'
  }
}
