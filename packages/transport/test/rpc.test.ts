/**
 * Remote calls between nodes on a fake network: results (sync and async), remote errors, undef,
 * notsup, timeouts with late answers dropped, concurrency, lost connections, killed workers, cast,
 * multi-call, asynchronous requests, and client-side argument checks. Time only moves with the
 * virtual clock; `idle()` is the only synchronisation.
 */
import { type Inbox, type Node, ReplyMessage } from "@maquis/core";
import { describe, expect, it } from "vitest";
import { Rpc, RpcError, type RpcErrorKind, type RpcLogEvent } from "../src/rpc/index.js";
import { useCluster } from "./fixtures/fakeNet.js";

const cluster = useCluster();

/** A promise's state, readable after `idle()`, so a test never hangs on a promise that never settles. */
const watch = <T>(promise: Promise<T>) => {
  const state: { status: "pending" | "fulfilled" | "rejected"; value?: T; error?: unknown } = {
    status: "pending",
  };
  promise.then(
    (value) => Object.assign(state, { status: "fulfilled", value }),
    (error: unknown) => Object.assign(state, { status: "rejected", error }),
  );
  return state;
};

/** A promise the test opens by hand: what a remote function can wait on. */
const gate = () => {
  let open!: (value: string) => void;
  const promise = new Promise<string>((resolve) => (open = resolve));
  return { promise, open };
};

const expectKind = (error: unknown, kind: RpcErrorKind): RpcError => {
  expect(error).toBeInstanceOf(RpcError);
  expect((error as RpcError).kind).toBe(kind);
  return error as RpcError;
};

/** Nothing left in the inbox once everything is quiet. */
const expectEmpty = async (inbox: Inbox): Promise<void> => {
  await inbox.node.idle();
  expect(await inbox.receive(undefined, 0)).toBeUndefined();
};

class CodedError extends Error {
  readonly code: number;
  constructor(message: string, code: number) {
    super(message);
    this.name = "CodedError";
    this.code = code;
  }
}

/** Nodes a and b; b serves a few functions. */
const setup = () => {
  const { net, clock, nodes } = cluster("a", "b");
  const [a, b] = nodes as [Node, Node];
  const events: RpcLogEvent[] = [];
  const server = Rpc.start(b, {
    functions: {
      add: (x: number, y: number) => x + y,
      double: async (x: number) => {
        await Promise.resolve();
        return x * 2;
      },
      fail: (message: string) => {
        throw new CodedError(message, 42);
      },
      reject: async (message: string) => {
        throw new TypeError(message);
      },
      throwString: () => {
        throw "oops";
      },
      hang: () => new Promise(() => {}),
      nothing: () => undefined,
    },
    log: (event) => events.push(event),
  });
  return { net, clock, a, b, server, events, inbox: a.inbox() };
};

describe("Rpc.call", () => {
  it("returns a sync function's result, from a process and from a node", async () => {
    const { a, inbox } = setup();
    expect(await Rpc.call<number>(inbox, "b", "add", [1, 2])).toBe(3);
    expect(await Rpc.call<number>(a, "b", "add", [40, 2])).toBe(42);
    expect(await Rpc.call(inbox, "b", "nothing")).toBeUndefined();
    await expectEmpty(inbox);
  });

  it("awaits an async function and returns its resolved value", async () => {
    const { inbox } = setup();
    expect(await Rpc.call<number>(inbox, "b", "double", [21])).toBe(42);
  });

  it("brings a thrown error back typed, with the remote name, message and fields", async () => {
    const { inbox } = setup();
    const error = expectKind(await Rpc.call(inbox, "b", "fail", ["bad input"]).catch((e) => e), "error");
    expect(error.node).toBe("b");
    expect(error.function).toBe("fail");
    expect(error.reason).toBeInstanceOf(Error);
    expect(error.reason).toMatchObject({ name: "CodedError", message: "bad input", code: 42 });
    expect(error.cause).toBe(error.reason);
    const rejected = expectKind(await Rpc.call(inbox, "b", "reject", ["nope"]).catch((e) => e), "error");
    expect(rejected.reason).toMatchObject({ name: "TypeError", message: "nope" });
    const thrown = expectKind(await Rpc.call(inbox, "b", "throwString").catch((e) => e), "error");
    expect(thrown.reason).toBe("oops");
  });

  it("fails with undef for a name the node has not registered", async () => {
    const { inbox } = setup();
    const error = expectKind(await Rpc.call(inbox, "b", "missing").catch((e) => e), "undef");
    expect(error.function).toBe("missing");
    // Names are looked up in a Map: inherited object keys are not functions.
    expectKind(await Rpc.call(inbox, "b", "constructor").catch((e) => e), "undef");
  });

  it("fails with notsup for a node without an RPC server", async () => {
    const { nodes } = cluster("a", "plain");
    const [a] = nodes as [Node];
    expectKind(await Rpc.call(a.inbox(), "plain", "add", [1, 2]).catch((e) => e), "notsup");
  });

  it("times out on the caller's clock, and the late answer is dropped, never queued", async () => {
    const { a, net, clock, server, inbox } = setup();
    const slow = gate();
    server.register("slow", () => slow.promise);
    const call = watch(Rpc.call(inbox, "b", "slow", [], { timeoutMs: 100 }));
    await a.idle();
    clock.advance(99);
    await a.idle();
    expect(call.status).toBe("pending");
    clock.advance(1);
    await a.idle();
    expect(call.status).toBe("rejected");
    expectKind(call.error, "timeout");
    // The function still finishes on b and its answer does cross the wire...
    const answersBefore = net.frames("b", "a", "send").length;
    slow.open("late");
    await a.idle();
    expect(net.frames("b", "a", "send").length).toBe(answersBefore + 1);
    // ...but it finds the request ended: nothing reaches the caller's mailbox.
    await expectEmpty(inbox);
    expect(server.inflight).toBe(0);
  });

  it("runs calls concurrently: a fast call answers while a slow one still runs", async () => {
    const { a, server, inbox } = setup();
    const slow = gate();
    server.register("slow", () => slow.promise);
    const first = watch(Rpc.call(inbox, "b", "slow"));
    const second = watch(Rpc.call(inbox, "b", "add", [2, 3]));
    await a.idle();
    expect(second).toMatchObject({ status: "fulfilled", value: 5 });
    expect(first.status).toBe("pending");
    expect(server.inflight).toBe(1);
    slow.open("done");
    await a.idle();
    expect(first).toMatchObject({ status: "fulfilled", value: "done" });
  });

  it("fails with noconnection when the connection is cut mid-call, or the node is unreachable", async () => {
    const { a, net, inbox } = setup();
    const call = watch(Rpc.call(inbox, "b", "hang"));
    await a.idle();
    expect(call.status).toBe("pending");
    net.disconnect("a", "b");
    await a.idle();
    expectKind(call.error, "noconnection");
    expectKind(await Rpc.call(inbox, "ghost", "add", [1, 2]).catch((e) => e), "noconnection");
  });

  it("fails with exit when the process running the function is killed", async () => {
    const { a, b, server, inbox } = setup();
    const call = watch(Rpc.call(inbox, "b", "hang"));
    await a.idle();
    const workers = b.processes().filter((pid) => !pid.equals(server.pid));
    expect(workers).toHaveLength(1);
    b.exit(workers[0]!, "kill");
    await a.idle();
    expect(expectKind(call.error, "exit").reason).toBe("killed");
    expect(server.inflight).toBe(0);
  });

  it("rejects bad arguments on the caller's side with badarg, sending nothing", async () => {
    const { net, inbox } = setup();
    const sent = net.sent.length;
    const bad = [
      Rpc.call(inbox, "b", 42 as unknown as string),
      Rpc.call(inbox, "b", ""),
      Rpc.call(inbox, "b", "add", "1, 2" as unknown as unknown[]),
      Rpc.call(inbox, "b", "add", [() => 1]),
      Rpc.call(inbox, "b", "add", [1, 2], { timeoutMs: -1 }),
      Rpc.call(inbox, "", "add", [1, 2]),
    ];
    for (const call of bad) expectKind(await call.catch((e) => e), "badarg");
    expect(net.sent.length).toBe(sent);
  });
});

describe("Rpc.cast", () => {
  it("runs the function remotely without an answer; failures are only logged there", async () => {
    const { a, events, server, inbox } = setup();
    const seen: unknown[][] = [];
    server.register("record", (...args: unknown[]) => {
      seen.push(args);
    });
    Rpc.cast(inbox, "b", "record", [1, "two", { three: 3 }]);
    Rpc.cast(a, "b", "record", ["from the node"]);
    Rpc.cast(inbox, "b", "missing", []);
    Rpc.cast(inbox, "b", "fail", ["cast failure"]);
    Rpc.cast(inbox, "ghost", "record", []);
    await a.idle();
    expect(seen).toEqual([[1, "two", { three: 3 }], ["from the node"]]);
    expect(events.map((e) => e.kind)).toEqual(["undef", "cast_failed"]);
    expect(() => Rpc.cast(inbox, "b", "record", [Symbol("x")])).toThrow(RpcError);
    await expectEmpty(inbox);
  });
});

describe("Rpc.multiCall", () => {
  it("answers per node, in order, mixing results, undef, unreachable nodes and nodes without RPC", async () => {
    const { net, nodes } = cluster("a", "b", "c", "d", "e");
    const [a, b, c, d] = nodes as [Node, Node, Node, Node];
    for (const node of [a, b, d]) Rpc.register(node, "whoami", () => node.name);
    Rpc.start(c);
    net.block("a", "d");
    const results = await Rpc.multiCall<string>(a.inbox(), ["a", "b", "c", "d", "e", "ghost"], "whoami");
    expect(results.map((r) => (r.status === "ok" ? r.value : r.error.kind))).toEqual([
      "a",
      "b",
      "undef",
      "noconnection",
      "notsup",
      "noconnection",
    ]);
    expect(results[2]).toMatchObject({ status: "error", error: { node: "c" } });
  });

  it("shares one timeout: the nodes that answer in time are ok, the others time out", async () => {
    const { clock, nodes } = cluster("a", "b", "c");
    const [a, b, c] = nodes as [Node, Node, Node];
    Rpc.register(b, "maybe", () => "quick");
    Rpc.register(c, "maybe", () => new Promise(() => {}));
    const results = watch(Rpc.multiCall(a, ["b", "c"], "maybe", [], { timeoutMs: 50 }));
    await a.idle();
    clock.advance(50);
    await a.idle();
    expect(results.value?.map((r) => r.status)).toEqual(["ok", "error"]);
    expect(results.value?.[1]).toMatchObject({ error: { kind: "timeout", node: "c" } });
  });

  it("rejects bad arguments as a whole", async () => {
    const { inbox } = setup();
    expectKind(await Rpc.multiCall(inbox, "b" as unknown as string[], "add").catch((e) => e), "badarg");
    expectKind(await Rpc.multiCall(inbox, ["b", 7 as unknown as string], "add").catch((e) => e), "badarg");
    expectKind(await Rpc.multiCall(inbox, ["b"], "add", [() => 0]).catch((e) => e), "badarg");
  });
});

describe("Rpc.sendRequest", () => {
  it("overlaps requests and collects them in any order", async () => {
    const { a, server, inbox } = setup();
    const slow = gate();
    server.register("slow", () => slow.promise);
    const first = Rpc.sendRequest(inbox, "b", "slow");
    const second = Rpc.sendRequest(inbox, "b", "add", [1, 1]);
    expect(await Rpc.receiveResponse(inbox, second)).toBe(2);
    slow.open("finally");
    await a.idle();
    expect(await Rpc.receiveResponse(inbox, first)).toBe("finally");
    const failing = Rpc.sendRequest(inbox, "b", "missing");
    expectKind(await Rpc.receiveResponse(inbox, failing).catch((e) => e), "undef");
    await expectEmpty(inbox);
  });

  it("checkResponse picks the outcome out of any message, including a lost connection", async () => {
    const { a, net, inbox } = setup();
    const id = Rpc.sendRequest(inbox, "b", "add", [2, 2]);
    await a.idle();
    const reply = await inbox.receive(undefined, 0);
    expect(reply).toBeInstanceOf(ReplyMessage);
    expect(Rpc.checkResponse("unrelated", id)).toBeUndefined();
    expect(Rpc.checkResponse(reply, id)).toEqual({ status: "ok", value: 4 });
    const lost = Rpc.sendRequest(inbox, "b", "hang");
    await a.idle();
    net.disconnect("a", "b");
    await a.idle();
    const result = Rpc.checkResponse(await inbox.receive(undefined, 0), lost);
    expect(result?.status === "error" && result.error.kind).toBe("noconnection");
  });

  it("a receiveResponse timeout abandons the request: the late answer never arrives", async () => {
    const { a, clock, server, inbox } = setup();
    const slow = gate();
    server.register("slow", () => slow.promise);
    const id = Rpc.sendRequest(inbox, "b", "slow");
    const response = watch(Rpc.receiveResponse(inbox, id, 10));
    await a.idle();
    clock.advance(10);
    await a.idle();
    expectKind(response.error, "timeout");
    slow.open("too late");
    await expectEmpty(inbox);
  });
});
