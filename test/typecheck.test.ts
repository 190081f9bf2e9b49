/**
 * The whole project type-checks (`tsc -p .`: sources, conformance kit, tests, scripts, benches),
 * as a test file rather than a step before vitest, so that the check's CPU overlaps the files that
 * wait on workers and child processes instead of delaying every one of them.
 */
import { join } from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { ROOT } from './helpers/examples.js'

/** The diagnostics `tsc -p <config>` reports, formatted as tsc prints them. */
function typeCheck(configFile: string): string {
  const config = ts.readConfigFile(configFile, (path) => ts.sys.readFile(path))
  if (config.error) return ts.formatDiagnostics([config.error], host)
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, join(configFile, '..'))
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options, projectReferences: parsed.projectReferences ?? [] })
  return ts.formatDiagnostics([...parsed.errors, ...ts.getPreEmitDiagnostics(program)], host)
}

const host: ts.FormatDiagnosticsHost = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }

describe('tsc -p .', () => {
  it('reports no type error in the project', () => {
    expect(typeCheck(join(ROOT, 'tsconfig.json'))).toBe('')
  }, 600_000) // a bound for a stuck check only: a loaded machine type-checks slowly
})
