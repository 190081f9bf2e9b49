/**
 * Model-based sequence fuzzing (fast-check `fc.commands`). The model is a small picture of what
 * the host can observe of a worker: is it active, which of its requests wait for an answer, which
 * fetch streams are open, what state each background task is in. Each command turns the model
 * into fixture steps (what to send, what must come back) and plays them through the conformance
 * runner, so a failing sequence is already a fixture and fails the same way when replayed.
 */
import type fc from 'fast-check'
import type { HostPeer } from '../../src/host/peer.js'
import type { Fixture, Step } from '../fixture/schema.js'
import type { FixtureRun } from '../runner.js'
import { CONFORMANCE_PERMISSIONS } from '../extension/permissions.js'

/** What the fuzzer knows of a background task. */
export type TaskState = 'registered' | 'running' | 'done' | 'disposed'

/** The model: the worker's observable state. Not a copy of the runtime, a simplification of it. */
export class WorkerModel {
  active = false
  /** Background tasks of the current activation. */
  readonly tasks = new Map<string, TaskState>()
  /** `call` tool requests waiting for the host's answer: the tool request id and the capture of the worker's request id. */
  calls: Array<{ readonly tool: string; readonly capture: string }> = []
  /** Open fetch streams. */
  streams: Array<{ readonly tool: string; readonly capture: string; readonly chunks: string[] }> = []
  private counter = 0

  /** A fresh host id or capture name. */
  fresh(prefix: string): string {
    return `${prefix}-${++this.counter}`
  }
}

/** The system under test: one connection, played through the runner; records every step. */
export class FuzzSession {
  /** Every step played so far: the fixture of this sequence. */
  readonly steps: Step[] = []

  constructor(
    readonly run: FixtureRun,
    readonly peer: HostPeer,
  ) {}

  /** Plays steps in order (a failing step throws StepFailure, naming the requirement). */
  async play(...steps: Step[]): Promise<void> {
    for (const step of steps) {
      this.steps.push(step)
      await this.run.next(step)
    }
  }
}

/** A fuzzing command. */
export type FuzzCommand = fc.AsyncCommand<WorkerModel, FuzzSession>

/** The permissions the fuzzer activates with: everything the conformance extension uses. */
export const FUZZ_PERMISSIONS = [...CONFORMANCE_PERMISSIONS]

/** The fixture shell a sequence is played in (and saved as). */
export function fuzzFixture(id: string, steps: Step[]): Fixture {
  return {
    $schema: '../../schema/conformance-fixture.schema.json',
    id,
    title: 'Shrunk counterexample found by extwire fuzz',
    requirements: ['EXT-LIFE-002'],
    level: 'MUST',
    since: '0.22.0',
    permissions: FUZZ_PERMISSIONS,
    steps: steps.length > 0 ? steps : [{ waitMs: 0 }],
  }
}
