/**
 * The reference host as a `--host-cmd` process: its driver served on this process's stdio, in the
 * driver's tagged JSON lines (docs/host-driver.md). It shows, and the tests check, that a host run
 * over a process gives the verdicts of the in-process one:
 *   extwire conformance --host-cmd "node --import tsx conformance/reference/host-stdio.ts"
 */
import { processStdioTransport } from '../../src/transport/stdio.js'
import { serveDriver } from '../host/driver.js'
import { referenceHostDriver } from './host-driver.js'

// The version the suite asks for arrives as EXTWIRE_PROTOCOL (docs/host-driver.md, "Protocol versions").
await serveDriver(referenceHostDriver(), processStdioTransport(), process.env['EXTWIRE_PROTOCOL'] || undefined)
