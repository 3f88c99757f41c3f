/**
 * A deterministic simulation of five full-mesh nodes on a tiny message bus: seeded delivery order, drops
 * and duplicates, joins through one seed node, a leave, stale gossip replayed after it, a restart with a
 * new incarnation and a new address, a removal and rejoin, and a partition during which nodes restart and
 * rejoin, healed by periodic gossip. After each phase every node must agree on the members and no stale
 * spec may remain anywhere.
 */
import { describe, expect, it } from "vitest";
import { FullMesh, type FullMeshMessage, type FullMeshState } from "../src/membership/FullMesh.js";
import type { MembershipUpdate } from "../src/membership/MembershipStrategy.js";
import { nodeSpecKey } from "../src/membership/NodeSpecKey.js";
import type { NodeSpec } from "../src/NodeSpec.js";

/** mulberry32: a small seeded PRNG, so every run (and every failure) is reproducible. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number): number => Math.floor(next() * n),
    shuffle: <T>(items: readonly T[]): T[] => {
      const out = [...items];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
};
type Prng = ReturnType<typeof prng>;

interface Envelope {
  readonly from: string;
  readonly to: string;
  /** The message as encoded on the wire (JSON here; msgpack in the real port). */
  readonly bytes: string;
}

interface Faults {
  /** Probability that a message is lost. */
  drop: number;
  /** Probability that a delivered message is delivered a second time later. */
  duplicate: number;
  /** Node groups that cannot reach each other; empty when the network is whole. */
  partition: ReadonlyArray<ReadonlySet<string>>;
}

/** The manager's part, reduced to what membership needs: apply results, send, deliver, tick. */
class Simulation {
  readonly nodes = new Map<string, { state: FullMeshState; members: readonly NodeSpec[] }>();
  readonly removals: string[] = [];
  readonly faults: Faults = { drop: 0, duplicate: 0, partition: [] };
  private queue: Envelope[] = [];
  delivered = 0;
  private life = 0;

  private readonly rng: Prng;

  constructor(rng: Prng) {
    this.rng = rng;
  }

  /** Starts (or restarts) a node: a new life with a fresh incarnation and, on restart, a new address. */
  start(name: string): NodeSpec {
    const incarnation = 1 + this.rng.int(0xfffffffe);
    const self: NodeSpec = {
      name,
      addresses: [`memory://${name}/${++this.life}`],
      incarnation,
      channels: { default: {}, membership: { compression: true } },
    };
    this.apply(name, FullMesh.init(self));
    return self;
  }

  spec(name: string): NodeSpec {
    return this.nodes.get(name)!.state.self;
  }

  apply(name: string, result: MembershipUpdate<FullMeshState, FullMeshMessage>): void {
    this.nodes.set(name, { state: result.state, members: result.members });
    if (result.removed) this.removals.push(name);
    for (const [to, message] of result.outgoing)
      this.queue.push({ from: name, to, bytes: JSON.stringify(message) });
  }

  join(name: string, seed: string): void {
    this.apply(name, FullMesh.join(this.spec(seed), this.nodes.get(name)!.state));
  }

  leave(name: string, node: string): void {
    this.apply(name, FullMesh.leave(node, this.nodes.get(name)!.state));
  }

  /** Puts an old message back in flight (stale gossip). */
  replay(envelope: Envelope): void {
    this.queue.push(envelope);
  }

  /** A copy of a message a node would send now, for replaying later. */
  capture(from: string): Envelope | undefined {
    const [first] = FullMesh.periodic(this.nodes.get(from)!.state).outgoing;
    return first === undefined ? undefined : { from, to: first[0], bytes: JSON.stringify(first[1]) };
  }

  private reachable(from: string, to: string): boolean {
    return this.faults.partition.every((group) => group.has(from) === group.has(to));
  }

  /** Delivers messages in a random order until none is in flight; gossip must die out. */
  drain(limit = 20_000): void {
    let steps = 0;
    while (this.queue.length > 0) {
      if (++steps > limit) throw new Error("gossip does not die out");
      const envelope = this.queue.splice(this.rng.int(this.queue.length), 1)[0]!;
      if (this.rng.next() < this.faults.drop || !this.reachable(envelope.from, envelope.to)) continue;
      if (this.rng.next() < this.faults.duplicate) this.queue.push(envelope);
      const node = this.nodes.get(envelope.to);
      if (node === undefined) continue;
      const message: unknown = JSON.parse(envelope.bytes);
      expect(FullMesh.isMessage(message)).toBe(true);
      if (!FullMesh.isMessage(message)) continue;
      this.delivered++;
      this.apply(envelope.to, FullMesh.handleMessage(envelope.from, message, node.state));
    }
  }

  /** One periodic tick on every node, in a random order, with deliveries interleaved. */
  tick(): void {
    for (const name of this.rng.shuffle([...this.nodes.keys()])) {
      this.apply(name, FullMesh.periodic(this.nodes.get(name)!.state));
      if (this.rng.next() < 0.5) this.drain();
    }
    this.drain();
  }

  /** Whether the nodes in `inside` all see exactly each other's current specs, and the others are alone. */
  converged(inside: readonly string[]): boolean {
    const expected = inside.map((n) => nodeSpecKey(this.spec(n))).sort();
    for (const [name, { state, members }] of this.nodes) {
      if (inside.includes(name)) {
        const view = state.membership.values().map(nodeSpecKey).sort();
        const wanted = expected.filter((k) => k !== nodeSpecKey(state.self));
        if (view.join() !== expected.join() || members.map(nodeSpecKey).sort().join() !== wanted.join())
          return false;
      } else if (members.length > 0) {
        return false;
      }
    }
    return true;
  }

  /** Ticks until `inside` has converged; returns how many ticks it took. */
  settle(inside: readonly string[], maxTicks = 40): number {
    this.drain();
    for (let ticks = 0; ticks <= maxTicks; ticks++) {
      if (this.converged(inside)) return ticks;
      this.tick();
    }
    throw new Error(`no convergence on ${inside.join(",")}: ${this.describe()}`);
  }

  describe(): string {
    return [...this.nodes]
      .map(([n, { state }]) => `${n}: ${state.membership.values().map((s) => `${s.name}@${s.addresses[0]}`)}`)
      .join("; ");
  }

  /** Every spec any node holds, as `name → keys`: each name must have exactly one spec, the live one. */
  specsByName(): Map<string, Set<string>> {
    const byName = new Map<string, Set<string>>();
    for (const { state } of this.nodes.values()) {
      if (state.departed !== undefined) continue;
      for (const s of state.membership.values()) {
        const set = byName.get(s.name) ?? new Set<string>();
        set.add(nodeSpecKey(s));
        byName.set(s.name, set);
      }
    }
    return byName;
  }
}

const NAMES = ["n0", "n1", "n2", "n3", "n4"];

const expectNoStaleSpecs = (sim: Simulation): void => {
  for (const [name, specs] of sim.specsByName()) expect([...specs]).toEqual([nodeSpecKey(sim.spec(name))]);
};

const scenario = (seed: number, faults: { drop: number; duplicate: number }): Simulation => {
  const sim = new Simulation(prng(seed));
  Object.assign(sim.faults, faults);
  for (const name of NAMES) sim.start(name);

  // 1. Everyone joins through the seed n0, joins interleaved with deliveries.
  for (const name of NAMES.slice(1)) {
    sim.join(name, "n0");
    sim.drain();
  }
  sim.settle(NAMES);

  // 2. n4 leaves; gossip captured before the leave is replayed afterwards and must not re-add it.
  const stale = [sim.capture("n1"), sim.capture("n2"), sim.capture("n4")].filter((e) => e !== undefined);
  sim.leave("n4", "n4");
  const withoutN4 = NAMES.filter((n) => n !== "n4");
  sim.settle(withoutN4);
  for (const envelope of stale) sim.replay(envelope);
  sim.replay({ ...stale[0]!, to: "n4" }); // the stale view reaches the node that left, too
  sim.settle(withoutN4);
  expect(sim.nodes.get("n4")!.state.departed).toBeDefined();

  // 3. n3 restarts with a new incarnation and a new address (no leave: it crashed), joins through n0.
  const oldN3 = sim.spec("n3");
  const newN3 = sim.start("n3");
  expect(newN3.incarnation).not.toBe(oldN3.incarnation);
  sim.join("n3", "n0");
  sim.settle(withoutN4);
  expectNoStaleSpecs(sim);

  // 4. n0 removes n1: n1 learns it was removed, detaches, and its manager rejoins through n2.
  sim.leave("n0", "n1");
  sim.settle(NAMES.filter((n) => n !== "n1" && n !== "n4"));
  expect(sim.removals).toContain("n1");
  sim.join("n1", "n2");
  sim.settle(withoutN4);

  // 5. Partition {n0, n1, n4} | {n2, n3}. On the minority side n2 restarts and rejoins through n3; on
  //    the other side n4 rejoins through n0. Heal, and periodic gossip must reconcile both sides.
  sim.faults.partition = [new Set(["n0", "n1", "n4"]), new Set(["n2", "n3"])];
  sim.join("n4", "n0");
  sim.start("n2");
  sim.join("n2", "n3");
  for (let i = 0; i < 5; i++) sim.tick();
  expect(sim.converged(NAMES)).toBe(false);
  sim.faults.partition = [];
  sim.settle(NAMES);
  expectNoStaleSpecs(sim);
  return sim;
};

describe("full-mesh simulation: 5 nodes, seeded bus", () => {
  const SEEDS = Array.from({ length: 30 }, (_, i) => i + 1);

  it.each(SEEDS)("seed %i: reliable network, random delivery order", (seed) => {
    const sim = scenario(seed, { drop: 0, duplicate: 0 });
    expect(sim.delivered).toBeGreaterThan(0);
  });

  it.each(SEEDS)("seed %i: lossy network (15% drops, 5% duplicates)", (seed) => {
    scenario(seed, { drop: 0.15, duplicate: 0.05 });
  });

  it("the same seed gives the same run", () => {
    const a = scenario(7, { drop: 0.15, duplicate: 0.05 });
    const b = scenario(7, { drop: 0.15, duplicate: 0.05 });
    expect(a.delivered).toBe(b.delivered);
    expect(a.describe()).toBe(b.describe());
  });

  it("a settled cluster sends nothing but periodic gossip, and periodic gossip changes nothing", () => {
    const sim = scenario(3, { drop: 0, duplicate: 0 });
    const before = sim.describe();
    const deliveredBefore = sim.delivered;
    sim.tick();
    // One periodic round: each of 5 nodes gossips to 4 others, and nobody answers or re-gossips.
    expect(sim.delivered - deliveredBefore).toBe(20);
    expect(sim.describe()).toBe(before);
  });
});
