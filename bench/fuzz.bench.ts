/**
 * Fuzzing throughput (issue "Fuzzing"): sequences per second in-process, and the same figure
 * normalised to sequences of 20 host messages (fc.commands draws sequences of varying length).
 */
import { runCampaign } from '../conformance/fuzz/campaign.js'
import { type Target } from '../conformance/targets.js'
import { embeddedTarget } from '../conformance/reference/target.js'
import { printRatio } from './lib.js'

/** Runs the fuzzing benchmark. */
export async function fuzzBench(): Promise<void> {
  const inner = embeddedTarget()
  let messages = 0
  const counting: Target = {
    ...inner,
    async connect() {
      const t = await inner.connect()
      const send = t.send.bind(t)
      t.send = (m: unknown) => {
        messages++
        send(m)
      }
      return t
    },
  }
  const runs = 3000
  await runCampaign(counting, { runs: 200, seed: 1, size: 'max' }) // warm-up
  messages = 0
  const result = await runCampaign(counting, { runs, seed: 2, size: 'max' })
  const seconds = result.durationMs / 1000
  console.log(`\nFuzzing throughput (in-process, ${runs} sequences, at most 20 commands each)`)
  console.log(`  ${'sequences per second'.padEnd(58)} ${(runs / seconds).toFixed(0).padStart(8)}`)
  console.log(`  ${'host messages per sequence (mean)'.padEnd(58)} ${(messages / runs).toFixed(1).padStart(8)}`)
  console.log(`  ${'host messages per second'.padEnd(58)} ${(messages / seconds).toFixed(0).padStart(8)}`)
  printRatio('sequences of 20 messages per second / 500 (target)', messages / seconds / 20 / 500, 1, true)
}
