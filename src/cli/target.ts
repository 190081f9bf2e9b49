/**
 * The one place that turns target flags (`--worker`, `--cmd`, `--cwd`, `--mutant`, `--features`)
 * into a target, for `conformance`, `fuzz` and `record` alike, so the three accept the same flags
 * with the same checks, and a command printed for replay names the same target.
 */
import { resolve } from 'node:path'
import { UsageError } from './io.js'
import { ALL_MUTANTS as MUTANTS } from '../../conformance/reference/index.js'
import { commandTarget, workerTarget, type ProcessTargetOptions, type Target } from '../../conformance/targets.js'
import { embeddedTarget } from '../../conformance/reference/target.js'
import { commandHostTarget, driverHostTarget, moduleHostTarget, type HostTarget } from '../../conformance/host/driver.js'
import { referenceHostDriver } from '../../conformance/reference/host-driver.js'
import { browserTarget, defaultBrowserPath } from '../../conformance/browser/target.js'

/** The `parseArgs` options of the target flags, shared by every subcommand that takes a target. */
export const TARGET_OPTIONS = {
  worker: { type: 'string' },
  cmd: { type: 'string' },
  cwd: { type: 'string' },
  mutant: { type: 'string' },
  features: { type: 'string', multiple: true },
} as const

/**
 * The `parseArgs` options of the browser target (`extwire conformance` only: its run closes the
 * browser when it ends).
 */
export const BROWSER_OPTIONS = {
  browser: { type: 'boolean' },
  'browser-path': { type: 'string' },
} as const

/** The `parseArgs` options that shape how a worker process is started, shared by conformance and fuzz. */
export const PROCESS_OPTIONS = {
  'max-message-bytes': { type: 'string' },
  'pass-env': { type: 'string', multiple: true },
} as const

/** `--pass-env` and `--max-message-bytes` as target options; a bad size is a usage error. */
export function processOptionsOf(values: { readonly 'pass-env'?: readonly string[] | undefined; readonly 'max-message-bytes'?: string | undefined }): ProcessTargetOptions {
  const size = values['max-message-bytes']
  const n = size === undefined ? undefined : Number(size)
  if (n !== undefined && (!Number.isInteger(n) || n <= 0)) throw new UsageError(`--max-message-bytes ${String(size)}: expected a positive whole number of bytes`)
  return { passEnv: split(values['pass-env']), ...(n !== undefined ? { maxMessageBytes: n } : {}) }
}

/** The target flags as parsed. */
export interface TargetFlags {
  readonly worker?: string | undefined
  readonly cmd?: string | undefined
  readonly cwd?: string | undefined
  readonly mutant?: string | undefined
  /** `--features` values (repeatable, comma-separated). */
  readonly features?: readonly string[] | undefined
  /** `--browser`: the reference runtime in a Web Worker of headless Chromium, under a CSP without unsafe-eval. */
  readonly browser?: boolean | undefined
  /** `--browser-path`: the Chromium executable of `--browser`. */
  readonly 'browser-path'?: string | undefined
}

/** A chosen target: what to connect to, and the flags that choose it again. */
export interface TargetChoice {
  readonly kind: 'embedded' | 'mutant' | 'worker' | 'cmd' | 'browser'
  /** The module path (absolute), the command, the mutant name, or the browser executable. */
  readonly value?: string
  /** Working directory of a command (absolute). */
  readonly cwd?: string
  readonly features: readonly string[]
  /** Command-line flags, shell-quoted, that select the same target from any directory. */
  readonly flags: readonly string[]
  /** A fresh Target (the embedded runtime and mutants are in-process; a browser target must be closed after the run). */
  target(): Target
}

/** Quotes a word for a POSIX shell when it needs it. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`
}

function split(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)
}

/**
 * Chooses the target. `embedded`, `mutant` and `browser` say whether the command accepts them;
 * `defaultFeatures` apply to `--worker`/`--cmd` when `--features` is not given.
 */
export function selectTarget(
  flags: TargetFlags,
  cwd: string,
  options: { embedded?: boolean; mutant?: boolean; browser?: boolean; defaultFeatures?: readonly string[]; process?: ProcessTargetOptions; protocol?: string } = {},
): TargetChoice {
  const given = [...(['worker', 'cmd', 'mutant'] as const).filter((k) => flags[k] !== undefined), ...(flags.browser === true ? (['browser'] as const) : [])]
  if (given.length > 1) {
    throw new UsageError(`give one of --worker, --cmd${options.mutant === false ? '' : ', --mutant'}${options.browser === true ? ', --browser' : ''}, not ${given.map((k) => `--${k}`).join(' and ')}`)
  }
  if (flags.browser === true && options.browser !== true) throw new UsageError('--browser is accepted only by extwire conformance')
  if (flags['browser-path'] !== undefined && flags.browser !== true) throw new UsageError('--browser-path applies only to --browser')
  for (const k of given) if (k !== 'browser' && (flags[k] as string).trim() === '') throw new UsageError(`--${k} is empty: give a ${k === 'worker' ? 'module path' : k === 'cmd' ? 'command' : 'mutant name'}`)
  if (flags.cwd !== undefined && flags.cmd === undefined) throw new UsageError('--cwd applies only to --cmd')
  const explicit = split(flags.features)
  const features = flags.features === undefined ? [...(options.defaultFeatures ?? [])] : explicit
  // Always spelled out, so that a printed command means the same under another command's defaults.
  const featureFlags = features.length === 0 ? [] : ['--features', shellQuote(features.join(','))]
  const proc: ProcessTargetOptions = { ...options.process, ...(options.protocol === undefined ? {} : { protocol: options.protocol }) }
  const processFlags = [
    ...((proc.passEnv ?? []).length > 0 ? ['--pass-env', shellQuote((proc.passEnv ?? []).join(','))] : []),
    ...(proc.maxMessageBytes !== undefined ? ['--max-message-bytes', String(proc.maxMessageBytes)] : []),
  ]
  if (flags.mutant !== undefined) {
    if (options.mutant === false) throw new UsageError('--mutant is not accepted here')
    const mutant = MUTANTS.find((m) => m.name === flags.mutant)
    if (!mutant) throw new UsageError(`unknown --mutant ${flags.mutant}; one of ${MUTANTS.map((m) => m.name).join(', ')}`)
    return { kind: 'mutant', value: mutant.name, features: ['short-request-timeout'], flags: ['--mutant', mutant.name], target: () => mutant.target() }
  }
  if (flags.worker !== undefined) {
    const file = resolve(cwd, flags.worker)
    return { kind: 'worker', value: file, features, flags: ['--worker', shellQuote(file), ...featureFlags, ...processFlags], target: () => workerTarget(file, features, undefined, proc) }
  }
  if (flags.cmd !== undefined) {
    const command = flags.cmd
    const dir = resolve(cwd, flags.cwd ?? '.')
    return {
      kind: 'cmd',
      value: command,
      cwd: dir,
      features,
      flags: ['--cmd', shellQuote(command), '--cwd', shellQuote(dir), ...featureFlags, ...processFlags],
      target: () => commandTarget(command, features, dir, proc),
    }
  }
  if (flags.browser === true) {
    const given = flags['browser-path']
    if (given !== undefined && given.trim() === '') throw new UsageError('--browser-path is empty: give the Chromium executable')
    const path = given === undefined ? defaultBrowserPath() : resolve(cwd, given)
    return {
      kind: 'browser',
      value: path,
      features: ['short-request-timeout'],
      flags: ['--browser', '--browser-path', shellQuote(path), ...processFlags],
      target: () => browserTarget({ executablePath: path, passEnv: proc.passEnv ?? [], ...(options.protocol === undefined ? {} : { protocol: options.protocol }) }),
    }
  }
  if (options.embedded === false) throw new UsageError('give --cmd or --worker')
  return { kind: 'embedded', features: ['short-request-timeout'], flags: [], target: () => embeddedTarget(options.protocol === undefined ? {} : { runtime: { protocol: options.protocol } }) }
}

/** The `parseArgs` options that choose a host (host-role conformance). */
export const HOST_OPTIONS = {
  role: { type: 'string' },
  host: { type: 'string' },
  'host-cmd': { type: 'string' },
} as const

/** The host flags as parsed. */
export interface HostFlags {
  readonly role?: string | undefined
  readonly host?: string | undefined
  readonly 'host-cmd'?: string | undefined
  readonly cwd?: string | undefined
}

/** The role a run certifies: `--role`, or `host` when `--host`/`--host-cmd` is given; a contradiction is a usage error. */
export function roleOfFlags(flags: HostFlags & TargetFlags): 'worker' | 'host' {
  const hostGiven = (['host', 'host-cmd'] as const).filter((k) => flags[k] !== undefined)
  const workerGiven = [...(['worker', 'cmd', 'mutant'] as const).filter((k) => flags[k] !== undefined), ...(flags.browser === true ? (['browser'] as const) : []), ...(flags['browser-path'] !== undefined ? (['browser-path'] as const) : [])]
  if (flags.role !== undefined && flags.role !== 'worker' && flags.role !== 'host') throw new UsageError(`--role ${flags.role}: expected worker or host`)
  const role = flags.role ?? (hostGiven.length > 0 ? 'host' : 'worker')
  if (role === 'worker' && hostGiven.length > 0) throw new UsageError(`--${hostGiven[0] as string} chooses a host: it needs --role host (or no --role)`)
  if (role === 'host' && workerGiven.length > 0) throw new UsageError(`--${workerGiven[0] as string} chooses a worker; a host-role run takes --host <module> or --host-cmd "<command>"`)
  if (role === 'host' && flags.features !== undefined) throw new UsageError('--features applies to worker targets; a host driver says what it supports through describe')
  return role
}

/** A chosen host: what to connect to, and the flags that choose it again. */
export interface HostChoice {
  readonly kind: 'reference' | 'host' | 'host-cmd'
  readonly value: string
  readonly flags: readonly string[]
  target(): HostTarget
}

/** Chooses the host of a host-role run: `--host`, `--host-cmd` (with `--cwd`), or the reference host in process. */
/** The protocol version a host target tells its host to speak (`--protocol`). */
const hostTargetOptions = (proc: ProcessTargetOptions): { protocol?: string } => (proc.protocol === undefined ? {} : { protocol: proc.protocol })

export function selectHostTarget(flags: HostFlags, cwd: string, proc: ProcessTargetOptions = {}): HostChoice {
  if (flags.host !== undefined && flags['host-cmd'] !== undefined) throw new UsageError('give one of --host, --host-cmd, not both')
  if (flags.cwd !== undefined && flags['host-cmd'] === undefined) throw new UsageError('--cwd applies only to --cmd and --host-cmd')
  if (flags.host !== undefined) {
    if (flags.host.trim() === '') throw new UsageError('--host is empty: give a module path')
    const file = resolve(cwd, flags.host)
    return { kind: 'host', value: file, flags: ['--host', shellQuote(file)], target: () => moduleHostTarget(file, hostTargetOptions(proc)) }
  }
  if (flags['host-cmd'] !== undefined) {
    const command = flags['host-cmd']
    if (command.trim() === '') throw new UsageError('--host-cmd is empty: give a command')
    const dir = resolve(cwd, flags.cwd ?? '.')
    return { kind: 'host-cmd', value: command, flags: ['--host-cmd', shellQuote(command), '--cwd', shellQuote(dir)], target: () => commandHostTarget(command, dir, proc) }
  }
  return { kind: 'reference', value: 'reference host', flags: ['--role', 'host'], target: () => driverHostTarget(referenceHostDriver(), 'the reference host (in process, virtual clock)', hostTargetOptions(proc)) }
}
