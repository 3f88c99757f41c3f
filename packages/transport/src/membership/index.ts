/**
 * Membership: who should be connected to whom. The topology plug-in interface, the OR-set of node specs
 * and the full-mesh strategy.
 */
export type { MembershipStrategy, MembershipUpdate } from "./MembershipStrategy.js";
export { OrSet, type OrSetData, type KeyOf, MAX_COUNTER } from "./OrSet.js";
export { FullMesh, type FullMeshState, type FullMeshMessage, type FullMeshGossip } from "./FullMesh.js";
export { nodeSpecKey, compareNodeSpecs } from "./NodeSpecKey.js";
export { isNodeSpec, isChannelOptions } from "./NodeSpecGuard.js";
