/**
 * Validation throughput (issue "The protocol as code", point 8): a mixed stream of valid messages
 * and a stream of invalid messages with full error reports, against plain ajv on the bundle's
 * anyOf union and against a one-way worker_threads postMessage of the same messages.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { Worker } from 'node:worker_threads'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { precompiledValidator } from '../src/validate/index.js'
import { messageExamples, ROOT } from '../test/helpers/examples.js'
import { compare, measure, printFigure, printRatio } from './lib.js'

const STREAM = 10_000

function stream(valid: boolean): unknown[] {
  const pool = messageExamples().flatMap((f) => f.examples.filter((e) => e.valid === valid).map((e) => e.value))
  // Objects as a receiver really gets them: after a structured clone.
  return Array.from({ length: STREAM }, (_, i) => structuredClone(pool[i % pool.length]))
}

async function oneWayPostMessage(messages: unknown[]): Promise<number> {
  const worker = new Worker(new URL('./postmessage-sink.mjs', import.meta.url))
  const samples: number[] = []
  for (let round = 0; round < 6; round++) {
    worker.postMessage({ __expect: messages.length })
    const done = new Promise((resolve) => worker.once('message', resolve))
    const t0 = process.hrtime.bigint()
    for (const m of messages) worker.postMessage(m)
    await done
    if (round > 0) samples.push(Number(process.hrtime.bigint() - t0) / messages.length)
  }
  await worker.terminate()
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)] as number
}

/** Runs the validation benchmark and prints figures and ratios. */
export async function validateBench(): Promise<void> {
  console.log('\nValidation (mixed stream of 10,000 messages of all 26 types, structured-cloned)')
  const valid = stream(true)
  const invalid = stream(false)
  const ours = precompiledValidator({ mode: 'tolerant' })
  const oursStrict = precompiledValidator({ mode: 'strict' })
  const bundle = JSON.parse(readFileSync(join(ROOT, 'schema/extwire.schema.json'), 'utf8')) as object
  const anyOf = new Ajv2020({ strict: false }).compile(bundle)
  const anyOfAll = new Ajv2020({ strict: false, allErrors: true }).compile(bundle)

  // Ours and the baseline alternate round by round; each ratio is the median of per-round ratios.
  // Each of our rounds walks the stream several times, so that every compiled function is optimised.
  const OPS = STREAM * 10
  const vt = compare(
    { name: 'extwire validateMessage, valid (tolerant, default)', ops: OPS, fn: (i) => ours.validateMessage(valid[i % STREAM]).ok },
    { name: 'plain ajv, bundle anyOf union, valid', ops: STREAM, fn: (i) => anyOf(valid[i]) },
  )
  const vs = measure('extwire validateMessage, valid (strict)', OPS, (i) => oursStrict.validateMessage(valid[i % STREAM]).ok)
  const iv = compare(
    {
      name: 'extwire validateMessage, invalid, full error report',
      ops: STREAM * 2,
      fn: (i) => {
        const r = oursStrict.validateMessage(invalid[i % STREAM])
        return !r.ok && r.errors.length > 0
      },
    },
    { name: 'plain ajv, bundle anyOf union, invalid, allErrors', ops: STREAM, fn: (i) => !anyOfAll(invalid[i]) && (anyOfAll.errors?.length ?? 0) > 0 },
  )
  const v = vt.a
  const a = vt.b
  const inv = iv.a
  const ainv = iv.b
  const hop = await oneWayPostMessage(valid)
  for (const f of [v, vs, a, inv, ainv]) printFigure(f)
  printFigure({ name: 'one-way worker_threads postMessage of the same messages', nsPerOp: hop })
  printRatio('valid: throughput vs plain anyOf (tolerant)', vt.ratio, 20, true)
  printRatio('valid: throughput vs plain anyOf (strict)', a.nsPerOp / vs.nsPerOp, 20, true)
  printRatio('valid: cost as a share of one postMessage hop (tolerant)', (v.nsPerOp / hop) * 100, 5, false, '%')
  printRatio('valid: cost as a share of one postMessage hop (strict)', (vs.nsPerOp / hop) * 100, 5, false, '%')
  printRatio('invalid with full errors: throughput vs plain anyOf', iv.ratio, 10, true)

  // Issue 13: every profile is precompiled, and validating at the newest profile costs what the
  // default does (within 10%). The stream is the valid messages that are valid in both.
  const newest = precompiledValidator({ mode: 'tolerant', protocol: '0.36.0' })
  const both = valid.filter((m) => newest.validateMessage(m).ok)
  const pv = compare(
    { name: 'extwire validateMessage, valid (tolerant, profile 0.36.0)', ops: both.length * 10, fn: (i) => newest.validateMessage(both[i % both.length]).ok },
    { name: 'extwire validateMessage, valid (tolerant, default 0.22.1)', ops: both.length * 10, fn: (i) => ours.validateMessage(both[i % both.length]).ok },
  )
  printFigure(pv.a)
  printFigure(pv.b)
  printRatio('valid: throughput of profile 0.36.0 vs the default 0.22.1', pv.ratio, 0.9, true)
}
