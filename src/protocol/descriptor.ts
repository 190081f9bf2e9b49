/**
 * The descriptor every message carries beside its schema: direction, version, correlation,
 * permission and description. The validator dispatch map, the generated reference, the fuzzer's
 * command list and the conformance coverage report are all built from the one table of these.
 */
import type { TSchema } from 'typebox'

/** Which side sends a message. */
export type Direction = 'host-to-worker' | 'worker-to-host'

/** Protocol versions that introduced messages. */
export type ProtocolVersion = '0.21.0' | '0.22.0'

/** The protocol version this package describes. */
export const PROTOCOL_VERSION = '0.22.1'

/**
 * How a message is tied to another one. `field` is a JSON pointer into this message whose value
 * equals the value at `answersField` of a message of type `answers`.
 * Example: `tool-execute-response` `/payload/requestId` answers `tool-execute-request` `/id`.
 */
export interface Correlation {
  /** JSON pointer into this message. */
  readonly field: string
  /** The message type this one refers to. */
  readonly answers: string
  /** JSON pointer into the referenced message. */
  readonly answersField: string
  /** `one`: exactly one answer is expected; `many`: a stream of them (ended by a terminal message). */
  readonly cardinality: 'one' | 'many'
}

/** Everything the protocol knows about one message type. */
export interface MessageDescriptor<S extends TSchema = TSchema> {
  /** The wire `type` literal. */
  readonly type: string
  /** Who sends it. */
  readonly direction: Direction
  /** The family it belongs to (used to group the reference). */
  readonly family: string
  /** The protocol version that introduced it. */
  readonly since: ProtocolVersion
  /** The TypeBox schema of the whole message (strict form). */
  readonly schema: S
  /** Correlations with other messages, if any. */
  readonly correlations: readonly Correlation[]
  /**
   * The permission that gates this message: for a worker->host message the permission the
   * extension needs to send it; for a host->worker message the permission without which the worker
   * has nothing to handle it. `network:` means any `network:` permission. Null when ungated or
   * (for `request`) gated per method.
   */
  readonly permission: string | null
  /** One-line description. */
  readonly description: string
}

/** Builds a frozen descriptor. */
export function describe<S extends TSchema>(descriptor: MessageDescriptor<S>): MessageDescriptor<S> {
  return Object.freeze({ ...descriptor, correlations: Object.freeze([...descriptor.correlations]) })
}
