/**
 * The Maquis demo: a key-value store (a GenServer) under a supervision tree. We use it, inspect it with
 * `sys.getState`, inject a crash, watch the supervisor restart it, and shut the tree down.
 */
import { describe, isDown, Node } from "@maquis/core";
import { call, cast } from "@maquis/gen-server";
import { Supervisor, type SupervisorInit, whichChildren, worker } from "@maquis/supervisor";
import { setLogger, sys } from "@maquis/sys";
import { type KvState, KvStore, kv } from "./kv.js";

const say = (text: string) => console.log(`  ${text}`);

/** The tree: one KvStore, restarted on a crash; more than 3 crashes in 5 s would take the tree down. */
class AppSupervisor extends Supervisor {
  init(): SupervisorInit {
    return {
      flags: { strategy: "one_for_one", intensity: 3, period: 5 },
      children: [worker(KvStore, { greeting: "hello" }, { id: "kv", start: { name: "kv" } })],
    };
  }
}

const node = Node.start({ name: "demo@localhost" });
// Reports (the crash report, the supervisor's report) go through a logger: print them briefly.
setLogger(node, (e) => say(`[${e.level}] ${e.kind} ${e.pid}: ${describe(e.data.reason ?? e.text)}`));
const shell = node.inbox(); // our own mailbox, like the Erlang shell's

console.log("\n1. Start the supervision tree");
const sup = await AppSupervisor.start(node, undefined, { name: "app_sup" });
const children = await whichChildren(node, sup);
say(`app_sup ${sup} supervises ${children.map((c) => `${String(c.id)} ${c.pid}`).join(", ")}`);

console.log("\n2. Use the store (typed calls)");
say(`put a=1 -> ${await call(node, kv, { op: "put", key: "a", value: "1" })}`);
say(`put b=2 -> ${await call(node, kv, { op: "put", key: "b", value: "2" })}`);
say(`get a   -> ${await call(node, kv, { op: "get", key: "a" })}`);

console.log("\n3. Inspect it with sys.getState");
const state = await sys.getState<KvState>(node, kv);
say(`state: ${describe(Object.fromEntries(state))}`);

console.log("\n4. Inject a crash; the supervisor restarts the store");
const before = node.whereis("kv")!;
const down = shell.monitor(before);
cast(node, kv, { op: "crash" });
const { reason } = await shell.receive(isDown(down));
say(`${before} went down: ${describe(reason)}`);
const [after] = await whichChildren(node, sup); // served after the supervisor handled the EXIT
say(`restarted as ${after?.pid} (was ${before}); the name "kv" now points to ${node.whereis("kv")}`);
say(
  `keys after the restart: ${describe(await call(node, kv, { op: "keys" }))} (init ran again from the seed)`,
);

console.log("\n5. Shut the tree down (children first, newest first)");
await Supervisor.stop(node, sup, "shutdown");
say(`app_sup alive: ${node.isAlive(sup)}, kv registered: ${node.whereis("kv") !== undefined}`);
await node.stop();
console.log("");
