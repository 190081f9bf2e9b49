/** Test helper: waits for this run's declaration build (test/global/declarations.ts). */
import { inject } from 'vitest'
import { DECLARATIONS_RECORD, recorded } from '../global/declarations.js'

/** How long to wait for the declarations before failing (a bound for a stuck build, not an expectation). */
const BOUND_MS = 600_000

/**
 * Resolves once `dist/` holds the declarations of the current sources; rejects with the build's
 * error when it failed. Polls the build's record: the build runs in vitest's main process.
 */
export async function declarationsReady(): Promise<void> {
  const key = inject('extwireDeclarationsKey')
  if (typeof key !== 'string') throw new Error('no declaration build in this run: vitest.config.ts must list test/global/declarations.ts in globalSetup')
  const started = Date.now()
  for (;;) {
    const found = recorded()
    if (found?.key === key) {
      if (found.error !== undefined) throw new Error(`the declaration build (tsup, declarations element of tsup.config.ts) failed:\n${found.error}`)
      return
    }
    if (Date.now() - started > BOUND_MS) throw new Error(`the declaration build did not finish within ${BOUND_MS} ms (no record with key ${key} in ${DECLARATIONS_RECORD})`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
