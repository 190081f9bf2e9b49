/**
 * Lookups over the generated tables (`tables.ts`) for code that must start fast and must not load
 * TypeBox: the reference runtime and the precompiled validators. The same answers as
 * `correlation.ts` and `methods.ts` give, from tables derived from the same descriptors and held to
 * them by the drift gate.
 */
import type { RequestAnswer } from './correlation.js'
import { METHOD_TABLE, REQUEST_ANSWER_TABLE, type MethodRow } from './tables.js'

const HOST_ANSWERS: ReadonlyMap<string, RequestAnswer> = new Map(
  REQUEST_ANSWER_TABLE.filter((a) => a.requestDirection === 'host-to-worker').map((a) => [a.request, a]),
)
const METHOD_ROWS: ReadonlyMap<string, MethodRow> = new Map(METHOD_TABLE.map((m) => [m.method, m]))

/** The answer of a host request type, or undefined when the type is not a host request. Safe for any string. */
export function hostRequestAnswer(requestType: string): RequestAnswer | undefined {
  return HOST_ANSWERS.get(requestType)
}

/** The table row of a request method, or undefined for an unknown method. Safe for any string. */
export function methodRow(method: string): MethodRow | undefined {
  return METHOD_ROWS.get(method)
}
