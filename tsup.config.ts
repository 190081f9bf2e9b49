import { defineConfig, type Options } from 'tsup'

const entry = {
  index: 'src/index.ts',
  protocol: 'src/protocol/index.ts',
  validate: 'src/validate/index.ts',
  runtime: 'src/runtime/index.ts',
  transport: 'src/transport/index.ts',
  host: 'src/host/index.ts',
  conformance: 'conformance/index.ts',
  vitest: 'conformance/vitest.ts',
  cli: 'src/cli/main.ts',
}

// Worker entries are bundled whole (typebox and ajv included): a worker starts for every fixture,
// and one file loads far faster than a module graph.
const workers = {
  'conformance-worker': 'conformance/extension/worker.ts',
  'conformance-stdio': 'conformance/extension/stdio.ts',
}

// Helper "browser": the conformance extension on the reference runtime as one browser script, loaded as a
// dedicated Web Worker by `extwire conformance --browser` (conformance/browser/). Self-contained: the
// runtime's Node-only branch (`import('node:worker_threads')`, taken only when `process.versions.node`
// exists) resolves to a module that throws, so no `node:` import reaches the browser.
const browserWorker: Options = {
  entry: { 'conformance-browser-worker': 'conformance/extension/browser-worker.ts' },
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  dts: false,
  sourcemap: false,
  clean: false,
  splitting: false,
  noExternal: [/.*/],
  removeNodeProtocol: false,
  esbuildPlugins: [
    {
      name: 'no-node-builtins-in-browser',
      setup(build) {
        build.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-builtin-absent' }))
        build.onLoad({ filter: /.*/, namespace: 'node-builtin-absent' }, (args) => ({
          contents: `throw new Error(${JSON.stringify(`${args.path} is not available in a browser`)})`,
          loader: 'js',
        }))
      },
    },
  ],
}

// typebox 1.x ships ESM only, so the CommonJS build bundles it; the ESM build imports it.
export default defineConfig([
  { entry, format: ['esm'], dts: true, sourcemap: true, clean: true, target: 'node20', splitting: true, external: ['vitest'] },
  { entry, format: ['cjs'], dts: false, sourcemap: true, clean: false, target: 'node20', noExternal: ['typebox'], external: ['vitest'], shims: true },
  { entry: workers, format: ['esm'], dts: false, sourcemap: false, clean: false, target: 'node20', noExternal: [/.*/], splitting: false, platform: 'node' },
  browserWorker,
])
