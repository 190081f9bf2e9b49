/**
 * `extwire fuzz`: model-based sequence fuzzing against the embedded reference runtime, a worker
 * module or a command, through the same transports and targets as `extwire conformance`. A
 * failure prints the seed and path for replay and writes the shrunk counterexample as a fixture.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { CliIo } from '../../src/cli/io.js'
import { UsageError } from '../../src/cli/io.js'
import { MUTANTS } from '../mutants.js'
import { commandTarget, embeddedTarget, workerTarget, type Target } from '../targets.js'
import { runCampaign } from './campaign.js'

/** Usage text. */
export const FUZZ_USAGE = `Usage: extwire fuzz [--worker <module> | --cmd "<command>" | --mutant <name>] [options]
  --runs <n>          sequences to run (default 1000)
  --seed <n>          fast-check seed (default: random, always printed)
  --path <p>          replay path printed by an earlier failure (with its --seed)
  --max-commands <n>  commands per sequence at most (default 20)
  --timeout <ms>      wait per expectation (default 1000)
  --out <file>        where to write the counterexample fixture (default fuzz-counterexample-<seed>.json)
  --mutant <name>     fuzz a deliberately broken reference runtime (${MUTANTS.map((m) => m.name).join(', ')})
Exit code: 0 when nothing was found, 1 with a counterexample, 2 on a usage error.`

function integer(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a non-negative integer`)
  return n
}

/** Runs `extwire fuzz`. */
export async function fuzzCommand(io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...io.argv],
    options: {
      worker: { type: 'string' },
      cmd: { type: 'string' },
      cwd: { type: 'string' },
      mutant: { type: 'string' },
      runs: { type: 'string' },
      seed: { type: 'string' },
      path: { type: 'string' },
      'max-commands': { type: 'string' },
      timeout: { type: 'string' },
      out: { type: 'string' },
    },
  })
  const runs = integer(values.runs, '--runs', 1000)
  const seed = values.seed === undefined ? undefined : Number(values.seed)
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError('--seed must be an integer')
  let target: Target
  if (values.mutant) {
    const mutant = MUTANTS.find((m) => m.name === values.mutant)
    if (!mutant) throw new UsageError(`unknown --mutant ${values.mutant}`)
    target = mutant.target()
  } else if (values.worker) target = workerTarget(resolve(io.cwd, values.worker), ['short-request-timeout'])
  else if (values.cmd) target = commandTarget(values.cmd, ['short-request-timeout'], values.cwd ? resolve(io.cwd, values.cwd) : undefined)
  else target = embeddedTarget()
  io.stderr.write(`extwire fuzz: ${runs} sequences against ${target.name}\n`)
  const result = await runCampaign(target, {
    runs,
    ...(seed !== undefined ? { seed } : {}),
    ...(values.path ? { path: values.path } : {}),
    maxCommands: integer(values['max-commands'], '--max-commands', 20),
    stepTimeoutMs: integer(values.timeout, '--timeout', 1000),
    progressEvery: Math.max(1, Math.floor(runs / 20)),
    onProgress: (done, total) => io.stderr.write(`  ${done}/${total} sequences\n`),
  })
  const rate = (result.runs / (result.durationMs / 1000)).toFixed(0)
  if (!result.failed || !result.counterexample) {
    io.stdout.write(`no counterexample in ${result.runs} sequences (seed ${result.seed}, ${rate} sequences/s)\n`)
    return 0
  }
  const c = result.counterexample
  const out = resolve(io.cwd, values.out ?? `fuzz-counterexample-${result.seed}.json`)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, `${JSON.stringify(c.fixture, null, 2)}\n`)
  io.stdout.write(
    [
      `counterexample after ${result.runs} sequence(s): ${c.requirement}`,
      `  ${c.message}`,
      `  shrunk sequence: ${c.commands.join(', ') || '(empty: the worker fails before any command)'}`,
      `  replay: extwire fuzz --seed ${result.seed} --path ${c.path}${values.mutant ? ` --mutant ${values.mutant}` : ''}`,
      `  fixture: ${out}`,
      `  check:  extwire conformance --fixture ${out}`,
      '',
    ].join('\n'),
  )
  return 1
}
