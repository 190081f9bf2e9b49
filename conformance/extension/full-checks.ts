/**
 * Where the Node worker entries (built as CommonJS into `dist/`) find the full checks they load on
 * first use: `dist/full-checks.cjs`, an entry of the CommonJS build (see tsup.config.ts).
 */
import { createRequire } from 'node:module'

/** Names the built full checks in errors. */
export const FULL_CHECKS_SOURCE = 'dist/full-checks.cjs'

/** Loads the built full checks synchronously (relative to the built file this code is in, in `dist/`). */
export function loadBuiltFullChecks(): unknown {
  return createRequire(import.meta.url)('./full-checks.cjs')
}
