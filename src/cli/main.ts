/**
 * Entry of the `extwire` command. Each subcommand lives in its own file; this one only routes.
 */
import { type CliIo, UsageError } from './io.js'
import { VALIDATE_USAGE, validateCommand } from './validate.js'
import { CONFORMANCE_USAGE, conformanceCommand } from './conformance.js'
import { RECORD_USAGE, recordCommand } from './record.js'
import { FUZZ_USAGE, fuzzCommand } from './fuzz.js'
import { COMPAT_USAGE, compatCommand } from './compat.js'
import { SelectionError } from '../../conformance/fixture/select.js'
import { EXTWIRE_VERSION } from '../../conformance/report/reporters.js'
import { ExpectedFailuresError } from '../../conformance/verdicts.js'

export type { CliIo } from './io.js'

const USAGE = `Usage: extwire <command> [options]

Commands:
  conformance          Run the conformance suite (default target: the embedded reference runtime).
  record               Record a real host<->worker session as a fixture.
  fuzz                 Fuzz message sequences; a counterexample is written as a fixture.
  validate <file>...   Validate protocol messages in JSON or JSON Lines files.
  compat <from> <to>   What breaks between two protocol versions (Markdown or --json).

Run \`extwire <command> --help\` for the options of a command; \`extwire --version\` prints the version.`

interface Command {
  readonly usage: string
  readonly run: (io: CliIo) => number | Promise<number>
}

const COMMANDS: ReadonlyMap<string, Command> = new Map<string, Command>([
  ['conformance', { usage: CONFORMANCE_USAGE, run: conformanceCommand }],
  ['record', { usage: RECORD_USAGE, run: recordCommand }],
  ['fuzz', { usage: FUZZ_USAGE, run: fuzzCommand }],
  ['validate', { usage: VALIDATE_USAGE, run: validateCommand }],
  ['compat', { usage: COMPAT_USAGE, run: compatCommand }],
])

/** Exit code of a fault inside extwire (a bug, or an output that cannot be written), apart from the target's verdicts. */
export const INTERNAL_ERROR_EXIT = 70

/** Runs the CLI with `io`; resolves to the exit code. Never calls process.exit. */
export async function run(io: CliIo): Promise<number> {
  const [name, ...rest] = io.argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${USAGE}\n`)
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`extwire ${EXTWIRE_VERSION}\n`)
    return 0
  }
  const command = COMMANDS.get(name)
  if (!command) {
    io.stderr.write(`extwire: unknown command ${JSON.stringify(name)} (see extwire --help)\n`)
    return 2
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`)
    return 0
  }
  try {
    return await command.run({ ...io, argv: rest })
  } catch (error) {
    // Usage errors, and the library's own errors about what the user asked for, are one line and exit 2.
    if (error instanceof UsageError || error instanceof SelectionError || error instanceof ExpectedFailuresError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.stderr.write(`extwire ${name}: ${(error as Error).message.split('\n')[0]} (see extwire ${name} --help)\n`)
      return 2
    }
    // Anything else is a fault of extwire itself, never the target's: an exit code of its own.
    io.stderr.write(`extwire ${name}: internal error (please report it): ${(error as Error).stack ?? String(error)}\n`)
    return INTERNAL_ERROR_EXIT
  }
}
