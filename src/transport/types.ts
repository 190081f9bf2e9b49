/**
 * The transport contract: one end of a message pipe between a host and a worker. Every
 * implementation delivers messages in order, reports failures as events instead of throwing, and
 * reports the peer going away as a close event, so that nothing waiting on it can hang.
 */

/** Something that can be released. */
export interface Disposable {
  /** Releases it; calling twice is harmless. */
  dispose(): void
}

/** Why a transport closed. */
export interface CloseInfo {
  /** `local`: close() was called here; `peer`: the other end closed; `exit`: the peer process or thread ended; `error`: a fatal transport error. */
  readonly reason: 'local' | 'peer' | 'exit' | 'error'
  /** Exit code of a worker thread or child process, when known. */
  readonly exitCode?: number | null
  /** Human-readable detail (signal, stderr tail, error text). */
  readonly detail?: string
}

/** One end of a message pipe. */
export interface Transport {
  /** Sends one message. Never throws: a failure is reported through {@link Transport.onError}. */
  send(message: unknown): void
  /** Calls `listener` for every message received, in order. */
  onMessage(listener: (message: unknown) => void): Disposable
  /** Calls `listener` for every transport error (unparsable line, clone failure, …). */
  onError(listener: (error: Error) => void): Disposable
  /** Calls `listener` once when the transport closes, for whatever reason. */
  onClose(listener: (info: CloseInfo) => void): Disposable
  /** Closes this end; the peer sees a `peer` close. Idempotent. */
  close(): Promise<void>
  /** True once closed. */
  readonly closed: boolean
}
