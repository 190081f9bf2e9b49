/**
 * Post-step of the declaration build: ships each declaration once instead of once per format.
 *
 * The declarations element of tsup.config.ts writes CommonJS declarations only (`dist/*.d.cts`), the
 * one copy. This step writes each ESM entry's `dist/X.d.ts` (the `import` types of package.json's
 * `exports`) from them:
 *
 * - a dual entry becomes a one-line re-export of `./X.cjs`, so that both formats see one declaration
 *   of every name (one `ProtocolValidationError` class, whichever way it is imported);
 * - an ESM-only entry (`extwire/vitest`) becomes a copy of its `.d.cts`, which it imports the shared
 *   CommonJS declarations from, and its `.d.cts` goes unless package.json offers it;
 * - where a declaration uses a package whose types differ by format (fast-check ships separate
 *   declarations for `import` and `require`), the ESM side keeps its own copy of it, so that an ESM
 *   consumer's `fc.Arbitrary` and ours are the same declaration: in a dual entry only the names that
 *   need it (`extwire/conformance`'s fuzzing API), the rest re-exported; a shared chunk whole.
 *
 * Imports of packages whose declarations are ESM only (typebox) become type-only imports with
 * `resolution-mode: import`, so that `module: node16` consumers of either format accept them.
 *
 * Finally every declaration file in `dist/` that no `types` target of package.json reaches is removed
 * (the shared chunks of an earlier build). Run after the declaration build: `npm run build`,
 * `prepack` and the test setup (test/global/declarations.ts) do.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

/** What one run did, by file name inside `dist/`. */
export interface DedupeReport {
  /** ESM entries written as a re-export of their CommonJS declarations. */
  readonly stubs: readonly string[]
  /** Dual entries whose ESM declaration holds its own copy of the names that use format-dependent types, and re-exports the rest. */
  readonly partial: readonly string[]
  /** ESM declarations written as a full copy (ESM-only entries, and the chunks using format-dependent types). */
  readonly copies: readonly string[]
  /** Declaration files removed: superseded, or reached by no `types` target. */
  readonly removed: readonly string[]
  /** Bare specifiers whose declarations differ between `import` and `require`. */
  readonly formatDependent: readonly string[]
  /** Bare specifiers whose declarations are ESM either way, imported type-only with `resolution-mode: import`. */
  readonly esmOnly: readonly string[]
}

const DECLARATION = /\.d\.(?:ts|cts|mts)$/

/** Every `./dist/….d.ts` or `.d.cts` named anywhere in a package.json value (exports, types, typesVersions). */
function typeTargets(value: unknown, found: Set<string>): Set<string> {
  if (typeof value === 'string') {
    const m = /^\.\/dist\/([^/]+\.d\.c?ts)$/.exec(value)
    if (m) found.add(m[1]!)
  } else if (Array.isArray(value)) {
    for (const v of value) typeTargets(v, found)
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) typeTargets(v, found)
  }
  return found
}

/** The `import` and `require` type targets of each subpath of package.json's `exports`. */
function entries(manifest: Record<string, unknown>): { readonly esm: string; readonly cjs?: string }[] {
  const exportsField = manifest['exports']
  if (exportsField === null || typeof exportsField !== 'object') throw new Error('package.json: expected an "exports" object, received ' + JSON.stringify(exportsField))
  const found: { esm: string; cjs?: string }[] = []
  for (const [subpath, target] of Object.entries(exportsField)) {
    if (target === null || typeof target !== 'object') continue
    const conditions = target as Record<string, unknown>
    const types = (condition: string): string | undefined => {
      const c = conditions[condition]
      const t = c !== null && typeof c === 'object' ? (c as Record<string, unknown>)['types'] : undefined
      if (t === undefined) return undefined
      const m = typeof t === 'string' ? /^\.\/dist\/([^/]+)\.d\.(c?)ts$/.exec(t) : null
      if (!m) throw new Error(`package.json: exports["${subpath}"].${condition}.types: expected "./dist/<name>.d.ts" or ".d.cts", received ${JSON.stringify(t)}`)
      return m[1]!
    }
    const esm = types('import')
    const cjs = types('require')
    if (esm === undefined) continue
    if (cjs !== undefined && cjs !== esm) throw new Error(`package.json: exports["${subpath}"]: the import types (${esm}.d.ts) and require types (${cjs}.d.cts) must share a name`)
    found.push(cjs === undefined ? { esm } : { esm, cjs })
  }
  return found
}

/** The module specifiers a declaration file imports or re-exports (static, side-effect and `import()` types). */
function specifiers(text: string, fileName: string): string[] {
  const info = ts.preProcessFile(text, true, true)
  const found = info.importedFiles.map((f) => f.fileName)
  // `import("…")` type queries are not imports to preProcessFile.
  for (const m of text.matchAll(/\bimport\(\s*(['"])([^'"]+)\1\s*\)/g)) found.push(m[2]!)
  if (info.referencedFiles.length > 0 || info.typeReferenceDirectives.length > 0) {
    throw new Error(`${fileName}: triple-slash references are not handled by the declaration dedupe step (found ${[...info.referencedFiles, ...info.typeReferenceDirectives].map((r) => r.fileName).join(', ')})`)
  }
  return [...new Set(found)]
}

/** The declaration file a relative specifier of a file in `dist/` names, or undefined for a bare one. */
function declarationOf(specifier: string, importer: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined
  const m = /^\.\/([^/]+)\.(c?)js$/.exec(specifier)
  if (!m) throw new Error(`dist/${importer}: expected relative imports of the form './<name>.js' or './<name>.cjs', received '${specifier}'`)
  return `${m[1]}.d.${m[2]}ts`
}

/** Whether a declaration file exports a default, which a re-export (`export *`) cannot carry. */
function hasDefaultExport(text: string, fileName: string): boolean {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false)
  return source.statements.some(
    (s) =>
      ts.isExportAssignment(s) ||
      (ts.isExportDeclaration(s) && s.exportClause !== undefined && ts.isNamedExports(s.exportClause) && s.exportClause.elements.some((e) => e.name.text === 'default')) ||
      ((ts.isClassDeclaration(s) || ts.isFunctionDeclaration(s)) && (ts.getCombinedModifierFlags(s) & ts.ModifierFlags.Default) !== 0),
  )
}

/** A CommonJS declaration's text for ESM: its imports of declarations that have an ESM copy go to that copy. */
function esmSpecifiers(text: string, relative: readonly string[], needsEsm: ReadonlySet<string>): string {
  let out = text
  for (const r of relative) {
    if (!needsEsm.has(r)) continue
    const base = r.slice(0, -'.d.cts'.length)
    out = out.replaceAll(`'./${base}.cjs'`, `'./${base}.js'`).replaceAll(`"./${base}.cjs"`, `"./${base}.js"`)
  }
  return out
}

/** Whether a declaration file is ESM to TypeScript: `.d.mts`, or `.d.ts` in a `"type": "module"` package. */
function isEsmDeclaration(file: string): boolean {
  if (file.endsWith('.d.mts')) return true
  if (!file.endsWith('.d.ts')) return false
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type === 'module'
    if (dirname(dir) === dir) return false
  }
}

/**
 * A CommonJS declaration's imports of the packages for which `esmOnly` holds, made type-only with
 * `resolution-mode: import` (one statement for a default import, one for the rest); their side-effect
 * imports removed. Imports that already carry attributes are left as they are; a re-export of such a
 * package cannot be made type-only and is refused.
 */
function typeOnlyImports(text: string, fileName: string, esmOnly: (specifier: string) => boolean): string {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true)
  const edits: { start: number; end: number; text: string }[] = []
  for (const statement of source.statements) {
    if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier || !ts.isStringLiteral(statement.moduleSpecifier)) continue
    const specifier = statement.moduleSpecifier.text
    if (!esmOnly(specifier) || statement.attributes !== undefined) continue
    if (ts.isExportDeclaration(statement)) throw new Error(`${fileName}: re-exports from '${specifier}', which ships ESM only; a CommonJS declaration can only import its types`)
    const clause = statement.importClause
    const from = `from '${specifier}' with { 'resolution-mode': 'import' };`
    const lines: string[] = []
    if (clause?.name) lines.push(`import type ${clause.name.text} ${from}`)
    const bindings = clause?.namedBindings
    if (bindings && ts.isNamespaceImport(bindings)) lines.push(`import type * as ${bindings.name.text} ${from}`)
    else if (bindings && bindings.elements.length > 0) {
      const names = bindings.elements.map((e) => (e.propertyName ? `${e.propertyName.text} as ${e.name.text}` : e.name.text))
      lines.push(`import type { ${names.join(', ')} } ${from}`)
    }
    // A side-effect import leaves its whole line.
    const end = lines.length === 0 && text[statement.getEnd()] === '\n' ? statement.getEnd() + 1 : statement.getEnd()
    edits.push({ start: statement.getStart(source), end, text: lines.join('\n') })
  }
  let out = text
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end)
  return out
}

/** The names a top-level declaration statement declares, or undefined for a statement of another kind. */
function declaredNames(statement: ts.Statement): string[] | undefined {
  if (ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement)) return [statement.name.text]
  if ((ts.isClassDeclaration(statement) || ts.isFunctionDeclaration(statement)) && statement.name) return [statement.name.text]
  if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) return [statement.name.text]
  if (ts.isVariableStatement(statement)) {
    const names = statement.declarationList.declarations.map((d) => (ts.isIdentifier(d.name) ? d.name.text : undefined))
    return names.every((n) => n !== undefined) ? (names as string[]) : undefined
  }
  return undefined
}

/** Every identifier below a node (an over-approximation of the names it refers to: property names count too). */
function identifiersIn(node: ts.Node, into: Set<string>): Set<string> {
  if (ts.isIdentifier(node)) into.add(node.text)
  node.forEachChild((child) => void identifiersIn(child, into))
  return into
}

/**
 * The ESM declaration of a dual entry that uses format-dependent types: `export *` of its CommonJS
 * declaration, plus its own copy of each declaration that refers (directly or through another) to an
 * import for which `dependent` holds, which shadows the re-exported one. Declarations such a copy
 * refers to come from the CommonJS declaration when it exports them, and are copied too otherwise.
 * Undefined when the file has a form this does not split (a statement other than imports, named
 * declarations and export lists), and a full copy is used instead.
 */
function partialEsmCopy(text: string, name: string, dependent: (specifier: string) => boolean): string | undefined {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true)
  const base = name.slice(0, -'.d.cts'.length)
  const dependentBindings = new Set<string>()
  const declarations = new Map<string, ts.Statement[]>()
  const exported = new Map<string, ts.ExportSpecifier[]>()
  const imports: ts.ImportDeclaration[] = []
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement)) {
      imports.push(statement)
      const clause = statement.importClause
      if (!clause || !dependent((statement.moduleSpecifier as ts.StringLiteral).text)) continue
      if (clause.name) dependentBindings.add(clause.name.text)
      const bindings = clause.namedBindings
      if (bindings && ts.isNamespaceImport(bindings)) dependentBindings.add(bindings.name.text)
      else if (bindings) for (const e of bindings.elements) dependentBindings.add(e.name.text)
      continue
    }
    if (ts.isExportDeclaration(statement)) {
      if (statement.moduleSpecifier !== undefined) continue // re-exports: carried by `export *`
      if (!statement.exportClause || !ts.isNamedExports(statement.exportClause)) return undefined
      for (const e of statement.exportClause.elements) {
        const local = (e.propertyName ?? e.name).text
        exported.set(local, [...(exported.get(local) ?? []), e])
      }
      continue
    }
    const names = declaredNames(statement)
    const exportKeyword = ts.canHaveModifiers(statement) && (ts.getModifiers(statement) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    if (names === undefined || exportKeyword) return undefined
    for (const n of names) declarations.set(n, [...(declarations.get(n) ?? []), statement])
  }
  const refs = new Map([...declarations].map(([n, statements]) => [n, statements.reduce((into, s) => identifiersIn(s, into), new Set<string>())]))
  const nominal = (n: string) => declarations.get(n)!.some((s) => ts.isClassDeclaration(s) || ts.isEnumDeclaration(s))
  // Names that use a dependent import, directly or through another such name; and a non-exported
  // class (or enum) a copy needs counts as such a name too, so that every declaration referring to it
  // is copied along and an ESM consumer meets one declaration of it.
  const own = new Set<string>()
  const copied = new Set<string>()
  const shared = new Map<string, string>()
  for (let grew = true; grew; ) {
    for (let changed = true; changed; ) {
      changed = false
      for (const [n, r] of refs) {
        if (own.has(n)) continue
        if ([...r].some((id) => dependentBindings.has(id) || (id !== n && own.has(id)))) {
          own.add(n)
          changed = true
        }
      }
    }
    // What the copies refer to: imported from the CommonJS declaration when it exports them, copied otherwise.
    copied.clear()
    shared.clear()
    for (const n of own) copied.add(n)
    for (const pending = [...own]; pending.length > 0; ) {
      for (const id of refs.get(pending.pop()!)!) {
        if (copied.has(id) || shared.has(id) || !declarations.has(id)) continue
        const as = exported.get(id)?.[0]
        if (as !== undefined) shared.set(id, as.name.text)
        else {
          copied.add(id)
          pending.push(id)
        }
      }
    }
    const nominalCopies = [...copied].filter((n) => !own.has(n) && nominal(n))
    for (const n of nominalCopies) own.add(n)
    grew = nominalCopies.length > 0
  }
  if (own.size === 0) return undefined
  const statements = source.statements.filter((s) => (declaredNames(s) ?? []).some((n) => copied.has(n)))
  const ownExports = [...exported.values()].flat().filter((e) => own.has((e.propertyName ?? e.name).text)).sort((a, b) => a.pos - b.pos).map((e) => e.getText(source))
  return [
    `// The names below use types that differ by format (an ESM consumer's must be the ESM ones): their`,
    `// ESM declarations; every other name is shared with CommonJS through the re-export.`,
    `export * from './${base}.cjs';`,
    ...imports.map((i) => i.getText(source)),
    ...(shared.size > 0 ? [`import { ${[...shared].map(([local, as]) => (local === as ? local : `${as} as ${local}`)).join(', ')} } from './${base}.cjs';`] : []),
    ...statements.map((s) => s.getFullText(source).replace(/^\n+/, '')),
    `export { ${ownExports.join(', ')} };`,
    '',
  ].join('\n')
}

/**
 * Rewrites `dist/`'s declarations as described above, for the package at `root`. Throws, naming the
 * file, when a declaration it needs is missing or has a form it does not handle.
 */
export function dedupeDeclarations(root: string): DedupeReport {
  const dist = join(root, 'dist')
  const manifestPath = join(root, 'package.json')
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Record<string, unknown>
  const wanted = entries(manifest)
  if (wanted.length === 0) throw new Error('package.json: no exports entry has "import" types in dist/')

  const texts = new Map<string, string>()
  const read = (name: string, importer: string): string => {
    const known = texts.get(name)
    if (known !== undefined) return known
    const path = join(dist, name)
    if (!existsSync(path)) throw new Error(`dist/${name}: missing (needed by ${importer}); build the declarations first (the declarations element of tsup.config.ts: \`npm run build\` builds them and runs this step once after; a second run finds an ESM-only entry's .d.cts already gone)`)
    const text = readFileSync(path, 'utf8')
    texts.set(name, text)
    return text
  }

  // The CommonJS declarations every entry reaches, and what each imports.
  const imports = new Map<string, { readonly relative: string[]; readonly bare: string[] }>()
  const pending = wanted.map((e) => ({ name: `${e.esm}.d.cts`, importer: 'package.json exports' }))
  while (pending.length > 0) {
    const { name, importer } = pending.pop()!
    if (imports.has(name)) continue
    const text = read(name, importer)
    const relative: string[] = []
    const bare: string[] = []
    for (const s of specifiers(text, `dist/${name}`)) {
      const target = declarationOf(s, name)
      if (target === undefined) bare.push(s)
      else {
        if (!target.endsWith('.d.cts')) throw new Error(`dist/${name}: a CommonJS declaration imports '${s}', expected a './<name>.cjs' declaration`)
        relative.push(target)
        pending.push({ name: target, importer: `dist/${name}` })
      }
    }
    imports.set(name, { relative, bare })
  }

  // Packages whose declarations differ between `import` and `require`, resolved as from dist/.
  const options: ts.CompilerOptions = { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext }
  const from = join(dist, 'index.d.cts')
  const resolved = (specifier: string, mode: ts.ResolutionMode) => ts.resolveModuleName(specifier, from, options, ts.sys, undefined, undefined, mode).resolvedModule?.resolvedFileName
  const bareAll = [...new Set([...imports.values()].flatMap((i) => i.bare))].sort()
  const formatDependent = bareAll.filter((s) => resolved(s, ts.ModuleKind.ESNext) !== resolved(s, ts.ModuleKind.CommonJS))
  // Packages whose declarations are ESM for `require` too (typebox ships ESM only). A CommonJS
  // declaration importing them is an error (TS1479) under `module: node16` unless the import is
  // type-only with `resolution-mode: import`; ESM consumers now read the `.d.cts` as well, so they
  // are rewritten so (a side-effect import, which carries nothing in a declaration, goes).
  const esmOnly = bareAll.filter((s) => {
    if (formatDependent.includes(s)) return false
    const file = resolved(s, ts.ModuleKind.CommonJS) ?? resolved(s, ts.ModuleKind.ESNext)
    return file !== undefined && isEsmDeclaration(file)
  })
  for (const name of imports.keys()) {
    const before = read(name, 'the dedupe step')
    const after = typeOnlyImports(before, `dist/${name}`, (specifier) => esmOnly.includes(specifier))
    if (after === before) continue
    texts.set(name, after)
    writeFileSync(join(dist, name), after)
  }

  // Declarations that need an ESM copy: they import a format-dependent package, or such a declaration.
  const needsEsm = new Set<string>()
  for (let changed = true; changed; ) {
    changed = false
    for (const [name, i] of imports) {
      if (needsEsm.has(name)) continue
      if (i.bare.some((s) => formatDependent.includes(s)) || i.relative.some((r) => needsEsm.has(r))) {
        needsEsm.add(name)
        changed = true
      }
    }
  }

  const esmCopy = (name: string): string => esmSpecifiers(read(name, 'the dedupe step'), imports.get(name)!.relative, needsEsm)
  const outputs = new Map<string, string>()
  const stubs: string[] = []
  const copies: string[] = []
  const partial: string[] = []
  const dual = new Set(wanted.filter((e) => e.cjs !== undefined).map((e) => `${e.esm}.d.cts`))
  const dependent = (specifier: string): boolean => {
    const target = declarationOf(specifier, 'the dedupe step')
    return target === undefined ? formatDependent.includes(specifier) : needsEsm.has(target)
  }
  for (const name of needsEsm) {
    const esm = name.replace(/\.d\.cts$/, '.d.ts')
    // A dual entry keeps ESM copies of only the names that need one, and re-exports the rest.
    const text = read(name, 'the dedupe step')
    const part = dual.has(name) && !hasDefaultExport(text, `dist/${name}`) ? partialEsmCopy(text, name, dependent) : undefined
    if (part !== undefined) {
      outputs.set(esm, esmSpecifiers(part, imports.get(name)!.relative, needsEsm))
      partial.push(esm)
    } else {
      outputs.set(esm, esmCopy(name))
      copies.push(esm)
    }
  }
  for (const e of wanted) {
    const esm = `${e.esm}.d.ts`
    if (outputs.has(esm)) continue
    const cjs = `${e.esm}.d.cts`
    if (e.cjs === undefined) {
      outputs.set(esm, esmCopy(cjs))
      copies.push(esm)
    } else {
      if (hasDefaultExport(read(cjs, 'package.json exports'), `dist/${cjs}`)) throw new Error(`dist/${cjs}: has a default export, which the re-export in ${esm} cannot carry; give the entry named exports only`)
      outputs.set(esm, `// Shared with CommonJS: one declaration of each name for both formats.\nexport * from './${e.esm}.cjs';\n`)
      stubs.push(esm)
    }
  }
  for (const [name, text] of outputs) writeFileSync(join(dist, name), text)

  // Keep what the package's type targets reach; remove every other declaration file.
  const reached = new Set<string>()
  const walk = [...typeTargets(manifest, new Set())].map((name) => ({ name, importer: 'package.json' }))
  while (walk.length > 0) {
    const { name, importer } = walk.pop()!
    if (reached.has(name)) continue
    reached.add(name)
    const text = outputs.get(name) ?? read(name, importer)
    for (const s of specifiers(text, `dist/${name}`)) {
      const target = declarationOf(s, name)
      if (target !== undefined) walk.push({ name: target, importer: `dist/${name}` })
    }
  }
  const removed = readdirSync(dist).filter((f) => DECLARATION.test(f) && !reached.has(f)).sort()
  for (const f of removed) rmSync(join(dist, f))
  return { stubs: stubs.sort(), partial: partial.sort(), copies: copies.sort(), removed, formatDependent, esmOnly }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url))
  const report = dedupeDeclarations(root)
  if (process.argv.includes('--verbose')) {
    process.stderr.write(`declarations: ${report.stubs.length} re-exports, partial copies ${report.partial.join(', ') || 'none'}, copies ${report.copies.join(', ') || 'none'}, format-dependent ${report.formatDependent.join(', ') || 'none'}, ESM-only ${report.esmOnly.join(', ') || 'none'}, removed ${report.removed.length}\n`)
  }
}
