/**
 * The in-memory network: many nodes' media in one OS process, with deterministic delivery and seeded
 * fault injection, for tests and simulations of a cluster.
 */
import { type Clock, systemClock } from "@maquis/core";
import type { DialInfo, Listener, Medium } from "../Connection.js";
import { type DeliveryMode, DeliveryQueue } from "./DeliveryQueue.js";
import { ConnectRefusedError, ListenError } from "./Errors.js";
import { Faults } from "./Faults.js";
import type { FrameEvent } from "./FrameEvent.js";
import { Link, type NetworkHost } from "./Link.js";
import type { MemoryConnection } from "./MemoryConnection.js";
import { PARTITIONED, Partition } from "./Partition.js";

/** Options of {@link MemoryNetwork}. */
export interface MemoryNetworkOptions {
  /** `"auto"` (default) or `"manual"`: see {@link DeliveryMode}. Can be changed later with `delivery`. */
  readonly delivery?: DeliveryMode;
  /** The clock delay faults run on (default `systemClock`); tests pass a `VirtualClock`. */
  readonly clock?: Clock;
  /** The seed every fault rule's random draws derive from (default 0): same seed, same faults. */
  readonly seed?: number;
}

/** A node's medium on a {@link MemoryNetwork}, from `network.medium(node)`. */
export interface MemoryMedium extends Medium {
  /** The node this medium belongs to: the sending node of everything it dials or accepts. */
  readonly node: string;
  readonly network: MemoryNetwork;
  /**
   * Listens on `address` (`memory://<name>`). Rejects with `ListenError` when the address is taken or
   * malformed. Closing the listener refuses later connects; connections already made stay open.
   */
  listen(address: string, accept: (connection: MemoryConnection) => void): Promise<Listener>;
  /**
   * Dials `address`: resolves with the dialler's end once the listener's `accept` has its end. Rejects
   * with `ConnectRefusedError` when nothing listens there, its listener was closed, or a partition
   * separates the two nodes. If `accept` throws, the connection is discarded and the connect rejects
   * with that error. `info.to` is not checked: as on a real network, the handshake finds out whether
   * the node at `address` is the one expected; `info.channel` is what channel fault rules match.
   */
  connect(address: string, info: DialInfo): Promise<MemoryConnection>;
}

interface ListenerEntry {
  readonly node: string;
  readonly address: string;
  readonly accept: (connection: MemoryConnection) => void;
}

const MEMORY_ADDRESS = /^memory:\/\/\S+$/;
const resolved = Promise.resolve();

/**
 * Many nodes' media in one OS process, connected through a simulated network you control: delivery
 * automatic (on microtasks) or stepped by hand, and faults (drop, delay, duplicate, reorder per
 * direction and channel; partitions) drawn from a seed, so the same seed replays the same run.
 *
 * Give each node its own medium (`network.medium(name)`): the medium's node is who sends what it dials
 * or accepts, which is what fault rules and partitions match on.
 *
 * Gotchas: delays need the clock to move (advance a `VirtualClock`); in `"manual"` mode nothing moves
 * until `step()` or `runUntilIdle()`; connects and listens are never subject to faults, only refused by
 * partitions.
 *
 * @example
 * const clock = new VirtualClock();
 * const network = new MemoryNetwork({ clock, seed: 7, delivery: "manual" });
 * await network.medium("b").listen("memory://b", (connection) => {
 *   connection.onFrame = (frame) => connection.send(frame); // echo
 * });
 * const a = await network.medium("a").connect("memory://b", { from: "a", to: "b", channel: "default" });
 * a.onFrame = (frame) => console.log("echo", frame);
 * network.faults.add({ from: "a", to: "b", delay: 10 });
 * a.send(new Uint8Array([1]));
 * network.runUntilIdle(); // nothing yet: the frame is on the clock
 * clock.advance(10);
 * network.runUntilIdle(); // b echoes, a logs "echo"
 * network.partition(["a"], ["b"]); // both ends close with reason "partitioned"
 */
export class MemoryNetwork {
  /** The clock delays run on. */
  readonly clock: Clock;
  /** The seed the fault rules derive theirs from. */
  readonly seed: number;
  /** The fault rules: `network.faults.add({ from, to, channel, drop, delay, duplicate, reorder })`. */
  readonly faults: Faults;
  /**
   * A trace hook: called for every frame event (delivered, dropped, duplicated, delayed, reordered),
   * synchronously, in the order things happen. Unset (`null`), it costs nothing.
   */
  onFrame: ((event: FrameEvent) => void) | null = null;

  readonly #queue: DeliveryQueue;
  readonly #host: NetworkHost;
  readonly #media = new Map<string, MemoryMedium>();
  readonly #listeners = new Map<string, ListenerEntry>();
  /** Addresses whose listener was closed and that nothing listens on since: refused as such. */
  readonly #closedAddresses = new Set<string>();
  /** Connections with at least one end open. */
  readonly #links = new Set<Link>();
  #partitions: readonly Partition[] = [];
  #connectionCount = 0;
  #frameCount = 0;
  #delayedCount = 0;

  constructor(options: MemoryNetworkOptions = {}) {
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new RangeError(`the seed must be an integer, got ${seed}`);
    this.clock = options.clock ?? systemClock;
    this.seed = seed;
    this.faults = new Faults(seed);
    this.#queue = new DeliveryQueue(options.delivery ?? "auto");
    this.#host = {
      clock: this.clock,
      queue: this.#queue,
      faults: this.faults,
      tracer: () => this.onFrame,
      nextFrameId: () => ++this.#frameCount,
      countDelayed: (delta) => {
        this.#delayedCount += delta;
      },
      retire: (link) => {
        this.#links.delete(link);
      },
    };
  }

  /** The medium of node `node` (the same object each time for the same name). */
  medium(node: string): MemoryMedium {
    if (typeof node !== "string" || node.length === 0) {
      throw new RangeError(`a medium needs a node name, got ${JSON.stringify(node)}`);
    }
    let medium = this.#media.get(node);
    if (medium === undefined) {
      medium = {
        node,
        network: this,
        listen: (address, accept) => this.#listen(node, address, accept),
        connect: (address, info) => this.#connect(node, address, info),
      };
      this.#media.set(node, medium);
    }
    return medium;
  }

  /** How deliveries happen; switching to `"auto"` delivers what is pending on the next microtask. */
  get delivery(): DeliveryMode {
    return this.#queue.mode;
  }

  set delivery(mode: DeliveryMode) {
    this.#queue.mode = mode;
  }

  /**
   * Frames and closes due for delivery now: what `step()` works through. Includes those waiting for
   * their end's owner to set a handler; excludes those on the clock (see `delayed`).
   */
  get pending(): number {
    return this.#queue.length;
  }

  /** Frames and closes waiting on the clock (delay faults, or queued behind a delayed frame). */
  get delayed(): number {
    return this.#delayedCount;
  }

  /**
   * Delivers the next pending frame or close (in the order they became due); false when nothing is
   * ready. Works in both modes; a handler's exception propagates to the caller.
   */
  step(): boolean {
    return this.#queue.step();
  }

  /**
   * Steps until nothing is ready, including whatever the handlers send meanwhile, and returns how many
   * deliveries it made. Does not move the clock. Throws after `maxSteps` deliveries (endpoints that
   * answer every frame with a frame never go idle).
   */
  runUntilIdle(maxSteps = 1_000_000): number {
    return this.#queue.runUntilIdle(maxSteps);
  }

  /**
   * Separates `sideA` from `sideB` (default: from every node not in `sideA`): connections across are
   * cut at once (both ends closed with {@link PARTITIONED}, frames in flight lost) and connects across
   * are refused until the partition heals. Partitions add up. Throws `RangeError` if `sideA` is empty
   * or a node is on both sides.
   */
  partition(sideA: Iterable<string>, sideB?: Iterable<string>): Partition {
    const partition = new Partition(sideA, sideB, (healed) => {
      this.#partitions = this.#partitions.filter((p) => p !== healed);
    });
    this.#partitions = [...this.#partitions, partition];
    for (const link of [...this.#links]) {
      const [dialler, listener] = link.nodes;
      if (partition.separates(dialler, listener)) link.cut({ ...PARTITIONED, local: false }, "partition");
    }
    return partition;
  }

  /** The partitions in force. */
  get partitions(): readonly Partition[] {
    return this.#partitions;
  }

  /** Heals every partition. Connections they cut stay closed: the nodes redial. */
  heal(): void {
    for (const partition of this.#partitions) partition.heal();
  }

  /** Removes every fault rule and heals every partition. */
  clearFaults(): void {
    this.faults.clear();
    this.heal();
  }

  #separated(a: string, b: string): boolean {
    return this.#partitions.some((p) => p.separates(a, b));
  }

  async #listen(
    node: string,
    address: string,
    accept: (connection: MemoryConnection) => void,
  ): Promise<Listener> {
    if (typeof address !== "string" || !MEMORY_ADDRESS.test(address)) {
      throw new ListenError(String(address), "invalid-address");
    }
    if (this.#listeners.has(address)) throw new ListenError(address, "address-in-use");
    const entry: ListenerEntry = { node, address, accept };
    this.#listeners.set(address, entry);
    this.#closedAddresses.delete(address);
    return {
      address,
      close: async () => {
        if (this.#listeners.get(address) !== entry) return;
        this.#listeners.delete(address);
        this.#closedAddresses.add(address);
      },
    };
  }

  async #connect(node: string, address: string, info: DialInfo): Promise<MemoryConnection> {
    // Never synchronous: the listener's accept runs after the connect call returns, as on a real medium.
    await resolved;
    const listener = this.#listeners.get(address);
    if (listener === undefined) {
      throw new ConnectRefusedError(
        address,
        this.#closedAddresses.has(address) ? "listener-closed" : "no-listener",
      );
    }
    if (this.#separated(node, listener.node)) throw new ConnectRefusedError(address, "partitioned");
    const link = new Link(this.#host, ++this.#connectionCount, node, listener, info);
    this.#links.add(link);
    try {
      listener.accept(link.acceptor);
    } catch (error) {
      link.cut(undefined, "closed");
      throw error;
    }
    return link.dialler;
  }
}
