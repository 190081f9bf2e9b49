/**
 * Turns ajv's raw errors into {@link ValidationError} records. Unions are collapsed so that a
 * tagged union reports only the variant its tag selects, and a failed literal union reports its
 * allowed values once instead of one error per variant.
 */
import type { ErrorObject } from 'ajv'
import { dataAt, own, TAGS, type ReportHints } from './hints.js'
import { describeValue, pointerSegment } from './describe.js'
import { WireCode, wireError, type ErrorFacts, type ValidationError } from './errors.js'

/** Where the errors belong: the message type and method, and a prefix for every path. */
export interface ReportContext {
  readonly messageType?: string
  readonly method?: string
  readonly prefix: string
}

interface Item {
  readonly schemaPath: string
  readonly instancePath: string
  readonly keyword: string
  readonly tagMissing?: string
  readonly tagValue?: boolean
  readonly typeAtSelf?: string
  readonly constAtSelf?: unknown
  /** What went wrong; the record and its message line are built only for the errors that survive. */
  error: ErrorFacts | null
}

const CONSTRAINT_TEXT: Record<string, (p: Record<string, unknown>) => string> = {
  minLength: (p) => `a string of at least ${String(p['limit'])} character(s)`,
  maxLength: (p) => `a string of at most ${String(p['limit'])} character(s)`,
  minimum: (p) => `a number >= ${String(p['limit'])}`,
  maximum: (p) => `a number <= ${String(p['limit'])}`,
  exclusiveMinimum: (p) => `a number > ${String(p['limit'])}`,
  exclusiveMaximum: (p) => `a number < ${String(p['limit'])}`,
  pattern: (p) => `a string matching /${String(p['pattern'])}/`,
  minItems: (p) => `at least ${String(p['limit'])} item(s)`,
  maxItems: (p) => `at most ${String(p['limit'])} item(s)`,
}

/** What the report reads besides the errors: the schema's texts and the value that was checked. */
interface Source {
  readonly hints: ReportHints
  readonly root: unknown
}

/**
 * One item of the report. A module-level function, not a closure made per error: the error path
 * runs per invalid message, and a closure per error (named by the build's `keepNames`) costs more
 * than the item itself.
 */
function makeItem(e: ErrorObject, error: ErrorFacts | null, extra?: Partial<Item>): Item {
  return {
    schemaPath: e.schemaPath,
    instancePath: e.instancePath,
    keyword: e.keyword,
    tagMissing: extra?.tagMissing,
    tagValue: extra?.tagValue,
    typeAtSelf: extra?.typeAtSelf,
    constAtSelf: extra?.constAtSelf,
    error,
  }
}

function convert(e: ErrorObject, ctx: ReportContext, src: Source): Item {
  const params = e.params as Record<string, unknown>
  const keyword = e.keyword
  const at = ctx.prefix + e.instancePath
  switch (e.keyword) {
    case 'required': {
      const missing = String(params['missingProperty'])
      const expected = own(own(src.hints.required, e.schemaPath) ?? {}, missing) ?? 'any value'
      return makeItem(e, 
        ({ keyword, code: WireCode.Required, path: `${at}/${pointerSegment(missing)}`, expected, received: 'absent' }),
        TAGS.includes(missing) ? { tagMissing: missing } : {},
      )
    }
    case 'type':
      return makeItem(e, 
        ({ keyword, code: WireCode.Type, path: at, expected: String(params['type']), received: describeValue(dataAt(src.root, e.instancePath)) }),
        { typeAtSelf: String(params['type']) },
      )
    case 'const': {
      const last = e.instancePath.slice(e.instancePath.lastIndexOf('/') + 1)
      return makeItem(e, 
        ({ keyword, code: WireCode.Literal, path: at, expected: JSON.stringify(params['allowedValue']), received: describeValue(dataAt(src.root, e.instancePath)) }),
        { constAtSelf: params['allowedValue'], tagValue: TAGS.includes(last) },
      )
    }
    case 'enum':
      return makeItem(e, 
        ({ keyword, code: WireCode.Literal, path: at, expected: (params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(' | '), received: describeValue(dataAt(src.root, e.instancePath)) }),
      )
    case 'discriminator': {
      // A tagged union whose tag is missing, not a string, or not one of the variants' tags.
      const tag = String(params['tag'])
      const tagValue = params['tagValue']
      const expected = own(src.hints.discriminator, e.schemaPath) ?? 'a tag'
      const code = tagValue === undefined ? WireCode.Required : params['error'] === 'mapping' ? WireCode.Literal : WireCode.Type
      return makeItem(e, ({ keyword, code, path: `${at}/${pointerSegment(tag)}`, expected, received: describeValue(tagValue) }))
    }
    case 'additionalProperties': {
      const extra = String(params['additionalProperty'])
      let received = 'a value'
      try {
        received = describeValue((dataAt(src.root, e.instancePath) as Record<string, unknown>)[extra])
      } catch {
        received = 'an unreadable value'
      }
      return makeItem(e, 
        ({ keyword, code: WireCode.UnknownProperty, path: `${at}/${pointerSegment(extra)}`, expected: 'no such property (strict mode)', received }),
      )
    }
    case 'anyOf':
      return makeItem(e, null)
    default: {
      const text = CONSTRAINT_TEXT[e.keyword]
      return makeItem(e, 
        ({ keyword, code: WireCode.Constraint, path: at, expected: text ? text(params) : `${e.keyword} ${JSON.stringify(params)}`, received: describeValue(dataAt(src.root, e.instancePath)) }),
      )
    }
  }
}

function withError(item: Item, error: ErrorFacts): Item {
  return { schemaPath: item.schemaPath, instancePath: item.instancePath, keyword: item.keyword, error }
}

/** Replaces the errors of one failed `anyOf` and of its branches with what the caller needs to see. */
function collapseUnion(items: Item[], union: Item, raw: ErrorObject, ctx: ReportContext, src: Source): Item[] {
  const hint = own(src.hints.anyOf, raw.schemaPath)
  const rawData = (): unknown => dataAt(src.root, raw.instancePath)
  const prefix = `${union.schemaPath}/`
  const branches = new Map<string, Item[]>()
  const rest: Item[] = []
  for (const it of items) {
    if (it === union) continue
    if (it.schemaPath.startsWith(prefix)) {
      const branch = it.schemaPath.slice(prefix.length).split('/')[0] as string
      const list = branches.get(branch) ?? []
      list.push(it)
      branches.set(branch, list)
    } else {
      rest.push(it)
    }
  }
  const P = union.instancePath
  const lists = [...branches.values()]
  const at = ctx.prefix + P
  const typeFailed = (list: Item[]) => list.some((i) => i.instancePath === P && i.typeAtSelf !== undefined)
  const tagRejected = (list: Item[]) =>
    list.some((i) => (i.instancePath === P && i.tagMissing !== undefined) || (i.tagValue === true && i.instancePath.startsWith(`${P}/`) && i.instancePath.split('/').length === P.split('/').length + 1))
  const constAtSelf = (list: Item[]) => list.some((i) => i.instancePath === P && i.keyword === 'const')

  let replacement: Item[]
  if (lists.length > 0 && lists.every(typeFailed)) {
    const types = [...new Set(lists.flatMap((l) => l.filter((i) => i.instancePath === P && i.typeAtSelf).map((i) => i.typeAtSelf as string)))]
    replacement = [withError(union, ({ keyword: 'type', code: WireCode.Type, path: at, expected: types.join(' or '), received: describeValue(rawData()) }))]
  } else {
    const candidates = lists.filter((l) => !typeFailed(l) && !tagRejected(l) && !constAtSelf(l))
    if (candidates.length === 1) {
      replacement = candidates[0] as Item[]
    } else if (candidates.length === 0 && lists.length > 0 && lists.every(tagRejected)) {
      const missing = lists[0]?.find((i) => i.tagMissing !== undefined)?.tagMissing
      if (missing !== undefined) {
        replacement = [withError(union, ({ keyword: 'required', code: WireCode.Required, path: `${at}/${missing}`, expected: own(hint?.tags ?? {}, missing) ?? 'a tag', received: 'absent' }))]
      } else {
        const tagItems = lists.flatMap((l) => l.filter((i) => i.tagValue === true))
        const tagPath = tagItems[0]?.instancePath ?? P
        const allowed = [...new Set(tagItems.map((i) => JSON.stringify(i.constAtSelf)))].join(' | ')
        const received = tagItems[0]?.error?.received ?? describeValue(undefined)
        replacement = [withError(union, ({ keyword: 'const', code: WireCode.Literal, path: ctx.prefix + tagPath, expected: allowed, received }))]
      }
    } else if (lists.length > 0 && lists.every(constAtSelf)) {
      const allowed = lists.flatMap((l) => l.filter((i) => i.instancePath === P && i.keyword === 'const').map((i) => JSON.stringify(i.constAtSelf)))
      replacement = [withError(union, ({ keyword: 'const', code: WireCode.Literal, path: at, expected: [...new Set(allowed)].join(' | '), received: describeValue(rawData()) }))]
    } else {
      replacement = [withError(union, ({ keyword: 'anyOf', code: WireCode.NoVariant, path: at, expected: `one of: ${hint?.summary ?? 'any value'}`, received: describeValue(rawData()) }))]
    }
  }
  // Synthesised items keep the union's schema path, so an enclosing union sees them as part of its branch.
  return [...rest, ...replacement]
}

/**
 * Converts ajv errors (collected with `allErrors`) into the public error records. `hints` are the
 * texts of the schema that produced them ({@link computeHints}); `root` is the value that was
 * checked, from which the offending values are read (own properties only).
 */
export function report(errors: readonly ErrorObject[], ctx: ReportContext, hints: ReportHints, root: unknown): ValidationError[] {
  const src: Source = { hints, root }
  let items: Item[] = []
  let hasUnion = false
  for (const e of errors) {
    items.push(convert(e, ctx, src))
    if (e.keyword === 'anyOf') hasUnion = true
  }
  if (hasUnion) {
    const unions = errors
      .map((raw, i) => ({ raw, item: items[i] as Item }))
      .filter((u) => u.raw.keyword === 'anyOf')
      .sort((a, b) => b.raw.schemaPath.length - a.raw.schemaPath.length)
    for (const u of unions) items = collapseUnion(items, u.item, u.raw, ctx, src)
  }
  const out: ValidationError[] = []
  for (const it of items) {
    const error = it.error
    if (error === null) continue
    if (out.some((o) => o.code === error.code && o.path === error.path && o.expected === error.expected)) continue
    out.push(wireError(ctx, error))
  }
  return out
}
