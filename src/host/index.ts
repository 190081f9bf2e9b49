/** Host-side pieces. */
export { HostPeer, WaitError, DEFAULT_MAX_MESSAGES, describeClose, type HostPeerOptions, type Received, type TimelineEntry } from './peer.js'
export { VirtualClock, systemClock, type Clock, type TimerHandle } from './clock.js'
