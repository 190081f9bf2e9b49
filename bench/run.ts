/**
 * `npm run bench`: every benchmark of the project. Targets are printed as ratios against
 * baselines measured in the same run; nothing here is asserted in tests.
 */
import { runtimeBench } from './runtime.bench.js'
import { startupBench } from './startup.bench.js'
import { fuzzBench } from './fuzz.bench.js'
import { hostBench } from './host.bench.js'
import { hostSuiteBench } from './host-suite.bench.js'
import { profilesBench } from './profiles.bench.js'
import { suiteBench } from './suite.bench.js'
import { validateBench } from './validate.bench.js'

const only = process.argv.slice(2)
const benches: Array<[string, () => Promise<void>]> = [
  ['startup', startupBench],
  ['validate', validateBench],
  ['profiles', profilesBench],
  ['runtime', runtimeBench],
  ['suite', suiteBench],
  ['fuzz', fuzzBench],
  ['host', hostBench],
  ['host-suite', hostSuiteBench],
]

for (const [name, bench] of benches) {
  if (only.length === 0 || only.includes(name)) await bench()
}
