/**
 * Validation speed per protocol version (issue 13: "within 10% of 0.22.1"). For each profile, the
 * 0.22.1 validator and the profile's validator check the very same stream, in alternating rounds,
 * and the profile's throughput is printed as a ratio to 0.22.1's measured in that run. The stream
 * is the message examples that both versions agree on (valid under both, or invalid under both),
 * so that the ratio compares the validators and not two different workloads.
 */
import { precompiledValidator } from '../src/validate/index.js'
import type { ProtocolValidator } from '../src/validate/validator.js'
import { DEFAULT_PROFILE, PROFILE_VERSIONS } from '../src/protocol/versions.js'
import { messageExamples } from '../test/helpers/examples.js'
import { compare, formatNs, loadLine, printSummary, type SummaryRow } from './lib.js'

const STREAM = 10_000

/** Where a profile's validators come from: the package's, as a worker or host of that version gets them. */
const SOURCE = "the package's precompiled checks of each version (precompiledValidator({ mode, protocol }))"

function profileValidator(mode: 'tolerant' | 'strict', protocol: string): ProtocolValidator {
  return precompiledValidator({ mode, protocol })
}

/** `STREAM` structured-cloned messages cycling through `pool`. */
function streamOf(pool: readonly unknown[]): unknown[] {
  return Array.from({ length: STREAM }, (_, i) => structuredClone(pool[i % pool.length]))
}

/** Runs the per-profile validation benchmark and prints each profile's ratio to 0.22.1. */
export async function profilesBench(): Promise<void> {
  console.log(`\nValidation per protocol version (${STREAM.toLocaleString('en')} structured-cloned messages; ${loadLine()})`)
  console.log(`  profile validators: ${SOURCE}`)
  const examples = messageExamples().flatMap((f) => f.examples)
  const baseTolerant = precompiledValidator({ mode: 'tolerant' })
  const baseStrict = precompiledValidator({ mode: 'strict' })
  const rows: SummaryRow[] = []
  console.log(`  ${'profile'.padEnd(8)} ${'stream'.padEnd(8)} ${'msgs'.padStart(5)} ${'0.22.1'.padStart(10)} ${'profile'.padStart(10)}  profile/0.22.1 throughput`)
  for (const version of PROFILE_VERSIONS.filter((v) => v !== DEFAULT_PROFILE)) {
    const tolerant = profileValidator('tolerant', version)
    const strict = profileValidator('strict', version)
    // Examples both versions judge alike: the same work on both sides of the ratio.
    const valid = examples.filter((e) => e.valid && baseTolerant.validateMessage(e.value).ok && tolerant.validateMessage(e.value).ok).map((e) => e.value)
    const invalid = examples.filter((e) => !e.valid && !baseStrict.validateMessage(e.value).ok && !strict.validateMessage(e.value).ok).map((e) => e.value)
    for (const [kind, pool, base, ours, full] of [
      ['valid', valid, baseTolerant, tolerant, false],
      ['invalid', invalid, baseStrict, strict, true],
    ] as const) {
      const stream = streamOf(pool)
      const ops = full ? STREAM * 2 : STREAM * 10
      const check = (v: ProtocolValidator) => (i: number) => {
        const r = v.validateMessage(stream[i % STREAM])
        return full ? !r.ok && r.errors.length > 0 : r.ok
      }
      const { a, b, ratio } = compare({ name: `0.22.1 ${kind}`, ops, fn: check(base) }, { name: `${version} ${kind}`, ops, fn: check(ours) })
      // ratio is profile time / 0.22.1 time; throughput ratio is its inverse.
      const throughput = 1 / ratio
      console.log(`  ${version.padEnd(8)} ${kind.padEnd(8)} ${String(pool.length).padStart(5)} ${formatNs(a.nsPerOp).padStart(10)} ${formatNs(b.nsPerOp).padStart(10)}  ${throughput.toFixed(2)}×`)
      rows.push({ target: `${version} ${kind}-stream throughput / 0.22.1 (precompiled)`, measured: throughput, bound: 0.9, higherIsBetter: true })
    }
  }
  printSummary('Validation per protocol version: within 10% of 0.22.1 (throughput ratio ≥ 0.90)', rows)
}
