/**
 * Parts 7 to 10 of the demo: distribution. This process becomes node `demo@127.0.0.1` and starts two
 * more nodes as child OS processes (clusterNode.ts), `replica@127.0.0.1` and `store@127.0.0.1`, each
 * running its own supervised KV store; the three connect over WebSockets on localhost (full mesh). We
 * write to both stores, kill the store's OS process, watch the DOWN and nodedown, start a new
 * incarnation of the store and copy the replica's data into it.
 *
 * No child outlives the demo: they exit when their stdin closes (on a clean stop, or when this process
 * dies however it dies), and are SIGKILLed when this process exits or the demo times out.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, isDown, NodeMessage, type Pid } from "@maquis/core";
import { call, multiCall, named } from "@maquis/gen-server";
import { setLogger } from "@maquis/sys";
import { Cluster, Rpc } from "@maquis/transport";
import { webSocketMedium } from "@maquis/transport/websocket";
import type { KvProtocol } from "./kv.js";

const DEMO = "demo@127.0.0.1";
const STORE = "store@127.0.0.1";
const REPLICA = "replica@127.0.0.1";
/** Parts 7 to 10 take a second or two (mostly the children's start-up); past this, something is stuck. */
const TIMEOUT_MS = 30_000;

/** A node running in a child OS process. */
interface ChildNode {
  readonly name: string;
  /** Where it listens (`ws://127.0.0.1:<port>`). */
  readonly address: string;
  readonly os: ChildProcess;
  /** Resolves with its exit code, or the signal that ended it. */
  readonly exited: Promise<number | NodeJS.Signals>;
}

const live = new Set<ChildProcess>();
const killAll = () => {
  for (const child of live) child.kill("SIGKILL");
};
process.on("exit", killAll);

/** Starts `node dist/clusterNode.js --name NAME --join ADDRESS`; resolves once it has printed its address. */
const startNode = async (name: string, secret: string, join: string): Promise<ChildNode> => {
  const script = fileURLToPath(new URL("./clusterNode.js", import.meta.url));
  const os = spawn(process.execPath, [script, "--name", name, "--join", join], {
    stdio: ["pipe", "pipe", "inherit"],
    env: { ...process.env, MAQUIS_DEMO_SECRET: secret },
  });
  live.add(os);
  const exited = new Promise<number | NodeJS.Signals>((resolve) =>
    os.once("exit", (code, signal) => {
      live.delete(os);
      resolve(code ?? signal!);
    }),
  );
  const lines = createInterface({ input: os.stdout! });
  const [line] = (await Promise.race([
    once(lines, "line"),
    exited.then((how) => Promise.reject(new Error(`${name} exited (${how}) before it was ready`))),
  ])) as [string];
  lines.close();
  os.stdout!.resume(); // nothing more is expected; never let the pipe fill
  const { address } = JSON.parse(line) as { address: string };
  return { name, address, os, exited };
};

const nodeMessage =
  (kind: "nodeup" | "nodedown", node: string) =>
  (message: unknown): message is NodeMessage =>
    message instanceof NodeMessage && message.kind === kind && message.node === node;

export async function distribution(say: (text: string) => void): Promise<void> {
  const watchdog = setTimeout(() => {
    console.error(`\nthe distribution part did not finish within ${TIMEOUT_MS / 1000} s; stopping`);
    process.exit(1); // the exit handler kills the children
  }, TIMEOUT_MS).unref();
  try {
    await run(say);
  } finally {
    clearTimeout(watchdog);
    killAll(); // only if something failed: on success every child has exited already
  }
}

async function run(say: (text: string) => void): Promise<void> {
  console.log("\n7. A 3-node cluster on localhost: one OS process per node, connected over WebSockets");
  const secret = randomBytes(16).toString("hex"); // the cluster's shared secret, given to the children
  // The transport's warnings, each shown once at the end of a step (the redials of a dead node repeat).
  const warnings = new Set<string>();
  const shown = new Set<string>();
  const showWarnings = () => {
    for (const w of warnings) {
      if (!shown.has(w)) say(`[transport] ${w}`);
      shown.add(w);
    }
  };
  const { node, cluster } = await Cluster.start({
    name: DEMO,
    medium: webSocketMedium(),
    listen: "ws://127.0.0.1:0",
    secret,
    logger: { warn: (message) => warnings.add(message) },
  });
  setLogger(node, (e) => say(`[${e.level}] ${e.kind} ${e.pid}: ${describe(e.data.reason ?? e.text)}`));
  const shell = node.inbox();
  shell.monitorNodes(true); // nodeup and nodedown for every node, with the reason
  const demoAddress = cluster.spec.addresses[0]!;
  const storeKv = named<KvProtocol>({ name: "kv", node: STORE }); // typed, as `kv` in part 2
  const replicaKv = named<KvProtocol>({ name: "kv", node: REPLICA });

  /**
   * Each child joined this node only, and found the other through membership gossip (full mesh). Asks
   * each to wait until it is connected to the two others (RPC `connectedTo`) and prints who is connected.
   */
  const showMesh = async () => {
    say(`nodes() on ${DEMO}: ${node.nodes().sort().join(", ")}`);
    for (const [child, other] of [[STORE, REPLICA] as const, [REPLICA, STORE] as const]) {
      const theirs = await Rpc.call<string[]>(shell, child, "connectedTo", [[DEMO, other]], {
        timeoutMs: 10_000,
      });
      say(`nodes() on ${child}: ${theirs.sort().join(", ")}`);
    }
  };
  /** Replication, kept simple: a write goes to the kv of both nodes (Erlang's gen_server:multi_call). */
  const putOnBoth = async (key: string, value: string) => {
    const request = { op: "put", key, value };
    const { replies, badNodes } = await multiCall<string>(shell, "kv", request, {
      nodes: [STORE, REPLICA],
      timeout: 5000,
    });
    const answers = replies.map(([n, reply]) => `${n} ${reply}`).join(", ");
    say(
      `put ${key}=${value} on both (multiCall) -> ${answers}${badNodes.length > 0 ? `; failed: ${badNodes}` : ""}`,
    );
  };
  const kvPid = (child: string) => Rpc.call<Pid>(shell, child, "whereis", ["kv"], { timeoutMs: 5000 });

  say(`${DEMO} (this process) listens on ${demoAddress}`);
  const replica = await startNode(REPLICA, secret, demoAddress);
  await shell.receive(nodeMessage("nodeup", REPLICA));
  say(`nodeup ${REPLICA}: OS process ${replica.os.pid} on ${replica.address}, supervising kv_events and kv`);
  let store = await startNode(STORE, secret, demoAddress);
  await shell.receive(nodeMessage("nodeup", STORE));
  say(`nodeup ${STORE}: OS process ${store.os.pid} on ${store.address}, the same tree`);
  await showMesh();
  await putOnBoth("a", "1");
  await putOnBoth("b", "2");
  say(
    `get a from { name: "kv", node: "${STORE}" } -> ${await call(shell, storeKv, { op: "get", key: "a" })}`,
  );
  const oldKv = await kvPid(STORE);
  const down = shell.monitor(oldKv);
  say(`monitoring the store's kv ${oldKv} (its pid from Rpc.call whereis; creation ${oldKv.creation})`);
  showWarnings();

  console.log(`\n8. Kill the store node: SIGKILL to OS process ${store.os.pid}`);
  store.os.kill("SIGKILL");
  say(`OS process ${store.os.pid} ended: ${await store.exited}`);
  const { item, reason } = await shell.receive(isDown(down));
  say(`DOWN ${item}: ${describe(reason)}`);
  const nodedown = await shell.receive(nodeMessage("nodedown", STORE));
  say(`nodedown ${nodedown.node}: ${describe(nodedown.reason)}`);
  say(`nodes() on ${DEMO}: ${node.nodes().sort().join(", ")}`);
  say(`get a from the replica -> ${await call(shell, replicaKv, { op: "get", key: "a" })}`);
  await putOnBoth("c", "3");
  showWarnings();

  console.log(
    "\n9. Recover: start a new store node (a new incarnation) and restore its data from the replica",
  );
  store = await startNode(STORE, secret, demoAddress);
  await shell.receive(nodeMessage("nodeup", STORE));
  say(`nodeup ${STORE}: OS process ${store.os.pid} on ${store.address}`);
  const newKv = await kvPid(STORE);
  say(
    `its kv is ${newKv}, creation ${newKv.creation}: a new life, not the old pid (equals: ${newKv.equals(oldKv)})`,
  );
  say(`keys on the new store -> ${describe(await call(shell, storeKv, { op: "keys" }))} (it starts empty)`);
  // The demo copies the entries, rather than the new store pulling them from the replica as it starts:
  // the replica, having failed to redial the old incarnation, is backing off, and the transport does not
  // dial a connecting peer back during a backoff, so the replica's replies to the new node would be lost.
  for (const key of await call(shell, replicaKv, { op: "keys" })) {
    const value = await call(shell, replicaKv, { op: "get", key });
    if (value !== undefined) await call(shell, storeKv, { op: "put", key, value });
  }
  say(
    `copied the replica's entries -> keys on the new store: ${describe(await call(shell, storeKv, { op: "keys" }))}`,
  );
  await showMesh();
  showWarnings();

  console.log("\n10. Stop the cluster");
  for (const child of [store, replica]) {
    child.os.stdin!.end(); // the child leaves the cluster, stops its node and exits
    const gone = await shell.receive(nodeMessage("nodedown", child.name));
    say(
      `nodedown ${child.name}: ${describe(gone.reason)}; its OS process exited with code ${await child.exited}`,
    );
  }
  await node.stop();
  showWarnings();
  say(`${DEMO} stopped; child processes left: ${live.size}`);
}
