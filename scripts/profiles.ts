/**
 * The files derived from the versioned protocol source, one set per profile: `schema/<version>/**`,
 * `docs/reference/<version>.md`, `asyncapi/<version>.json`, and the compatibility reports in
 * `docs/compat/`. `scripts/generate.ts` adds them to its expected files, so `npm run schema` writes
 * them and the drift gate checks them.
 */
import { asyncApiDocument } from '../src/protocol/asyncapi.js'
import { generateJsonSchemaFiles } from '../src/protocol/json-schema.js'
import { renderProfileReference } from '../src/protocol/profile-reference.js'
import { profile } from '../src/protocol/profiles.js'
import { compatReport, renderCompatMarkdown } from '../src/protocol/versions-compat.js'
import { PROFILE_VERSIONS, type ProfileVersion } from '../src/protocol/versions.js'

/** Base of the `$id` of every file under `schema/<version>/`. */
export function profileSchemaIdBase(version: ProfileVersion): string {
  return `https://extwire.dev/schema/profiles/${version}`
}

/** The pairs whose compatibility report is checked in: every consecutive pair, and the default to the newest. */
export const COMPAT_PAIRS: ReadonlyArray<readonly [string, string]> = Object.freeze([
  ...PROFILE_VERSIONS.slice(1).map((v, i) => [PROFILE_VERSIONS[i] as string, v] as const),
  ['0.22.1', '0.36.0'] as const,
])

function compatIndex(): string {
  const lines = [
    '# Compatibility reports',
    '',
    'Generated from the versioned protocol source by `npm run schema`; do not edit by hand. `extwire compat <from> <to>` prints the report for any pair, in either order, as Markdown or `--json`.',
    '',
    '| from | to | changes | break workers | break hosts | break both |',
    '|---|---|---|---|---|---|',
  ]
  for (const [from, to] of COMPAT_PAIRS) {
    const r = compatReport(from, to)
    const n = (b: string) => r.changes.filter((c) => c.breaks === b).length
    lines.push(`| [${from}](${from}-${to}.md) | ${to} | ${r.changes.length} | ${n('workers')} | ${n('hosts')} | ${n('both')} |`)
  }
  return `${lines.join('\n')}\n`
}

/**
 * One per-version schema file. Most files are the same from one version to the next but for their
 * `$id`; repeating them would make up most of the package, so a file whose body (everything but
 * `$id`) an earlier version already has becomes a `$ref` to that version's file. The ref is relative
 * and the `$id`s mirror the folder layout (`<base>/<version>/<path>`), so it resolves to the same file
 * whether a tool follows `$id` (ajv, with the target added) or the path on disk (AsyncAPI parsers).
 * Every file keeps its own stable `$id` and title. `firstWithBody` maps path + body to the first
 * version that has it, filled as versions are visited oldest first.
 */
function sharedSchemaFile(version: ProfileVersion, path: string, schema: object, firstWithBody: Map<string, ProfileVersion>): string {
  const { $id, ...body } = schema as { $id?: unknown; title?: unknown; $schema?: unknown }
  const key = `${path}\n${JSON.stringify(body)}`
  const first = firstWithBody.get(key)
  if (first === undefined) {
    firstWithBody.set(key, version)
    return compactJson(schema)
  }
  const depth = path.split('/').length
  const ref = `${'../'.repeat(depth)}${first}/${path}`
  const stub = { $schema: body.$schema, $id, title: body.title, description: `The same schema as in profile ${first}.`, $ref: ref }
  return compactJson(stub)
}

/**
 * The per-version JSON files are written without indentation: tools read them, and a third of
 * their size was whitespace, in a package that must stay under 4 MB unpacked. The default
 * profile's files (`schema/messages`, `schema/methods`) stay indented, for people to read.
 */
function compactJson(value: unknown): string {
  return `${JSON.stringify(value)}\n`
}

/** Every profile-derived file (path relative to the repository root -> content). */
export function profileFiles(): Map<string, string> {
  const out = new Map<string, string>()
  const firstWithBody = new Map<string, ProfileVersion>()
  for (const version of PROFILE_VERSIONS) {
    const p = profile(version)
    const files = generateJsonSchemaFiles({ ...p, idBase: profileSchemaIdBase(version), version })
    for (const [path, schema] of files) out.set(`schema/${version}/${path}`, sharedSchemaFile(version, path, schema, firstWithBody))
    out.set(`docs/reference/${version}.md`, renderProfileReference(version))
    out.set(`asyncapi/${version}.json`, compactJson(asyncApiDocument(version)))
  }
  for (const [from, to] of COMPAT_PAIRS) out.set(`docs/compat/${from}-${to}.md`, renderCompatMarkdown(compatReport(from, to)))
  out.set('docs/compat/README.md', compatIndex())
  return out
}
