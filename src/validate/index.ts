/**
 * Package-level validators, on the precompiled checks (`precompiled.ts`): importing this module
 * loads neither TypeBox nor ajv, and validating compiles nothing. The two default instances are
 * created once, are immutable, and are shared. `createValidator`, which compiles at run time, lives
 * in `compile.ts` and is deliberately not re-exported here.
 */
import type { HostToWorkerMessage, ProtocolMessage, WorkerToHostMessage } from '../protocol/catalogue.js'
import type { RequestMethod, RequestPayloads, ResponseData } from '../protocol/methods.js'
import { ProtocolValidationError, type ValidationResult } from './errors.js'
import { DEFAULT_MODE, type ValidationMode } from './modes.js'
import { precompiledValidator } from './precompiled.js'
import { DEFAULT_PROFILE, PROFILE_VERSIONS, resolveProfile, type ProfileVersion } from '../protocol/versions.js'
import type { ProtocolValidator, ValidatorOptions } from './validator.js'

export * from './errors.js'
export { DEFAULT_MODE, type ValidationMode } from './modes.js'
export { precompiledValidator } from './precompiled.js'
export { ScopeError, type Check, type ProtocolValidator, type ValidatorOptions, type ValidatorScope } from './validator.js'
export { describeValue } from './describe.js'

/**
 * The shared instances, one per profile and mode, built once at load (tables over the shared
 * precompiled checks, so cheap) rather than on first use, which would need mutable module state.
 */
const SHARED: Readonly<Record<ProfileVersion, Readonly<Record<ValidationMode, ProtocolValidator>>>> = Object.freeze(
  Object.fromEntries(
    PROFILE_VERSIONS.map((protocol) => [
      protocol,
      Object.freeze({ strict: precompiledValidator({ mode: 'strict', protocol }), tolerant: precompiledValidator({ mode: 'tolerant', protocol }) }),
    ]),
  ) as Record<ProfileVersion, Record<ValidationMode, ProtocolValidator>>,
)

/**
 * The shared, precompiled validator for a mode (default {@link DEFAULT_MODE}) and protocol version
 * (default 0.22.1; an unknown one throws an `UnknownVersionError`). With a `scope`, a new
 * precompiled validator limited to it (cheap: no compilation).
 */
export function validatorFor(options: ValidatorOptions = {}): ProtocolValidator {
  if (options.scope !== undefined) return precompiledValidator(options)
  const version = options.protocol === undefined ? DEFAULT_PROFILE : resolveProfile(options.protocol)
  return SHARED[version][options.mode ?? DEFAULT_MODE]
}

/** Validates a message a worker sent to its host. Never throws. */
export function validateWorkerToHost(value: unknown, options?: ValidatorOptions): ValidationResult<WorkerToHostMessage> {
  return validatorFor(options).validateWorkerToHost(value)
}

/** Validates a message a host sent to a worker. Never throws. */
export function validateHostToWorker(value: unknown, options?: ValidatorOptions): ValidationResult<HostToWorkerMessage> {
  return validatorFor(options).validateHostToWorker(value)
}

/** Validates a message of either direction. Never throws. */
export function validateMessage(value: unknown, options?: ValidatorOptions): ValidationResult<ProtocolMessage> {
  return validatorFor(options).validateMessage(value)
}

/** Validates a request payload for `method`. Never throws. */
export function validateRequest<M extends RequestMethod>(method: M | string, payload: unknown, options?: ValidatorOptions): ValidationResult<RequestPayloads[M]> {
  return validatorFor(options).validateRequest(method, payload)
}

/** Validates the response data for `method`. Never throws. */
export function validateResponse<M extends RequestMethod>(method: M | string, data: unknown, options?: ValidatorOptions): ValidationResult<ResponseData[M]> {
  return validatorFor(options).validateResponse(method, data)
}

/** True when `value` is a valid worker->host message. */
export function isWorkerToHostMessage(value: unknown, options?: ValidatorOptions): value is WorkerToHostMessage {
  return validateWorkerToHost(value, options).ok
}

/** True when `value` is a valid host->worker message. */
export function isHostToWorkerMessage(value: unknown, options?: ValidatorOptions): value is HostToWorkerMessage {
  return validateHostToWorker(value, options).ok
}

/** Throws {@link ProtocolValidationError} unless `value` is a valid worker->host message. */
export function assertWorkerToHostMessage(value: unknown, options?: ValidatorOptions): asserts value is WorkerToHostMessage {
  const result = validateWorkerToHost(value, options)
  if (!result.ok) throw new ProtocolValidationError(result.errors)
}

/** Throws {@link ProtocolValidationError} unless `value` is a valid host->worker message. */
export function assertHostToWorkerMessage(value: unknown, options?: ValidatorOptions): asserts value is HostToWorkerMessage {
  const result = validateHostToWorker(value, options)
  if (!result.ok) throw new ProtocolValidationError(result.errors)
}
