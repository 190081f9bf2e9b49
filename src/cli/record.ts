/**
 * `extwire record`: run it in place of the worker command your host starts. It speaks the
 * protocol on its own stdin/stdout (one JSON message per line), starts the real worker, forwards
 * both directions, and when the host closes the connection writes the recorded session as a
 * fixture of either role: one that certifies workers (`--role worker`) or hosts (`--role host`).
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { CliIo } from './io.js'
import { UsageError, outputFile } from './io.js'
import type { TimelineEntry } from '../host/peer.js'
import type { CloseInfo } from '../transport/types.js'
import { createStdioTransport, processStdioTransport } from '../transport/stdio.js'
import { createWorkerThreadTransport } from '../transport/worker-thread.js'
import { record, toFixture } from '../../conformance/record.js'
import { escapeControl } from '../../conformance/report/reporters.js'
import { selectTarget } from './target.js'

/** Usage text. */
export const RECORD_USAGE = `Usage: extwire record (--cmd "<worker command>" | --worker <module>) --out <fixture.json> [--role worker|host] [--id <id>] [--title <title>]
  Start this in place of your worker (your host talks to it over stdio, one JSON message per line).
  It starts the real worker, forwards every message both ways, and when the host closes stdin it
  writes the session as a fixture: worker-generated ids become $capture/$ref, timestamps become
  matchers, and interleaving messages become unordered groups.
  --role worker (default): a worker-role fixture; the host's messages are sent, the worker's expected.
  --role host: a host-role fixture (id host/...); the worker's messages are sent, the host's expected,
    and the host API calls behind them become driver commands (activate: load, tool-execute-request:
    executeTool, deactivate: unload, ...); host-generated ids become $capture/$ref.
  Exit code: 0 the session was recorded; 1 the worker failed (it never sent ready, it exited with a
  non-zero code or a signal, it crashed, or its messages could not be read) - the fixture is still
  written, for diagnosis; 2 usage error.`

/** Runs `extwire record`. */
export async function recordCommand(io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...io.argv],
    options: { cmd: { type: 'string' }, worker: { type: 'string' }, out: { type: 'string' }, id: { type: 'string' }, title: { type: 'string' }, cwd: { type: 'string' }, role: { type: 'string' } },
  })
  if (!values.out) throw new UsageError('--out is required')
  const role = values.role ?? 'worker'
  if (role !== 'worker' && role !== 'host') throw new UsageError(`--role ${role}: expected worker or host`)
  if (role === 'host' && values.id !== undefined && !values.id.startsWith('host/')) throw new UsageError(`--id ${values.id}: a host-role fixture's id starts with host/`)
  const choice = selectTarget(values, io.cwd, { embedded: false, mutant: false })
  const out = outputFile(io.cwd, values.out, '--out')
  const worker = choice.kind === 'cmd'
    ? createStdioTransport(choice.value as string, { cwd: choice.cwd as string })
    : createWorkerThreadTransport(choice.value as string)
  // How the worker ended, and whether it broke: decided before the host closing closes it in turn.
  let workerEnd: CloseInfo | undefined
  const workerErrors: string[] = []
  worker.onClose((info) => (workerEnd ??= info))
  worker.onError((error) => workerErrors.push(error.message))
  const host = processStdioTransport()
  host.onClose(() => (workerEnd ??= { reason: 'local' }))
  const session = record(host, worker)
  await session.done
  const id = values.id ?? `${role === 'host' ? 'host/' : ''}recorded/session-${new Date().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`
  const fixture = toFixture(session.timeline, { id, role, ...(values.title ? { title: values.title } : {}) })
  writeFileSync(out, `${JSON.stringify(fixture, null, 2)}\n`)
  const problems = workerProblems(session.timeline, workerEnd, workerErrors)
  if (problems.length > 0) {
    io.stderr.write(`extwire record: the worker failed: ${escapeControl(problems.join('; '))}; ${session.timeline.length} messages recorded, fixture written to ${values.out} for diagnosis\n`)
    return 1
  }
  io.stderr.write(`extwire record: ${session.timeline.length} messages recorded, fixture written to ${values.out}\n`)
  return 0
}

/** Why a recorded worker counts as failed; empty when it did its part. */
export function workerProblems(timeline: readonly TimelineEntry[], end: CloseInfo | undefined, errors: readonly string[]): string[] {
  const problems: string[] = []
  const sentReady = timeline.some((t) => t.direction === 'worker-to-host' && (t.message as { type?: unknown } | null)?.type === 'ready')
  if (!sentReady) problems.push('it never sent ready')
  if (end && end.reason === 'error') problems.push(`its connection failed${end.detail ? ` (${end.detail})` : ''}`)
  if (end && end.reason !== 'local' && end.reason !== 'error' && end.exitCode !== 0) {
    problems.push(end.detail ?? (end.exitCode === null || end.exitCode === undefined ? 'it went away' : `it exited with code ${end.exitCode}`))
  }
  if (errors.length > 0) problems.push(`${errors.length} transport error(s), first: ${errors[0]}`)
  return problems
}
