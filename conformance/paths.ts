/**
 * Where the package's data lives. The fixtures, the spec and the schemas ship beside the code, and
 * both the sources (`conformance/`) and the bundles (`dist/`) sit one level below the package root.
 */
import { fileURLToPath } from 'node:url'

/** Repository (or installed package) root: `fixtures/`, `docs/` and `schema/` live there. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url))
