/**
 * `extwire compat <from> <to>`: what breaks between two protocol versions, per direction, as a
 * Markdown table or JSON, computed from the versioned source.
 */
import { parseArgs } from 'node:util'
import { KNOWN_VERSION_NAMES, isKnownVersion } from '../protocol/versions.js'
import { compatReport, renderCompatMarkdown } from '../protocol/versions-compat.js'
import { type CliIo, UsageError } from './io.js'

/** Usage text of `extwire compat`. */
export const COMPAT_USAGE = `Usage: extwire compat <from> <to> [--json]
  Lists what changes between two protocol versions: messages, methods and fields added or removed,
  payloads changed under one name, permissions renamed, behaviours and texts; each marked as breaking
  workers (a worker written for <from> against a host of <to>), hosts (a host written for <from>
  against a worker of <to>), both, or neither.
  Known versions: ${KNOWN_VERSION_NAMES.join(', ')}.
  --json   print the report as JSON instead of Markdown.
  Exit 0; 2 on a usage error.`

/** Runs `extwire compat`. */
export function compatCommand(io: CliIo): number {
  const { values, positionals } = parseArgs({ args: [...io.argv], options: { json: { type: 'boolean' } }, allowPositionals: true, strict: true })
  if (positionals.length !== 2) {
    throw new UsageError(`expected two versions, got ${positionals.length}; known versions: ${KNOWN_VERSION_NAMES.join(', ')}`)
  }
  const [from, to] = positionals as [string, string]
  for (const v of [from, to]) {
    if (!isKnownVersion(v)) throw new UsageError(`unknown version ${JSON.stringify(v)}; known versions: ${KNOWN_VERSION_NAMES.join(', ')}`)
  }
  const report = compatReport(from, to)
  io.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : renderCompatMarkdown(report))
  return 0
}
