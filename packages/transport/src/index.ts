/**
 * `@maquis/transport`: distribution for Maquis nodes, after Partisan. In progress: the link-layer
 * interfaces, node specs, the in-memory network with seeded fault injection, and membership (the
 * topology plug-in interface, the OR-set of node specs, the full-mesh strategy) are here; the
 * distribution port that plugs into `Node.start({ transport })` lands next (see docs/distribution.md).
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
export {
  type ConnectRefusal,
  ConnectRefusedError,
  type DeliveryMode,
  type DropCause,
  type FaultHandle,
  type FaultRule,
  Faults,
  type FrameEvent,
  type FrameFate,
  ListenError,
  type ListenFailure,
  MemoryConnection,
  type MemoryMedium,
  MemoryNetwork,
  type MemoryNetworkOptions,
  PARTITIONED,
  Partition,
  SeededRandom,
} from "./memory/index.js";
export type { MembershipStrategy, MembershipUpdate } from "./membership/MembershipStrategy.js";
export { type KeyOf, MAX_COUNTER, OrSet, type OrSetData } from "./membership/OrSet.js";
export {
  FullMesh,
  type FullMeshGossip,
  type FullMeshMessage,
  type FullMeshState,
} from "./membership/FullMesh.js";
export { compareNodeSpecs, nodeSpecKey } from "./membership/NodeSpecKey.js";
export { isChannelOptions, isNodeSpec } from "./membership/NodeSpecGuard.js";
