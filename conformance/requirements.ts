/**
 * The requirement registry, read from the spec tables in docs/spec/*.md (rows of the form
 * `| EXT-XXX-NNN | MUST | requirement | reason |`), with the texts docs/spec/texts.md lists per
 * requirement (rows `| EXT-XXX-NNN | exact | \`text\` | why |`). This is the only place that parses
 * the spec. Each requirement has a role, taken from its file: `host.md` holds what a host must do
 * (certified by the host-role suite), every other file what a worker must do (the worker-role suite).
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** How a listed text may be matched (docs/spec/texts.md, "The rule"). */
export type TextKind = 'exact' | 'prefix' | 'contains'

/** One text a fixture may match; `<name>` placeholders stand for values of the exchange. */
export interface TextRule {
  /** A requirement ID, or `extension` for the conformance extension's own texts. */
  readonly requirement: string
  readonly kind: TextKind
  readonly text: string
}

/** Which side of the protocol a requirement binds, and so which suite certifies it. */
export type RequirementRole = 'worker' | 'host'

/** One normative requirement. */
export interface Requirement {
  readonly id: string
  readonly level: 'MUST' | 'SHOULD' | 'MAY'
  readonly text: string
  /** Spec file it is defined in, relative to the repository root. */
  readonly file: string
  /** `host` for docs/spec/host.md, `worker` for every other file (wire, permissions and diagnostics included). */
  readonly role: RequirementRole
  /** Texts a fixture may match for this requirement (docs/spec/texts.md). */
  readonly texts: readonly TextRule[]
}

/** The requirements by ID, plus the conformance extension's texts, which belong to no requirement. */
export class RequirementRegistry extends Map<string, Requirement> {
  constructor(
    entries: Iterable<readonly [string, Requirement]> = [],
    /** Texts of the conformance extension (docs/spec/texts.md, requirement `extension`). */
    readonly extensionTexts: readonly TextRule[] = [],
  ) {
    super(entries)
  }
}

const ROW = /^\|\s*(EXT-[A-Z]+-\d{3})\s*\|\s*(MUST|SHOULD|MAY)\s*\|\s*(.+?)\s*\|/
const TEXT_ROW = /^\|\s*(EXT-[A-Z]+-\d{3}|extension)\s*\|\s*(exact|prefix|contains)\s*\|\s*`([^`]+)`\s*\|/

/** Reads every requirement of the spec folder `dir` (docs/spec). */
export function loadRequirements(dir: string): RequirementRegistry {
  const found = new Map<string, Omit<Requirement, 'texts'>>()
  const texts: TextRule[] = []
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.md')).sort()) {
    const content = readFileSync(join(dir, name), 'utf8')
    for (const line of content.split('\n')) {
      const t = TEXT_ROW.exec(line)
      if (t) {
        texts.push({ requirement: t[1] as string, kind: t[2] as TextKind, text: t[3] as string })
        continue
      }
      const m = ROW.exec(line)
      if (!m) continue
      const [, id, level, requirement] = m as unknown as [string, string, Requirement['level'], string]
      if (found.has(id)) throw new Error(`docs/spec/${name}: requirement ${id} is defined twice`)
      found.set(id, { id, level, text: requirement, file: `docs/spec/${name}`, role: roleOfFile(name) })
    }
  }
  for (const t of texts) {
    if (t.requirement !== 'extension' && !found.has(t.requirement)) throw new Error(`docs/spec/texts.md: text \`${t.text}\` names ${t.requirement}, which is not defined`)
  }
  const entries = [...found].map(([id, r]) => [id, { ...r, texts: texts.filter((t) => t.requirement === id) }] as const)
  return new RequirementRegistry(entries, texts.filter((t) => t.requirement === 'extension'))
}

/** The role of a spec file's requirements (`host.md`, by name or path, is the host's; the rest bind workers). */
export function roleOfFile(name: string): RequirementRole {
  return (name.split('/').pop() ?? name) === 'host.md' ? 'host' : 'worker'
}

/** The requirements of one role, in the registry's order (the suite of that role certifies exactly these). */
export function requirementsOfRole(requirements: ReadonlyMap<string, Requirement>, role: RequirementRole): Requirement[] {
  return [...requirements.values()].filter((r) => r.role === role)
}
