/**
 * Clusters of nodes on one `MemoryNetwork` with a virtual clock, stopped after each test. Handshakes
 * use WebCrypto, whose promises settle outside the virtual clock, so tests wait for conditions with
 * {@link settle}/{@link until}, which yield to the event loop a bounded number of times (never a sleep).
 */
import { type Inbox, type Node, VirtualClock } from "@maquis/core";
import { afterEach, beforeEach, expect } from "vitest";
import { Cluster, type ClusterOptions } from "../../src/cluster/index.js";
import { MemoryNetwork } from "../../src/memory/index.js";
import { SeededRandom } from "../../src/memory/random.js";

export interface TestNode {
  readonly node: Node;
  readonly cluster: Cluster;
  readonly warnings: string[];
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits until `condition` holds, yielding to the event loop; fails after `turns` turns. */
export const until = async (condition: () => boolean, what = "condition", turns = 2000): Promise<void> => {
  for (let i = 0; i < turns; i++) {
    if (condition()) return;
    await turn();
  }
  expect.fail(`timed out waiting for ${what}`);
};

/** Lets everything in flight (frames, handshakes, processes) settle. */
export const settle = async (turns = 30): Promise<void> => {
  for (let i = 0; i < turns; i++) await turn();
};

/** Everything in the inbox after things settle. */
export const drain = async (inbox: Inbox): Promise<unknown[]> => {
  await settle();
  const out: unknown[] = [];
  for (;;) {
    const m = await inbox.receive(undefined, 0);
    if (m === undefined) return out;
    out.push(m);
  }
};

/**
 * A fresh network and virtual clock for each test (read them through the returned getters), and
 * `start`/`mesh` to make nodes on it.
 */
export const useCluster = (seed = 1) => {
  let nodes: TestNode[] = [];
  let clock = new VirtualClock();
  let network = new MemoryNetwork({ clock, seed });
  let random = new SeededRandom(seed);
  beforeEach(() => {
    clock = new VirtualClock();
    network = new MemoryNetwork({ clock, seed });
    random = new SeededRandom(seed);
  });
  afterEach(async () => {
    for (const n of nodes.splice(0)) await n.node.stop();
    nodes = [];
  });
  const start = async (name: string, options: Partial<ClusterOptions> = {}): Promise<TestNode> => {
    const warnings: string[] = [];
    const { node, cluster } = await Cluster.start({
      name,
      medium: network.medium(name),
      listen: `memory://${name}`,
      secret: "test-secret",
      clock,
      random: () => random.next(),
      logger: { warn: (message) => warnings.push(message) },
      ...options,
    });
    const t = { node, cluster, warnings };
    nodes.push(t);
    return t;
  };
  /** Starts nodes and syncJoins each to the first. */
  const mesh = async (...names: string[]): Promise<TestNode[]> => {
    const started: TestNode[] = [];
    for (const name of names) started.push(await start(name));
    for (const t of started.slice(1)) await t.cluster.syncJoin(`memory://${names[0]}`);
    await until(() => started.every((t) => t.cluster.nodes().length === names.length - 1), "full mesh");
    return started;
  };
  return {
    get clock() {
      return clock;
    },
    get network() {
      return network;
    },
    start,
    mesh,
  };
};
