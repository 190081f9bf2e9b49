import { defineConfig, type Options } from 'tsup'

/** The library entries, offered to both `import` and `require`. */
const library = {
  index: 'src/index.ts',
  protocol: 'src/protocol/index.ts',
  validate: 'src/validate/index.ts',
  // Apart from `validate`: it loads ajv's compiler and TypeBox, which `validate` must not.
  compile: 'src/validate/compile.ts',
  runtime: 'src/runtime/index.ts',
  transport: 'src/transport/index.ts',
  host: 'src/host/index.ts',
  conformance: 'conformance/index.ts',
}

/** ESM-only entries: vitest cannot be required, and `bin/extwire.js` (ESM) starts the CLI. */
const esmOnly = {
  vitest: 'conformance/vitest.ts',
  cli: 'src/cli/main.ts',
}

// The Node worker entries the kit starts itself are CommonJS, in the CommonJS build, so they load the
// same shared chunks as `require('extwire')`: a worker's start pays for loading its code, and Node
// loads CommonJS in about half the time of the same code as ES modules, without the ES loader's own
// start. They load neither TypeBox nor ajv; another version's checks stay a lazy `require` (in a promise).
const nodeWorkers = {
  'conformance-worker': 'conformance/extension/worker.ts',
  'conformance-stdio': 'conformance/extension/stdio.ts',
  'fuzz-lanes': 'conformance/reference/fuzz-lanes.ts',
}

// The browser entry stays an ES module, in the ESM build: `extwire conformance --browser` serves
// `dist/` to the page and starts it as a module Web Worker, which loads the chunks it imports. It
// reaches the runtime through `src/runtime/web-entry.ts`, never `entry.ts`, so no chunk it loads
// imports a `node:` module (test/browser.test.ts checks every chunk it reaches).
const browserWorker = {
  'conformance-browser-worker': 'conformance/extension/browser-worker.ts',
}

/**
 * Settings every element shares. No source maps ship, so none are written. The code is minified,
 * to keep the package small (the precompiled validators are most of it, once per format), with
 * `keepNames` so that classes and functions keep their names in stack traces and logs.
 */
const common = { target: 'node20', sourcemap: false, dts: false, minify: true, keepNames: true } satisfies Options

/**
 * The build, as an array of elements so that each output stays one self-contained entry.
 *
 * Declarations are the slow part, so they have an element of their own that `tsup --no-dts`
 * leaves out: `prepare` (run by `npm ci`) builds only the JavaScript the CLI needs; `build`,
 * `prepack` and `npm test` build everything.
 */
export default defineConfig((cli) => [
  // ESM: one module graph, split into shared chunks. It empties dist/ first; a build without
  // declarations keeps the ones there, because `npm pack` and `npm publish` run `prepack` (which
  // builds them) and then `prepare` (`--no-dts`): cleaning them then would ship a package without types.
  { ...common, entry: { ...library, ...esmOnly, ...browserWorker }, format: ['esm'], clean: cli.dts === false ? ['!**/*.d.ts', '!**/*.d.cts'] : true, splitting: true, external: ['vitest'] },
  // CommonJS, split as well so that every entry shares one copy of each module (one
  // ProtocolValidationError class behind both `require('extwire')` and `require('extwire/validate')`).
  // typebox 1.x ships ESM only, so this build bundles it, into a shared chunk.
  { ...common, entry: { ...library, ...nodeWorkers }, format: ['cjs'], splitting: true, noExternal: ['typebox'], shims: true },
  // Declarations, written once, as CommonJS `.d.cts`: scripts/dedupe-declarations.ts (run after
  // this build) writes each ESM entry's `.d.ts` as a re-export of them (one declaration of each
  // class for both formats), and an ESM copy only where the types of an import differ by format.
  ...(cli.dts === false ? [] : [{ ...common, entry: { ...library, vitest: esmOnly.vitest }, format: ['cjs'], dts: { only: true }, external: ['vitest'] } satisfies Options]),
])
