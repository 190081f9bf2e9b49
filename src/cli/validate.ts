/**
 * `extwire validate <file>...`: validates messages from JSON files (one message or an array) or
 * JSON Lines files (one message per line) and prints every error with its file, line and path.
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { ValidationResult } from '../validate/errors.js'
import { validatorFor } from '../validate/index.js'
import { escapeControl } from '../../conformance/report/reporters.js'
import { type CliIo, UsageError, existingFile } from './io.js'

/** Usage text of `extwire validate`. */
export const VALIDATE_USAGE = `Usage: extwire validate [--direction worker-to-host|host-to-worker|any] [--mode strict|tolerant] <file>...
  Validates each message in JSON files (a message or an array of messages) or JSON Lines files.
  Exit 0 when every message is valid, 1 otherwise.`

interface Located {
  readonly where: string
  readonly value: unknown
}

function read(file: string, shown: string): Located[] {
  const text = readFileSync(file, 'utf8')
  try {
    const parsed: unknown = JSON.parse(text)
    return Array.isArray(parsed) ? parsed.map((value, i) => ({ where: `${shown}[${i}]`, value })) : [{ where: shown, value: parsed }]
  } catch {
    return text.split('\n').flatMap((line, i) => {
      if (line.trim() === '') return []
      try {
        return [{ where: `${shown}:${i + 1}`, value: JSON.parse(line) as unknown }]
      } catch (error) {
        return [{ where: `${shown}:${i + 1}`, value: new SyntaxError(`not JSON: ${(error as Error).message}`) }]
      }
    })
  }
}

/** Runs `extwire validate`. */
export function validateCommand(io: CliIo): number {
  const { values, positionals } = parseArgs({
    args: [...io.argv],
    allowPositionals: true,
    options: { direction: { type: 'string', default: 'any' }, mode: { type: 'string', default: 'strict' } },
  })
  const mode = values.mode
  if (mode !== 'strict' && mode !== 'tolerant') throw new UsageError(`--mode ${String(mode)}: expected strict or tolerant`)
  const direction = values.direction
  if (direction !== 'any' && direction !== 'worker-to-host' && direction !== 'host-to-worker') throw new UsageError(`--direction ${String(direction)}: expected worker-to-host, host-to-worker or any`)
  if (positionals.length === 0) throw new UsageError('no file given')
  const files = positionals.map((file) => existingFile(io.cwd, file, 'input'))
  const validator = validatorFor({ mode })
  const check = (v: unknown): ValidationResult<unknown> =>
    direction === 'worker-to-host'
      ? validator.validateWorkerToHost(v)
      : direction === 'host-to-worker'
        ? validator.validateHostToWorker(v)
        : validator.validateMessage(v)
  let valid = 0
  let invalid = 0
  for (const [i, file] of files.entries()) {
    for (const { where, value } of read(file, positionals[i] as string)) {
      if (value instanceof SyntaxError) {
        invalid++
        io.stderr.write(`${escapeControl(where)}: ${escapeControl(value.message)}\n`)
        continue
      }
      const result = check(value)
      if (result.ok) valid++
      else {
        invalid++
        for (const e of result.errors) io.stdout.write(`${escapeControl(where)}: ${escapeControl(e.message)}\n`)
      }
    }
  }
  io.stdout.write(`${valid} valid, ${invalid} invalid\n`)
  return invalid > 0 ? 1 : 0
}
