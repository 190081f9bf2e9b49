/**
 * The requirement registry, read from the spec tables in docs/spec/*.md (rows of the form
 * `| EXT-XXX-NNN | MUST | requirement | reason |`). This is the only place that parses the spec.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** One normative requirement. */
export interface Requirement {
  readonly id: string
  readonly level: 'MUST' | 'SHOULD' | 'MAY'
  readonly text: string
  /** Spec file it is defined in, relative to the repository root. */
  readonly file: string
}

const ROW = /^\|\s*(EXT-[A-Z]+-\d{3})\s*\|\s*(MUST|SHOULD|MAY)\s*\|\s*(.+?)\s*\|/

/** Reads every requirement of the spec folder `dir` (docs/spec). */
export function loadRequirements(dir: string): Map<string, Requirement> {
  const out = new Map<string, Requirement>()
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
    const text = readFileSync(join(dir, name), 'utf8')
    for (const line of text.split('\n')) {
      const m = ROW.exec(line)
      if (!m) continue
      const [, id, level, requirement] = m as unknown as [string, string, Requirement['level'], string]
      if (out.has(id)) throw new Error(`docs/spec/${name}: requirement ${id} is defined twice`)
      out.set(id, { id, level, text: requirement, file: `docs/spec/${name}` })
    }
  }
  return out
}
