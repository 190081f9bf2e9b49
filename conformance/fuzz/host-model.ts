/**
 * Model-based sequence fuzzing of a host (`extwire fuzz --role host`). The fuzzer plays the worker
 * and commands the host's driver; the model is what the worker side can know of the host: whether
 * the extension is loading, active or gone, which of its tools and tasks the host accepted, which
 * tool calls wait for the worker's answer. Each command turns the model into host-role fixture
 * steps and plays them through the host-role runner, so a failing sequence is already a fixture.
 */
import type fc from 'fast-check'
import type { Fixture, Step } from '../fixture/schema.js'
import type { HostFixtureRun } from '../host/runner.js'

/** Where the extension is, as the worker side sees it. `gone`: the worker connection is closed. */
export type HostPhase = 'idle' | 'loading' | 'active' | 'unloaded' | 'gone'

/** A tool call of the host waiting for the worker: its `do` label and the capture of its request id. */
export interface PendingCall {
  readonly label: string
  readonly capture: string
  /** Virtual time since the call (ms), for the host's call timeout (EXT-HOST-074). */
  age: number
}

/** The model of one sequence. */
export class HostModel {
  phase: HostPhase = 'idle'
  /** Virtual time since the load (ms), for the ready timeout (EXT-HOST-003). */
  sinceLoad = 0
  /** Tools the host accepted (registered while active, with `tools.register`). */
  readonly tools = new Set<string>()
  /** Tasks the host accepted (registered while active, with `background.workers`). */
  readonly tasks = new Set<string>()
  pending: PendingCall[] = []
  /** Request-id captures of calls already settled: their answers are now late or duplicate. */
  settled: string[] = []
  /** A granted `events.emit` was sent: an `extension-event` may have been reported. */
  emitted = false
  private counter = 0

  constructor(
    /** The manifest's permissions. */
    readonly permissions: readonly string[],
    /** The commands the driver's `describe` lists. */
    readonly commands: ReadonlySet<string>,
  ) {}

  /** A fresh label, capture or message id. */
  fresh(prefix: string): string {
    return `${prefix}-${++this.counter}`
  }

  granted(permission: string): boolean {
    return this.permissions.includes(permission)
  }
}

/** The system under test: one host behind its driver, played through the host-role runner; records every step. */
export class HostFuzzSession {
  /** Every step played so far: the fixture of this sequence. */
  readonly steps: Step[] = []

  constructor(readonly run: HostFixtureRun) {}

  /** Plays steps in order (a failing step throws HostStepFailure, naming the requirement). */
  async play(...steps: Step[]): Promise<void> {
    for (const step of steps) {
      this.steps.push(step)
      await this.run.next(step)
    }
  }
}

/** A host fuzzing command. */
export type HostFuzzCommand = fc.AsyncCommand<HostModel, HostFuzzSession>

/** The extension id the fuzzer loads (the host-role fixtures' default). */
export const FUZZ_EXTENSION = 'conformance'

/** The permissions a sequence draws its manifest from: some methods and registrations are then refused (EXT-HOST-006, 021, 050). */
export const HOST_FUZZ_PERMISSIONS = ['tools.register', 'background.workers', 'storage.local', 'events.emit', 'settings.register'] as const

/** The host-role fixture shell a sequence is played in (and saved as). */
export function hostFuzzFixture(id: string, permissions: readonly string[], steps: readonly Step[]): Fixture {
  return {
    $schema: '../../../schema/conformance-fixture.schema.json',
    role: 'host',
    id,
    title: 'Shrunk counterexample found by extwire fuzz --role host',
    requirements: ['EXT-HOST-010'],
    level: 'MUST',
    since: '0.22.0',
    permissions: [...permissions],
    steps: steps.length > 0 ? [...steps] : [{ waitMs: 0 }],
  }
}
