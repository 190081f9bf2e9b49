/**
 * Static types per profile, so code written against one version is checked against that version's
 * methods and payloads: `ProtocolTypes['0.36.0']['RequestPayloads']['storage.put']`, or the
 * aliases such as `Protocol_0_36_0`. The 0.22.0 entry is today's default types, unchanged.
 */
import type { Static } from 'typebox'
import type { HostToWorkerMessage as DefaultHostToWorker, WorkerToHostMessage as DefaultWorkerToHost } from './catalogue.js'
import type { ProviderChatRequestMessage } from './messages/provider.js'
import type { BackgroundTaskHealthMessage, BackgroundTaskRegisteredMessage, BackgroundTaskStartMessage, BackgroundTaskStatusMessage, BackgroundTaskStopMessage } from './messages/background.js'
import type { RequestPayloads, ResponseData } from './methods.js'
import type { AddedRequestPayloads, AddedResponseData } from './versions-methods.js'
import type { ProviderChatRequestMessageWithContext } from './versions-source.js'

type Removed023 = 'database.execute' | 'storage.set' | 'storage.keys' | 'storage.setForUser' | 'storage.keysForUser'
type Changed023 = 'storage.get' | 'storage.delete' | 'storage.getForUser' | 'storage.deleteForUser'
type Storage023 = Exclude<keyof AddedRequestPayloads, 'scheduler.reportFireResult' | 'tools.list' | 'tools.execute' | 'user.listIds'>
type Pick2<T, K extends keyof T> = { [P in K]: T[P] }

type Payloads022 = RequestPayloads
type Payloads023 = Omit<RequestPayloads, Removed023 | Changed023> & Pick2<AddedRequestPayloads, Storage023>
type Payloads026 = Payloads023 & Pick2<AddedRequestPayloads, 'scheduler.reportFireResult'>
type Payloads030 = Payloads026 & Pick2<AddedRequestPayloads, 'tools.list' | 'tools.execute'>
type Payloads031 = Payloads030 & Pick2<AddedRequestPayloads, 'user.listIds'>

type Data022 = ResponseData
type Data023 = Omit<ResponseData, Removed023 | Changed023> & Pick2<AddedResponseData, Storage023>
type Data026 = Data023 & Pick2<AddedResponseData, 'scheduler.reportFireResult'>
type Data030 = Data026 & Pick2<AddedResponseData, 'tools.list' | 'tools.execute'>
type Data031 = Data030 & Pick2<AddedResponseData, 'user.listIds'>

/** The `request` message over a payload table: one variant per method. */
export type RequestOf<P> = { [M in keyof P]: { type: 'request'; id: string; method: M; payload: P[M] } }[keyof P]

type Background = BackgroundTaskStartMessage | BackgroundTaskStopMessage | BackgroundTaskRegisteredMessage | BackgroundTaskStatusMessage | BackgroundTaskHealthMessage

type H2W<WithContext extends boolean, WithBackground extends boolean> =
  | Exclude<DefaultHostToWorker, ProviderChatRequestMessage | (WithBackground extends true ? never : Background)>
  | (WithContext extends true ? Static<typeof ProviderChatRequestMessageWithContext> : ProviderChatRequestMessage)
type W2H<P, WithBackground extends boolean> =
  | Exclude<DefaultWorkerToHost, { type: 'request' } | (WithBackground extends true ? never : Background)>
  | RequestOf<P>

/** The types of one profile. */
export interface ProfileTypes<P, D, H, W> {
  /** Payload of each request method. */
  RequestPayloads: P
  /** Response data of each request method. */
  ResponseData: D
  /** A request method name. */
  RequestMethod: keyof P
  /** Any host->worker message. */
  HostToWorkerMessage: H
  /** Any worker->host message. */
  WorkerToHostMessage: W
}

/** The types of every profile, by version. */
export interface ProtocolTypes {
  '0.21.0': ProfileTypes<Payloads022, Data022, H2W<false, false>, W2H<Payloads022, false>>
  '0.22.0': ProfileTypes<Payloads022, Data022, DefaultHostToWorker, DefaultWorkerToHost>
  '0.23.0': ProfileTypes<Payloads023, Data023, H2W<false, true>, W2H<Payloads023, true>>
  '0.26.0': ProfileTypes<Payloads026, Data026, H2W<false, true>, W2H<Payloads026, true>>
  '0.30.0': ProfileTypes<Payloads030, Data030, H2W<true, true>, W2H<Payloads030, true>>
  '0.31.0': ProfileTypes<Payloads031, Data031, H2W<true, true>, W2H<Payloads031, true>>
  '0.33.0': ProfileTypes<Payloads031, Data031, H2W<true, true>, W2H<Payloads031, true>>
  '0.36.0': ProfileTypes<Payloads031, Data031, H2W<true, true>, W2H<Payloads031, true>>
}

/** The 0.21.0 types. */
export type Protocol_0_21_0 = ProtocolTypes['0.21.0']
/** The 0.22.0 (= 0.22.1, the default) types. */
export type Protocol_0_22_0 = ProtocolTypes['0.22.0']
/** The 0.23.0 types. */
export type Protocol_0_23_0 = ProtocolTypes['0.23.0']
/** The 0.26.0 types. */
export type Protocol_0_26_0 = ProtocolTypes['0.26.0']
/** The 0.30.0 types. */
export type Protocol_0_30_0 = ProtocolTypes['0.30.0']
/** The 0.31.0 types. */
export type Protocol_0_31_0 = ProtocolTypes['0.31.0']
/** The 0.33.0 types. */
export type Protocol_0_33_0 = ProtocolTypes['0.33.0']
/** The 0.36.0 types. */
export type Protocol_0_36_0 = ProtocolTypes['0.36.0']
