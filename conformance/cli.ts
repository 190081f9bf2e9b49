/**
 * `extwire conformance`: runs the fixtures against the embedded reference runtime, a worker module
 * (`--worker`) or a command speaking JSON lines on stdio (`--cmd`), and reports a verdict per
 * requirement. Exit 0 only when every MUST passes.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { CliIo } from '../src/cli/io.js'
import { UsageError } from '../src/cli/io.js'
import { globToRegExp, selectFixtures } from './fixture/select.js'
import { loadFixtureFile, loadFixtures, type LoadedFixture } from './fixture/load.js'
import { consoleReport, jsonReport, junitReport, progressLine, REPORTERS, tapReport, type ReporterName } from './report/reporters.js'
import { loadRequirements } from './requirements.js'
import { defaultConcurrency, runSuite, TargetStartError } from './runner.js'
import { commandTarget, embeddedTarget, workerTarget, type Target } from './targets.js'
import { buildReport, parseExpectedFailures } from './verdicts.js'
import { MUTANTS } from './mutants.js'

/** Repository (or installed package) root: fixtures/ and docs/ live there. */
export const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url))

/** Usage text. */
export const CONFORMANCE_USAGE = `Usage: extwire conformance [options]

Target (default: the embedded reference runtime, in-process):
  --worker <module>          start <module> as a worker_threads worker for each fixture
  --cmd "<command>"          start <command> for each fixture; it speaks one JSON message per line on stdio
  --cwd <dir>                working directory of --cmd
  --mutant <name>            a deliberately broken reference runtime (conformance/mutants.ts), to see the suite catch it
  --features <a,b>           features the target supports (short-request-timeout: it honours EXTWIRE_REQUEST_TIMEOUT_MS)

Selection:
  --filter <glob>            run fixtures whose id matches (* within a segment, ** across); repeatable, comma-separated
  --skip <glob>              skip fixtures whose id matches; repeatable
  --level <MUST,SHOULD,MAY>  run fixtures of these levels
  --since <version>          run fixtures introduced in <version> or later (0.22.0: the background tasks)
  --protocol <version>       run fixtures that apply to a runtime of <version>
  --fixture <file>           run this fixture file (repeatable); default: every fixture in fixtures/
  --fixtures <dir>           fixture folder (default: the package's fixtures/)

Reports:
  --reporter <name>          console (default), json, junit or tap
  --output <file>            write the report to <file> (progress still goes to the terminal)
  --trace                    keep every exchanged message in the JSON report
  --expected-failures <file> fixture ids (or globs) expected to fail: they do not fail the run, but a listed
                             fixture that passes fails it as stale

Run:
  --timeout <ms>             wait per expectation (default 1000)
  --ready-timeout <ms>       wait for the worker's ready, from when it was started (default 10000)
  --deadline <ms>            deadline of the whole run: fixtures not finished by then are reported untested
                             (each fixture also has its own deadline, derived from its steps, at most 120 s)
  --max-message-bytes <n>    longest line (message) accepted from a --cmd worker (default 4194304); longer is a
                             wire failure. Also passed to the worker as EXTWIRE_MAX_MESSAGE_BYTES
  --pass-env <NAME,...>      pass these variables to the worker too; by default it gets only PATH, HOME, the
                             locale (LANG, LANGUAGE, TZ, LC_*) and EXTWIRE_*
  --concurrency <n>          fixtures at once (default: the number of cores, at most 8)
  --bail                     stop after the first failure
  --list                     list the selected fixtures and exit

Exit code: 0 when every MUST passes (and nothing is stale), 1 otherwise, 2 on a usage error, 3 when the
target cannot start (a missing module, a command not found, a crash or silence before ready in the first
fixtures): the run stops at once.`

function split(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)
}

/** A positive integer option (ms or bytes), or `fallback` when absent. */
function positiveInteger(value: string | undefined, flag: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1 || n > 2_147_483_647) throw new UsageError(`${flag} must be a positive integer up to 2147483647, received ${JSON.stringify(value)}`)
  return n
}

/** Runs `extwire conformance`. */
export async function conformanceCommand(io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...io.argv],
    allowPositionals: false,
    options: {
      worker: { type: 'string' },
      cmd: { type: 'string' },
      cwd: { type: 'string' },
      mutant: { type: 'string' },
      features: { type: 'string', multiple: true },
      filter: { type: 'string', multiple: true },
      skip: { type: 'string', multiple: true },
      level: { type: 'string', multiple: true },
      since: { type: 'string' },
      protocol: { type: 'string' },
      fixture: { type: 'string', multiple: true },
      fixtures: { type: 'string' },
      reporter: { type: 'string', default: 'console' },
      output: { type: 'string' },
      trace: { type: 'boolean', default: false },
      'expected-failures': { type: 'string' },
      timeout: { type: 'string' },
      concurrency: { type: 'string' },
      'ready-timeout': { type: 'string' },
      deadline: { type: 'string' },
      'max-message-bytes': { type: 'string' },
      'pass-env': { type: 'string', multiple: true },
      bail: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
    },
  })
  const reporter = values.reporter as ReporterName
  if (!REPORTERS.includes(reporter)) throw new UsageError(`--reporter must be one of ${REPORTERS.join(', ')}`)
  if (values.worker && values.cmd) throw new UsageError('give --worker or --cmd, not both')
  const levels = split(values.level).map((l) => l.toUpperCase())
  for (const l of levels) if (!['MUST', 'SHOULD', 'MAY'].includes(l)) throw new UsageError(`--level ${l}: expected MUST, SHOULD or MAY`)
  const timeout = values.timeout === undefined ? 1000 : Number(values.timeout)
  if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError('--timeout must be a positive number of milliseconds')
  if (values.cmd?.trim() === '') throw new UsageError('--cmd is empty: give the command that starts your worker')
  if (values.worker?.trim() === '') throw new UsageError('--worker is empty: give the path of your worker module')
  const readyTimeout = positiveInteger(values['ready-timeout'], '--ready-timeout', 10_000)
  const deadline = values.deadline === undefined ? undefined : positiveInteger(values.deadline, '--deadline', 0)
  const maxMessageBytes = values['max-message-bytes'] === undefined ? undefined : positiveInteger(values['max-message-bytes'], '--max-message-bytes', 0)
  const processOptions = { passEnv: split(values['pass-env']), ...(maxMessageBytes !== undefined ? { maxMessageBytes } : {}) }
  const concurrency = values.concurrency === undefined ? defaultConcurrency() : Number(values.concurrency)
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError('--concurrency must be a positive integer')

  const fixtureDir = values.fixtures ? resolve(io.cwd, values.fixtures) : resolve(PACKAGE_ROOT, 'fixtures')
  let loaded: LoadedFixture[]
  if (values.fixture && values.fixture.length > 0) {
    loaded = []
    for (const file of values.fixture) {
      const one = loadFixtureFile(resolve(io.cwd, file), io.cwd)
      if ('message' in one) {
        io.stderr.write(`${one.message}\n`)
        return 2
      }
      loaded.push(one)
    }
  } else {
    const { fixtures, errors } = loadFixtures(fixtureDir, io.cwd)
    for (const e of errors) io.stderr.write(`suite error: ${e.message}\n`)
    if (errors.length > 0) return 1
    loaded = fixtures
  }
  const selected = selectFixtures(loaded, {
    filter: split(values.filter),
    skip: split(values.skip),
    levels,
    ...(values.since ? { since: values.since } : {}),
    ...(values.protocol ? { protocol: values.protocol } : {}),
  })
  if (values.list) {
    for (const { fixture } of selected) io.stdout.write(`${fixture.id}  ${fixture.level}  ${fixture.requirements.join(' ')}  ${fixture.title}\n`)
    io.stdout.write(`${selected.length} fixture(s)\n`)
    return 0
  }
  if (selected.length === 0) throw new UsageError('no fixture selected')

  const features = split(values.features)
  const mutant = values.mutant === undefined ? undefined : MUTANTS.find((m) => m.name === values.mutant)
  if (values.mutant !== undefined && !mutant) throw new UsageError(`unknown --mutant ${values.mutant}; one of ${MUTANTS.map((m) => m.name).join(', ')}`)
  const target: Target = mutant
    ? mutant.target()
    : values.worker
    ? workerTarget(resolve(io.cwd, values.worker), features, undefined, processOptions)
    : values.cmd
      ? commandTarget(values.cmd, features, values.cwd ? resolve(io.cwd, values.cwd) : undefined, processOptions)
      : embeddedTarget()
  const expected = values['expected-failures'] ? parseExpectedFailures(readFileSync(resolve(io.cwd, values['expected-failures']), 'utf8')).map(globToRegExp) : []
  const requirements = loadRequirements(resolve(PACKAGE_ROOT, 'docs/spec'))

  const progress = reporter === 'console' && !values.output ? io.stdout : io.stderr
  progress.write(`extwire conformance: ${selected.length} fixture(s) against ${target.name}\n`)
  const started = new Date()
  const t0 = performance.now()
  let results
  try {
    results = await runSuite(
      selected.map((l) => l.fixture),
      target,
      {
        stepTimeoutMs: timeout,
        readyTimeoutMs: readyTimeout,
        ...(deadline !== undefined ? { runDeadlineMs: deadline } : {}),
        stopOnStartFailure: true,
        concurrency,
        bail: values.bail,
        keepTraces: values.trace,
        onResult: (r, done, total) => progress.write(progressLine(r, done, total)),
      },
    )
  } catch (error) {
    if (!(error instanceof TargetStartError)) throw error
    io.stderr.write(`extwire conformance: the target cannot start (${target.name}): ${error.message.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).slice(0, 400)}\n`)
    return 3
  }
  const report = buildReport({ target: target.name, startedAt: started, durationMs: performance.now() - t0, results, requirements, expected })
  const text =
    reporter === 'json'
      ? jsonReport(report)
      : reporter === 'junit'
        ? junitReport(report)
        : reporter === 'tap'
          ? tapReport(report)
          : consoleReport(report, (id) => requirements.get(id)?.text)
  if (values.output) {
    writeFileSync(resolve(io.cwd, values.output), text)
    progress.write(`report written to ${values.output}\n`)
    if (reporter !== 'console') progress.write(consoleReport(report, (id) => requirements.get(id)?.text).split('\n').slice(-4).join('\n'))
  } else {
    io.stdout.write(text)
  }
  return report.exitCode
}
