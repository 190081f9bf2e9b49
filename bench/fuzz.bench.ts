/**
 * Fuzzing throughput in process (issue 12): `extwire fuzz` against the reference runtime over the
 * memory transport, as the command runs it (its default lanes), counted in host messages and
 * normalised to sequences of 20 messages (fc.commands draws sequences of varying length).
 */
import { IN_PROCESS_LANES, runCampaign } from '../conformance/fuzz/campaign.js'
import { type Target } from '../conformance/targets.js'
import { embeddedTarget } from '../conformance/reference/target.js'
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
  const inner = embeddedTarget()
  let messages = 0
  const counting: Target = {
    name: inner.name,
    features: inner.features,
    inProcess: true,
    async connect(context) {
      const t = await inner.connect(context)
      const send = t.send.bind(t)
      t.send = (m: unknown) => {
        messages++
        send(m)
      }
      return t
    },
  }
  const runs = 3000
  await runCampaign(counting, { runs: 200, seed: 1, size: 'max', maxCommands: MAX_COMMANDS }) // warm-up
  messages = 0
  const result = await runCampaign(counting, { runs, seed: 2, size: 'max', maxCommands: MAX_COMMANDS })
  if (result.failed) console.log(`  the campaign failed: ${result.counterexample?.message ?? result.outcome}`)
  const seconds = result.durationMs / 1000
  console.log(`\nFuzzing throughput (in-process, ${runs} sequences, at most ${MAX_COMMANDS} commands each, ${IN_PROCESS_LANES} lanes; ${loadLine()})`)
  console.log(`  ${'sequences per second'.padEnd(58)} ${(runs / seconds).toFixed(0).padStart(8)}`)
  console.log(`  ${'host messages per sequence (mean)'.padEnd(58)} ${(messages / runs).toFixed(1).padStart(8)}`)
  console.log(`  ${'host messages per second'.padEnd(58)} ${(messages / seconds).toFixed(0).padStart(8)}`)
  const ratio = messages / seconds / MESSAGES_PER_SECOND
  printRatio('sequences of 20 messages per second / 500', ratio, 1, true)
  const mine: SummaryRow[] = [{ target: 'fuzzing: sequences of 20 messages per second / 500', measured: ratio, bound: 1, higherIsBetter: true }]
  printSummary('fuzz bench', mine)
  rows.push(...mine)
}
