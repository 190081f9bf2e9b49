/**
 * What the browser target's loopback server serves: the page that owns the extension workers, its
 * script, and the Content-Security-Policy every response carries. The page is deliberately a plain
 * static script under that CSP (no inline code), so the workers it starts live exactly where a
 * browser host puts extensions.
 */

/** The policy of every response: no `unsafe-eval`, scripts and workers only from the page's own origin. */
export const STRICT_CSP = "default-src 'self'; script-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'"

/**
 * The same policy with `unsafe-eval` allowed. Only for tests that must show the difference (and for
 * developing against a runtime that still compiles at run time); a conformance run never uses it.
 */
export const RELAXED_CSP_FOR_TESTING = "default-src 'self'; script-src 'self' 'unsafe-eval'; worker-src 'self'; object-src 'none'; base-uri 'none'"

/** Name of the function the page calls to hand worker events to Node (a Playwright binding). */
export const EMIT_BINDING = '__extwireEmit'

/** The page: one module script, nothing inline. */
export const PAGE_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>extwire browser target</title>
<script type="module" src="/page.js"></script></head><body></body></html>
`

/**
 * The page's script. `extwirePage.run(ops)` applies a batch of operations in order (start a worker,
 * post a message to one, terminate one) and returns the ones that failed; every worker event goes
 * to Node through the binding, numbered per worker so that Node can keep their order.
 */
export const PAGE_SCRIPT = `
const workers = new Map()
const emit = (id, seq, kind, data) => {
  globalThis.${EMIT_BINDING}(id, seq, kind, data).catch(() => {})
}
const describe = (event) => {
  const where = event.filename ? ' (' + event.filename + ':' + event.lineno + ':' + event.colno + ')' : ''
  const what = event.message || (event.error && String(event.error)) || 'the worker script failed to load or threw'
  return what + where
}
const violations = []
document.addEventListener('securitypolicyviolation', (e) => violations.push('page: ' + e.effectiveDirective + ' blocked ' + e.blockedURI))
function start(id, url) {
  let seq = 0
  const out = (kind, data) => emit(id, seq++, kind, data)
  const worker = new Worker(url, { type: 'module' })
  worker.addEventListener('message', (e) => out('message', e.data))
  worker.addEventListener('messageerror', () => out('messageerror', 'a message from the worker could not be deserialized'))
  worker.addEventListener('error', (e) => {
    e.preventDefault()
    out('error', describe(e))
  })
  workers.set(id, worker)
}
function run(ops) {
  const failures = []
  ops.forEach((op, index) => {
    try {
      if (op[0] === 'start') start(op[1], op[2])
      else if (op[0] === 'send') {
        const worker = workers.get(op[1])
        if (worker) worker.postMessage(op[2])
      } else if (op[0] === 'terminate') {
        const worker = workers.get(op[1])
        if (worker) worker.terminate()
        workers.delete(op[1])
      }
    } catch (error) {
      failures.push([index, (error && error.name ? error.name + ': ' : '') + (error && error.message ? error.message : String(error))])
    }
  })
  return failures
}
function tryEval() {
  try {
    return new Function('return "allowed"')()
  } catch (error) {
    return 'blocked (' + error.name + ')'
  }
}
function probe() {
  // Compiled in a task of the page's own, never inside the DevTools call that asked for the probe:
  // Chromium lets code run from such a call compile strings whatever the policy.
  let page
  let settle = () => {}
  setTimeout(() => {
    page = tryEval()
    settle()
  })
  return new Promise((resolve) => {
    const worker = new Worker('/csp-probe.js')
    const seen = []
    let result
    settle = () => {
      // A blocked compile is followed by its violation event: wait for it, so the report is whole.
      if (page === undefined || result === undefined || (result !== 'allowed' && seen.length === 0)) return
      worker.terminate()
      resolve({ page, worker: result, violations: [...violations, ...seen] })
    }
    worker.addEventListener('message', (e) => {
      if (e.data.violation !== undefined) seen.push(e.data.violation)
      else result = e.data.result
      settle()
    })
    worker.addEventListener('error', (e) => {
      e.preventDefault()
      worker.terminate()
      resolve({ page, worker: 'probe failed: ' + describe(e), violations: [...violations, ...seen] })
    })
  })
}
globalThis.extwirePage = { run, probe, count: () => workers.size }
`

/**
 * A worker that reports whether it may compile code from a string under the policy it was served
 * with, and the violations it saw: the target's proof that the CSP binds its workers.
 */
export const CSP_PROBE_SCRIPT = `
self.addEventListener('securitypolicyviolation', (e) => postMessage({ violation: 'worker: ' + e.effectiveDirective + ' blocked ' + e.blockedURI }))
let result
try {
  result = new Function('return "allowed"')()
} catch (error) {
  result = 'blocked (' + error.name + ')'
}
postMessage({ result })
`
