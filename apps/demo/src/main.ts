/**
 * The Maquis demo: a key-value store (a GenServer) under a supervision tree, with an event manager
 * (GenEvent) that audits and counts its writes, and a client session (GenStatem) in front of it. We use
 * them, inspect them with `sys`, inject a crash, watch the supervisor restart the store, and shut the
 * tree down. Then (cluster.ts) the store runs on a real 3-node cluster of separate OS processes over
 * WebSockets: one node is killed (DOWN, nodedown) and a new incarnation of it recovers its data.
 */
import { describe, isDown, Node } from "@maquis/core";
import { call as handlerCall } from "@maquis/gen-event";
import { call, cast } from "@maquis/gen-server";
import { GenStatem } from "@maquis/gen-statem";
import { Supervisor, type SupervisorInit, whichChildren, worker } from "@maquis/supervisor";
import { setLogger, sys } from "@maquis/sys";
import { distribution } from "./cluster.js";
import { kvEvents, kvEventsChild, WriteMetrics } from "./events.js";
import { type KvState, KvStore, kv } from "./kv.js";
import { Session, session } from "./session.js";

const say = (text: string) => console.log(`  ${text}`);
const IDLE_MS = 200;

/**
 * The tree, started in order: the event manager (with its handlers), the store (which reports to the
 * manager), the session (which writes to the store). Each is restarted on a crash; more than 3 crashes
 * in 5 s would take the tree down.
 */
class AppSupervisor extends Supervisor {
  init(): SupervisorInit {
    return {
      flags: { strategy: "one_for_one", intensity: 3, period: 5 },
      children: [
        kvEventsChild(say),
        worker(KvStore, { greeting: "hello" }, { id: "kv", start: { name: "kv" } }),
        {
          id: "session",
          start: (parent) =>
            Session.startLink(parent, { code: "1234", idleMs: IDLE_MS, say }, { name: "session" }),
        },
      ],
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

console.log("\n2. Use the store (typed calls); the event manager audits each write");
say(`put a=1 -> ${await call(node, kv, { op: "put", key: "a", value: "1" })}`);
say(`put b=2 -> ${await call(node, kv, { op: "put", key: "b", value: "2" })}`);
say(`get a   -> ${await call(node, kv, { op: "get", key: "a" })}`);

console.log("\n3. Go through the session: a write before login waits, the right code lets it through");
GenStatem.cast(node, session, { op: "put", key: "c", value: "3" });
say(`login 0000 -> ${await GenStatem.call(node, session, { op: "login", code: "0000" })}`);
say(`login 1234 -> ${await GenStatem.call(node, session, { op: "login", code: "1234" })}`);
await node.idle(); // let the replayed write finish
const { state: sessionState } = await sys.getState<{ state: string }>(node, session);
say(`session state: ${sessionState}`);
await new Promise((resolve) => setTimeout(resolve, IDLE_MS + 50));
await node.idle();
say(`after ${IDLE_MS} ms idle: ${(await sys.getState<{ state: string }>(node, session)).state}`);

console.log("\n4. Inspect with sys.getState and a handler call");
const state = await sys.getState<KvState>(node, kv);
say(`store: ${describe(Object.fromEntries(state))}`);
say(`writes per key: ${describe(await handlerCall(node, kvEvents, WriteMetrics, "snapshot"))}`);

console.log("\n5. Inject a crash; the supervisor restarts the store");
const before = node.whereis("kv")!;
const down = shell.monitor(before);
cast(node, kv, { op: "crash" });
const { reason } = await shell.receive(isDown(down));
say(`${before} went down: ${describe(reason)}`);
const after = (await whichChildren(node, sup)).find((c) => c.id === "kv"); // served after the EXIT
say(`restarted as ${after?.pid} (was ${before}); the name "kv" now points to ${node.whereis("kv")}`);
say(
  `keys after the restart: ${describe(await call(node, kv, { op: "keys" }))} (init ran again from the seed)`,
);

console.log("\n6. Shut the tree down (children last to first)");
await Supervisor.stop(node, sup, "shutdown");
say(`app_sup alive: ${node.isAlive(sup)}, kv registered: ${node.whereis("kv") !== undefined}`);
await node.stop();

await distribution(say);
console.log("");
