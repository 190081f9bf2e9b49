import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

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

/** A usage error: printed as one line, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** `file` (relative to `cwd`) as an absolute path; a usage error unless it is an existing file. */
export function existingFile(cwd: string, file: string, flag: string): string {
  const path = resolve(cwd, file)
  if (!existsSync(path)) throw new UsageError(`${flag} ${file}: no such file`)
  if (!statSync(path).isFile()) throw new UsageError(`${flag} ${file}: not a file`)
  return path
}

/** `dir` (relative to `cwd`) as an absolute path; a usage error unless it is an existing directory. */
export function existingDir(cwd: string, dir: string, flag: string): string {
  const path = resolve(cwd, dir)
  if (!existsSync(path) || !statSync(path).isDirectory()) throw new UsageError(`${flag} ${dir}: no such directory`)
  return path
}

/** The text of an existing file, read up front so that a missing file is a usage error, not a stack. */
export function readTextFile(cwd: string, file: string, flag: string): string {
  const path = existingFile(cwd, file, flag)
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new UsageError(`${flag} ${file}: cannot read: ${(error as Error).message}`)
  }
}

/**
 * Where an output file goes, checked before any work: its folder is created when missing (so a
 * report is never lost after a long run), and a path that is a folder is refused.
 */
export function outputFile(cwd: string, file: string, flag: string): string {
  const path = resolve(cwd, file)
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`${flag} ${file}: is a directory`)
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (error) {
    throw new UsageError(`${flag} ${file}: cannot create its directory: ${(error as Error).message}`)
  }
  return path
}
