/**
 * The full-mesh strategy, callback by callback: join and gossip convergence without echo, leave (self,
 * other, two-node clusters), stale gossip after a leave (Partisan #191, #128), removal detection and
 * rejoin, stale-spec pruning, compare (#116), prune, message validation, and the plug-in typing.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { FullMesh, type FullMeshMessage, type FullMeshState } from "../src/membership/FullMesh.js";
import type { MembershipStrategy, MembershipUpdate } from "../src/membership/MembershipStrategy.js";
import { isNodeSpec } from "../src/membership/NodeSpecGuard.js";
import { compareNodeSpecs, nodeSpecKey } from "../src/membership/NodeSpecKey.js";
import type { NodeSpec } from "../src/NodeSpec.js";

type Update = MembershipUpdate<FullMeshState, FullMeshMessage>;

const spec = (name: string, incarnation = 1, addresses = [`memory://${name}`]): NodeSpec => ({
  name,
  addresses,
  incarnation,
  channels: { default: { parallelism: 1 }, membership: { compression: true } },
});

const names = (specs: readonly NodeSpec[]): string[] => specs.map((s) => s.name);
const keys = (specs: readonly NodeSpec[]): string[] => specs.map(nodeSpecKey).sort();

/** A message as it comes off the wire: plain data, validated. */
const wire = (message: FullMeshMessage): FullMeshMessage => {
  const decoded: unknown = JSON.parse(JSON.stringify(message));
  if (!FullMesh.isMessage(decoded)) throw new Error("invalid gossip on the wire");
  return decoded;
};

/**
 * A few nodes and a FIFO of messages in flight. `run` delivers until nothing is in flight and returns
 * how many messages were delivered (a bound on it is the no-echo property).
 */
class Cluster {
  readonly states = new Map<string, FullMeshState>();
  readonly members = new Map<string, readonly NodeSpec[]>();
  readonly removed: string[] = [];
  inFlight: Array<readonly [from: string, to: string, message: FullMeshMessage]> = [];

  constructor(specs: readonly NodeSpec[]) {
    for (const s of specs) this.apply(s.name, FullMesh.init(s));
  }

  apply(name: string, result: Update): Update {
    this.states.set(name, result.state);
    this.members.set(name, result.members);
    if (result.removed) this.removed.push(name);
    for (const [to, message] of result.outgoing) this.inFlight.push([name, to, message]);
    return result;
  }

  state(name: string): FullMeshState {
    return this.states.get(name)!;
  }

  join(name: string, peer: string): Update {
    return this.apply(name, FullMesh.join(this.state(peer).self, this.state(name)));
  }

  leave(name: string, node: string): Update {
    return this.apply(name, FullMesh.leave(node, this.state(name)));
  }

  deliver(from: string, to: string, message: FullMeshMessage): Update | undefined {
    const state = this.states.get(to);
    return state === undefined
      ? undefined
      : this.apply(to, FullMesh.handleMessage(from, wire(message), state));
  }

  run(limit = 1000): number {
    let delivered = 0;
    while (this.inFlight.length > 0) {
      if (++delivered > limit) throw new Error("gossip does not terminate");
      const [from, to, message] = this.inFlight.shift()!;
      this.deliver(from, to, message);
    }
    return delivered;
  }

  view(name: string): string[] {
    return keys(this.state(name).membership.values());
  }
}

describe("FullMesh: init and join", () => {
  it("starts alone, knowing only itself", () => {
    const a = spec("a");
    const { state, members, outgoing } = FullMesh.init(a);
    expect(members).toEqual([]);
    expect(outgoing).toEqual([]);
    expect(state.membership.values()).toEqual([a]);
    expect(state.actor).toBe("a#1");
  });

  it("rejects an invalid own spec", () => {
    expect(() => FullMesh.init({ ...spec("a"), incarnation: 0 })).toThrow(TypeError);
    expect(() => FullMesh.init({ ...spec("a"), name: "has space" })).toThrow(TypeError);
  });

  it("join adds the peer and gossips the whole state to it", () => {
    const { state } = FullMesh.init(spec("a"));
    const joined = FullMesh.join(spec("b"), state);
    expect(names(joined.members)).toEqual(["b"]);
    expect(joined.outgoing).toHaveLength(1);
    const [to, message] = joined.outgoing[0]!;
    expect(to).toBe("b");
    expect(FullMesh.isMessage(message)).toBe(true);
    expect(message.membership.entries.map(([s]) => s.name)).toEqual(["a", "b"]);
  });

  it("joining itself changes nothing", () => {
    const { state } = FullMesh.init(spec("a"));
    const result = FullMesh.join(spec("a"), state);
    expect(result.state).toBe(state);
    expect(result.outgoing).toEqual([]);
  });

  it("a cluster formed through one seed converges, and the gossip stops", () => {
    const all = ["a", "b", "c", "d"].map((n) => spec(n));
    const cluster = new Cluster(all);
    for (const n of ["b", "c", "d"]) cluster.join(n, "a");
    const delivered = cluster.run();
    expect(delivered).toBeLessThan(60);
    for (const s of all) {
      expect(cluster.view(s.name)).toEqual(keys(all));
      expect(names(cluster.members.get(s.name)!)).toEqual(all.map((x) => x.name).filter((n) => n !== s.name));
    }
  });

  it("gossip equal to the local state produces no messages (no echo)", () => {
    const cluster = new Cluster([spec("a"), spec("b")]);
    cluster.join("a", "b");
    cluster.run();
    const message = FullMesh.periodic(cluster.state("a")).outgoing[0]![1];
    const result = cluster.deliver("a", "b", message)!;
    expect(result.outgoing).toEqual([]);
    expect(result.state.membership.equals(cluster.state("a").membership)).toBe(true);
  });

  it("answers only the sender when the sender is behind", () => {
    const cluster = new Cluster([spec("a"), spec("b"), spec("c")]);
    cluster.join("b", "a");
    cluster.run();
    const stale = FullMesh.periodic(cluster.state("a")).outgoing[0]![1]; // a knows a and b
    cluster.join("c", "a");
    cluster.run();
    const result = FullMesh.handleMessage("a", wire(stale), cluster.state("b"));
    expect(result.outgoing.map(([to]) => to)).toEqual(["a"]);
  });

  it("periodic gossips the whole state to every member", () => {
    const cluster = new Cluster([spec("a"), spec("b"), spec("c")]);
    cluster.join("b", "a");
    cluster.join("c", "a");
    cluster.run();
    const periodic = FullMesh.periodic(cluster.state("a"));
    expect(periodic.outgoing.map(([to]) => to)).toEqual(["b", "c"]);
    expect(periodic.state).toBe(cluster.state("a"));
  });
});

describe("FullMesh: leave", () => {
  const formed = (...nodes: string[]): Cluster => {
    const cluster = new Cluster(nodes.map((n) => spec(n)));
    for (const n of nodes.slice(1)) cluster.join(n, nodes[0]!);
    cluster.run();
    return cluster;
  };

  it("leave(self) tells every member, then leaves the node alone", () => {
    const cluster = formed("a", "b", "c");
    const result = cluster.leave("c", "c");
    expect(result.members).toEqual([]);
    expect(result.outgoing.map(([to]) => to)).toEqual(["a", "b"]);
    expect(result.state.membership.values()).toEqual([spec("c")]);
    expect(result.removed).toBeUndefined();
    cluster.run();
    expect(cluster.view("a")).toEqual(keys([spec("a"), spec("b")]));
    expect(cluster.view("b")).toEqual(keys([spec("a"), spec("b")]));
    expect(names(cluster.members.get("a")!)).toEqual(["b"]);
    expect(cluster.removed).toEqual([]);
  });

  it("works in a two-node cluster (Partisan #128)", () => {
    const cluster = formed("a", "b");
    cluster.leave("b", "b");
    cluster.run();
    expect(cluster.members.get("a")).toEqual([]);
    expect(cluster.members.get("b")).toEqual([]);
    expect(cluster.view("a")).toEqual(keys([spec("a")]));
  });

  it("stale gossip does not re-add a node that left (Partisan #191)", () => {
    const cluster = formed("a", "b", "c");
    const stale = FullMesh.periodic(cluster.state("b")).outgoing[0]![1]; // b's view, with c in it
    cluster.leave("c", "c");
    cluster.run();
    // The stale message reaches a, which already knows c left.
    const atA = cluster.deliver("b", "a", stale)!;
    expect(names(atA.members)).toEqual(["b"]);
    cluster.run();
    // It reaches c itself: c stays out and answers, and the sender removes c again.
    const atC = cluster.deliver("b", "c", stale)!;
    expect(atC.members).toEqual([]);
    expect(atC.outgoing.map(([to]) => to)).toEqual(["b"]);
    cluster.run();
    for (const n of ["a", "b"]) expect(cluster.view(n)).toEqual(keys([spec("a"), spec("b")]));
    expect(cluster.members.get("c")).toEqual([]);
  });

  it("a node that left and missed nothing is removed by its answers when its leave gossip was lost", () => {
    const cluster = formed("a", "b");
    cluster.leave("b", "b");
    cluster.inFlight = []; // the leave gossip is lost
    expect(names(cluster.members.get("a")!)).toEqual(["b"]);
    cluster.apply("a", FullMesh.periodic(cluster.state("a")));
    cluster.run();
    expect(cluster.members.get("a")).toEqual([]);
    expect(cluster.view("a")).toEqual(keys([spec("a")]));
  });

  it("a node that left rejoins with join, and only the joined node's cluster comes back", () => {
    const cluster = formed("a", "b", "c");
    cluster.leave("c", "c");
    cluster.run();
    cluster.join("c", "a");
    cluster.run();
    for (const n of ["a", "b", "c"])
      expect(cluster.view(n)).toEqual(keys(["a", "b", "c"].map((x) => spec(x))));
    expect(names(cluster.members.get("c")!)).toEqual(["a", "b"]);
  });

  it("leave(other) removes every spec of that name and tells the removed node, which detaches", () => {
    const cluster = formed("a", "b", "c");
    const result = cluster.leave("a", "c");
    expect(names(result.members)).toEqual(["b"]);
    expect(result.outgoing.map(([to]) => to)).toEqual(["b", "c"]);
    cluster.run();
    expect(cluster.removed).toEqual(["c"]);
    expect(cluster.members.get("c")).toEqual([]);
    expect(cluster.state("c").membership.values()).toEqual([spec("c")]);
    expect(cluster.view("b")).toEqual(keys([spec("a"), spec("b")]));
    // The removed node's periodic work sends nothing until it joins again.
    expect(FullMesh.periodic(cluster.state("c")).outgoing).toEqual([]);
    cluster.join("c", "b");
    cluster.run();
    for (const n of ["a", "b", "c"])
      expect(cluster.view(n)).toEqual(keys(["a", "b", "c"].map((x) => spec(x))));
  });

  it("leave of an unknown node, or a second leave(self), changes nothing", () => {
    const cluster = formed("a", "b");
    const state = cluster.state("a");
    expect(FullMesh.leave("zz", state).state).toBe(state);
    const left = FullMesh.leave(spec("a"), state);
    const again = FullMesh.leave("a", left.state);
    expect(again.state).toBe(left.state);
    expect(again.outgoing).toEqual([]);
  });
});

describe("FullMesh: stale specs", () => {
  it("a restarted node (new incarnation and address) prunes its old spec everywhere", () => {
    const cluster = new Cluster([spec("a"), spec("b"), spec("c")]);
    cluster.join("b", "a");
    cluster.join("c", "a");
    cluster.run();
    const reborn = spec("c", 7, ["memory://c-new"]);
    cluster.apply("c", FullMesh.init(reborn));
    cluster.join("c", "a");
    cluster.run();
    const expected = keys([spec("a"), spec("b"), reborn]);
    for (const n of ["a", "b", "c"]) expect(cluster.view(n)).toEqual(expected);
    expect(cluster.members.get("a")).toEqual([spec("b"), reborn]);
    expect(cluster.removed).toEqual([]);
  });

  it("while several specs of a name coexist, members lists the preferred one only", () => {
    const old = spec("b", 5, ["memory://b-old"]);
    const newer = spec("b", 9, ["memory://b-new"]);
    let { state } = FullMesh.init(spec("a"));
    state = FullMesh.join(old, state).state;
    const result = FullMesh.join(newer, state);
    expect(result.state.membership.values()).toHaveLength(3);
    expect(result.members).toEqual([newer]);
    // Ties on incarnation go by address list.
    const other = spec("b", 9, ["memory://b-zzz"]);
    expect(FullMesh.join(other, result.state).members).toEqual([other]);
  });

  it("the owner prunes any other spec of its name at merge time, even with its own incarnation", () => {
    const a = FullMesh.init(spec("a"));
    const wrongAddress = spec("b", 1, ["memory://typo"]);
    const joined = FullMesh.join(wrongAddress, a.state);
    const b = FullMesh.init(spec("b"));
    const atB = FullMesh.handleMessage("a", wire(joined.outgoing[0]![1]), b.state);
    expect(keys(atB.state.membership.values())).toEqual(keys([spec("a"), spec("b")]));
    const back = FullMesh.handleMessage("b", wire(atB.outgoing[0]![1]), joined.state);
    expect(back.members).toEqual([spec("b")]);
  });

  it("prune removes exactly the given specs, gossips, and never prunes this node", () => {
    const old = spec("b", 5, ["memory://b-old"]);
    let { state } = FullMesh.init(spec("a"));
    state = FullMesh.join(old, state).state;
    state = FullMesh.join(spec("b"), state).state;
    state = FullMesh.join(spec("c"), state).state;
    const result = FullMesh.prune([old, spec("a"), spec("zz")], state);
    expect(keys(result.state.membership.values())).toEqual(keys([spec("a"), spec("b"), spec("c")]));
    expect(result.outgoing.map(([to]) => to)).toEqual(["b", "c"]);
    const nothing = FullMesh.prune([spec("zz")], result.state);
    expect(nothing.state).toBe(result.state);
    expect(nothing.outgoing).toEqual([]);
  });

  it("a new life reusing the name and incarnation of an old one is not read as removed", () => {
    const cluster = new Cluster([spec("a"), spec("b")]);
    cluster.join("a", "b");
    cluster.join("a", "b"); // the old life's counter moves ahead
    cluster.run();
    // Same incarnation (a fixed `creation`), another port: its counter starts at 1 again, so its first
    // dot is one b has already seen, on the old spec.
    const again = spec("a", 1, ["memory://a-2"]);
    cluster.apply("a", FullMesh.init(again));
    cluster.join("a", "b");
    cluster.run();
    cluster.apply("b", FullMesh.periodic(cluster.state("b")));
    cluster.run();
    expect(cluster.removed).toEqual([]);
    expect(cluster.members.get("b")).toEqual([again]);
    expect(cluster.view("b")).toEqual(keys([again, spec("b")]));
    expect(names(cluster.members.get("a")!)).toEqual(["b"]);
  });
});

describe("FullMesh: compare (peer discovery)", () => {
  it("adds the listed specs it lacks and removes the known ones the list lacks (Partisan #116)", () => {
    let { state } = FullMesh.init(spec("a"));
    state = FullMesh.join(spec("b"), state).state;
    state = FullMesh.join(spec("gone"), state).state;
    const result = FullMesh.compare([spec("a"), spec("b"), spec("c")], state);
    expect(names(result.members)).toEqual(["b", "c"]);
    expect(result.outgoing.map(([to]) => to)).toEqual(["b", "c", "gone"]);
  });

  it("never removes this node, and an empty list changes nothing", () => {
    let { state } = FullMesh.init(spec("a"));
    state = FullMesh.join(spec("b"), state).state;
    expect(FullMesh.compare([], state).state).toBe(state);
    const result = FullMesh.compare([spec("b")], state);
    expect(result.state).toBe(state);
    expect(result.state.membership.has(spec("a"))).toBe(true);
  });

  it("rejoins a node that had left", () => {
    let { state } = FullMesh.init(spec("a"));
    state = FullMesh.join(spec("b"), state).state;
    state = FullMesh.leave("a", state).state;
    const result = FullMesh.compare([spec("b")], state);
    expect(names(result.members)).toEqual(["b"]);
    expect(result.state.departed).toBeUndefined();
  });
});

describe("FullMesh: message validation", () => {
  const good = (): unknown =>
    JSON.parse(JSON.stringify(FullMesh.join(spec("b"), FullMesh.init(spec("a")).state).outgoing[0]![1]));

  it("accepts gossip decoded off the wire", () => {
    expect(FullMesh.isMessage(good())).toBe(true);
  });

  it.each<[string, (m: Record<string, unknown>) => unknown]>([
    ["null", () => null],
    ["an array", () => []],
    ["another type", (m) => ({ ...m, type: "hyparview/shuffle" })],
    ["an extra field", (m) => ({ ...m, extra: true })],
    ["no membership", (m) => ({ type: m.type })],
    [
      "an invalid spec",
      (m) => {
        const membership = m.membership as { entries: unknown[][] };
        (membership.entries[0]![0] as Record<string, unknown>).incarnation = -1;
        return m;
      },
    ],
    [
      "a dot beyond the version vector",
      (m) => {
        const membership = m.membership as { clock: number[] };
        membership.clock[0] = 1;
        return m;
      },
    ],
  ])("rejects %s", (_, corrupt) => {
    expect(FullMesh.isMessage(corrupt(good() as Record<string, unknown>))).toBe(false);
  });

  it("validates node specs strictly", () => {
    expect(isNodeSpec(spec("a"))).toBe(true);
    expect(isNodeSpec({ ...spec("a"), addresses: [] })).toBe(true);
    expect(isNodeSpec({ ...spec("a"), channels: { x: { compression: { level: 3, threshold: 0 } } } })).toBe(
      true,
    );
    expect(isNodeSpec({ ...spec("a"), name: "" })).toBe(false);
    expect(isNodeSpec({ ...spec("a"), addresses: [1] })).toBe(false);
    expect(isNodeSpec({ ...spec("a"), incarnation: 2 ** 32 })).toBe(false);
    expect(isNodeSpec({ ...spec("a"), channels: { x: { parallelism: 0 } } })).toBe(false);
    expect(isNodeSpec({ ...spec("a"), channels: { x: { compression: { level: 10 } } } })).toBe(false);
    expect(isNodeSpec({ ...spec("a"), channels: { x: { unknown: 1 } } })).toBe(false);
    expect(isNodeSpec({ ...spec("a"), extra: 1 })).toBe(false);
  });
});

describe("node spec identity and order", () => {
  it("keys ignore channel key order and undefined fields", () => {
    const a: NodeSpec = {
      name: "a",
      addresses: ["x"],
      incarnation: 1,
      channels: { p: { monotonic: true, parallelism: 2 } },
    };
    const b: NodeSpec = {
      channels: { p: { parallelism: 2, monotonic: true, compression: undefined } },
      incarnation: 1,
      addresses: ["x"],
      name: "a",
    };
    expect(nodeSpecKey(a)).toBe(nodeSpecKey(b));
    expect(nodeSpecKey(a)).not.toBe(nodeSpecKey({ ...a, addresses: ["y"] }));
  });

  it("orders by name, incarnation, then address list", () => {
    const sorted = [
      spec("b", 2),
      spec("a", 3),
      spec("b", 1, ["z"]),
      spec("b", 1, ["a", "b"]),
      spec("b", 1, ["a"]),
    ].sort(compareNodeSpecs);
    expect(sorted).toEqual([
      spec("a", 3),
      spec("b", 1, ["a"]),
      spec("b", 1, ["a", "b"]),
      spec("b", 1, ["z"]),
      spec("b", 2),
    ]);
  });
});

describe("FullMesh: the plug-in typing", () => {
  it("is storable as a MembershipStrategy of unknown state and messages", () => {
    const strategies: MembershipStrategy[] = [FullMesh];
    expect(strategies[0]!.name).toBe("full-mesh");
    expectTypeOf(FullMesh).toExtend<MembershipStrategy>();
    expectTypeOf(FullMesh.init(spec("a")).outgoing).toEqualTypeOf<
      ReadonlyArray<readonly [to: string, message: FullMeshMessage]>
    >();
  });
});
