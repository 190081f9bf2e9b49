/**
 * A fuzzing campaign against any target: random command sequences played through the runner,
 * the trace invariants checked after every sequence, unhandled rejections caught. A failure is
 * shrunk by fast-check, replayed once more to capture its steps, and returned as a fixture.
 */
import fc from 'fast-check'
import { HostPeer } from '../../src/host/peer.js'
import { checkInvariants } from '../invariants.js'
import { FixtureRun, StepFailure } from '../runner.js'
import type { Fixture } from '../fixture/schema.js'
import type { Target } from '../targets.js'
import { commandArbitraries } from './commands.js'
import { FuzzSession, WorkerModel, fuzzFixture, type FuzzCommand } from './model.js'

/** Options of a campaign. */
export interface CampaignOptions {
  /** Sequences to run. */
  readonly runs: number
  /** fast-check seed (default: random; printed either way). */
  readonly seed?: number
  /** Replay path of an earlier failure (with its seed). */
  readonly path?: string
  /** Commands per sequence at most (default 20). */
  readonly maxCommands?: number
  /** fast-check size of the sequences (default `medium`; `max` draws sequences close to maxCommands). */
  readonly size?: fc.SizeForArbitrary
  /** Wait per expectation (ms, default 1000). */
  readonly stepTimeoutMs?: number
  /** Called every `every` sequences. */
  readonly onProgress?: (done: number, total: number) => void
  readonly progressEvery?: number
  /** Id of the fixture written for a counterexample. */
  readonly fixtureId?: string
}

/** What a campaign found. */
export interface CampaignResult {
  readonly runs: number
  readonly seed: number
  readonly failed: boolean
  readonly durationMs: number
  /** When failed: fast-check's replay path, the requirement broken, the message, the shrunk commands and their fixture. */
  readonly counterexample?: {
    readonly path: string
    readonly requirement: string
    readonly message: string
    readonly commands: readonly string[]
    readonly fixture: Fixture
  }
}

/** The error a failed sequence throws: names the requirement. */
export class SequenceFailure extends Error {
  constructor(
    readonly requirement: string,
    message: string,
    readonly steps: Fixture['steps'],
  ) {
    super(`${requirement}: ${message}`)
    this.name = 'SequenceFailure'
  }
}

/** Plays one command sequence against a fresh worker; throws SequenceFailure on any violation. */
export async function playSequence(target: Target, commands: Iterable<FuzzCommand>, stepTimeoutMs = 1000): Promise<Fixture['steps']> {
  const transport = await target.connect()
  const peer = new HostPeer(transport)
  const run = new FixtureRun(fuzzFixture('fuzz/sequence', []), peer, stepTimeoutMs)
  const session = new FuzzSession(run, peer)
  const rejections: unknown[] = []
  const onRejection = (reason: unknown) => rejections.push(reason)
  process.on('unhandledRejection', onRejection)
  try {
    await run.ready()
    await fc.asyncModelRun(() => ({ model: new WorkerModel(), real: session }), commands)
    await new Promise((resolve) => setImmediate(resolve)) // let the last messages arrive
    for (const r of peer.received) {
      const e = r.errors[0]
      if (e && e.code !== 'EXT-WIRE-006') throw new SequenceFailure(e.code, `invalid message from the worker: ${e.message}`, session.steps)
    }
    const violations = checkInvariants(peer.timeline, { complete: false })
    if (violations.length > 0) throw new SequenceFailure(violations[0]!.requirement, violations[0]!.message, session.steps)
    if (rejections.length > 0) throw new SequenceFailure('EXT-IN-001', `unhandled promise rejection: ${String(rejections[0])}`, session.steps)
    if (peer.closedWith) throw new SequenceFailure('EXT-IN-001', 'the worker went away', session.steps)
    return session.steps
  } catch (error) {
    if (error instanceof SequenceFailure) throw error
    if (error instanceof StepFailure) throw new SequenceFailure(error.failure.requirement, `${error.failure.message}${error.failure.expected ? `; expected ${error.failure.expected}` : ''}${error.failure.actual ? `; actual ${error.failure.actual}` : ''}`, session.steps)
    throw new SequenceFailure('EXT-IN-001', (error as Error).message, session.steps)
  } finally {
    process.off('unhandledRejection', onRejection)
    await peer.close().catch(() => undefined)
  }
}

/** Runs a campaign. */
export async function runCampaign(target: Target, options: CampaignOptions): Promise<CampaignResult> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31)
  const started = performance.now()
  let done = 0
  const property = fc.asyncProperty(fc.commands(commandArbitraries(), { maxCommands: options.maxCommands ?? 20, size: options.size ?? 'medium' }), async (commands) => {
    await playSequence(target, commands, options.stepTimeoutMs)
    done++
    if (options.onProgress && done % (options.progressEvery ?? 100) === 0) options.onProgress(done, options.runs)
  })
  const details = await fc.check(property, { numRuns: options.runs, seed, ...(options.path ? { path: options.path } : {}), endOnFailure: false })
  const durationMs = performance.now() - started
  if (!details.failed || !details.counterexample) return { runs: details.numRuns, seed, failed: false, durationMs }
  const [commands] = details.counterexample as [Iterable<FuzzCommand>]
  const listed = [...commands].map(String)
  // Replay the shrunk sequence once more to capture exactly its steps.
  let failure: SequenceFailure | undefined
  try {
    await playSequence(target, commands, options.stepTimeoutMs)
  } catch (error) {
    failure = error instanceof SequenceFailure ? error : new SequenceFailure('EXT-IN-001', String(error), [])
  }
  const cause = details.errorInstance instanceof SequenceFailure ? details.errorInstance : failure
  const fixture = fuzzFixture(options.fixtureId ?? `fuzz/counterexample-${seed}`, [...(failure?.steps ?? [])])
  if (cause) fixture.requirements = [cause.requirement]
  fixture.description = `extwire fuzz --seed ${seed} --path ${details.counterexamplePath ?? ''}: ${listed.join(', ')}`
  return {
    runs: details.numRuns,
    seed,
    failed: true,
    durationMs,
    counterexample: {
      path: details.counterexamplePath ?? '',
      requirement: cause?.requirement ?? 'EXT-IN-001',
      message: cause?.message ?? String(details.errorInstance),
      commands: listed,
      fixture,
    },
  }
}
