// A host in about 50 lines: it loads the conformance extension in a worker thread, calls a tool,
// streams a chat, watches the background tasks, stops one, unloads, and prints what happened.
// Run from the repository root after `npm ci` (which builds dist/): node examples/host/run.mjs
import { createHost } from 'extwire/host'
import { createWorkerThreadTransport } from 'extwire/transport'
import { conformanceWorkerFile } from 'extwire/conformance'

const host = createHost({ protocol: '0.22.1' }) // the version the worker speaks (the default); real time unless you pass a clock
const seen = []
const waiters = []
host.onEvent((event) => {
  seen.push(event)
  if (event.type === 'task') console.log(`task   ${event.event.taskId}: ${event.event.type}${'delayMs' in event.event ? ` (in ${event.event.delayMs} ms)` : ''}`)
  else if (event.type === 'log') console.log(`log    [${event.level}] ${event.message}`)
  else if (event.type.endsWith('-registered')) console.log(`event  ${event.type} ${(event.tool ?? event.provider ?? event.action).id}`)
  else if (event.type !== 'diagnostic') console.log(`event  ${event.type}${event.error ? `: ${event.error}` : ''}`)
  for (const w of [...waiters]) if (w.test(event)) waiters.splice(waiters.indexOf(w), 1) && w.resolve()
})
const when = (test) => (seen.some(test) ? Promise.resolve() : new Promise((resolve) => waiters.push({ test, resolve })))

const permissions = ['provider.register', 'tools.register', 'actions.register', 'background.workers', 'storage.local']
const worker = createWorkerThreadTransport(conformanceWorkerFile())
const view = await host.load({ id: 'conformance', version: '1.0.0', permissions }, worker)
console.log(`loaded ${view.id} ${view.version}: ${view.state}`)
await when((e) => e.type === 'log' && e.message === 'conformance extension activated')

const result = await host.executeTool('conformance', 'echo', { greeting: 'hello' }, 'user-1')
console.log(`tool   echo -> ${JSON.stringify(result)}`)
const stored = await host.executeTool('conformance', 'call', { api: 'storage', fn: 'set', args: ['visits', 1] })
console.log(`tool   call storage.set -> ${JSON.stringify(stored)}`)

const events = []
for await (const event of host.chat('conformance', 'echo', [{ role: 'user', content: 'hi' }], { settings: { mode: 'stream', count: 3 } })) {
  events.push(event.type === 'content' ? event.text : event.type)
}
console.log(`chat   ${events.join(' | ')}`)

// The on-failure task fails on every run: two restarts (10 ms, then 20 ms), then it is exhausted.
await when((e) => e.type === 'task' && e.event.taskId === 'on-failure-task' && e.event.type === 'exhausted')
host.stopTask('conformance', 'always-task') // a host stop: never undone by a restart
for (const t of host.extension('conformance').tasks) {
  console.log(`tasks  ${t.taskId}: ${t.state}, ${t.restartCount} restarts${t.exhausted ? ', exhausted' : ''}${t.stopRequested ? ', stopped by the host' : ''}`)
}

await host.unload('conformance')
const errors = seen.filter((e) => e.type === 'extension-error')
console.log(`unloaded; ${errors.length} extension errors`)
process.exitCode = errors.length === 0 ? 0 : 1
