/**
 * A line splitter with a bound: readline keeps a line without a newline in memory until it ends, so
 * a peer that never sends one grows the reader until it crashes. This one refuses a line at the
 * bound instead.
 */

/** The default maximum size of one line (one message) on stdio: 4 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024

/** What one chunk produced: the complete lines, and whether the current line went over the bound. */
export interface SplitResult {
  readonly lines: string[]
  /** Set when the line being read is longer than the bound (its bytes so far). */
  readonly overflow?: number
}

/** Splits a byte stream into lines (LF or CRLF), never holding more than `maxLineBytes` of one line. */
export class BoundedLineSplitter {
  private parts: Buffer[] = []
  private size = 0

  constructor(readonly maxLineBytes: number = DEFAULT_MAX_MESSAGE_BYTES) {
    if (!Number.isInteger(maxLineBytes) || maxLineBytes < 1) throw new RangeError(`maxLineBytes must be a positive integer, received ${maxLineBytes}`)
  }

  /** Feeds one chunk; after an overflow the splitter holds nothing and should not be fed again. */
  push(chunk: Buffer): SplitResult {
    const lines: string[] = []
    let start = 0
    for (;;) {
      const nl = chunk.indexOf(0x0a, start)
      const end = nl === -1 ? chunk.length : nl
      const piece = chunk.subarray(start, end)
      if (this.size + piece.length > this.maxLineBytes) {
        const overflow = this.size + piece.length
        this.parts = []
        this.size = 0
        return { lines, overflow }
      }
      if (nl === -1) {
        if (piece.length > 0) {
          // Copy: the stream may reuse its buffer.
          this.parts.push(Buffer.from(piece))
          this.size += piece.length
        }
        return { lines }
      }
      lines.push(this.take(piece))
      start = nl + 1
    }
  }

  /** The last line when the input ends without a newline (as readline gives it). */
  end(): string | undefined {
    if (this.size === 0) return undefined
    return this.take(Buffer.alloc(0))
  }

  private take(last: Buffer): string {
    const bytes = this.parts.length === 0 ? last : Buffer.concat([...this.parts, last])
    this.parts = []
    this.size = 0
    const text = bytes.toString('utf8')
    return text.endsWith('\r') ? text.slice(0, -1) : text
  }
}
