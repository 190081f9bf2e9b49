/** What a CLI command gets from its caller, so every command can run in-process in tests. */
export interface CliIo {
  /** Arguments after the command name. */
  readonly argv: readonly string[]
  /** Where results go. */
  readonly stdout: { write(text: string): unknown }
  /** Where diagnostics go. */
  readonly stderr: { write(text: string): unknown }
  /** Directory that relative paths are resolved against. */
  readonly cwd: string
}

/** A usage error: printed with the command's usage and exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
