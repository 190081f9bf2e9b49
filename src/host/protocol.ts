/**
 * The protocol version a host speaks (EXT-HOST-110). Nothing on the wire says which version a worker
 * speaks, so a host is told by its application, and every piece of the kit (guard, dispatcher,
 * createHost) then judges and answers by that version's methods, gates and texts. The default is
 * 0.22.1, and a host created without `protocol` behaves exactly as before versions existed.
 */
import { profile, type Profile } from '../protocol/profiles.js'
import { DEFAULT_PROFILE } from '../protocol/versions.js'
import { validatorFor } from '../validate/index.js'
import type { ValidationMode } from '../validate/modes.js'
import type { ProtocolValidator } from '../validate/validator.js'

/** The version a host speaks when none is given. */
export const DEFAULT_HOST_PROTOCOL = '0.22.1'

/** The profile of `protocol` (default 0.22.1); an unknown version throws, naming the known ones. */
export function hostProfile(protocol: string | undefined): Profile {
  return profile(protocol ?? DEFAULT_HOST_PROTOCOL)
}

/** True when `p` is the default profile, whose behaviour is the kit's original one. */
export function isDefaultProfile(p: Profile): boolean {
  return p.version === DEFAULT_PROFILE
}

/**
 * The validator a host piece uses for a version when it is given none: the shared precompiled one of
 * that version (tolerant, EXT-HOST-014), so the host kit compiles nothing and runs under a CSP
 * without `unsafe-eval` in every version.
 */
export function hostValidator(p: Profile, mode: ValidationMode = 'tolerant'): ProtocolValidator {
  return isDefaultProfile(p) ? validatorFor({ mode }) : validatorFor({ mode, protocol: p.version })
}
