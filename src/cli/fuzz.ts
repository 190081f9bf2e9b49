/**
 * `extwire fuzz`: model-based sequence fuzzing against the embedded reference runtime, a worker
 * module or a command, through the same transports and targets as `extwire conformance`; with
 * `--role host`, against a host behind its driver (the reference host by default). A failure prints
 * the seed and path for replay and writes the shrunk counterexample as a fixture of that role.
 */
import { writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { parseArgs } from 'node:util'
import type { CliIo } from './io.js'
import { UsageError, outputFile } from './io.js'
import { FEATURES, MAX_STEP_TIMEOUT_MS } from '../../conformance/fixture/schema.js'
import { ALL_MUTANTS as MUTANTS } from '../../conformance/reference/index.js'
import { escapeControl } from '../../conformance/report/reporters.js'
import { HOST_OPTIONS, PROCESS_OPTIONS, processOptionsOf, roleOfFlags, selectHostTarget, selectTarget, shellQuote, TARGET_OPTIONS, type TargetChoice } from './target.js'
import { runCampaign, type CampaignResult } from '../../conformance/fuzz/campaign.js'
import { runHostCampaign } from '../../conformance/fuzz/host-campaign.js'
import { runThreadedCampaign, type LaneTarget } from '../../conformance/fuzz/threads.js'
import { referenceLaneTarget } from '../../conformance/reference/lane-targets.js'
import { DEFAULT_READY_TIMEOUT_MS } from '../../conformance/runner.js'
import type { Target } from '../../conformance/targets.js'
import { driverHostTarget, isHostTarget, type HostTarget } from '../../conformance/host/driver.js'
import { DriverSession } from '../../conformance/host/runner.js'
import { referenceHostDriver } from '../../conformance/reference/host-driver.js'
import { HostPeer } from '../host/peer.js'

/** Usage text. */
export const FUZZ_USAGE = `Usage: extwire fuzz [--worker <module> | --cmd "<command>" [--cwd <dir>] | --mutant <name>] [options]
       extwire fuzz --role host [--host <module> | --host-cmd "<command>" [--cwd <dir>]] [options]
  --role <worker|host> what is fuzzed (default worker; --host/--host-cmd imply host). A host-role campaign plays
                      the worker and commands the host's driver (docs/host-driver.md): random worker messages
                      (valid, invalid, hostile) and driver commands, then the host-role invariants; without
                      --host/--host-cmd it fuzzes the reference host, in process, on a virtual clock
  --host <module>     host role: a JS module exporting a host driver factory (as for extwire conformance)
  --host-cmd "<cmd>"  host role: a host driver speaking tagged JSON lines on stdio, started per sequence
  --features <a,b>    features the target supports (default for --worker/--cmd: short-request-timeout)
  --runs <n>          sequences to run (default 1000)
  --threads <n>       threads for the embedded reference runtime or a --mutant (default: one per core): their
                      lanes are shared out between this thread and worker threads, each lane with the seed it has
                      in one thread; other targets and replays use one thread
  --seed <n>          fast-check seed (default: random, always printed)
  --path <p>          replay path printed by an earlier failure (with its --seed and --replay-path)
  --replay-path <r>   command replay path printed by an earlier failure
  --max-commands <n>  commands per sequence at most (default 20)
  --timeout <ms>      wait per expectation (default 1000, at most ${MAX_STEP_TIMEOUT_MS})
  --out <file>        where to write the counterexample fixture (default fuzz-counterexample-<seed>.json,
                      fuzz-host-counterexample-<seed>.json in the host role)
  --deadline <ms>     deadline of the whole campaign: no sequence starts after it (default none; a campaign
                      stopped by it says so, and one that completed no sequence is a failure, exit 4)
  --sequence-deadline <ms>  host role: deadline of one sequence (default 30000); a host past it is a counterexample
  --pass-env <A,B>    pass these variables to a --worker/--cmd worker too (by default: PATH, HOME, locale, EXTWIRE_*)
  --max-message-bytes <n>  longest line accepted from a --cmd worker (default 4194304)
  --mutant <name>     fuzz a deliberately broken reference runtime (${MUTANTS.map((m) => m.name).join(', ')})
A failure prints a replay: line (the same target and flags) and a check: line (the fixture against the same target).
Exit code: 0 nothing found, 1 a counterexample, 2 usage error, 3 the target cannot start (no ready, or no answer
to the driver's describe, within 10 s), 4 a harness error (the fuzzer failed, not the implementation).`

function integer(value: string | undefined, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} ${value}: expected a whole number from ${min} to ${max}`)
  return n
}

/** Runs `extwire fuzz`. */
export async function fuzzCommand(io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...io.argv],
    options: {
      ...TARGET_OPTIONS,
      ...PROCESS_OPTIONS,
      ...HOST_OPTIONS,
      deadline: { type: 'string' },
      'sequence-deadline': { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      path: { type: 'string' },
      'replay-path': { type: 'string' },
      'max-commands': { type: 'string' },
      timeout: { type: 'string' },
      out: { type: 'string' },
      threads: { type: 'string' },
    },
  })
  const runs = integer(values.runs, '--runs', 1000, 1)
  const seed = values.seed === undefined ? undefined : integer(values.seed, '--seed', 0, -(2 ** 31), 2 ** 31 - 1)
  if (values.path !== undefined && seed === undefined) throw new UsageError('--path needs the --seed it was printed with')
  if (values['replay-path'] !== undefined && values.path === undefined) throw new UsageError('--replay-path needs --path')
  const maxCommands = integer(values['max-commands'], '--max-commands', 20, 1, 1000)
  const timeout = integer(values.timeout, '--timeout', 1000, 1, MAX_STEP_TIMEOUT_MS)
  for (const f of (values.features ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)) {
    if (!(f in FEATURES)) throw new UsageError(`--features ${f}: expected one of ${Object.keys(FEATURES).join(', ')}`)
  }
  const deadline = values.deadline === undefined ? undefined : integer(values.deadline, '--deadline', 0, 1)
  const role = roleOfFlags(values)
  if (role === 'worker' && values['sequence-deadline'] !== undefined) throw new UsageError('--sequence-deadline applies to the host role (--role host)')
  const sequenceDeadline = integer(values['sequence-deadline'], '--sequence-deadline', 30_000, 1)
  const threads = integer(values.threads, '--threads', availableParallelism(), 1, 64)
  const choice = role === 'host' ? hostChoice(values, io.cwd, processOptionsOf(values)) : selectTarget(values, io.cwd, { defaultFeatures: ['short-request-timeout'], process: processOptionsOf(values) })
  const explicitOut = values.out === undefined ? undefined : outputFile(io.cwd, values.out, '--out')
  // In-process targets a worker thread can build for itself play on every core; any other target in
  // this thread. Refused before any target starts.
  const lanes = 'kind' in choice ? laneTargetOf(choice) : undefined
  if (values.threads !== undefined && threads > 1 && lanes === undefined) throw new UsageError('--threads applies to the embedded reference runtime and --mutant (in-process targets)')
  const target = choice.target()
  const startProblem = isHostTarget(target) ? await hostCannotStart(target) : await cannotStart(target)
  if (startProblem !== undefined) {
    io.stderr.write(`extwire fuzz: the target cannot start (${escapeControl(target.name)}): ${escapeControl(startProblem)}\n`)
    return 3
  }
  io.stderr.write(`extwire fuzz: ${runs} sequences against ${target.name}\n`)
  const options = {
    runs,
    ...(seed !== undefined ? { seed } : {}),
    ...(values.path ? { path: values.path } : {}),
    ...(values['replay-path'] !== undefined ? { replayPath: values['replay-path'] } : {}),
    ...(deadline !== undefined ? { deadlineMs: deadline } : {}),
    maxCommands,
    stepTimeoutMs: timeout,
    progressEvery: Math.max(1, Math.floor(runs / 20)),
    onProgress: (done: number, total: number) => io.stderr.write(`  ${done}/${total} sequences\n`),
  }
  // Ctrl-C stops a campaign where it is: no sequence starts after it, the ones playing end, and what
  // it played is reported with its seed. A second Ctrl-C quits at once. Targets started as commands
  // run in their own process group, so a terminal's Ctrl-C does not reach them (no false counterexample).
  const stop = new AbortController()
  const onInterrupt = () => {
    if (stop.signal.aborted) process.exit(130)
    io.stderr.write('extwire fuzz: stopping at Ctrl-C (press it again to quit at once)\n')
    stop.abort()
  }
  process.on('SIGINT', onInterrupt)
  let result: CampaignResult
  try {
    result = isHostTarget(target)
      ? await runHostCampaign(target, { ...options, sequenceDeadlineMs: sequenceDeadline, signal: stop.signal })
      : lanes !== undefined
        ? await runThreadedCampaign(lanes, referenceLaneTarget, { ...options, threads, signal: stop.signal })
        : await runCampaign(target, { ...options, signal: stop.signal })
  } finally {
    process.off('SIGINT', onInterrupt)
  }
  if (result.threads !== undefined) io.stderr.write(`extwire fuzz: played on ${result.threads.count} thread(s)${result.threads.note === undefined ? '' : ` (${result.threads.note})`}\n`)
  const rate = (result.runs / (result.durationMs / 1000)).toFixed(0)
  if (result.outcome === 'clean' || !result.counterexample) {
    const why = stop.signal.aborted ? 'Ctrl-C' : `the campaign deadline of ${deadline ?? 0} ms`
    const stopped = result.interrupted === true ? `, stopped by ${why} before ${runs}` : ''
    io.stdout.write(`no counterexample in ${result.runs} sequences (seed ${result.seed}, ${rate} sequences/s${stopped})\n`)
    return 0
  }
  const c = result.counterexample
  // Every flag that shapes the sequences, and the target, so that the line reproduces this failure.
  const replay = [
    'extwire fuzz',
    `--seed ${result.seed}`,
    `--path ${shellQuote(c.path)}`,
    ...(c.replayPath ? [`--replay-path ${shellQuote(c.replayPath)}`] : []),
    ...choice.flags,
    `--runs ${runs}`,
    `--max-commands ${maxCommands}`,
    `--timeout ${timeout}`,
  ].join(' ')
  if (result.outcome === 'harness-error') {
    io.stdout.write(
      [
        `harness error after ${result.runs} sequence(s): the fuzzer itself failed; this says nothing about the ${role === 'host' ? 'host' : 'worker'}`,
        `  ${escapeControl(c.message)}`,
        ...(c.commands.length > 0 ? [`  sequence: ${escapeControl(c.commands.join(', '))}`] : []),
        `  replay: ${replay}`,
        '',
      ].join('\n'),
    )
    return 4
  }
  const out = explicitOut ?? outputFile(io.cwd, `fuzz-${role === 'host' ? 'host-' : ''}counterexample-${result.seed}.json`, '--out')
  writeFileSync(out, `${JSON.stringify(c.fixture, null, 2)}\n`)
  const check = ['extwire conformance', ...(role === 'host' && !choice.flags.includes('--role') ? ['--role', 'host'] : []), ...choice.flags, '--fixture', shellQuote(out), `--timeout ${timeout}`].join(' ')
  io.stdout.write(
    [
      `counterexample after ${result.runs} sequence(s): ${c.requirement}`,
      `  ${escapeControl(c.message)}`,
      `  shrunk sequence: ${escapeControl(c.commands.join(', ')) || '(empty: the worker fails before any command)'}`,
      `  replay: ${replay}`,
      `  fixture: ${out}`,
      `  check:  ${check}`,
      '',
    ].join('\n'),
  )
  return 1
}

/** The in-process target a worker thread can build for itself, when the choice is one. */
function laneTargetOf(choice: TargetChoice): LaneTarget | undefined {
  if (choice.kind === 'embedded') return { kind: 'reference' }
  return choice.kind === 'mutant' && choice.value !== undefined ? { kind: 'mutant', name: choice.value } : undefined
}

/** Why one fresh worker of `target` does not reach `ready` (undefined when it does): a target that cannot start is not a counterexample. */
async function cannotStart(target: Target): Promise<string | undefined> {
  let peer: HostPeer | undefined
  try {
    peer = new HostPeer(await target.connect())
    await peer.waitForType('ready', DEFAULT_READY_TIMEOUT_MS)
    return undefined
  } catch (error) {
    return (error as Error).message.replace(/\s+/g, ' ').slice(0, 400)
  } finally {
    await peer?.close().catch(() => undefined)
  }
}

/** The host of a host-role campaign: `--host`/`--host-cmd`, or the reference host in process on a virtual clock. */
function hostChoice(values: Parameters<typeof selectHostTarget>[0], cwd: string, proc: ReturnType<typeof processOptionsOf>): { readonly flags: readonly string[]; target(): HostTarget } {
  if (values.host !== undefined || values['host-cmd'] !== undefined) return selectHostTarget(values, cwd, proc)
  if (values.cwd !== undefined) throw new UsageError('--cwd applies only to --cmd and --host-cmd')
  return { flags: ['--role', 'host'], target: () => driverHostTarget(referenceHostDriver(), 'the reference host (in process, virtual clock)') }
}

/** Why one fresh host of `target` does not answer `describe` (undefined when it does): a host that cannot start is not a counterexample. */
async function hostCannotStart(target: HostTarget): Promise<string | undefined> {
  let session: DriverSession | undefined
  try {
    session = new DriverSession(await target.connect())
    const id = session.command('describe', {})
    await session.waitFor((e) => e.kind === 'result' && e.id === id, DEFAULT_READY_TIMEOUT_MS)
    return undefined
  } catch (error) {
    return (error as Error).message.replace(/\s+/g, ' ').slice(0, 400)
  } finally {
    await session?.close().catch(() => undefined)
  }
}
