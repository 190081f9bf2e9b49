import { defineConfig } from 'tsup'

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

// typebox 1.x ships ESM only, so the CommonJS build bundles it; the ESM build imports it.
export default defineConfig([
  { entry, format: ['esm'], dts: true, sourcemap: true, clean: true, target: 'node20', splitting: true, external: ['vitest'] },
  { entry, format: ['cjs'], dts: false, sourcemap: true, clean: false, target: 'node20', noExternal: ['typebox'], external: ['vitest'], shims: true },
  { entry: workers, format: ['esm'], dts: false, sourcemap: false, clean: false, target: 'node20', noExternal: [/.*/], splitting: false, platform: 'node' },
])
