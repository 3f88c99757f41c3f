/**
 * The RPC server itself: registration, malformed and hostile requests (dropped and logged, never a
 * crash; answered `badarg` when they carry a usable `replyTo`), answers a peer cannot make sense of,
 * results and errors that cannot be encoded, and stopping.
 */
import { BadArgError, type Node } from "@maquis/core";
import { describe, expect, it } from "vitest";
import { RPC_SERVER_NAME, Rpc, RpcError, type RpcLogEvent, RpcServer } from "../src/rpc/index.js";
import { useCluster } from "./fixtures/fakeNet.js";

const cluster = useCluster();

const kindOf = async (promise: Promise<unknown>): Promise<string> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return (error as RpcError).kind;
};

/** Nodes a and b; b serves `add` and logs into `events`. */
const setup = () => {
  const { net, nodes } = cluster("a", "b", "c");
  const [a, b, c] = nodes as [Node, Node, Node];
  const events: RpcLogEvent[] = [];
  const server = Rpc.start(b, {
    functions: { add: (x: number, y: number) => x + y },
    log: (e) => events.push(e),
  });
  return { net, a, b, c, server, events, inbox: a.inbox() };
};

describe("registration", () => {
  it("registers, lists, replaces and withdraws functions and spawnables", async () => {
    const { a, b, server, inbox } = setup();
    expect(Rpc.server(b)).toBe(server);
    expect(Rpc.server(a)).toBeUndefined();
    expect(Rpc.register(b, "mul", (x: number, y: number) => x * y)).toBe(server);
    expect(await Rpc.call(inbox, "b", "mul", [6, 7])).toBe(42);
    Rpc.register(b, "mul", (x: number, y: number) => x * y + 1);
    expect(await Rpc.call(inbox, "b", "mul", [6, 7])).toBe(43);
    expect(server.functions().sort()).toEqual(["add", "mul"]);
    Rpc.registerSpawnable(b, "idle", async () => {});
    expect(server.spawnables()).toEqual(["idle"]);
    expect(Rpc.unregister(b, "mul")).toBe(true);
    expect(Rpc.unregister(b, "mul")).toBe(false);
    expect(await kindOf(Rpc.call(inbox, "b", "mul", [6, 7]))).toBe("undef");
    expect(server.unregisterSpawnable("idle")).toBe(true);
  });

  it("starts a server on first register, refuses a second server and bad registrations", () => {
    const { a, b } = setup();
    const started = Rpc.register(a, "ping", () => "pong");
    expect(started).toBeInstanceOf(RpcServer);
    expect(a.whereis(RPC_SERVER_NAME)).toEqual(started.pid);
    expect(() => Rpc.start(b)).toThrow(BadArgError);
    expect(() => Rpc.register(b, "", () => 0)).toThrow(BadArgError);
    expect(() => Rpc.register(b, "x".repeat(256), () => 0)).toThrow(BadArgError);
    expect(() => Rpc.register(b, "notfn", 42 as never)).toThrow(BadArgError);
  });

  it("once stopped, calls get notsup and the node can start a new server", async () => {
    const { a, b, server, inbox } = setup();
    server.stop();
    await a.idle();
    expect(server.running).toBe(false);
    expect(Rpc.server(b)).toBeUndefined();
    expect(await kindOf(Rpc.call(inbox, "b", "add", [1, 2]))).toBe("notsup");
    Rpc.start(b, { functions: { add: (x: number, y: number) => x + y + 100 } });
    expect(await Rpc.call(inbox, "b", "add", [1, 2])).toBe(103);
  });
});

describe("malformed requests", () => {
  it("are dropped and logged, and the server keeps serving", async () => {
    const { a, b, server, events, inbox } = setup();
    const to = { name: RPC_SERVER_NAME, node: "b" };
    const fakePid = { node: "a", id: 1, serial: 0, creation: 1 };
    const garbage: unknown[] = [
      null,
      42,
      "call",
      [1, 2, 3],
      {},
      { op: "reboot" },
      { op: 7 },
      { op: "call" },
      { op: "call", replyTo: { pid: "<a.1.0>", tag: "#Ref" }, fn: "add", args: [1, 2] },
      { op: "call", replyTo: { pid: fakePid, tag: 1 }, fn: "add", args: [1, 2] },
      { op: "spawn", replyTo: null, fn: "x", args: [], link: false, monitor: false },
      { op: "cast", fn: 12, args: [] },
      { op: "cast", fn: "add", args: "1,2" },
      { op: "cast", fn: "add", args: { length: 2 } },
      { op: "cast", fn: "y".repeat(10_000), args: [] },
      { kind: "DOWN", ref: a.makeRef(), item: inbox.pid, reason: "forged" },
      { op: "call", __proto__: { replyTo: "inherited" } },
    ];
    for (const message of garbage) inbox.send(to, message);
    await a.idle();
    expect(events.filter((e) => e.kind === "dropped")).toHaveLength(garbage.length);
    // A local sender can pass what the wire never carries: a getter that throws.
    b.send(RPC_SERVER_NAME, {
      get op(): string {
        throw new Error("hostile getter");
      },
    });
    await a.idle();
    expect(events.at(-1)).toMatchObject({ kind: "internal" });
    expect(server.running).toBe(true);
    expect(b.whereis(RPC_SERVER_NAME)).toEqual(server.pid);
    expect(await Rpc.call(inbox, "b", "add", [1, 2])).toBe(3);
    expect(await inbox.receive(undefined, 0)).toBeUndefined();
  });

  it("that carry a usable replyTo are answered badarg", async () => {
    const { inbox } = setup();
    const to = { name: RPC_SERVER_NAME, node: "b" };
    const answer = (build: (replyTo: unknown) => unknown) => inbox.request(to, build, 1000);
    expect(await answer((replyTo) => ({ op: "call", replyTo, fn: 42, args: [] }))).toMatchObject({
      t: "badarg",
    });
    expect(await answer((replyTo) => ({ op: "call", replyTo, fn: "add", args: null }))).toMatchObject({
      t: "badarg",
    });
    const spawn = { op: "spawn", fn: "add", args: [], link: "yes", monitor: false };
    expect(await answer((replyTo) => ({ ...spawn, replyTo }))).toMatchObject({ t: "badarg" });
  });

  it("an answer the client does not understand is notsup, not a crash", async () => {
    const { c, inbox } = setup();
    // An impostor on c, registered under the server's name, answering nonsense.
    c.spawn(
      async (self) => {
        for (;;) {
          const { replyTo } = await self.receive<{ replyTo: { pid: never; tag: never } }>();
          self.reply(replyTo, { nonsense: true });
        }
      },
      { name: RPC_SERVER_NAME },
    );
    expect(await kindOf(Rpc.call(inbox, "c", "add", [1, 2]))).toBe("notsup");
    expect(await kindOf(Rpc.spawn(inbox, "c", "anything"))).toBe("notsup");
  });
});

describe("answers that cannot be encoded", () => {
  it("a result the codec rejects comes back as an error saying why", async () => {
    const { server, inbox } = setup();
    server.register("closure", () => ({ f: () => 1 }));
    const error = await Rpc.call(inbox, "b", "closure").catch((e: RpcError) => e);
    expect(error).toMatchObject({ kind: "error" });
    expect(String((error as RpcError).reason)).toMatch(/result cannot be sent/);
  });

  it("an error with fields the codec rejects keeps its name and message", async () => {
    const { server, inbox } = setup();
    server.register("weird", () => {
      throw Object.assign(new RangeError("out of range"), { callback: () => 0 });
    });
    const error = await Rpc.call(inbox, "b", "weird").catch((e: RpcError) => e);
    expect(error).toMatchObject({ kind: "error", reason: { name: "RangeError", message: "out of range" } });
  });
});
