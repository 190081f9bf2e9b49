#!/usr/bin/env node
// The `extwire` command: a thin launcher for the built CLI (see src/cli/main.ts).
import { run } from '../dist/cli.js'

process.exitCode = await run({ argv: process.argv.slice(2), stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() })
