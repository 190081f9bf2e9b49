/**
 * A small fake host behind a driver, for the host-role runner's own tests (not a reference host):
 * it activates on the first ready, runs tools, answers unknown requests, and can be broken on
 * purpose (`flaws`) so that each test can also fail.
 */
import type { HostDriver, HostDriverContext, HostDriverFactory } from '../../conformance/host/driver.js'
import type { Transport } from '../../src/transport/types.js'

export interface FakeFlaws {
  /** Send activate on every ready, not only the first. */
  readonly activateTwice?: boolean
  /** Answer every request twice. */
  readonly answerTwice?: boolean
  /** Send an invalid activate (no permissions). */
  readonly invalidActivate?: boolean
  /** describe omits these commands. */
  readonly without?: readonly string[]
  /** Never answer describe. */
  readonly silent?: boolean
}

export function fakeHostDriver(flaws: FakeFlaws = {}): HostDriverFactory {
  return (ctx: HostDriverContext): HostDriver => {
    const workers = new Map<string, { t: Transport; id: string; pending: Map<string, (r: unknown) => void>; activated: boolean }>()
    let n = 0
    const commands = ['load', 'executeTool', 'unload', 'describe'].filter((c) => !(flaws.without ?? []).includes(c))
    return {
      run(command, args) {
        if (command === 'describe') return flaws.silent ? new Promise(() => undefined) : { commands }
        if (command === 'load') {
          const manifest = args['manifest'] as { id: string; version: string; permissions: string[] }
          const t = ctx.transport(String(args['worker']))
          const w = { t, id: manifest.id, pending: new Map<string, (r: unknown) => void>(), activated: false }
          workers.set(manifest.id, w)
          t.onMessage((m) => {
            const msg = m as { type?: string; id?: string; payload?: { requestId?: string } }
            if (msg.type === 'ready' && (!w.activated || flaws.activateTwice)) {
              w.activated = true
              t.send({ type: 'activate', id: `a${++n}`, payload: { extensionId: manifest.id, extensionVersion: manifest.version, storagePath: `/s/${manifest.id}`, ...(flaws.invalidActivate ? {} : { permissions: manifest.permissions }), settings: {} } })
              ctx.emit({ type: 'extension-loaded', extensionId: manifest.id })
            } else if (msg.type === 'tool-execute-response') {
              w.pending.get(String(msg.payload?.requestId))?.(msg.payload)
            } else if (msg.type === 'request') {
              const answer = { type: 'response', id: `h${++n}`, payload: { requestId: msg.id, success: false, error: 'not supported' } }
              t.send(answer)
              if (flaws.answerTwice) t.send({ ...answer, id: `h${++n}` })
            }
          })
          return undefined
        }
        if (command === 'executeTool') {
          const w = workers.get(String(args['extensionId']))
          if (!w) throw new Error(`extension ${String(args['extensionId'])} is not loaded`)
          const id = `t${++n}`
          return new Promise((resolve, reject) => {
            w.pending.set(id, (p) => {
              const payload = p as { result?: unknown; error?: string }
              if (payload.error !== undefined) reject(new Error(payload.error))
              else resolve(payload.result)
            })
            w.t.send({ type: 'tool-execute-request', id, payload: { toolId: args['toolId'], params: args['params'] ?? {} } })
          })
        }
        if (command === 'unload') {
          const w = workers.get(String(args['extensionId']))
          if (w) void w.t.close()
          return undefined
        }
        throw new Error(`unknown command ${command}`)
      },
      async dispose() {
        for (const w of workers.values()) await w.t.close()
      },
    }
  }
}
