/**
 * One node of the demo's cluster (parts 7 to 10), in its own OS process, started by cluster.ts:
 *
 *   MAQUIS_DEMO_SECRET=… node dist/clusterNode.js --name NAME --join ADDRESS
 *
 * It starts the node on a WebSocket listener at ws://127.0.0.1:<free port>, joins the node at ADDRESS
 * (full mesh: it learns the others from there), and runs part 1's tree without the session: the
 * `kv_events` manager and the `kv` store. It serves two RPC functions, `whereis` (a registered name's
 * pid) and `connectedTo` (waits until it is connected to the given nodes). Once the store runs it
 * prints `{"name", "address"}` as one JSON line on stdout. When its stdin closes (the demo closes it, or
 * dies) or on SIGTERM/SIGINT, it leaves the cluster, stops its node and exits.
 */
import { parseArgs } from "node:util";
import { describe, NodeMessage } from "@maquis/core";
import { Supervisor, type SupervisorInit, worker } from "@maquis/supervisor";
import { setLogger } from "@maquis/sys";
import { Cluster, Rpc } from "@maquis/transport";
import { webSocketMedium } from "@maquis/transport/websocket";
import { kvEventsChild } from "./events.js";
import { KvStore } from "./kv.js";

const { values: args } = parseArgs({
  options: { name: { type: "string" }, join: { type: "string" } },
  strict: true,
});
const { name, join } = args;
const secret = process.env.MAQUIS_DEMO_SECRET;
if (name === undefined || join === undefined || secret === undefined) {
  throw new Error("usage: MAQUIS_DEMO_SECRET=… clusterNode.js --name NAME --join ADDRESS");
}
/** What this node reports goes to stderr (the demo's terminal), with its name: stdout is for the ready line. */
const report = (line: string) => process.stderr.write(`  [${name}] ${line}\n`);

/** Part 1's tree without the session: the event manager, then the store, which reports to it. */
class NodeSupervisor extends Supervisor {
  init(): SupervisorInit {
    return {
      flags: { strategy: "one_for_one", intensity: 3, period: 5 },
      children: [kvEventsChild(), worker(KvStore, {}, { id: "kv", start: { name: "kv" } })],
    };
  }
}

const { node, cluster } = await Cluster.start({
  name,
  medium: webSocketMedium(),
  listen: "ws://127.0.0.1:0",
  secret,
  logger: {
    warn: (message) => {
      // Expected: the demo kills a node on purpose, and the others redial it with backoff until it is back
      // (the demo node reports it once). Anything else is worth seeing.
      if (!message.startsWith("cannot connect to ")) report(`[transport] ${message}`);
    },
  },
});
setLogger(node, (e) => {
  if (e.level === "error" || e.level === "warning") {
    report(`[${e.level}] ${e.kind} ${e.pid}: ${describe(e.data.reason ?? e.text)}`);
  }
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  // Leaving first tells the others not to redial this node.
  cluster
    .leave()
    .then(() => node.stop())
    .then(
      () => process.exit(0),
      (error: unknown) => {
        report(`stop failed: ${describe(error)}`);
        process.exit(1);
      },
    );
};
process.stdin.on("end", stop).resume();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

/** Resolves with `node.nodes()` once it includes every one of `peers` (waiting for their nodeup). */
const connectedTo = async (peers: string[]): Promise<string[]> => {
  const inbox = node.inbox();
  inbox.monitorNodes(true); // before looking, so that no nodeup is missed
  try {
    while (!peers.every((peer) => node.nodes().includes(peer))) {
      await inbox.receive((m) => m instanceof NodeMessage && m.kind === "nodeup");
    }
    return node.nodes();
  } finally {
    inbox.close();
  }
};
Rpc.start(node, { functions: { whereis: (registered: string) => node.whereis(registered), connectedTo } });
await cluster.join(join);
await NodeSupervisor.start(node, undefined, { name: "node_sup" });
process.stdout.write(`${JSON.stringify({ name: node.name, address: cluster.spec.addresses[0] })}\n`);
