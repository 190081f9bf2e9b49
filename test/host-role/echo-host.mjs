// A host driver as a separate process, written against docs/host-driver.md only (no extwire import),
// as a host in another language would be: tagged JSON lines on stdio. A tiny host inside: it
// activates on the first ready, runs tools, and refuses every worker request.
import { createInterface } from 'node:readline'

const out = (line) => process.stdout.write(`${JSON.stringify(line)}\n`)
const extensions = new Map() // extension id -> { worker, activated, pending }
const byWorker = new Map() // worker name -> extension id
let n = 0

function wire(worker, msg) {
  const ext = extensions.get(byWorker.get(worker))
  if (!ext || typeof msg !== 'object' || msg === null) return
  if (msg.type === 'ready' && !ext.activated) {
    ext.activated = true
    out({ ch: 'wire', worker, msg: { type: 'activate', id: `a${++n}`, payload: { extensionId: ext.manifest.id, extensionVersion: ext.manifest.version, storagePath: `/s/${ext.manifest.id}`, permissions: ext.manifest.permissions ?? [], settings: ext.manifest.settings ?? {} } } })
    out({ ch: 'ctl', event: { type: 'extension-loaded', extensionId: ext.manifest.id } })
  } else if (msg.type === 'tool-execute-response') {
    const settle = ext.pending.get(msg.payload?.requestId)
    if (settle) ext.pending.delete(msg.payload.requestId), settle(msg.payload)
  } else if (msg.type === 'request' && typeof msg.id === 'string') {
    out({ ch: 'wire', worker, msg: { type: 'response', id: `h${++n}`, payload: { requestId: msg.id, success: false, error: 'not supported' } } })
  }
}

function command(id, cmd, args) {
  const reply = (ok, value) => out(ok ? { ch: 'ctl', id, ok: true, ...(value === undefined ? {} : { value }) } : { ch: 'ctl', id, ok: false, error: String(value) })
  if (cmd === 'describe') return reply(true, { commands: ['load', 'executeTool'], name: 'echo-host' })
  if (cmd === 'load') {
    extensions.set(args.manifest.id, { worker: args.worker, manifest: args.manifest, activated: false, pending: new Map() })
    byWorker.set(args.worker, args.manifest.id)
    return reply(true)
  }
  if (cmd === 'executeTool') {
    const ext = extensions.get(args.extensionId)
    if (!ext) return reply(false, `extension ${args.extensionId} is not loaded`)
    const requestId = `t${++n}`
    ext.pending.set(requestId, (p) => (p.error !== undefined ? reply(false, p.error) : reply(true, p.result)))
    return out({ ch: 'wire', worker: ext.worker, msg: { type: 'tool-execute-request', id: requestId, payload: { toolId: args.toolId, params: args.params ?? {} } } })
  }
  reply(false, `unsupported command ${cmd}`)
}

createInterface({ input: process.stdin }).on('line', (text) => {
  const line = JSON.parse(text)
  if (line.ch === 'wire' && !line.close) wire(line.worker, line.msg)
  else if (line.ch === 'ctl') command(line.id, line.cmd, line.args ?? {})
}).on('close', () => process.exit(0))
