// A worker whose bundle calls initializeExtension twice (upstream B3): one listener, one ready.
import { initializeExtension } from '../../src/runtime/entry.js'
import { createConformanceExtension } from '../../conformance/extension/extension.js'

const module = createConformanceExtension()
const first = initializeExtension(module)
const second = initializeExtension(module)
void Promise.all([first, second]).then(([a, b]) => {
  if (a !== b) throw new Error('initializeExtension returned two runtimes')
})
