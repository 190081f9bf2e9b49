import { defineConfig } from 'tsup'

const entry = {
  index: 'src/index.ts',
  protocol: 'src/protocol/index.ts',
  validate: 'src/validate/index.ts',
  cli: 'src/cli/main.ts',
}

// typebox 1.x ships ESM only, so the CommonJS build bundles it; the ESM build imports it.
export default defineConfig([
  { entry, format: ['esm'], dts: true, sourcemap: true, clean: true, target: 'node20', splitting: true },
  { entry, format: ['cjs'], dts: false, sourcemap: true, clean: false, target: 'node20', noExternal: ['typebox'] },
])
