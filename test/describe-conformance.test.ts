/** An implementer's suite: the fixtures as vitest tests against a transport the test supplies. */
import { describeConformance } from '../conformance/vitest.js'
import { embeddedTarget } from '../conformance/reference/target.js'
import { MUTANTS } from '../conformance/reference/mutants.js'

const reference = embeddedTarget()
describeConformance('reference runtime, through describeConformance', {
  connect: () => reference.connect(),
  features: ['short-request-timeout'],
  filter: ['tools/**', 'providers/chat-*'],
})

// A broken runtime with its failures declared: they run as it.fails, so they stay green only while they fail.
// The mutant is looked up by name; a missing one is an error here, never a silent stand-in.
const mutant = MUTANTS.find((m) => m.name === 'single-failure-channel')
if (!mutant) throw new Error('test/describe-conformance.test.ts: conformance/mutants.ts has no mutant single-failure-channel')
const broken = mutant.target()
describeConformance('a runtime with known failures', {
  connect: () => broken.connect(),
  filter: ['tools/*-fills-both-channels', 'tools/echo-result-unchanged'],
  expectedFailures: ['tools/*-fills-both-channels'],
  stepTimeoutMs: 300,
})
