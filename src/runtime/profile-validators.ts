/**
 * Validators for a runtime of a protocol version other than the default (EXT-VER-*). They are
 * compiled at creation (TypeBox and ajv, `new Function`), which is why this module is apart from
 * `runtime.ts`: a default worker never loads it, and keeps its precompiled, compiler-free start.
 * Share one set among the runtimes of one version.
 */
import { profile } from '../protocol/profiles.js'
import { createValidator } from '../validate/compile.js'
import type { ValidationMode } from '../validate/modes.js'
import type { RuntimeValidators } from './runtime.js'

/** The validators of a runtime that speaks `protocol` (same roles and modes as `createRuntimeValidators`). */
export function compileRuntimeValidators(protocol: string, inboundMode: ValidationMode = 'tolerant'): RuntimeValidators {
  const p = profile(protocol)
  return {
    protocol: p.version,
    inbound: createValidator({ mode: inboundMode, scope: ['host-to-worker'], compile: 'lazy', protocol }),
    outbound: createValidator({ mode: 'strict', scope: ['worker-to-host', 'payloads'], compile: 'lazy', protocol }),
    responses: createValidator({ mode: 'tolerant', scope: ['responses'], compile: 'lazy', protocol }),
    methodOf: (method) => p.method(method),
  }
}
