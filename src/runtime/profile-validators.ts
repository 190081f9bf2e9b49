/**
 * Validators for a runtime of any protocol version (EXT-VER-*), on the precompiled checks of that
 * version: like the default ones, they compile nothing, load neither TypeBox nor ajv, and run under
 * a Content-Security-Policy without `unsafe-eval`, so a bundled worker can speak any version.
 * Share one set among the runtimes of one version.
 */
import { PROFILE_TABLES } from '../protocol/tables.js'
import { resolveProfile } from '../protocol/versions.js'
import type { ValidationMode } from '../validate/modes.js'
import { precompiledValidator } from '../validate/precompiled.js'
import type { RuntimeValidators } from './runtime.js'

/** The validators of a runtime that speaks `protocol` (same roles and modes as `createRuntimeValidators`). */
export function compileRuntimeValidators(protocol: string, inboundMode: ValidationMode = 'tolerant'): RuntimeValidators {
  const version = resolveProfile(protocol)
  const methods = new Map(PROFILE_TABLES[version].methods.map((m) => [m.method, { noData: m.response === 'none', response: m.shape }]))
  return {
    protocol: version,
    inbound: precompiledValidator({ mode: inboundMode, scope: ['host-to-worker'], protocol: version }),
    outbound: precompiledValidator({ mode: 'strict', scope: ['worker-to-host', 'payloads'], protocol: version }),
    responses: precompiledValidator({ mode: 'tolerant', scope: ['responses'], protocol: version }),
    methodOf: (method) => methods.get(method),
  }
}
