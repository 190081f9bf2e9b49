/** The start-up baselines pick the empty worker of the measured worker's own module format. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { EMPTY_WORKERS, emptyWorkersFor, moduleFormatOf } from './empty-worker.js'

const dir = mkdtempSync(join(tmpdir(), 'extwire-format-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('moduleFormatOf', () => {
  it('reads .cjs and .mjs by extension, .js by the nearest package.json type', () => {
    mkdirSync(join(dir, 'cjs/sub'), { recursive: true })
    writeFileSync(join(dir, 'cjs/package.json'), '{"type":"commonjs"}')
    mkdirSync(join(dir, 'esm/sub'), { recursive: true })
    writeFileSync(join(dir, 'esm/package.json'), '{"type":"module"}')
    expect(moduleFormatOf('/x/worker.cjs')).toBe('commonjs')
    expect(moduleFormatOf('/x/worker.mjs')).toBe('module')
    expect(moduleFormatOf(join(dir, 'esm/sub/worker.js'))).toBe('module')
    expect(moduleFormatOf(join(dir, 'cjs/sub/worker.js'))).toBe('commonjs')
    expect(() => moduleFormatOf('/x/worker.ts')).toThrow(/module format is unknown/)
  })

  it('measures the CommonJS reference worker against the CommonJS empty worker, the ES one for scale', () => {
    expect(emptyWorkersFor('/x/dist/conformance-worker.cjs')).toEqual({ same: EMPTY_WORKERS.commonjs, other: EMPTY_WORKERS.module, sameFormat: 'CommonJS', otherFormat: 'ES module' })
    expect(emptyWorkersFor(join(dir, 'esm/w.js')).same).toBe(EMPTY_WORKERS.module)
  })
})
