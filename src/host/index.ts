/** Host-side pieces. */
export { HostPeer, WaitError, describeClose, type HostPeerOptions, type Received } from './peer.js'
