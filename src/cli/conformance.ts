/**
 * `extwire conformance`: runs the fixtures against the embedded reference runtime, a worker module
 * (`--worker`) or a command speaking JSON lines on stdio (`--cmd`), and reports a verdict per
 * requirement. Exit 0 only when every MUST passes.
 */
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { CliIo } from './io.js'
import { UsageError, existingDir, existingFile, outputFile, readTextFile } from './io.js'
import { appliesTo, globToRegExp, selectFixtures } from '../../conformance/fixture/select.js'
import { isKnownVersion, KNOWN_VERSION_NAMES } from '../protocol/versions.js'
import { createValidator } from '../validate/compile.js'

/** The version a run selects fixtures for when no --protocol is given. */
const DEFAULT_PROTOCOL = '0.22.1'
import { loadFixtureFile, loadFixtures, type FixtureError, type LoadedFixture } from '../../conformance/fixture/load.js'
import { FEATURES, MAX_STEP_TIMEOUT_MS } from '../../conformance/fixture/schema.js'
import { consoleReport, jsonReport, junitReport, progressLine, REPORTERS, tapReport, type ReporterName } from '../../conformance/report/reporters.js'
import { loadRequirements } from '../../conformance/requirements.js'
import { defaultConcurrency, runSuite, TargetStartError } from '../../conformance/runner.js'
import { isClosableTarget } from '../../conformance/browser/target.js'
import { BROWSER_OPTIONS, HOST_OPTIONS, PROCESS_OPTIONS, processOptionsOf, roleOfFlags, selectHostTarget, selectTarget, TARGET_OPTIONS } from './target.js'
import { roleOf } from '../../conformance/fixture/schema.js'
import { PACKAGE_ROOT } from '../../conformance/paths.js'
import { buildReport, compileExpectedFailures, ExpectedFailuresError, parseExpectedFailures } from '../../conformance/verdicts.js'

/** Usage text. */
export const CONFORMANCE_USAGE = `Usage: extwire conformance [options]

Role:
  --role <worker|host>       what the run certifies (default worker; --host/--host-cmd imply host). A host-role
                             run plays the worker(s) against a host behind its driver (docs/host-driver.md) and
                             runs the host-role fixtures (fixtures/host/), with a verdict per EXT-HOST requirement;
                             without --host/--host-cmd it certifies the reference host, in process, on a virtual clock
  --host <module>            host role: a JS module exporting createHostDriver (or a default) driver factory,
                             called in process for each fixture
  --host-cmd "<command>"     host role: start <command> for each fixture; it speaks the driver's tagged JSON lines
                             on stdio (--cwd sets its working directory)

Worker target (default: the embedded reference runtime, in-process):
  --worker <module>          start <module> as a worker_threads worker for each fixture
  --cmd "<command>"          start <command> for each fixture; it speaks one JSON message per line on stdio
  --cwd <dir>                working directory of --cmd
  --mutant <name>            a deliberately broken reference runtime (conformance/mutants.ts), to see the suite catch it
  --features <a,b>           features the target supports (short-request-timeout: it honours EXTWIRE_REQUEST_TIMEOUT_MS)
  --browser                  the reference runtime in a dedicated Web Worker of headless Chromium, under a page
                             Content-Security-Policy without unsafe-eval (one browser per run, a fresh Web Worker
                             per fixture; needs playwright-core and a Chromium, never downloads one)
  --browser-path <file>      the Chromium executable of --browser (default $EXTWIRE_CHROMIUM, else /usr/bin/chromium)

Selection:
  --filter <glob>            run fixtures whose id matches (* within a segment, ** across); repeatable, comma-separated
  --skip <glob>              skip fixtures whose id matches; repeatable
  --level <MUST,SHOULD,MAY>  run fixtures of these levels
  --since <version>          run fixtures introduced in <version> or later (0.22.0: the background tasks)
  --protocol <version>       the protocol version the worker speaks (default 0.22.1): runs the fixtures
                             that apply to it, passes EXTWIRE_PROTOCOL=<version> to the worker, and
                             judges what it sends by that version's schema; in the host role the
                             driver tells the host to speak it (docs/host-driver.md)
  --fixture <file>           run this fixture file (repeatable); default: every fixture in fixtures/
  --fixtures <dir>           fixture folder (default: the package's fixtures/)

Reports:
  --reporter <name>          console (default), json, junit or tap
  --output <file>            write the report to <file> (progress still goes to the terminal)
  --trace                    keep every exchanged message in the JSON report
  --expected-failures <file> one entry per line: a fixture id (or glob), or id:EXT-XXX-NNN (a fixture whose
                             every failure is on that requirement). Listed failures do not fail the run; a listed
                             fixture or requirement that passes (stale), or an entry that matches no fixture of
                             the suite, makes the exit code 4; entries outside the selection are only noted

Run:
  --timeout <ms>             wait per expectation (default 1000, at most ${MAX_STEP_TIMEOUT_MS})
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

Verdict: CONFORMANT (every MUST requirement of the suite exercised and passed), NOT CONFORMANT (the worker
failed a MUST requirement) or INCOMPLETE (nothing failed, but some MUST requirements were not judged: not
selected, untested, blocked, or in a fixture with a suite error). The verdict line says how many were exercised.
Suite errors (a fixture found wrong at load or run time) are reported apart and never count as the worker's.

Exit code: 0 nothing failed that was not listed as known (CONFORMANT, or INCOMPLETE only by your selection);
1 the worker failed a MUST requirement; 2 usage error; 3 the target cannot start (a missing module, a command
not found, a crash or silence before ready in the first fixtures): the run stops at once; 4 the run cannot
vouch for its selection (suite errors, untested or blocked MUST requirements, stale or unmatched
expected-failures entries); 70 a fault inside extwire itself.`

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
      ...TARGET_OPTIONS,
      ...BROWSER_OPTIONS,
      ...HOST_OPTIONS,
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
      ...PROCESS_OPTIONS,
      bail: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
    },
  })
  const reporter = values.reporter as ReporterName
  if (!REPORTERS.includes(reporter)) throw new UsageError(`--reporter ${values.reporter}: expected one of ${REPORTERS.join(', ')}`)
  const levels = split(values.level).map((l) => l.toUpperCase())
  for (const l of levels) if (!['MUST', 'SHOULD', 'MAY'].includes(l)) throw new UsageError(`--level ${l}: expected MUST, SHOULD or MAY`)
  const timeout = milliseconds(values.timeout, '--timeout', 1000)
  const readyTimeout = milliseconds(values['ready-timeout'], '--ready-timeout', 10_000)
  const deadline = values.deadline === undefined ? undefined : positiveInteger(values.deadline, '--deadline', 0)
  const processOptions = processOptionsOf(values)
  const concurrency = values.concurrency === undefined ? defaultConcurrency() : Number(values.concurrency)
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UsageError(`--concurrency ${values.concurrency}: expected a positive integer`)
  for (const [flag, v] of [['--since', values.since], ['--protocol', values.protocol]] as const) {
    if (v !== undefined && !/^\d+\.\d+\.\d+$/.test(v)) throw new UsageError(`${flag} ${v}: expected a version such as 0.22.0`)
  }
  if (values.protocol !== undefined && !isKnownVersion(values.protocol)) throw new UsageError(`--protocol ${values.protocol}: expected one of the protocol versions ${KNOWN_VERSION_NAMES.join(', ')}`)
  // The version the worker is to speak: fixtures are selected for it, the worker is told it, and
  // what it sends is judged by its schema. Without --protocol, 0.22.1 and nothing is passed on.
  const protocol = values.protocol ?? DEFAULT_PROTOCOL
  for (const f of split(values.features)) if (!(f in FEATURES)) throw new UsageError(`--features ${f}: expected one of ${Object.keys(FEATURES).join(', ')}`)
  const role = roleOfFlags(values)
  const choice = role === 'host' ? selectHostTarget(values, io.cwd, { ...processOptions, ...(values.protocol === undefined ? {} : { protocol: values.protocol }) }) : selectTarget(values, io.cwd, { process: processOptions, browser: true, ...(values.protocol === undefined ? {} : { protocol: values.protocol }) })
  const expectedText = values['expected-failures'] === undefined ? undefined : readTextFile(io.cwd, values['expected-failures'], '--expected-failures')
  const fixtureFiles = (values.fixture ?? []).map((f) => existingFile(io.cwd, f, '--fixture'))
  const fixtureDir = values.fixtures ? existingDir(io.cwd, values.fixtures, '--fixtures') : resolve(PACKAGE_ROOT, 'fixtures')
  const output = values.output === undefined ? undefined : outputFile(io.cwd, values.output, '--output')

  // Fixture mistakes found at load time are suite errors: reported apart, never run, never the worker's failures.
  const all = loadFixtures(fixtureDir, io.cwd, { role })
  let loaded: LoadedFixture[] = all.fixtures
  let loadErrors: FixtureError[] = all.errors
  if (fixtureFiles.length > 0) {
    loaded = []
    loadErrors = []
    for (const file of fixtureFiles) {
      const one = loadFixtureFile(file, io.cwd)
      if ('fixture' in one) {
        if (roleOf(one.fixture) !== role) throw new UsageError(`--fixture ${one.file} is a ${roleOf(one.fixture)}-role fixture; this run certifies a ${role} (see --role)`)
        loaded.push(one)
      } else loadErrors.push(one)
    }
  }
  const selection = {
    filter: split(values.filter),
    skip: split(values.skip),
    levels,
    ...(values.since ? { since: values.since } : {}),
    protocol,
  }
  // A filter must match some fixture: one that loads, or one refused at load (then its suite error is reported).
  const ids = [...loaded.map((l) => l.fixture.id), ...loadErrors.flatMap((e) => (e.id === undefined ? [] : [e.id]))]
  for (const g of selection.filter) if (!ids.some((id) => globToRegExp(g).test(id))) throw new UsageError(`--filter ${g} matches no fixture`)
  const live = selection.filter.filter((g) => loaded.some((l) => globToRegExp(g).test(l.fixture.id)))
  const selected = selection.filter.length > 0 && live.length === 0 ? [] : selectFixtures(loaded, { ...selection, filter: live })
  const include = selection.filter.map(globToRegExp)
  const exclude = selection.skip.map(globToRegExp)
  const suiteErrors = loadErrors.filter((e) => e.id === undefined || ((include.length === 0 || include.some((re) => re.test(e.id as string))) && !exclude.some((re) => re.test(e.id as string))))
  let expected
  try {
    expected = compileExpectedFailures(expectedText === undefined ? [] : parseExpectedFailures(expectedText), globToRegExp)
  } catch (error) {
    if (error instanceof ExpectedFailuresError) throw new UsageError(error.message)
    throw error
  }
  if (values.list) {
    for (const { fixture } of selected) io.stdout.write(`${fixture.id}  ${fixture.level}  ${fixture.requirements.join(' ')}  ${fixture.title}\n`)
    for (const e of suiteErrors) io.stderr.write(`suite error: ${e.message}\n`)
    io.stdout.write(`${selected.length} fixture(s)${suiteErrors.length > 0 ? `, ${suiteErrors.length} suite error(s)` : ''}\n`)
    return 0
  }
  if (selected.length === 0 && suiteErrors.length === 0) throw new UsageError('no fixture selected')

  const target = choice.target()
  const requirements = loadRequirements(resolve(PACKAGE_ROOT, 'docs/spec'))
  // The denominator of the verdict: the whole suite of the fixture folder (the package's, or --fixtures),
  // plus any fixture given with --fixture.
  // Only the fixtures that apply to the run's protocol version count.
  const suite = [...all.fixtures, ...(fixtureFiles.length > 0 ? loaded : [])].map((l) => l.fixture).filter((f) => appliesTo(f, protocol))

  const progress = reporter === 'console' && !output ? io.stdout : io.stderr
  progress.write(`extwire conformance: ${selected.length} fixture(s) against ${target.name}\n`)
  for (const e of suiteErrors) progress.write(`suite error (not run): ${e.message}\n`)
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
        ...(values.protocol === undefined ? {} : { validator: createValidator({ mode: 'strict', protocol: values.protocol }) }),
        onResult: (r, done, total) => progress.write(progressLine(r, done, total)),
      },
    )
  } catch (error) {
    if (!(error instanceof TargetStartError)) throw error
    io.stderr.write(`extwire conformance: the target cannot start (${target.name}): ${error.message.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).slice(0, 400)}\n`)
    return 3
  } finally {
    // A browser target's browser serves the whole run: it ends with it, on every path.
    if (isClosableTarget(target)) await target.close()
  }
  const report = buildReport({ target: target.name, protocol, startedAt: started, durationMs: performance.now() - t0, results, requirements, expected, suiteErrors, suite })
  const text =
    reporter === 'json'
      ? jsonReport(report)
      : reporter === 'junit'
        ? junitReport(report)
        : reporter === 'tap'
          ? tapReport(report)
          : consoleReport(report, (id) => requirements.get(id)?.text)
  if (output) {
    writeFileSync(output, text)
    progress.write(`report written to ${values.output}\n`)
    if (reporter !== 'console') progress.write(`${report.verdict.line}\nexit code ${report.exitCode}\n`)
  } else {
    io.stdout.write(text)
  }
  return report.exitCode
}

function milliseconds(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0 || n > MAX_STEP_TIMEOUT_MS) throw new UsageError(`${name} ${value}: expected a whole number of milliseconds from 1 to ${MAX_STEP_TIMEOUT_MS}`)
  return n
}
