/**
 * Package-level validators. The two default instances are created once, are immutable, and are
 * shared; call {@link createValidator} for a private one.
 */
import type { HostToWorkerMessage, ProtocolMessage, WorkerToHostMessage } from '../protocol/catalogue.js'
import type { RequestMethod, RequestPayloads, ResponseData } from '../protocol/methods.js'
import { ProtocolValidationError, type ValidationResult } from './errors.js'
import { DEFAULT_MODE, type ValidationMode } from './modes.js'
import { createValidator, type ProtocolValidator, type ValidatorOptions } from './validator.js'

export * from './errors.js'
export { DEFAULT_MODE, type ValidationMode } from './modes.js'
export { createValidator, type ProtocolValidator, type ValidatorOptions } from './validator.js'
export { describeValue } from './describe.js'

const DEFAULTS: Readonly<Record<ValidationMode, ProtocolValidator>> = Object.freeze({
  strict: createValidator({ mode: 'strict' }),
  tolerant: createValidator({ mode: 'tolerant' }),
})

/** The shared validator for a mode (default {@link DEFAULT_MODE}). */
export function validatorFor(options: ValidatorOptions = {}): ProtocolValidator {
  return DEFAULTS[options.mode ?? DEFAULT_MODE]
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
