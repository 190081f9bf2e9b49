/**
 * The runtime's way out: `send` never throws into extension code (a transport failure becomes a
 * `log`), and `createLog` builds the extension's LogAPI on top of it.
 */
import type { LogAPI } from './api.js'
import { cloneProblem, errorText } from './handlers.js'

/** The part of a transport the outbox writes to. */
export interface OutboxTransport {
  send(message: unknown): void
}

/** Sending and logging for one runtime. */
export interface Outbox {
  /** Sends a message; a transport failure is reported with a `log` (never thrown). */
  readonly send: (message: unknown) => void
  /** A LogAPI whose messages start with `prefix` (background tasks use `[taskId] `). */
  readonly createLog: (prefix: string) => LogAPI
  /** The runtime's own log (no prefix). */
  readonly log: LogAPI
}

/** Creates the outbox of a runtime on `transport`. */
export function createOutbox(transport: OutboxTransport): Outbox {
  function send(message: unknown): void {
    try {
      transport.send(message)
    } catch (error) {
      const type = (message as { type?: unknown } | null)?.type
      if (type === 'log') return
      try {
        transport.send({ type: 'log', payload: { level: 'error', message: `Could not send ${String(type)}: ${errorText(error)}` } })
      } catch {
        // The transport is gone; nothing is left to tell.
      }
    }
  }

  function createLog(prefix: string): LogAPI {
    const emit = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, data?: Record<string, unknown>) => {
      const payload: Record<string, unknown> = { level, message: `${prefix}${String(message)}` }
      if (data !== undefined) {
        const problem = typeof data === 'object' && data !== null && !Array.isArray(data) ? cloneProblem(data) : 'data must be an object'
        payload['data'] = problem === undefined ? data : { unsendable: problem }
      }
      send({ type: 'log', payload })
    }
    return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') }
  }

  return { send, createLog, log: createLog('') }
}
