/**
 * Nothing on a run-time path of the built package compiles code (issue 12, point 1): no
 * `new Function`, `Function(` or `eval(` in the `runtime`, `validate`, `protocol`, `host` and
 * `transport` entries, in any chunk they import, or in the worker bundles, so that they run under a
 * Content-Security-Policy without `unsafe-eval`. The `runtime` and `validate` graphs also load
 * neither TypeBox nor ajv, which is what makes them start fast. Reads `dist/`, which `npm test`
 * builds before the tests.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { PACKAGE_ROOT } from '../conformance/paths.js'

const DIST = join(PACKAGE_ROOT, 'dist')

/** Code that compiles code: `new Function`, a call of `Function`, a call of `eval`. */
export const COMPILES = /\bnew\s+Function\b|(?<![\w$.])Function\s*\(|(?<![\w$.])eval\s*\)?\s*\(/

/** Every file of the module graph of `entry` inside dist/, and the bare specifiers it imports. */
export function graphOf(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = []
  const packages = new Set<string>()
  const queue = [entry]
  while (queue.length > 0) {
    const file = queue.pop() as string
    if (files.includes(file)) continue
    files.push(file)
    const text = readFileSync(file, 'utf8')
    const specifiers = [
      ...text.matchAll(/(?:^|[\s;}])(?:import|export)\s*(?:[\w${}*,\s]+?from\s*)?["']([^"']+)["']/g),
      ...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
      ...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g),
    ].map((m) => m[1] as string)
    for (const s of specifiers) {
      if (s.startsWith('.')) queue.push(resolve(dirname(file), s))
      else packages.add(s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : (s.split('/')[0] as string))
    }
  }
  return { files, packages }
}

/** The lines of `files` that compile code, as `file:line: text`. */
export function compilingLines(files: readonly string[]): string[] {
  return files.flatMap((file) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .flatMap((line, i) => (COMPILES.test(line) ? [`${relative(DIST, file)}:${i + 1}: ${line.trim().slice(0, 160)}`] : [])),
  )
}

const RUNTIME_ENTRIES = ['runtime', 'validate', 'protocol', 'host', 'transport']
const WORKER_BUNDLES = ['conformance-worker.cjs', 'conformance-stdio.cjs', 'conformance-browser-worker.js']

describe('the pattern', () => {
  it('finds every form of run-time compilation, and nothing else', () => {
    for (const line of ['return new Function("a", code)', 'x = Function("return this")()', 'eval("1")', '(0, eval)("1")', 'const f=new Function(a)']) expect(COMPILES.test(line), line).toBe(true)
    for (const line of ['isFunction(x)', 'typeof x === "function"', 'obj.eval(1)', 'retrieval(1)', 'AsyncFunction.prototype', 'x.Function(1)']) expect(COMPILES.test(line), line).toBe(false)
  })
})

describe('dist/ run-time paths compile nothing', () => {
  for (const name of RUNTIME_ENTRIES) {
    for (const ext of ['js', 'cjs']) {
      const entry = join(DIST, `${name}.${ext}`)
      it(`${name}.${ext} and every chunk it imports`, () => {
        expect(existsSync(entry), `${entry} is missing: build first (npm test builds dist/)`).toBe(true)
        expect(compilingLines(graphOf(entry).files)).toEqual([])
      })
    }
  }

  for (const bundle of WORKER_BUNDLES) {
    it(`the worker bundle ${bundle}`, () => {
      const entry = join(DIST, bundle)
      expect(existsSync(entry), `${entry} is missing: build first`).toBe(true)
      expect(compilingLines(graphOf(entry).files)).toEqual([])
    })
  }

  for (const name of RUNTIME_ENTRIES) {
    it(`${name}.js does not load ajv, whose compiler runs new Function`, () => {
      expect(graphOf(join(DIST, `${name}.js`)).packages.has('ajv')).toBe(false)
    })
  }

  for (const name of ['runtime', 'validate']) {
    it(`${name}.js loads neither TypeBox nor ajv`, () => {
      const { packages } = graphOf(join(DIST, `${name}.js`))
      expect([...packages].filter((p) => p === 'typebox' || p === 'ajv')).toEqual([])
    })
  }
})
