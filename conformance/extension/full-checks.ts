/**
 * Where the Node worker entries (built as CommonJS into `dist/`) find the full checks they load on
 * first use: `dist/full-checks.cjs`, an entry of the CommonJS build (see tsup.config.ts).
 */

/**
 * Whether this code runs as the CommonJS build, with a module `require` that can load the full
 * checks synchronously. From the TypeScript source (ES modules, under tsx) it cannot: the entries
 * then start the runtime with every check loaded at once, as `initializeExtension` does.
 */
export function canRequire(): boolean {
  // A module `require` alone is not enough: a test runner or tsx in CommonJS mode has one for the
  // TypeScript source too, where `./full-checks.cjs` is not beside it. The built entries are `.cjs`.
  return typeof require === 'function' && typeof __filename === 'string' && __filename.endsWith('.cjs')
}

/** Names the built full checks in errors. */
export const FULL_CHECKS_SOURCE = 'dist/full-checks.cjs'

/** The file beside the built code, in a variable: a literal would make the bundler inline what it names. */
const FULL_CHECKS_FILE = './full-checks.cjs'

/**
 * Loads the built full checks synchronously, with the CommonJS module's own `require` (relative to
 * the built file this code is in, in `dist/`). No `createRequire`: loading `node:module` for it cost
 * a worker about 2 ms of its start.
 */
export function loadBuiltFullChecks(): unknown {
  return require(FULL_CHECKS_FILE)
}
