/**
 * The full-mesh topology (Partisan's default, `partisan_full_membership_strategy`): every node connects
 * to every other, and membership is an OR-set of node specs gossiped in full.
 */
import type { NodeSpec } from "../NodeSpec.js";
import type { MembershipStrategy, MembershipUpdate } from "./MembershipStrategy.js";
import { isNodeSpec } from "./NodeSpecGuard.js";
import { compareNodeSpecs, nodeSpecKey } from "./NodeSpecKey.js";
import { OrSet, type OrSetData } from "./OrSet.js";

/**
 * The full-mesh state of one node. Managers treat it as opaque; it is readable for diagnostics and
 * tests.
 */
export interface FullMeshState {
  /** This node's spec, as given to `init`. */
  readonly self: NodeSpec;
  /** This node's OR-set actor: its name and incarnation (`"name#incarnation"`). */
  readonly actor: string;
  /** The cluster as this node knows it, itself included (just itself after leaving or being removed). */
  readonly membership: OrSet<NodeSpec>;
  /**
   * Set while this node is out of the cluster (it left, or another node removed it), until it joins
   * again: the last cluster view without this node, kept to answer stale gossip from nodes that missed
   * the departure, so that they remove this node instead of pulling it back in.
   */
  readonly departed: OrSet<NodeSpec> | undefined;
}

/** The only full-mesh message: the sender's whole membership. */
export interface FullMeshGossip {
  readonly type: "full-mesh/gossip";
  readonly membership: OrSetData<NodeSpec>;
}

/** Messages of the full-mesh strategy. */
export type FullMeshMessage = FullMeshGossip;

type Update = MembershipUpdate<FullMeshState, FullMeshMessage>;
type Outgoing = Update["outgoing"];

const GOSSIP = "full-mesh/gossip";

const emptySpecs = (): OrSet<NodeSpec> => OrSet.empty<NodeSpec>(nodeSpecKey);

/** The names of the nodes in `sets` other than this one, sorted (the gossip targets). */
const peersOf = (self: NodeSpec, ...sets: OrSet<NodeSpec>[]): string[] => {
  const names = new Set<string>();
  for (const set of sets) for (const spec of set.values()) if (spec.name !== self.name) names.add(spec.name);
  return [...names].sort();
};

/** One spec per other node name, the preferred one where several coexist (see `compareNodeSpecs`). */
const membersOf = (state: FullMeshState): NodeSpec[] => {
  if (state.departed !== undefined) return [];
  const byName = new Map<string, NodeSpec>();
  for (const spec of state.membership.values()) {
    if (spec.name === state.self.name) continue;
    const known = byName.get(spec.name);
    if (known === undefined || compareNodeSpecs(spec, known) > 0) byName.set(spec.name, spec);
  }
  return [...byName.values()].sort(compareNodeSpecs);
};

const gossip = (set: OrSet<NodeSpec>, to: readonly string[]): Outgoing => {
  if (to.length === 0) return [];
  const message: FullMeshGossip = { type: GOSSIP, membership: set.toData() };
  return to.map((name) => [name, message] as const);
};

const update = (state: FullMeshState, outgoing: Outgoing = [], removed = false): Update =>
  removed
    ? { state, members: membersOf(state), outgoing, removed }
    : { state, members: membersOf(state), outgoing };

/** Every spec of this node's name other than its own: earlier lives, old addresses. Only the owner knows. */
const withoutOwnStaleSpecs = (set: OrSet<NodeSpec>, self: NodeSpec): OrSet<NodeSpec> => {
  const own = nodeSpecKey(self);
  return set.removeWhere((spec) => spec.name === self.name && nodeSpecKey(spec) !== own);
};

/** The state of a node out of the cluster: alone in `membership`, with `departed` to answer stale gossip. */
const detach = (state: FullMeshState, departed: OrSet<NodeSpec>): FullMeshState => {
  const { actor, membership } = state;
  // Keep the highest counter of this actor, so that the node's next adds get dots nobody has seen.
  const latest = departed.counter(actor) > membership.counter(actor) ? departed : membership;
  return { ...state, membership: latest.freshFor(actor).add(state.self, actor), departed };
};

/** Gossip after a local change: to every node known before or after it (a removed node learns it). */
const changed = (state: FullMeshState, before: OrSet<NodeSpec>, after: OrSet<NodeSpec>): Update => {
  const next = { ...state, membership: after };
  return update(next, gossip(after, peersOf(state.self, before, after)));
};

/**
 * Gossip from a node while this one is out of the cluster: absorb it into the departure view (this
 * node stays removed from it) and answer the sender if it is behind, so it removes this node too.
 */
const answerWhileDeparted = (from: string, incoming: OrSet<NodeSpec>, state: FullMeshState): Update => {
  const self = state.self;
  const departed = state.departed!.merge(incoming).removeWhere((spec) => spec.name === self.name);
  const next = { ...state, departed };
  return update(next, departed.equals(incoming) || from === self.name ? [] : gossip(departed, [from]));
};

/**
 * The full-mesh strategy: membership is an add-wins OR-set of node specs ({@link OrSet}), and every node
 * connects to every other member (`members` is everyone else). Scales to hundreds of nodes, like
 * Partisan's (every change is gossiped in full to everyone).
 *
 * Behaviour:
 * - `join(peer)` adds the peer's spec and gossips the whole state to every member, the peer included;
 *   the peer merges it and gossips back, and the cluster converges.
 * - Gossip received is merged; the node re-gossips to everyone only if its state changed, and answers
 *   just the sender if the sender is behind, so gossip stops once every node agrees (no echo).
 * - `periodic` gossips the whole state to every member (repairs lost messages and healed partitions).
 * - `leave(self)` removes every spec of this node's name, gossips that to everyone, and leaves the node
 *   alone in a fresh set. Until it joins again it answers gossip from nodes that missed the departure
 *   with the view without it, so stale gossip cannot re-add it (Partisan issue #191); this works in a
 *   two-node cluster too (#128). Joins made by other nodes are refused the same way: a node that left
 *   comes back only through its own `join` (or `compare`). `leave(other)` removes every spec of that name and tells everyone, the
 *   removed node included.
 * - A node that merges a state without itself (another node removed it) detaches as if it had left and
 *   reports `removed: true`.
 * - Stale specs: a node removes every spec of its own name other than its current one (an earlier life,
 *   old addresses) as soon as it sees one, at merge time; the removal then reaches every node through
 *   gossip. Until it does, a node that knows several specs of one name lists only the preferred one in
 *   `members` (see `compareNodeSpecs`). `prune(stale)` removes given specs at the manager's request.
 * - `compare(list)` adds the listed specs it lacks and removes the known ones the list lacks (so nodes
 *   discovery no longer reports are dropped, unlike Partisan issue #116). An empty list changes
 *   nothing: a failed lookup must not dissolve the cluster. After a leave it rejoins, so stop discovery
 *   for a node meant to stay out.
 *
 * Gotchas:
 * - A node's name and incarnation are its OR-set actor and should identify one life (see {@link OrSet}).
 *   A new life that reuses both (a fixed `creation`) is repaired when the old life's counter is ahead
 *   of the new one, not in every case; two live nodes with the same name keep removing each other.
 * - Calling `join` with a stale spec re-adds that spec until its owner prunes it: pass the spec learned
 *   from the handshake.
 * - A node that stops after leaving no longer answers stale gossip; peers that missed its leave keep
 *   it until someone calls `leave` on it (or discovery's `compare` drops it).
 *
 * @example
 * const self: NodeSpec = { name: "a", addresses: ["memory://a"], incarnation: 1, channels: {} };
 * let { state } = FullMesh.init(self);
 * const joined = FullMesh.join(seedSpec, state); // after connecting to the seed
 * state = joined.state;
 * for (const [to, message] of joined.outgoing) sendOnMembershipChannel(to, message);
 * reconnect(joined.members);
 */
export const FullMesh: MembershipStrategy<FullMeshState, FullMeshMessage> = {
  name: "full-mesh",

  init(self) {
    if (!isNodeSpec(self)) throw new TypeError(`FullMesh.init: invalid node spec ${JSON.stringify(self)}`);
    const actor = `${self.name}#${self.incarnation}`;
    return update({ self, actor, membership: emptySpecs().add(self, actor), departed: undefined });
  },

  join(peer, state) {
    if (peer.name === state.self.name) return update(state);
    // Rejoining after a departure starts from the fresh set: joining one node must not pull in the
    // rest of a cluster this node left.
    const membership = state.membership.add(peer, state.actor);
    const next: FullMeshState = { ...state, membership, departed: undefined };
    return update(next, gossip(membership, peersOf(state.self, membership)));
  },

  leave(node, state) {
    const name = typeof node === "string" ? node : node.name;
    const before = state.membership;
    if (name !== state.self.name) {
      const after = before.removeWhere((spec) => spec.name === name);
      return after === before ? update(state) : changed(state, before, after);
    }
    if (state.departed !== undefined) return update(state);
    const departure = before.removeWhere((spec) => spec.name === name);
    return update(detach(state, departure), gossip(departure, peersOf(state.self, before)));
  },

  periodic(state) {
    if (state.departed !== undefined) return update(state);
    return update(state, gossip(state.membership, peersOf(state.self, state.membership)));
  },

  handleMessage(from, message, state) {
    const { self, actor } = state;
    const incoming = OrSet.fromData(message.membership, nodeSpecKey);
    if (state.departed !== undefined) return answerWhileDeparted(from, incoming, state);
    const before = state.membership;
    let merged = before.merge(incoming);
    // Someone has seen adds of this actor that this state has not: an earlier life reused this name and
    // incarnation. Re-add this node with a dot above them, or the merge would read as a removal.
    if (incoming.counter(actor) > before.counter(actor)) merged = merged.add(self, actor);
    merged = withoutOwnStaleSpecs(merged, self);
    if (!merged.has(self)) {
      return update(detach(state, merged), gossip(merged, peersOf(self, before, merged)), true);
    }
    const targets = merged.equals(before) ? [] : peersOf(self, before, merged);
    if (from !== self.name && !targets.includes(from) && !merged.equals(incoming)) targets.push(from);
    return update({ ...state, membership: merged }, gossip(merged, targets));
  },

  compare(list, state) {
    if (list.length === 0) return update(state);
    const self = state.self;
    const listed = new Set(list.map(nodeSpecKey));
    const before = state.membership;
    let after = before;
    for (const spec of list)
      if (spec.name !== self.name && !after.has(spec)) after = after.add(spec, state.actor);
    after = after.removeWhere((spec) => spec.name !== self.name && !listed.has(nodeSpecKey(spec)));
    if (after === before) return update(state);
    return changed({ ...state, departed: undefined }, before, after);
  },

  prune(stale, state) {
    if (state.departed !== undefined || stale.length === 0) return update(state);
    const own = nodeSpecKey(state.self);
    const pruned = new Set(stale.map(nodeSpecKey));
    pruned.delete(own);
    const before = state.membership;
    const after = before.removeWhere((spec) => pruned.has(nodeSpecKey(spec)));
    return after === before ? update(state) : changed(state, before, after);
  },

  isMessage(message): message is FullMeshMessage {
    if (message === null || typeof message !== "object" || Array.isArray(message)) return false;
    const { type, membership } = message as Record<string, unknown>;
    return (
      Object.keys(message).length === 2 &&
      type === GOSSIP &&
      OrSet.isData(membership, isNodeSpec, nodeSpecKey)
    );
  },
};
