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
 * The validator a host piece uses for `protocol` when it is given none. The default version has the
 * shared precompiled one. Another version needs precompiled validators of its own, since the host kit
 * compiles nothing (it must run under a CSP without `unsafe-eval`); a build without them throws here,
 * at creation, saying what to pass instead, rather than judging a 0.36.0 worker by 0.22.1's schemas.
 */
export function hostValidator(p: Profile, mode: ValidationMode = 'tolerant'): ProtocolValidator {
  const fallback = validatorFor({ mode })
  if (isDefaultProfile(p)) return fallback
  const versioned = validatorFor({ mode, protocol: p.version })
  if (versioned === fallback) {
    throw new Error(
      `protocol ${p.version}: this build has no precompiled validator for it; pass one as the \`validator\` option (createValidator({ mode: '${mode}', protocol: '${p.version}' }) from extwire/compile)`,
    )
  }
  return versioned
}
