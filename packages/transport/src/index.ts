/**
 * `@maquis/transport`: distribution for Maquis nodes, after Partisan. `Cluster` is the distribution
 * port (`Node.start({ transport: cluster.transport })`, or `Cluster.start`): sessions of authenticated
 * connections per peer over named channels, a pluggable topology (`FullMesh` by default), keep-alive and
 * reconnection. `Rpc` gives remote calls and remote spawn. Media: `MemoryNetwork` here (with seeded
 * fault injection), and the WebSocket medium at `@maquis/transport/websocket`. See docs/distribution.md.
 *
 @packageDocumentation
 */
export {
  type CloseInfo,
  CloseCode,
  type Connection,
  type DialInfo,
  type Listener,
  type Medium,
} from "./Connection.js";
export {
  Cluster,
  ClusterError,
  type ClusterErrorCode,
  type ClusterLogger,
  type ClusterOptions,
  type ClusterStartOptions,
  type KeepAliveOptions,
  type ReconnectOptions,
} from "./cluster/index.js";
export {
  MAX_NAME_LENGTH as RPC_MAX_NAME_LENGTH,
  RPC_SERVER_NAME,
  Rpc,
  type RpcApi,
  type RpcCallOptions,
  type RpcCaller,
  RpcError,
  type RpcErrorKind,
  type RpcFunction,
  type RpcLogEvent,
  type RpcLogger,
  type RpcOperation,
  type RpcRequestId,
  type RpcResult,
  RpcServer,
  type RpcServerOptions,
  type RpcSpawnable,
  type RpcSpawnOptions,
} from "./rpc/index.js";
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
export {
  type AuthFrame,
  type ByeFrame,
  type ChallengeFrame,
  ChannelOptionsSchema,
  type CompressionOptions,
  type ConnectionHandlers,
  closeCodeFor,
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_COMPRESSION_THRESHOLD,
  DEFAULT_HANDSHAKE_TIMEOUT_MS,
  DEFAULT_MAX_PAYLOAD,
  type DataFrame,
  type DecodeFrameOptions,
  type DialerHandshakeOptions,
  decodeFrame,
  type EncodeFrameOptions,
  encodeFrame,
  type Frame,
  FrameKind,
  type FrameKindName,
  type GossipFrame,
  HANDSHAKE_MAX_PAYLOAD,
  type HandshakeFrame,
  type HandshakeOptions,
  type HandshakeOptionsBase,
  type HandshakeResult,
  type HelloFrame,
  handshake,
  isWireError,
  type ListenerHandshakeOptions,
  NodeSpecSchema,
  type PingFrame,
  type PongFrame,
  WIRE_VERSION,
  type WelcomeFrame,
  WireError,
  type WireErrorCode,
} from "./wire/index.js";
