/**
 * What a runtime offers per protocol version (EXT-VER-*): which APIs exist, and the APIs that
 * appeared after 0.22.1 (collection storage, secrets, `tools.list`/`tools.execute`,
 * `user.listIds`). The version table is plain data so that the runtime needs no TypeBox to know
 * it; `versioned.test.ts` holds it to the versioned source (`profile(version)`).
 */
import { inVersion, resolveProfile, DEFAULT_PROFILE, type ProfileVersion } from '../protocol/versions.js'
import type { CollectionStorageAPI, SecretsAPI } from './api.js'

/** The API families of one protocol version. */
export interface ProtocolFeatures {
  readonly version: ProfileVersion
  /** `backgroundWorkers` and the background-task messages (0.22.0 on). */
  readonly background: boolean
  /** Key-value `storage` (`storage.local`) and `database` (`database.own`), up to 0.22.1. */
  readonly keyValueStorage: boolean
  /** Collection `storage` (`storage.collections`), `secrets` (`secrets.manage`) and the execution contexts' storage (0.23.0 on). */
  readonly collections: boolean
  /** `scheduler.reportFireResult` after every `scheduler-fire` (0.26.0 on). */
  readonly fireReport: boolean
  /** `tools.list` and `tools.execute` (0.30.0 on). */
  readonly toolsApi: boolean
  /** `user.listIds` (0.31.0 on). */
  readonly userList: boolean
}

/** The features of `version` (a profile name or alias; default 0.22.1); throws on an unknown version. */
export function protocolFeatures(version?: string): ProtocolFeatures {
  const v = version === undefined ? DEFAULT_PROFILE : resolveProfile(version)
  return Object.freeze({
    version: v,
    background: inVersion(v, '0.22.0'),
    keyValueStorage: inVersion(v, '0.21.0', '0.23.0'),
    collections: inVersion(v, '0.23.0'),
    fireReport: inVersion(v, '0.26.0'),
    toolsApi: inVersion(v, '0.30.0'),
    userList: inVersion(v, '0.31.0'),
  })
}

/** Sends one request of the runtime's protocol and resolves with its data. */
export type Call = (method: string, payload: Record<string, unknown>) => Promise<unknown>

/** A call that cannot be made: rejects with `reason` and sends nothing. */
function refused(reason: string): () => Promise<never> {
  return () => Promise.reject(new Error(reason))
}

/** The payload without the keys whose value is undefined (an omitted optional argument is absent, not null). */
function defined(payload: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined))
}

/**
 * Collection storage of the extension (no `userId`) or of one user (`userId`: the `…ForUser`
 * methods, `userId` first). `userId === null` is a user scope without a user: every call rejects
 * and sends nothing (EXT-VER-004), instead of falling back to the extension's shared scope.
 */
export function collectionStorage(call: Call, userId?: string | null): CollectionStorageAPI {
  const scoped = (op: string) => (userId === undefined ? `storage.${op}` : `storage.${op}ForUser`)
  if (userId === null) {
    const no = (op: string) => refused(`${scoped(op)} needs a user, and this call has no userId`)
    return {
      put: no('put'), get: no('get'), delete: no('delete'), find: no('find'), findOne: no('findOne'), count: no('count'),
      putMany: no('putMany'), deleteMany: no('deleteMany'), dropCollection: no('dropCollection'), listCollections: no('listCollections'),
    }
  }
  const send = (op: string, payload: Record<string, unknown>) => call(scoped(op), defined(userId === undefined ? payload : { userId, ...payload }))
  return {
    put: async (collection, id, data) => void (await send('put', { collection, id, data })),
    get: async <T>(collection: string, id: string) => (await send('get', { collection, id })) as T | undefined,
    delete: async (collection, id) => (await send('delete', { collection, id })) as boolean,
    find: async <T>(collection: string, query?: Record<string, unknown>, options?: object) => (await send('find', { collection, query, options })) as T[],
    findOne: async <T>(collection: string, query: Record<string, unknown>) => (await send('findOne', { collection, query })) as T | undefined,
    count: async (collection, query) => (await send('count', { collection, query })) as number,
    putMany: async (collection, docs) => void (await send('putMany', { collection, docs })),
    deleteMany: async (collection, query) => (await send('deleteMany', { collection, query })) as number,
    dropCollection: async (collection) => void (await send('dropCollection', { collection })),
    listCollections: async () => (await send('listCollections', {})) as string[],
  }
}

/** Secrets of the extension or of one user; `userId === null` as in {@link collectionStorage}. */
export function secretsApi(call: Call, userId?: string | null): SecretsAPI {
  const scoped = (op: string) => (userId === undefined ? `secrets.${op}` : `secrets.${op}ForUser`)
  if (userId === null) {
    const no = (op: string) => refused(`${scoped(op)} needs a user, and this call has no userId`)
    return { set: no('set'), get: no('get'), delete: no('delete'), list: no('list') }
  }
  const send = (op: string, payload: Record<string, unknown>) => call(scoped(op), userId === undefined ? payload : { userId, ...payload })
  return {
    set: async (key, value) => void (await send('set', { key, value })),
    get: async (key) => (await send('get', { key })) as string | undefined,
    delete: async (key) => (await send('delete', { key })) as boolean,
    list: async () => (await send('list', {})) as string[],
  }
}

/** The storage and secrets of an execution context (0.23.0 on): the user's scope only with a user. */
export function executionApis(call: Call, userId: string | undefined): { storage: CollectionStorageAPI; userStorage: CollectionStorageAPI; secrets: SecretsAPI; userSecrets: SecretsAPI } {
  const user = userId === undefined || userId === '' ? null : userId
  return { storage: collectionStorage(call), userStorage: collectionStorage(call, user), secrets: secretsApi(call), userSecrets: secretsApi(call, user) }
}

/** The error of a method whose permission the extension lacks (the worker then sends nothing). */
export function permissionRequired(permission: string): () => Promise<never> {
  return refused(`${permission} permission required`)
}
