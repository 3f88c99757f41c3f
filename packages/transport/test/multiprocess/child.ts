/**
 * One Maquis node in its own OS process, for multiprocess.test.ts. Run by Node's type stripping on the
 * built packages (`tsc -b` first):
 *
 *   node child.ts --name NAME --secret SECRET [--creation N]
 *
 * It listens on ws://127.0.0.1:0 and prints one JSON line on stdout once it does:
 * `{ "ready": true, "name", "creation", "address" }`. Then it takes commands as JSON lines on stdin,
 * `{ "id", "cmd", ...args }`, and answers each with one JSON line `{ "id", "ok": true, "value" }` or
 * `{ "id", "ok": false, "error": { "name", "code", "message" } }` (for what must work before the node
 * is in a cluster: `join`, `nodes`). Once in the cluster, the test node drives it by RPC: the functions
 * below. Warnings go to stderr. It stops its node and exits when stdin ends.
 */
import { parseArgs } from "node:util";
import type { Inbox, Pid, Ref } from "@maquis/core";
import { Cluster, Rpc } from "@maquis/transport";
import { webSocketMedium } from "@maquis/transport/websocket";

const { values: args } = parseArgs({
  options: { name: { type: "string" }, secret: { type: "string" }, creation: { type: "string" } },
  strict: true,
});
if (args.name === undefined || args.secret === undefined) {
  throw new Error("usage: child.ts --name NAME --secret SECRET [--creation N]");
}

const { node, cluster } = await Cluster.start({
  name: args.name,
  medium: webSocketMedium(),
  listen: "ws://127.0.0.1:0",
  secret: args.secret,
  // A fixed incarnation only to reproduce a scenario (the default is random, as for a real restart).
  ...(args.creation === undefined ? {} : { node: { creation: Number(args.creation) } }),
  logger: {
    warn: (message) => process.stderr.write(`[${args.name}] warn: ${message}\n`),
    info: (message) => process.stderr.write(`[${args.name}] info: ${message}\n`),
  },
});

const write = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};

/** An error as JSON can carry it. */
const errorJson = (error: unknown) => {
  const e = error as { name?: unknown; code?: unknown; message?: unknown };
  return {
    name: String(e?.name),
    code: e?.code === undefined ? null : String(e.code),
    message: String(e?.message),
  };
};

/** Waits (on nodeup events, never a sleep) until every node in `names` is connected. */
const awaitNodes = async (names: readonly string[], timeoutMs = 15_000): Promise<string[]> => {
  const inbox: Inbox = node.inbox();
  inbox.monitorNodes(true);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const up = node.nodes();
      if (names.every((n) => up.includes(n))) return up.sort();
      const left = deadline - Date.now();
      if (left <= 0 || (await inbox.receive(undefined, left)) === undefined) {
        throw new Error(`${node.name}: still waiting for ${names.join(",")}; connected: ${up.join(",")}`);
      }
    }
  } finally {
    inbox.close();
  }
};

/** A process answering `{ from, text }` with `{ echo, by, node }`, and dying on `{ crash }` or `{ exit }`. */
const spawnEcho = (name?: string): Pid =>
  node.spawn(
    async (self) => {
      for (;;) {
        const m = (await self.receive()) as { from?: Pid; text?: unknown; crash?: string; exit?: unknown };
        if (typeof m.crash === "string") throw new Error(m.crash);
        if (m.exit !== undefined) self.exit(m.exit);
        if (m.from !== undefined) self.send(m.from, { echo: m.text, by: self.pid, node: node.name });
      }
    },
    name === undefined ? undefined : { name },
  );

/** What a watcher sets up before it reports. */
interface WatchPlan {
  /** Processes to monitor (the refs are returned in this order). */
  readonly monitor?: readonly Pid[];
  /** Processes to link to (the watcher traps exits). */
  readonly link?: readonly Pid[];
  /** Nodes to `monitorNode`. */
  readonly monitorNode?: readonly string[];
  /** Whether to `monitorNodes(true)`. */
  readonly monitorNodes?: boolean;
  /**
   * Echo processes to ping once the rest is set up: their answers prove (FIFO per pair) that the link
   * and monitor signals sent to their nodes have arrived.
   */
  readonly sync?: readonly Pid[];
}

/** A plain description of what a watcher received (messages of core's classes as plain objects). */
const describeMessage = (m: unknown): Record<string, unknown> => {
  const kind = (m as { kind?: unknown })?.kind;
  if (kind === "DOWN") {
    const d = m as { ref: Ref; item: unknown; reason: unknown };
    return { kind, ref: d.ref, item: d.item, reason: d.reason };
  }
  if (kind === "EXIT") {
    const e = m as { from: Pid; reason: unknown };
    return { kind, from: e.from, reason: e.reason };
  }
  if (kind === "nodeup" || kind === "nodedown") {
    const n = m as { node: string; reason: unknown };
    return { kind, node: n.node, reason: n.reason ?? null };
  }
  return { kind: "message", message: m };
};

/**
 * Spawns a watcher (trapping exits) that sets up `plan` and then sends `{ report, watcher, event }` to
 * `reportTo` for every message it receives. Resolves once everything is in place.
 */
const watch = (reportTo: Pid, plan: WatchPlan): Promise<{ watcher: Pid; refs: Ref[] }> =>
  new Promise((resolve, reject) => {
    node.spawn(async (self) => {
      try {
        self.trapExit(true);
        const refs = (plan.monitor ?? []).map((pid) => self.monitor(pid));
        for (const pid of plan.link ?? []) self.link(pid);
        for (const n of plan.monitorNode ?? []) self.monitorNode(n, true);
        if (plan.monitorNodes === true) self.monitorNodes(true);
        for (const pid of plan.sync ?? []) {
          self.send(pid, { from: self.pid, text: "sync" });
          await self.receive((m) => (m as { echo?: unknown; by?: Pid }).echo === "sync");
        }
        resolve({ watcher: self.pid, refs });
      } catch (error) {
        reject(error);
        return;
      }
      for (;;) {
        const m = await self.receive();
        self.send(reportTo, { report: node.name, watcher: self.pid, event: describeMessage(m) });
      }
    });
  });

Rpc.start(node, {
  functions: {
    info: () => ({
      name: node.name,
      creation: node.creation,
      incarnation: cluster.spec.incarnation,
      addresses: cluster.spec.addresses,
    }),
    nodes: () => node.nodes().sort(),
    members: () =>
      cluster.members().map((m) => ({ name: m.name, incarnation: m.incarnation, addresses: m.addresses })),
    awaitNodes: (names: string[], timeoutMs?: number) => awaitNodes(names, timeoutMs),
    spawnEcho: (name?: string) => spawnEcho(name ?? undefined),
    watch: (reportTo: Pid, plan: WatchPlan) => watch(reportTo, plan),
    add: (x: number, y: number) => x + y,
    /** An RPC from this node to another: child-to-child calls. */
    rpc: (target: string, fn: string, fnArgs: unknown[]) =>
      Rpc.call(node, target, fn, fnArgs, { timeoutMs: 10_000 }),
    fail: (message: string) => {
      throw new Error(message);
    },
  },
});

// A plain request/reply server, as a GenServer would be called: `{ replyTo, n }` → `2n`.
node.spawn(
  async (self) => {
    for (;;) {
      const m = (await self.receive()) as { replyTo: Parameters<typeof self.reply>[0]; n: number };
      self.reply(m.replyTo, { doubled: m.n * 2, by: node.name });
    }
  },
  { name: "double" },
);
spawnEcho("echo");

const commands: Record<string, (command: Record<string, unknown>) => unknown> = {
  join: async (c) => (await cluster.syncJoin(String(c.address))).name,
  nodes: () => node.nodes().sort(),
  /** An RPC from this node, for when the test node cannot reach it. */
  call: (c) =>
    Rpc.call(node, String(c.node), String(c.fn), (c.args ?? []) as unknown[], {
      timeoutMs: Number(c.timeoutMs ?? 10_000),
    }),
};

let buffered = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk: string) => {
  buffered += chunk;
  for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    if (line.trim() === "") continue;
    const command = JSON.parse(line) as Record<string, unknown>;
    const run = commands[String(command.cmd)];
    Promise.resolve()
      .then(() => {
        if (run === undefined) throw new Error(`unknown command ${String(command.cmd)}`);
        return run(command);
      })
      .then(
        (value) => write({ id: command.id, ok: true, value }),
        (error: unknown) => write({ id: command.id, ok: false, error: errorJson(error) }),
      );
  }
});
process.stdin.on("end", () => {
  void node.stop().then(() => process.exit(0));
});

write({ ready: true, name: node.name, creation: node.creation, address: cluster.spec.addresses[0] });
