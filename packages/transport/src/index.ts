/**
 * `@maquis/transport`: distribution for Maquis nodes, after Partisan. Work in progress: the link-layer
 * interfaces and node specs are here; the media, the wire protocol, membership and the distribution
 * port land next (see docs/distribution.md).
 *
 * @packageDocumentation
 */
export {
  type CloseInfo,
  CloseCode,
  type Connection,
  type DialInfo,
  type Listener,
  type Medium,
} from "./Connection.js";
export { type ChannelOptions, DEFAULT_CHANNEL, MEMBERSHIP_CHANNEL, type NodeSpec } from "./NodeSpec.js";
