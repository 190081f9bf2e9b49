/** Loads the example files of `fixtures/examples/` for tests. */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** Repository root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url))

/** One example: a value (absent means `undefined`) and whether it is valid. */
export interface Example {
  readonly description: string
  readonly valid: boolean
  readonly expect?: { readonly code: string; readonly path: string }
  readonly value?: unknown
}

/** The examples of one message type. */
export interface MessageExamples {
  readonly type: string
  readonly examples: readonly Example[]
}

/** The examples of one request method. */
export interface MethodExamples {
  readonly method: string
  readonly payload: readonly Example[]
  readonly response: readonly Example[]
}

function load<T>(dir: string): T[] {
  const full = join(ROOT, 'fixtures/examples', dir)
  return readdirSync(full)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(full, f), 'utf8')) as T)
}

/** All message example files. */
export function messageExamples(): MessageExamples[] {
  return load<MessageExamples>('messages')
}

/** All method example files. */
export function methodExamples(): MethodExamples[] {
  return load<MethodExamples>('methods')
}
