/**
 * A host fuzzing campaign: random sequences of worker messages and driver commands played against
 * a fresh host per sequence through the host-role runner, then a probe that the driver still answers,
 * then the host-role trace invariants. The campaign machinery (shrinking, replay paths, the
 * counterexample fixture) is the worker role's ({@link runPlan}).
 */
import fc from 'fast-check'
import { DriverSession, HostFixtureRun, HostStepFailure, checkHostInvariants } from '../host/runner.js'
import type { HostTarget } from '../host/driver.js'
import type { Step } from '../fixture/schema.js'
import { Stopped } from '../wait.js'
import { HarnessError, SequenceFailure, runPlan, type CampaignOptions, type CampaignResult } from './campaign.js'
import { LoadCommand, ReadyCommand, RegisterToolCommand, hostCommandArbitraries } from './host-commands.js'
import { HOST_FUZZ_PERMISSIONS, HostFuzzSession, HostModel, hostFuzzFixture, type HostFuzzCommand } from './host-model.js'

/** Options of a host campaign. */
export interface HostCampaignOptions extends CampaignOptions {
  /** Deadline of one sequence (ms, default 30,000): past it the sequence fails; a host that stops making progress is never a pass. */
  readonly sequenceDeadlineMs?: number
}

/**
 * One run: the manifest's permissions, whether the sequence starts loaded and active (a `load`, the
 * worker's `ready` and a `tool-registered` first: most runs, so that most commands meet an active extension), and the
 * command sequence.
 */
export type HostRun = readonly [readonly string[], boolean, Iterable<HostFuzzCommand>]

/** The last step of every sequence: a host API call that must fail at once (EXT-HOST-073), proving the host still serves its driver. */
function probe(commands: ReadonlySet<string>): Step[] {
  if (commands.has('executeTool')) return [{ do: 'executeTool', args: { extensionId: 'no-such-extension', toolId: 'probe', params: {} }, expectResult: { ok: false }, requirement: 'EXT-HOST-010' }]
  if (commands.has('unload')) return [{ do: 'unload', args: { extensionId: 'no-such-extension' }, expectResult: { ok: false }, requirement: 'EXT-HOST-010' }]
  return []
}

function failureText(error: HostStepFailure): string {
  const f = error.failure
  return `${f.message}${f.expected ? `; expected ${f.expected}` : ''}${f.actual ? `; actual ${f.actual}` : ''}`
}

/** Plays one sequence against a fresh host; throws SequenceFailure on any violation, HarnessError when the fuzzer itself fails. */
export async function playHostSequence(target: HostTarget, run: HostRun, options: { stepTimeoutMs?: number; readyTimeoutMs?: number; sequenceDeadlineMs?: number } = {}): Promise<Step[]> {
  const [permissions, activeFirst, commands] = run
  let channel
  try {
    channel = await target.connect()
  } catch (error) {
    throw new SequenceFailure('EXT-HOST-010', `could not start the host driver: ${(error as Error).message}`, [])
  }
  const session = new DriverSession(channel)
  const controller = new AbortController()
  const deadlineMs = options.sequenceDeadlineMs ?? 30_000
  const timer = setTimeout(() => {
    controller.abort()
    void session.close().catch(() => undefined)
  }, deadlineMs)
  const fixture = hostFuzzFixture('host/fuzz/sequence', permissions, [])
  const runner = new HostFixtureRun(fixture, session, options.stepTimeoutMs ?? 1000, controller.signal)
  const real = new HostFuzzSession(runner)
  const rejections: unknown[] = []
  const onRejection = (reason: unknown) => rejections.push(reason)
  process.on('unhandledRejection', onRejection)
  try {
    const id = session.command('describe', {})
    const answer = await session.waitFor((e) => e.kind === 'result' && e.id === id, options.readyTimeoutMs ?? 10_000).catch((error: unknown) => {
      throw new SequenceFailure('EXT-HOST-010', `the host driver did not answer describe: ${(error as Error).message}`, [])
    })
    const value = answer.value as { ok?: unknown; value?: { commands?: unknown } }
    const supported = value.ok === true && Array.isArray(value.value?.commands) ? value.value.commands.filter((c): c is string => typeof c === 'string') : undefined
    if (supported === undefined) throw new SequenceFailure('EXT-HOST-010', `the driver's describe answer is not {"ok": true, "value": {"commands": [...]}}`, [])
    const available = new Set(supported)
    const model = new HostModel(permissions, available)
    for (const command of activeFirst ? [new LoadCommand(), new ReadyCommand(), new RegisterToolCommand('echo')] : []) if (command.check(model)) await command.run(model, real)
    await fc.asyncModelRun(() => ({ model, real }), commands)
    await real.play(...probe(available))
    // Let the last host messages arrive (an ordered channel: the probe's result came after them).
    await new Promise((resolve) => setImmediate(resolve))
    for (const e of session.entries) {
      const err = e.errors[0]
      if (err && err.code !== 'EXT-WIRE-006') throw new SequenceFailure(err.code, `invalid host message #${e.index}: ${err.message}`, real.steps)
    }
    const violations = checkHostInvariants(session.trace)
    if (violations.length > 0) throw new SequenceFailure(violations[0]!.requirement, violations[0]!.message, real.steps)
    if (session.protocolErrors.length > 0) throw new SequenceFailure('EXT-HOST-010', `driver protocol: ${session.protocolErrors[0]}`, real.steps)
    if (rejections.length > 0) {
      if (target.inProcess === true) throw new SequenceFailure('EXT-HOST-010', `unhandled promise rejection: ${String(rejections[0])}`, real.steps)
      throw new HarnessError(`unhandled promise rejection in the fuzzer: ${String(rejections[0])}`)
    }
    return real.steps
  } catch (error) {
    if (controller.signal.aborted) {
      throw new SequenceFailure('EXT-HOST-010', `the sequence deadline of ${deadlineMs} ms passed at step ${runner.currentStep}: the host or its driver stopped making progress`, real.steps)
    }
    if (error instanceof SequenceFailure || error instanceof HarnessError) throw error
    if (error instanceof Stopped) throw new HarnessError('the sequence was stopped')
    if (error instanceof HostStepFailure) {
      if (error.failure.kind === 'suite') throw new HarnessError(`the fuzzer generated a wrong step: ${error.failure.message}`)
      throw new SequenceFailure(error.failure.requirement, failureText(error), real.steps)
    }
    // Anything else was thrown by the model, a command's own code or fast-check: the harness, not the host.
    throw new HarnessError(error instanceof Error ? `${error.name}: ${error.message}` : String(error))
  } finally {
    clearTimeout(timer)
    process.off('unhandledRejection', onRejection)
    await session.close().catch(() => undefined)
  }
}

/** Runs a host campaign against `target`. */
export async function runHostCampaign(target: HostTarget, options: HostCampaignOptions): Promise<CampaignResult> {
  const arbitrary = (): fc.Arbitrary<HostRun> => fc.tuple(
    // Each permission granted in three runs of four: most commands are allowed, some refused.
    fc.tuple(...HOST_FUZZ_PERMISSIONS.map((p) => fc.constantFrom<string | undefined>(p, p, p, undefined))).map((ps) => ps.filter((p): p is string => p !== undefined)),
    fc.constantFrom(true, true, true, false),
    fc.commands(hostCommandArbitraries(), {
      maxCommands: options.maxCommands ?? 20,
      size: options.size ?? 'medium',
      ...(options.replayPath !== undefined ? { replayPath: options.replayPath } : {}),
    }),
  )
  return runPlan<HostRun>(
    {
      arbitrary,
      play: (run) => playHostSequence(target, run, { ...(options.stepTimeoutMs !== undefined ? { stepTimeoutMs: options.stepTimeoutMs } : {}), ...(options.readyTimeoutMs !== undefined ? { readyTimeoutMs: options.readyTimeoutMs } : {}), ...(options.sequenceDeadlineMs !== undefined ? { sequenceDeadlineMs: options.sequenceDeadlineMs } : {}) }),
      commandsOf: (run) => run[2],
      fixture: (id, steps, run) => hostFuzzFixture(id, run?.[0] ?? [], steps),
      idPrefix: 'host/fuzz/counterexample',
    },
    options,
  )
}

