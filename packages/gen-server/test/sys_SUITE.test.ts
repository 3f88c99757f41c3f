/**
 * OTP's `lib/stdlib/test/sys_SUITE.erl`, the cases run against its gen_server fixture
 * (`sys_SUITE_server`): the `sys` debug and control API on a GenServer. `special_process` is in
 * packages/sys/test/sys_SUITE.test.ts; docs/parity/sys_SUITE.md lists every case.
 */
import { CallError, type Inbox, type ReplyTo } from "@maquis/core";
import { type DebugFn, type LogEvent, type Statistics, type SystemEvent, sys } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import { type Call, call, GenServer, named, ok, reply, stopAndReply } from "../src/index.js";
import { drain, rejectionOf, useNodes } from "./support.js";

const startNode = useNodes("sys_SUITE");

interface SysSuiteProtocol {
  calls: Call<{ req: number }, { ok: number }> | Call<"stop", "ok">;
  casts: never;
}

/** The suite's dummy server: counts requests, answers `{req, N}` with `{ok, -N}`. */
class SysSuiteServer extends GenServer<SysSuiteProtocol, number> {
  init() {
    return ok(0);
  }
  override handleCall(request: { req: number } | "stop", _from: ReplyTo, state: number) {
    if (request === "stop") return stopAndReply("normal", "ok" as const, state);
    return reply({ ok: -request.req }, state + 1);
  }
  override terminate() {}
}

const SERVER = "sys_SUITE_server";
const server = named<SysSuiteProtocol>(SERVER);

/** `start()`: `gen_server:start_link({local, sys_SUITE_server}, …)`. */
const start = (inbox: Inbox) => SysSuiteServer.startLink(inbox, undefined, { name: SERVER });
/** `public_call(Arg)`. */
const publicCall = (inbox: Inbox, arg: number) => call(inbox, server, { req: arg }, 1000);
/** `stop()`: a call that stops the server. */
const stopServer = async (inbox: Inbox) => {
  expect(await call(inbox, server, "stop", 1000)).toBe("ok");
};

const traceLines = (logs: readonly LogEvent[]): string[] =>
  logs.filter((e) => e.kind === "trace").map((e) => e.text);

describe("sys_SUITE", () => {
  it("log", async () => {
    const { inbox, logs } = startNode();
    await start(inbox);
    await sys.log(inbox, SERVER, true);
    expect(await publicCall(inbox, 44)).toEqual({ ok: -44 });
    // Not checked by the suite: what the log holds ({in, {'$gen_call', From, Req}}, {out, …}).
    expect(await sys.log(inbox, SERVER, "get")).toEqual([
      { kind: "in", message: { req: 44 }, from: inbox.pid },
      { kind: "out", reply: { ok: -44 }, to: inbox.pid, state: 1 },
    ]);
    await sys.log(inbox, SERVER, "print");
    expect(traceLines(logs)).toEqual([
      `*DBG* ${SERVER} got call {"req":44} from ${inbox.pid}`,
      `*DBG* ${SERVER} sent {"ok":-44} to ${inbox.pid}`,
    ]);
    await sys.log(inbox, SERVER, false);
    // The suite prints after turning the log off: there is nothing left to print.
    await sys.log(inbox, SERVER, "print");
    expect(traceLines(logs)).toHaveLength(2);
    // {true, N} keeps the last N events.
    await sys.log(inbox, SERVER, 1);
    await publicCall(inbox, 45);
    expect(await sys.log(inbox, SERVER, "get")).toEqual([
      { kind: "out", reply: { ok: -45 }, to: inbox.pid, state: 2 },
    ]);
    await stopServer(inbox);
    expect(await drain(inbox)).toEqual([]);
  });

  // log_to_file: skipped, see docs/parity/sys_SUITE.md (no file system in @maquis/sys; route the
  // trace lines anywhere, a file included, with setLogger).

  it("stats", async () => {
    const { inbox } = startNode();
    const pid = await start(inbox);
    await sys.statistics(inbox, SERVER, true);
    expect(await publicCall(inbox, 44)).toEqual({ ok: -44 });
    const stats = (await sys.statistics(inbox, SERVER, "get")) as Statistics;
    expect(stats.messagesIn).toBe(1);
    expect(stats.messagesOut).toBe(1);
    await sys.statistics(inbox, SERVER, false);
    const status = await sys.getStatus(inbox, SERVER);
    expect(status).toMatchObject({ pid, status: "running", parent: inbox.pid, module: "SysSuiteServer" });
    expect(await sys.statistics(inbox, SERVER, "get")).toBe("no_statistics");
    await stopServer(inbox);
    expect(await drain(inbox)).toEqual([]);
  });

  it("trace", async () => {
    const { inbox, logs } = startNode();
    await start(inbox);
    await sys.trace(inbox, SERVER, true);
    expect(await publicCall(inbox, 44)).toEqual({ ok: -44 });
    const traced = logs.filter((e) => e.kind === "trace");
    expect(traced.map((e) => e.text)).toEqual([
      `*DBG* ${SERVER} got call {"req":44} from ${inbox.pid}`,
      `*DBG* ${SERVER} sent {"ok":-44} to ${inbox.pid}`,
    ]);
    expect(traced.every((e) => e.level === "debug")).toBe(true);
    await sys.trace(inbox, SERVER, false);
    await publicCall(inbox, 45);
    expect(logs.filter((e) => e.kind === "trace")).toHaveLength(2);
    await stopServer(inbox);
    expect(await drain(inbox)).toEqual([]);
  });

  it("suspend", async () => {
    const { node, clock, inbox } = startNode();
    await start(inbox);
    /** A call made while suspended: it times out after its 1000 ms. */
    const callTimesOut = async () => {
      const failed = rejectionOf(publicCall(inbox, 48));
      await node.idle();
      clock.advance(1000);
      const error = await failed;
      expect(error).toBeInstanceOf(CallError);
      expect((error as CallError).reason).toBe("timeout");
    };
    await sys.suspend(inbox, SERVER, 1000);
    await callTimesOut();
    expect((await sys.getStatus(inbox, SERVER)).status).toBe("suspended");
    await sys.suspend(inbox, SERVER, 1000); // doing it twice is no error
    await callTimesOut();
    await sys.resume(inbox, SERVER);
    expect((await sys.getStatus(inbox, SERVER)).status).toBe("running");
    expect(await publicCall(inbox, 48)).toEqual({ ok: -48 });
    await sys.resume(inbox, SERVER); // doing it twice is no error
    expect(await publicCall(inbox, 48)).toEqual({ ok: -48 });
    // The two calls that timed out were still queued, and were served on resume; their late replies
    // went nowhere (the drain below finds none).
    expect(await sys.getState(inbox, SERVER)).toBe(4);
    await stopServer(inbox);
    expect(await drain(inbox)).toEqual([]);
  });

  it("install", async () => {
    const { node, inbox } = startNode();
    await start(inbox);
    /** The suite's SpyFun: tells the tester about each `{req, N}` call it sees. */
    const spyFun: DebugFn = (funcState, event, procState) => {
      const message = event.kind === "in" ? (event as { message?: unknown }).message : undefined;
      if (typeof message === "object" && message !== null && "req" in message) {
        node.send(inbox.pid, { spyGot: { request: message.req }, procState });
      }
      return funcState;
    };
    const spyGot = (n: number) => ({ spyGot: { request: n }, procState: SERVER });

    await sys.install(inbox, SERVER, spyFun, "func_state");
    expect(await publicCall(inbox, 1)).toEqual({ ok: -1 });
    await sys.noDebug(inbox, SERVER);
    expect(await publicCall(inbox, 2)).toEqual({ ok: -2 });
    await sys.install(inbox, SERVER, spyFun, "func_state");
    await sys.install(inbox, SERVER, spyFun, "func_state"); // the same fun is installed once
    expect(await publicCall(inbox, 3)).toEqual({ ok: -3 });
    expect(await publicCall(inbox, 4)).toEqual({ ok: -4 });
    await sys.remove(inbox, SERVER, spyFun);
    expect(await publicCall(inbox, 5)).toEqual({ ok: -5 });
    expect(await drain(inbox)).toEqual([spyGot(1), spyGot(3), spyGot(4)]);

    await sys.install(inbox, SERVER, spyFun, "func_state", { id: "id1" });
    await sys.install(inbox, SERVER, spyFun, "func_state", { id: "id1" }); // should not be installed
    await sys.install(inbox, SERVER, spyFun, "func_state", { id: "id2" });
    expect(await publicCall(inbox, 1)).toEqual({ ok: -1 });
    // We have two SpyFuns installed.
    expect(await drain(inbox)).toEqual([spyGot(1), spyGot(1)]);
    // Not in the suite: a fun installed under an id is removed by that id only (sys's keydelete).
    await sys.remove(inbox, SERVER, spyFun);
    expect(await publicCall(inbox, 1)).toEqual({ ok: -1 });
    expect(await drain(inbox)).toEqual([spyGot(1), spyGot(1)]);
    await sys.remove(inbox, SERVER, "id1");
    expect(await publicCall(inbox, 1)).toEqual({ ok: -1 });
    // We have one SpyFun installed.
    expect(await drain(inbox)).toEqual([spyGot(1)]);
    await sys.noDebug(inbox, SERVER);
    expect(await publicCall(inbox, 1)).toEqual({ ok: -1 });
    expect(await drain(inbox)).toEqual([]);

    // Not in the suite: a fun's state threads through its calls; "done" uninstalls it; a thrown
    // Error uninstalls it; a thrown non-Error value is its next state (Erlang's catch).
    const seen: Array<[unknown, SystemEvent["kind"]]> = [];
    const counter: DebugFn = (n, event) => {
      seen.push([n, event.kind]);
      if (n === 3) return "done";
      if (n === 1) throw 2;
      return (n as number) + 1;
    };
    const crasher: DebugFn = () => {
      seen.push(["crasher", "in"]);
      throw new Error("spy crashed");
    };
    await sys.install(inbox, SERVER, counter, 0);
    await sys.install(inbox, SERVER, crasher, undefined);
    await publicCall(inbox, 1); // counter: 0 (in) → 1, 1 (out) throws 2; crasher runs once, removed
    await publicCall(inbox, 2); // counter: 2 (in) → 3, 3 (out) → done
    await publicCall(inbox, 3); // nothing installed any more
    expect(seen).toEqual([
      [0, "in"],
      ["crasher", "in"],
      [1, "out"],
      [2, "in"],
      [3, "out"],
    ]);
    expect((await sys.getStatus(inbox, SERVER)).debug).toEqual({
      trace: false,
      log: false,
      statistics: false,
    });
    await stopServer(inbox);
    expect(await drain(inbox)).toEqual([]);
  });

  // special_process: in packages/sys/test/sys_SUITE.test.ts (hand-written special processes).
});
