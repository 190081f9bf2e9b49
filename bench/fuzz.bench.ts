/**
 * Fuzzing throughput in process (issue 12): `extwire fuzz` against the reference runtime over the
 * memory transport, as the command runs it (its default lanes, on one thread per core: this one and
 * worker threads from `dist/fuzz-lanes.cjs`, which `npm run bench` builds), counted in host messages
 * and normalised to sequences of 20 messages (fc.commands draws sequences of varying length).
 */
import { IN_PROCESS_LANES } from '../conformance/fuzz/campaign.js'
import { threadedLanes, runThreadedCampaign } from '../conformance/fuzz/threads.js'
import { referenceLaneTarget } from '../conformance/reference/lane-targets.js'
import { loadLine, printRatio, printSummary, type SummaryRow } from './lib.js'

/** The target: 500 sequences of 20 host messages per second. */
const MESSAGES_PER_SECOND = 500 * 20

/**
 * Commands per sequence at most: fast-check draws sequences of varying length and skips commands
 * whose precondition fails, so at most 52 commands make sequences of about 20 host messages on
 * average (the mean is printed; the ratio is counted in messages either way).
 */
const MAX_COMMANDS = 52

/** Runs the fuzzing benchmark; prints its summary and adds its rows to `rows` (for a summary of every bench). */
export async function fuzzBench(rows: SummaryRow[] = []): Promise<void> {
  const runs = 3000
  // `EXTWIRE_FUZZ_THREADS` overrides the default (one thread per core), e.g. 1 for the single-thread figure.
  const threads = process.env['EXTWIRE_FUZZ_THREADS'] === undefined ? undefined : Number(process.env['EXTWIRE_FUZZ_THREADS'])
  const options = { size: 'max', maxCommands: MAX_COMMANDS, ...(threads === undefined ? {} : { threads }) } as const
  await runThreadedCampaign({ kind: 'reference' }, referenceLaneTarget, { ...options, runs: 200, seed: 1 }) // warm-up
  const cpu = process.cpuUsage()
  const result = await runThreadedCampaign({ kind: 'reference' }, referenceLaneTarget, { ...options, runs, seed: 2 })
  const { user, system } = process.cpuUsage(cpu)
  if (result.failed) console.log(`  the campaign failed: ${result.counterexample?.message ?? result.outcome}`)
  const messages = result.hostMessages ?? 0
  const seconds = result.durationMs / 1000
  const used = result.threads ?? { count: 1 }
  console.log(`\nFuzzing throughput (in-process, ${runs} sequences, at most ${MAX_COMMANDS} commands each, ${threadedLanes(runs)} lanes, ${IN_PROCESS_LANES} at once per thread, on ${used.count} thread(s)${used.note === undefined ? '' : `: ${used.note}`}; ${loadLine()})`)
  console.log(`  ${'sequences per second'.padEnd(58)} ${(runs / seconds).toFixed(0).padStart(8)}`)
  console.log(`  ${'host messages per sequence (mean)'.padEnd(58)} ${(messages / runs).toFixed(1).padStart(8)}`)
  console.log(`  ${'host messages per second'.padEnd(58)} ${(messages / seconds).toFixed(0).padStart(8)}`)
  // CPU of every thread of the process (worker threads included): steadier than the wall clock on a busy machine.
  console.log(`  ${'CPU per host message, all threads (µs; user + system)'.padEnd(58)} ${((user + system) / messages).toFixed(0).padStart(8)}`)
  const ratio = messages / seconds / MESSAGES_PER_SECOND
  printRatio(`sequences of 20 messages per second / 500 (${used.count} thread(s))`, ratio, 1, true)
  const mine: SummaryRow[] = [{ target: `fuzzing: sequences of 20 messages per second / 500 (${used.count} thread(s))`, measured: ratio, bound: 1, higherIsBetter: true }]
  printSummary('fuzz bench', mine)
  rows.push(...mine)
}
