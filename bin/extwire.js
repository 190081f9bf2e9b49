#!/usr/bin/env node
// The `extwire` command: a thin launcher for the built CLI (see src/cli/main.ts).
import { run } from '../dist/cli.js'

// Workers under test run in process groups of their own, which a Ctrl-C at the terminal does not
// reach: exit through process.exit so that the transports' exit handlers kill those groups.
process.once('SIGINT', () => process.exit(130))
process.once('SIGTERM', () => process.exit(143))

process.exitCode = await run({ argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
