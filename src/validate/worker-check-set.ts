/**
 * The check set of a default-profile worker (0.22.1) over its own checks: tolerant host->worker
 * messages and response data, strict worker->host messages and request payloads. The full checks
 * come from the caller, loaded or to load on first use, so that a worker that can load them
 * synchronously compiles them only when a message first fails (`worker-checks.ts` imports them).
 */
import { checkSet, type CheckSet, type ChecksModule, type LazyChecksModule } from './check-set.js'
import * as ENTRIES from './precompiled/entries.js'
import * as FAST from './precompiled/fast.js'

/** A default worker's check set, with `full` as its full checks (the module, or how to load it). */
export function workerCheckSet(full: ChecksModule | LazyChecksModule): CheckSet {
  return checkSet([ENTRIES], [{ fast: FAST, full }])
}

/** The checks of a loaded full module, or an error naming `source` when it is not one. */
export function checksModuleOf(loaded: unknown, source: string): ChecksModule {
  const m = loaded as Partial<ChecksModule> | null
  if (typeof m !== 'object' || m === null || !Array.isArray(m.STRICT) || !Array.isArray(m.TOLERANT)) {
    throw new Error(`precompiled validators: ${source} is not a module of full checks (expected STRICT and TOLERANT arrays)`)
  }
  return m as ChecksModule
}
