/**
 * `extwire record`: run it in place of the worker command your host starts. It speaks the
 * protocol on its own stdin/stdout (one JSON message per line), starts the real worker, forwards
 * both directions, and when the host closes the connection writes the recorded session as a
 * fixture.
 */
import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { CliIo } from '../src/cli/io.js'
import { UsageError } from '../src/cli/io.js'
import { createStdioTransport, processStdioTransport } from '../src/transport/stdio.js'
import { createWorkerThreadTransport } from '../src/transport/worker-thread.js'
import { record, toFixture } from './record.js'

/** Usage text. */
export const RECORD_USAGE = `Usage: extwire record (--cmd "<worker command>" | --worker <module>) --out <fixture.json> [--id <id>] [--title <title>]
  Start this in place of your worker (your host talks to it over stdio, one JSON message per line).
  It starts the real worker, forwards every message both ways, and when the host closes stdin it
  writes the session as a fixture: worker-generated ids become $capture/$ref, timestamps become
  matchers, and interleaving messages become unordered groups.`

/** Runs `extwire record`. */
export async function recordCommand(io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...io.argv],
    options: { cmd: { type: 'string' }, worker: { type: 'string' }, out: { type: 'string' }, id: { type: 'string' }, title: { type: 'string' }, cwd: { type: 'string' } },
  })
  if (!values.out) throw new UsageError('--out is required')
  if (!values.cmd === !values.worker) throw new UsageError('give exactly one of --cmd and --worker')
  const worker = values.cmd
    ? createStdioTransport(values.cmd, values.cwd ? { cwd: resolve(io.cwd, values.cwd) } : {})
    : createWorkerThreadTransport(resolve(io.cwd, values.worker as string))
  const host = processStdioTransport()
  const session = record(host, worker)
  await session.done
  const id = values.id ?? `recorded/session-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`
  const fixture = toFixture(session.timeline, { id, ...(values.title ? { title: values.title } : {}) })
  writeFileSync(resolve(io.cwd, values.out), `${JSON.stringify(fixture, null, 2)}\n`)
  io.stderr.write(`extwire record: ${session.timeline.length} messages recorded, fixture written to ${values.out}\n`)
  return 0
}
