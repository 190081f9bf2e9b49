/**
 * Worker entry of the conformance extension: run as a `worker_threads` module, it starts the
 * reference runtime on `parentPort`, as an upstream extension bundle would.
 */
import { initializeExtension } from '../../src/runtime/entry.js'
import { createConformanceExtension } from './extension.js'

void initializeExtension(createConformanceExtension())
