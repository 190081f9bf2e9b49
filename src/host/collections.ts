/**
 * Collection storage and secrets (the storage of protocol 0.23.0 and later) as backends, and their
 * in-memory defaults. Like key-value storage, every call names its scope (an extension, or one user
 * within it), and the in-memory backends keep each scope in a map of its own, so that no id, key or
 * collection name can reach across scopes (EXT-HOST-026 and EXT-HOST-111).
 */
import type { Awaitable, StorageScope } from './backends.js'

/** A query of `storage.find` and friends: field -> value to equal, or one operator object. */
export type CollectionQuery = Readonly<Record<string, unknown>>

/** Sorting and paging of `storage.find`. */
export interface CollectionQueryOptions {
  readonly sort?: Readonly<Record<string, 'asc' | 'desc'>>
  readonly limit?: number
  readonly offset?: number
}

/** A stored document. */
export type CollectionDocument = Record<string, unknown>

/** Document storage per scope (0.23.0 and later; EXT-HOST-110, EXT-HOST-111). */
export interface CollectionsBackend {
  put(scope: StorageScope, collection: string, id: string, data: CollectionDocument): Awaitable<void>
  /** The document, or undefined when there is none. */
  get(scope: StorageScope, collection: string, id: string): Awaitable<CollectionDocument | undefined>
  /** True when a document was deleted. */
  delete(scope: StorageScope, collection: string, id: string): Awaitable<boolean>
  find(scope: StorageScope, collection: string, query: CollectionQuery | undefined, options: CollectionQueryOptions | undefined): Awaitable<CollectionDocument[]>
  /** How many documents match; `deleteMany` answers how many it deleted. */
  count(scope: StorageScope, collection: string, query: CollectionQuery | undefined): Awaitable<number>
  deleteMany(scope: StorageScope, collection: string, query: CollectionQuery): Awaitable<number>
  dropCollection(scope: StorageScope, collection: string): Awaitable<void>
  /** The collections of this scope that hold documents. */
  listCollections(scope: StorageScope): Awaitable<string[]>
}

/** Secret strings per scope (0.23.0 and later; EXT-HOST-112). `list` gives keys, never values. */
export interface SecretsBackend {
  set(scope: StorageScope, key: string, value: string): Awaitable<void>
  get(scope: StorageScope, key: string): Awaitable<string | undefined>
  delete(scope: StorageScope, key: string): Awaitable<boolean>
  list(scope: StorageScope): Awaitable<string[]>
}

const copy = <T>(value: T): T => (value === undefined || value === null || typeof value !== 'object' ? value : structuredClone(value))

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)

/** Orders two field values: numbers and strings by value, anything else after them, as JSON text. */
function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1
  const [x, y] = [JSON.stringify(a) ?? '', JSON.stringify(b) ?? '']
  return x < y ? -1 : x > y ? 1 : 0
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  return JSON.stringify(a) === JSON.stringify(b)
}

const OPERATORS = new Set(['$gt', '$gte', '$lt', '$lte', '$ne', '$in', '$contains'])

/** True when `condition` is one operator object such as `{"$gt": 3}`. */
function isOperator(condition: unknown): condition is Record<string, unknown> {
  if (!isObject(condition)) return false
  const keys = Object.keys(condition)
  return keys.length === 1 && OPERATORS.has(keys[0] as string)
}

function fieldMatches(value: unknown, condition: unknown): boolean {
  if (!isOperator(condition)) return equal(value, condition)
  const [op, operand] = Object.entries(condition)[0] as [string, unknown]
  switch (op) {
    case '$ne':
      return !equal(value, operand)
    case '$in':
      return Array.isArray(operand) && operand.some((o) => equal(value, o))
    case '$contains':
      return typeof value === 'string' && typeof operand === 'string' ? value.includes(operand) : Array.isArray(value) && value.some((v) => equal(v, operand))
    default: {
      if (value === undefined || (typeof value !== typeof operand)) return false
      const c = compare(value, operand)
      return op === '$gt' ? c > 0 : op === '$gte' ? c >= 0 : op === '$lt' ? c < 0 : c <= 0
    }
  }
}

/** True when the document satisfies every field of the query (an absent or empty query matches all). */
export function matchesQuery(document: CollectionDocument, query: CollectionQuery | undefined): boolean {
  if (query === undefined) return true
  return Object.entries(query).every(([field, condition]) => fieldMatches(Object.hasOwn(document, field) ? document[field] : undefined, condition))
}

type Scoped<V> = { global: Map<string, V>; users: Map<string, Map<string, V>> }

/** One map per extension and one per user within it, so scopes never meet. */
function scopedMaps<V>(): (scope: StorageScope, create: boolean) => Map<string, V> | undefined {
  const byExtension = new Map<string, Scoped<V>>()
  return (scope, create) => {
    let ext = byExtension.get(scope.extensionId)
    if (ext === undefined) {
      if (!create) return undefined
      byExtension.set(scope.extensionId, (ext = { global: new Map(), users: new Map() }))
    }
    if (scope.userId === undefined) return ext.global
    let user = ext.users.get(scope.userId)
    if (user === undefined && create) ext.users.set(scope.userId, (user = new Map()))
    return user
  }
}

/** Collection storage in memory: documents in insertion order per collection, per scope. */
export function memoryCollections(): CollectionsBackend {
  const scopeOf = scopedMaps<Map<string, CollectionDocument>>()
  const collectionOf = (scope: StorageScope, collection: string, create: boolean): Map<string, CollectionDocument> | undefined => {
    const collections = scopeOf(scope, create)
    let docs = collections?.get(collection)
    if (docs === undefined && create && collections !== undefined) collections.set(collection, (docs = new Map()))
    return docs
  }
  const matching = (scope: StorageScope, collection: string, query: CollectionQuery | undefined): Array<[string, CollectionDocument]> =>
    [...(collectionOf(scope, collection, false) ?? new Map<string, CollectionDocument>())].filter(([, doc]) => matchesQuery(doc, query))
  const prune = (scope: StorageScope, collection: string): void => {
    const collections = scopeOf(scope, false)
    if (collections?.get(collection)?.size === 0) collections.delete(collection)
  }
  return {
    put(scope, collection, id, data) {
      const docs = collectionOf(scope, collection, true) as Map<string, CollectionDocument>
      docs.set(id, copy(data))
    },
    get: (scope, collection, id) => copy(collectionOf(scope, collection, false)?.get(id)),
    delete(scope, collection, id) {
      const deleted = collectionOf(scope, collection, false)?.delete(id) ?? false
      prune(scope, collection)
      return deleted
    },
    find(scope, collection, query, options) {
      let docs = matching(scope, collection, query).map(([, doc]) => doc)
      const sort = options?.sort === undefined ? [] : Object.entries(options.sort)
      if (sort.length > 0) {
        docs = [...docs].sort((a, b) => {
          for (const [field, order] of sort) {
            const c = compare(a[field], b[field])
            if (c !== 0) return order === 'desc' ? -c : c
          }
          return 0
        })
      }
      const offset = options?.offset ?? 0
      const end = options?.limit === undefined ? undefined : offset + options.limit
      return docs.slice(offset, end).map(copy)
    },
    count: (scope, collection, query) => matching(scope, collection, query).length,
    deleteMany(scope, collection, query) {
      const docs = collectionOf(scope, collection, false)
      const doomed = matching(scope, collection, query)
      for (const [id] of doomed) docs?.delete(id)
      prune(scope, collection)
      return doomed.length
    },
    dropCollection: (scope, collection) => void scopeOf(scope, false)?.delete(collection),
    listCollections: (scope) => [...(scopeOf(scope, false)?.keys() ?? [])],
  }
}

/** Secrets in memory, per scope. A real host keeps them encrypted at rest; this one is for tests and examples. */
export function memorySecrets(): SecretsBackend {
  const scopeOf = scopedMaps<string>()
  return {
    set: (scope, key, value) => void scopeOf(scope, true)?.set(key, value),
    get: (scope, key) => scopeOf(scope, false)?.get(key),
    delete: (scope, key) => scopeOf(scope, false)?.delete(key) ?? false,
    list: (scope) => [...(scopeOf(scope, false)?.keys() ?? [])],
  }
}
