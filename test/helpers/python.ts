/**
 * The real `python3` interpreter. Version managers (pyenv) put a shell-script shim first on PATH
 * that costs about a second of CPU per start, and every fixture starts its Python peer afresh: the
 * example tests spent most of their time in the shim. Commands stay as written; only `python3`
 * resolves to the interpreter itself.
 */
import { execFileSync } from 'node:child_process'
import { dirname } from 'node:path'

/** The interpreter's absolute path, or `python3` when it cannot be asked (the command then fails loudly). */
export function python3(): string {
  try {
    return execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', timeout: 60_000 }).trim() || 'python3'
  } catch {
    return 'python3'
  }
}

/** The directory of {@link python3}, for a PATH that must find the interpreter first; undefined when unknown. */
export function python3Dir(): string | undefined {
  const exe = python3()
  return exe === 'python3' ? undefined : dirname(exe)
}
