/**
 * The body of a worker thread of a threaded fuzzing campaign (its entry, `dist/fuzz-lanes.cjs`, hands
 * it the target builder): plays the lanes it is given and those it asks for against its own
 * in-process target, reports every sequence played and the first failure at once (so that the other
 * threads stop), then turns its failed lane into the counterexample when the campaign asks for it.
 * See ./threads.ts.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { counterexampleOf, laneOutcome, playLanes, workerPlan, type LaneControl, type LaneRun, type MessageTally } from './campaign.js'
import type { FromLaneThread, LaneTargetBuilder, LaneThreadData, ToLaneThread } from './threads.js'

/** Serves the campaign that started this worker thread, building its target with `build`. */
export async function serveLanes(build: LaneTargetBuilder): Promise<void> {
  const port = parentPort
  if (port === null) throw new Error('fuzz-lanes runs as a worker thread of a fuzzing campaign')
  const data = workerData as LaneThreadData
  const report = (m: FromLaneThread) => port.postMessage(m)
  const tally: MessageTally = { messages: 0 }
  const plan = workerPlan(build(data.target), data.plan, tally)
  const control: LaneControl = {
    failedLane: undefined,
    stopped: false,
    played: () => report({ kind: 'played' }),
    failed: (lane) => report({ kind: 'failed', lane }),
  }
  let runs: LaneRun[] = []
  // Lanes asked of the campaign and not yet handed out, answered in order.
  const asked: Array<(lane: number | undefined) => void> = []
  const nextLane = () =>
    new Promise<number | undefined>((resolve) => {
      asked.push(resolve)
      report({ kind: 'want' })
    })
  port.on('message', (m: ToLaneThread) => {
    if (m.kind === 'lane') {
      asked.shift()?.(m.lane)
      return
    }
    if (m.kind === 'stop') {
      // The campaign's word overrides this thread's: the lane that failed first anywhere shrinks alone.
      if (m.lane === undefined) control.stopped = true
      else control.failedLane = m.lane
      return
    }
    const failing = runs.find((r) => r.lane === m.lane)
    if (failing === undefined) throw new Error(`fuzz-lanes: lane ${m.lane} is not this thread's`)
    void counterexampleOf(plan, data.share.seed, data.fixtureId, failing).then((found) => report({ kind: 'counterexample', ...found, hostMessages: tally.messages }))
  })
  try {
    runs = await playLanes(plan, data.share, control, nextLane)
    const outcomes = runs.map((r) => ({ lane: r.lane, ...laneOutcome(r.details) }))
    const error = outcomes.find((o) => o.error !== undefined)?.error
    report({ kind: 'lanes', lanes: outcomes.map((o) => ({ lane: o.lane, failed: o.failed, interrupted: o.interrupted })), hostMessages: tally.messages, ...(error !== undefined ? { error } : {}) })
  } catch (error) {
    report({ kind: 'lanes', lanes: [], hostMessages: tally.messages, error: `fast-check: ${(error as Error).message}` })
  }
}

