/**
 * The topology plug-in point (Partisan's membership strategy): who this node should be connected to, and
 * the protocol messages that keep every node's answer up to date. Full mesh is the default; partial views
 * (HyParView), client–server, static lists and users' own topologies implement the same interface.
 */
import type { NodeSpec } from "../NodeSpec.js";

/**
 * What every strategy callback returns (Partisan's `{ok, Members, OutgoingMessages, State}`).
 *
 * The manager replaces its stored state with `state`, sends each `outgoing` message, then reconciles its
 * connections with `members`.
 */
export interface MembershipUpdate<State, Message> {
  /** The strategy's next state; the manager passes it to the next callback and nothing else reads it. */
  readonly state: State;
  /**
   * The nodes this node should be connected to now, never including itself: the whole answer each time,
   * not a difference. One spec per node name. This is the *desired* topology, not connectivity: a member
   * may be unreachable right now, and the manager may hold connections to non-members (for monitors or
   * requests a process made).
   */
  readonly members: readonly NodeSpec[];
  /**
   * Protocol messages to send, each to a node name, on the membership channel. They may address nodes
   * that are not (or no longer) in `members`, typically a node just removed, so that it learns about
   * it; the manager sends those over a connection it still has and drops them otherwise.
   */
  readonly outgoing: ReadonlyArray<readonly [to: string, message: Message]>;
  /**
   * True when this node has just learned that another node removed it from the cluster (someone called
   * `leave` on it). The strategy has already detached itself (`members` is empty); the manager should
   * close its connections and either stop or rejoin through `join`. Absent or false otherwise.
   */
  readonly removed?: boolean;
}

/**
 * A topology: a pure state machine over membership, driven by the manager (the distribution port's
 * glue). Callbacks do no I/O, start no timers and never block; the manager owns the sockets, the timers
 * and the serialisation.
 *
 * **Who calls what, and when.** The manager keeps one state per node and makes one call at a time,
 * always passing the state returned by the previous call:
 * - `init(self)` once, when the node starts. A restarted node is a new life with a new incarnation in
 *   its spec, and gets a fresh `init`; strategy state is never carried across lives.
 * - `join(peer)` when the user (or the manager on their behalf) joins a node, after connecting to it and
 *   learning its current spec from the handshake.
 * - `leave(node)` when the user asks this node to leave (`node` is this node) or to remove another node.
 * - `periodic()` on a timer (Partisan's default: every 10 s).
 * - `handleMessage(from, message)` for each message that arrives on the membership channel, where `from`
 *   is the peer's name as authenticated by the handshake (never a field of the message) and
 *   `isMessage(message)` holds. Anything else is dropped before it reaches the strategy.
 * - `compare(list)` with the complete list of specs from peer discovery (Partisan's `update_members`).
 * - `prune(stale)` when the manager learns that specs are stale, typically when a handshake with a node
 *   reports an incarnation or addresses that differ from a spec of the same name in `members`.
 *
 * **What the strategy may assume.** Outgoing messages are best effort: they may be lost, duplicated,
 * reordered or delivered after the recipient restarted; the strategy must converge anyway (periodic
 * work exists for that). Messages pass through the wire codec (msgpack), so they must be plain data:
 * records, arrays, strings, numbers, booleans, `null`.
 *
 * **What must not depend on the strategy.** Node monitoring, `nodeup`/`nodedown` and `noconnection`
 * come from connections, whatever the topology says: a member that is not connected is down, and a
 * connected node that is not a member is up. Leaving `members` only tells the manager it may close the
 * connection; it does not make links or monitors fire by itself.
 *
 * Callbacks should not throw for inputs that satisfy the contract; if one does, the manager keeps the
 * previous state and logs the error.
 *
 * Write callbacks with method syntax (as here) so that a `MembershipStrategy<MyState, MyMessage>` can be
 * stored as a `MembershipStrategy` (whose state and messages are `unknown`).
 *
 * @example
 * // A static topology: connect to exactly the nodes joined, no gossip.
 * const Static: MembershipStrategy<readonly NodeSpec[], never> = {
 *   name: "static",
 *   init: (self) => ({ state: [], members: [], outgoing: [] }),
 *   join: (peer, peers) => {
 *     const state = [...peers.filter((p) => p.name !== peer.name), peer];
 *     return { state, members: state, outgoing: [] };
 *   },
 *   // ...leave, periodic, handleMessage, compare, prune likewise
 *   isMessage: (message): message is never => false,
 * };
 */
export interface MembershipStrategy<State = unknown, Message = unknown> {
  /**
   * A short stable identifier (e.g. `"full-mesh"`), for logs and so that the manager can tag messages
   * and drop those of a different strategy (a misconfigured node) instead of misreading them.
   */
  readonly name: string;

  /** The state of a node that has just started and knows only itself (`self` is its own spec). */
  init(self: NodeSpec): MembershipUpdate<State, Message>;

  /** Joins `peer` (its current spec, as learned by connecting to it) into this node's cluster. */
  join(peer: NodeSpec, state: State): MembershipUpdate<State, Message>;

  /**
   * Leaves the cluster (`node` names this node) or removes another node from it. A name or a spec: every
   * spec with that name goes, whatever its incarnation.
   */
  leave(node: NodeSpec | string, state: State): MembershipUpdate<State, Message>;

  /** Periodic maintenance: re-gossip, shuffles, view repair. Called on the manager's timer. */
  periodic(state: State): MembershipUpdate<State, Message>;

  /** A protocol message from node `from` (validated by `isMessage`). */
  handleMessage(from: string, message: Message, state: State): MembershipUpdate<State, Message>;

  /**
   * Reconciles membership with `members`, an authoritative list of the cluster's specs (peer discovery):
   * joins the specs not yet known and removes the known ones missing from the list.
   */
  compare(members: readonly NodeSpec[], state: State): MembershipUpdate<State, Message>;

  /** Removes exactly these specs, known to be stale (an earlier life or old addresses of a node). */
  prune(stale: readonly NodeSpec[], state: State): MembershipUpdate<State, Message>;

  /**
   * Whether `message`, decoded off the wire, is a well-formed message of this strategy. The manager
   * calls it before `handleMessage` and drops (and logs) what fails; it must check everything the
   * strategy relies on, since the sender may run other code.
   */
  isMessage(message: unknown): message is Message;
}
