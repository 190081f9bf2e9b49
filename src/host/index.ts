/** Host-side pieces. */
export { HostPeer, WaitError, describeClose, type HostPeerOptions, type Received, type TimelineEntry } from './peer.js'
