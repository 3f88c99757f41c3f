/**
 * The in-memory network: many nodes' media in one OS process, with deterministic delivery and seeded
 * fault injection. A product feature, for users' own tests and simulations of a cluster.
 */
export { type MemoryMedium, MemoryNetwork, type MemoryNetworkOptions } from "./MemoryNetwork.js";
export { MemoryConnection } from "./MemoryConnection.js";
export type { DeliveryMode } from "./DeliveryQueue.js";
export { type FaultHandle, type FaultRule, Faults } from "./Faults.js";
export { PARTITIONED, Partition } from "./Partition.js";
export type { DropCause, FrameEvent, FrameFate } from "./FrameEvent.js";
export { type ConnectRefusal, ConnectRefusedError, type ListenFailure, ListenError } from "./Errors.js";
export { SeededRandom } from "./random.js";
