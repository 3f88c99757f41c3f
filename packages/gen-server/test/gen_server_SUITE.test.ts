/**
 * Over 400 lines on purpose: the OTP cases of one suite group, read case by case against the original.
 *
 * OTP's `lib/stdlib/test/gen_server_SUITE.erl`, ported case by case (part 1: start, stop, crash,
 * loop_start_fail, call, send_request). Part 2 (`gen_server_SUITE.dispatch.test.ts`) has the rest of
 * the suite; `gen_server_SUITE.semantics.test.ts` adds the reference points the suite leaves implicit.
 * docs/parity/gen_server_SUITE.md lists every case with its status.
 *
 * Conventions: the test process is an inbox (Erlang's `self()`), trapping exits where the suite does;
 * time is the node's VirtualClock, driven with `advance`; many cases end by asserting an empty mailbox.
 */
import { BadArgError, DownMessage, type Inbox, isDown, isExit, ReplyMessage } from "@maquis/core";
import { type StartError, sys } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import {
  call,
  checkResponse,
  GenServer,
  ignore,
  initError,
  ok,
  type RequestId,
  RequestIds,
  receiveResponse,
  sendRequest,
  stop,
  waitResponse,
} from "../src/index.js";
import { DummyVia } from "./fixtures/DummyVia.js";
import { advance, callFailure, pidOf, received, startFailure } from "./fixtures/helpers.js";
import { specInitAction, startSpec } from "./fixtures/specInit.js";
import { ETS_NAME, type EtsInit, type SuiteArgs, SuiteServer } from "./fixtures/SuiteServer.js";
import { drain, rejectionOf, useNodes } from "./support.js";

const startNode = useNodes("gs1_");

describe("gen_server_SUITE", () => {
  it("start", async () => {
    const { node, clock, inbox } = startNode();
    inbox.trapExit(true);

    // anonymous
    const pid0 = await SuiteServer.start(inbox);
    expect(await call(inbox, pid0, "started_p")).toBe("ok");
    expect(await call(inbox, pid0, "stop")).toBe("ok");
    expect(node.isAlive(pidOf(pid0))).toBe(false);
    expect((await callFailure(call(inbox, pid0, "started_p", 1))).reason).toBe("noproc");

    // anonymous with timeout
    const pid00 = await SuiteServer.start(inbox, undefined, { timeout: 1000 });
    expect(await call(inbox, pid00, "started_p")).toBe("ok");
    expect(await call(inbox, pid00, "stop")).toBe("ok");
    const slow = startFailure(SuiteServer.start(inbox, "sleep", { timeout: 100 }));
    await advance(node, clock, 100);
    expect((await slow).reason).toBe("timeout");

    // anonymous with ignore, with {error, foobar}, with stop
    expect((await startFailure(SuiteServer.start(inbox, "ignore"))).ignored).toBe(true);
    expect((await startFailure(SuiteServer.start(inbox, { error: "foobar" }))).reason).toBe("foobar");
    expect((await startFailure(SuiteServer.start(inbox, "stop"))).reason).toBe("stopped");

    // anonymous linked
    const pid1 = await SuiteServer.startLink(inbox);
    expect(await call(inbox, pid1, "started_p")).toBe("ok");
    expect(await call(inbox, pid1, "stop")).toBe("ok");
    expect(await received(inbox, isExit(pidOf(pid1)))).toMatchObject({ reason: "stopped" });

    // anonymous monitored
    const [pid1b, mon1b] = await SuiteServer.startMonitor(inbox);
    expect(await call(inbox, pid1b, "started_p")).toBe("ok");
    expect(await call(inbox, pid1b, "stop")).toBe("ok");
    expect(await received(inbox, isDown(mon1b))).toMatchObject({ item: pid1b, reason: "stopped" });

    // local register
    const pid2 = await SuiteServer.start(inbox, undefined, { name: "my_test_name" });
    expect(await call(inbox, "my_test_name", "started_p")).toBe("ok");
    expect(
      (await startFailure(SuiteServer.start(inbox, undefined, { name: "my_test_name" }))).reason,
    ).toEqual({
      alreadyStarted: pid2,
    });
    expect(await call(inbox, "my_test_name", "stop")).toBe("ok");
    expect((await callFailure(call(inbox, pid2, "started_p", 10))).reason).toBe("noproc");

    // local register linked
    const pid3 = await SuiteServer.startLink(inbox, undefined, { name: "my_test_name" });
    expect(await call(inbox, "my_test_name", "started_p")).toBe("ok");
    expect(
      (await startFailure(SuiteServer.start(inbox, undefined, { name: "my_test_name" }))).reason,
    ).toEqual({
      alreadyStarted: pid3,
    });
    expect(await call(inbox, "my_test_name", "stop")).toBe("ok");
    expect(await received(inbox, isExit(pidOf(pid3)))).toMatchObject({ reason: "stopped" });

    // local register monitored
    const [pid3b, mon3b] = await SuiteServer.startMonitor(inbox, undefined, { name: "my_test_name" });
    expect(await call(inbox, "my_test_name", "started_p")).toBe("ok");
    const again = SuiteServer.startMonitor(inbox, undefined, { name: "my_test_name" });
    expect((await startFailure(again)).reason).toEqual({ alreadyStarted: pid3b });
    expect(await call(inbox, "my_test_name", "stop")).toBe("ok");
    expect(await received(inbox, isDown(mon3b))).toMatchObject({ item: pid3b, reason: "stopped" });

    // global register, global register linked, global register monitored: Maquis has no global
    // registry (a cluster-wide registry plugs in as a via registry), so the via cases stand for them.

    // via register
    const via = new DummyVia(node);
    const viaName = { via, name: "my_test_name" };
    const pid6 = await SuiteServer.start(inbox, undefined, { name: viaName });
    expect(await call(inbox, viaName, "started_p")).toBe("ok");
    expect((await startFailure(SuiteServer.start(inbox, undefined, { name: viaName }))).reason).toEqual({
      alreadyStarted: pid6,
    });
    expect(await call(inbox, viaName, "stop")).toBe("ok");
    expect((await callFailure(call(inbox, pid6, "started_p", 10))).reason).toBe("noproc");

    // via register linked
    via.reset();
    const pid7 = await SuiteServer.startLink(inbox, undefined, { name: viaName });
    expect(await call(inbox, viaName, "started_p")).toBe("ok");
    expect((await startFailure(SuiteServer.start(inbox, undefined, { name: viaName }))).reason).toEqual({
      alreadyStarted: pid7,
    });
    expect(await call(inbox, viaName, "stop")).toBe("ok");
    expect(await received(inbox, isExit(pidOf(pid7)))).toMatchObject({ reason: "stopped" });

    expect(await drain(inbox)).toEqual([]);
  });

  // The suite runs each case twice: started by start_link, and by proc_lib + enter_loop with the
  // action init returned (spec_init_action). Only the plain `{timeout, T, Msg}` and
  // `{continue, {timeout, …}}` rows are ported: Next has no `{abs, …}` options nor `{hibernate, T, Msg}`.
  const eventTimeoutStarts = {
    start_link: (inbox: Inbox, args: SuiteArgs) => SuiteServer.startLink(inbox, args),
    spec_init_action: (inbox: Inbox, args: SuiteArgs) => startSpec(inbox, specInitAction(args)),
  };

  it("start_event_timeout", async () => {
    const { node, clock, inbox } = startNode();
    inbox.trapExit(true);
    for (const start of Object.values(eventTimeoutStarts)) {
      for (const op of ["timeout", "continue_timeout"] as const) {
        for (const interrupt of [false, true]) {
          const pid = await start(inbox, { op, ms: 500, to: inbox.pid });
          await sys.getStatus(inbox, pid); // a system message does not cancel the timeout
          if (interrupt) expect(await call(inbox, pid, "ping")).toBe("pong");
          await advance(node, clock, 1000);
          const notes = await drain(inbox);
          expect(notes).toEqual(interrupt ? [] : [[pid, "event_timeout"]]);
          expect(await call(inbox, pid, "stop")).toBe("ok");
          expect(await received(inbox, isExit(pidOf(pid)))).toBeDefined();
        }
      }
    }
    expect(await drain(inbox)).toEqual([]);
  });

  const startEventTimeoutZero = async (start: (inbox: Inbox, args: SuiteArgs) => Promise<unknown>) => {
    const { inbox } = startNode();
    inbox.trapExit(true);
    for (const op of ["timeout_zero", "continue_timeout_zero"] as const) {
      const pid = pidOf(await start(inbox, { op, to: inbox.pid }));
      // A zero event timeout fires before the message init sent to the server itself.
      expect(await drain(inbox)).toEqual([
        [pid, "event_timeout"],
        [pid, "after_event_timeout_zero"],
      ]);
      expect(await call(inbox, pid, "stop")).toBe("ok");
      expect(await received(inbox, isExit(pid))).toBeDefined();
    }
    expect(await drain(inbox)).toEqual([]);
  };

  it("start_event_timeout_zero", () => startEventTimeoutZero(eventTimeoutStarts.start_link));

  // BUG (packages/core/src/internal/Process.ts, runSlice, line ~124): a handler process scheduled
  // while its async init is still pending (here: init_ack, then init sends itself a message before its
  // first await) has that message handed to `receive` before init settles; runSlice never checks BUSY.
  // Under enter_loop the stub `receive` of the sys-started process swallows after_event_timeout_zero.
  it("start_event_timeout_zero (spec_init_action)", () =>
    startEventTimeoutZero(eventTimeoutStarts.spec_init_action));

  describe("stop", () => {
    it("stop1", async () => {
      // Anonymous, reason normal
      const { node } = startNode();
      const pid = await SuiteServer.start(node);
      await GenServer.stop(node, pid);
      expect(node.isAlive(pidOf(pid))).toBe(false);
      const again = await callFailure(GenServer.stop(node, pid));
      expect(again.reason).toBe("noproc");
      expect(again.site).toBeUndefined(); // a bare exit(noproc), not a call failure
    });

    it("stop2", async () => {
      // Anonymous, other reason
      const { node } = startNode();
      const pid = await SuiteServer.start(node);
      await GenServer.stop(node, pid, "other_reason", Number.POSITIVE_INFINITY);
      expect(node.isAlive(pidOf(pid))).toBe(false);
    });

    it("stop3", async () => {
      // Anonymous, invalid timeout: the caller fails and the server lives on
      const { node } = startNode();
      const pid = await SuiteServer.start(node);
      for (const invalid of [-1, Number.NaN, "invalid_timeout" as unknown as number]) {
        expect(await rejectionOf(GenServer.stop(node, pid, "other_reason", invalid))).toBeInstanceOf(
          BadArgError,
        );
      }
      await node.idle();
      expect(node.isAlive(pidOf(pid))).toBe(true);
      await GenServer.stop(node, pid);
      expect(node.isAlive(pidOf(pid))).toBe(false);
    });

    it("stop4", async () => {
      // Registered name
      const { node } = startNode();
      const pid = await SuiteServer.start(node, undefined, { name: "to_stop" });
      await GenServer.stop(node, "to_stop");
      expect(node.isAlive(pidOf(pid))).toBe(false);
      const again = await callFailure(GenServer.stop(node, "to_stop"));
      expect([again.reason, again.site]).toEqual(["noproc", undefined]);
    });

    it("stop5", async () => {
      // Registered name and local node
      const { node } = startNode();
      const pid = await SuiteServer.start(node, undefined, { name: "to_stop" });
      await GenServer.stop(node, { name: "to_stop", node: node.name });
      expect(node.isAlive(pidOf(pid))).toBe(false);
      const again = await callFailure(GenServer.stop(node, { name: "to_stop", node: node.name }));
      expect([again.reason, again.site]).toEqual(["noproc", undefined]);
    });

    it.skip("stop6 (skipped: no global registry in Maquis; a global-like registry is a via registry, stop7)", () => {});

    it("stop7", async () => {
      // 'via' registered name
      const { node } = startNode();
      const via = new DummyVia(node);
      const pid = await SuiteServer.start(node, undefined, { name: { via, name: "to_stop" } });
      await GenServer.stop(node, { via, name: "to_stop" });
      expect(node.isAlive(pidOf(pid))).toBe(false);
      const again = await callFailure(GenServer.stop(node, { via, name: "to_stop" }));
      expect([again.reason, again.site]).toEqual(["noproc", undefined]);
    });

    it.skip("stop8 (skipped [dist]: needs a second node that goes down)", () => {});
    it.skip("stop9 (skipped [dist]: needs a second node that goes down)", () => {});
    it.skip("stop10 (skipped [dist]: needs a second node and a global registry)", () => {});
  });

  it("crash", async () => {
    const { node, inbox, logs } = startNode();
    inbox.trapExit(true);
    const errors = () => logs.filter((e) => e.level === "error");

    // These crashes must not generate a crash report.
    const pid0 = await SuiteServer.startLink(inbox);
    const e0 = await callFailure(call(inbox, pid0, "shutdown_reason"));
    expect(e0.reason).toEqual({ shutdown: "reason" });
    expect(e0.site).toMatchObject({ module: "GenServer", function: "call" });
    expect(await received(inbox, isExit(pidOf(pid0)))).toMatchObject({ reason: { shutdown: "reason" } });

    const pid1 = await SuiteServer.startLink(inbox, { state: "state1" });
    expect((await callFailure(call(inbox, pid1, "stop_shutdown_reason"))).reason).toEqual({
      shutdown: "stop_reason",
    });
    expect(await received(inbox, isExit(pidOf(pid1)))).toMatchObject({ reason: { shutdown: "stop_reason" } });

    const pid2 = await SuiteServer.startLink(inbox);
    expect((await callFailure(call(inbox, pid2, "exit_shutdown"))).reason).toBe("shutdown");
    expect(await received(inbox, isExit(pidOf(pid2)))).toMatchObject({ reason: "shutdown" });

    const pid3 = await SuiteServer.startLink(inbox, { state: "state3" });
    expect((await callFailure(call(inbox, pid3, "stop_shutdown"))).reason).toBe("shutdown");
    expect(await received(inbox, isExit(pidOf(pid3)))).toMatchObject({ reason: "shutdown" });

    await node.idle();
    expect(errors()).toEqual([]);
    inbox.trapExit(false);

    // This crash generates a gen_server error report and a crash report.
    const pid4 = await SuiteServer.start(inbox, { state: "state4" });
    expect((await callFailure(call(inbox, pid4, "crash"))).reason).toBe("crashed");
    await node.idle();
    expect(errors()).toMatchObject([
      {
        kind: "gen_server_terminate",
        pid: pid4,
        data: { lastMessage: "crash", state: { formatted: "state4" }, reason: "crashed", client: inbox.pid },
      },
      { kind: "crash_report", pid: pid4, data: { reason: "crashed", ancestors: [inbox.pid] } },
    ]);

    expect(await drain(inbox)).toEqual([]);
  });

  it("loop_start_fail", async () => {
    const { node, clock, inbox } = startNode();
    inbox.trapExit(true);
    // The suite's {start,[]}, {start,[link]}, {start_link,[]}, {start_monitor,[link]}, {start_monitor,[]}:
    // the [link] spawn option has no counterpart, so those rows start from a node and from the inbox.
    const starts = {
      start: (args: SuiteArgs, timeout?: number) => SuiteServer.start(inbox, args, { timeout }),
      start_from_node: (args: SuiteArgs, timeout?: number) => SuiteServer.start(node, args, { timeout }),
      start_link: (args: SuiteArgs, timeout?: number) => SuiteServer.startLink(inbox, args, { timeout }),
      start_monitor: (args: SuiteArgs, timeout?: number) =>
        SuiteServer.startMonitor(inbox, args, { timeout }),
      start_monitor_again: (args: SuiteArgs, timeout?: number) =>
        SuiteServer.startMonitor(inbox, args, { timeout }),
    };
    const cases: Array<[EtsInit, (e: StartError) => void, unknown, number?]> = [
      [
        { return: stop("failed_to_start") },
        (e) => expect(e.reason).toBe("failed_to_start"),
        "failed_to_start",
      ],
      [{ return: ignore() }, (e) => expect(e.ignored).toBe(true), "normal"],
      [{ return: 4711 }, (e) => expect(e.reason).toEqual({ badReturnValue: 4711 }), { badReturnValue: 4711 }],
      [
        { crash: "error", reason: "bailout" },
        (e) => {
          expect(e.reason).toBeInstanceOf(Error);
          expect((e.reason as Error).message).toBe("bailout");
          expect((e.reason as Error).stack).toContain("bailout"); // Erlang's {bailout, Stacktrace}
        },
        expect.any(Error),
      ],
      [{ crash: "exit", reason: "bailout" }, (e) => expect(e.reason).toBe("bailout"), "bailout"],
      // Not a row of the suite: OTP 26's {error, R} fails the start with R but exits normal.
      [{ return: initError("failed") }, (e) => expect(e.reason).toBe("failed"), "normal"],
      [{ wait: 1000, value: ok([]) }, (e) => expect(e.reason).toBe("timeout"), "killed", 200],
    ];
    for (const [mode, start] of Object.entries(starts)) {
      for (const [ets, validate, downReason, timeout] of cases) {
        for (let n = 0; n < 5; n++) {
          const failed = startFailure(start({ ets }, timeout));
          if (timeout !== undefined) await advance(node, clock, timeout);
          validate(await failed);
          // The child is dead and its name (the suite's named ets table) is free before start returns.
          expect(node.whereis(ETS_NAME)).toBeUndefined();
          // No EXIT leaks from a failed start_link; a start_monitor leaves its DOWN.
          const left = await drain(inbox);
          if (mode.startsWith("start_monitor")) {
            expect(left).toHaveLength(1);
            expect(left[0]).toBeInstanceOf(DownMessage);
            expect((left[0] as DownMessage).reason).toEqual(downReason);
          } else {
            expect(left).toEqual([]);
          }
        }
      }
    }
  });

  it("call", async () => {
    const { node, clock, inbox } = startNode();
    inbox.trapExit(true);
    const pid = await SuiteServer.startLink(inbox, undefined, { name: "my_test_name" });

    expect(await call(inbox, "my_test_name", "started_p")).toBe("ok");
    const delayed = call(inbox, "my_test_name", { op: "delayed_answer", ms: 1 });
    await advance(node, clock, 1);
    expect(await delayed).toBe("delayed");

    // two requests within a specified time
    expect(await call(inbox, "my_test_name", { op: "call_within", ms: 1000 })).toBe("ok");
    await advance(node, clock, 500);
    expect(await call(inbox, "my_test_name", "next_call")).toBe("ok");
    expect(await call(inbox, "my_test_name", { op: "call_within", ms: 1000 })).toBe("ok");
    await advance(node, clock, 1500);
    expect(await call(inbox, "my_test_name", "next_call")).toBe(false);

    // timeout call
    const inTime = call(inbox, "my_test_name", { op: "delayed_answer", ms: 1 }, 30);
    await advance(node, clock, 1);
    expect(await inTime).toBe("delayed");
    const late = callFailure(call(inbox, "my_test_name", { op: "delayed_answer", ms: 30 }, 1));
    await advance(node, clock, 1);
    const timedOut = await late;
    expect(timedOut.reason).toBe("timeout");
    expect(timedOut.site).toEqual({
      module: "GenServer",
      function: "call",
      args: ["my_test_name", { op: "delayed_answer", ms: 30 }, 1],
    });
    await advance(node, clock, 100); // the server replies at 30 ms: the late reply is dropped
    expect(await drain(inbox)).toEqual([]);

    // bad return value in the gen_server loop from handle_call
    const bad = await callFailure(call(inbox, "my_test_name", "badreturn"));
    expect(bad.reason).toEqual({ badReturnValue: "badreturn" });
    expect(await received(inbox, isExit(pidOf(pid)))).toMatchObject({
      reason: { badReturnValue: "badreturn" },
    });
    expect(await drain(inbox)).toEqual([]);
  });

  it("send_request", async () => {
    const { node, clock, inbox } = startNode();
    inbox.trapExit(true);
    const pid = await SuiteServer.startLink(inbox, undefined, { name: "my_test_name" });

    const wait = (to: Parameters<typeof sendRequest>[1], request: unknown) =>
      waitResponse(inbox, sendRequest(inbox, to, request), Number.POSITIVE_INFINITY);

    expect(await wait("my_test_name", "started_p")).toEqual({ reply: "ok" });
    const delayed = wait(pid, { op: "delayed_answer", ms: 1 });
    await advance(node, clock, 1);
    expect(await delayed).toEqual({ reply: "delayed" });

    // two requests within a specified time
    const promise1 = sendRequest(inbox, "my_test_name", { op: "call_within", ms: 1000 });
    const promise2 = sendRequest(inbox, "my_test_name", "next_call");
    expect(await waitResponse(inbox, promise1)).toEqual({ reply: "ok" });
    expect(await waitResponse(inbox, promise2)).toEqual({ reply: "ok" });

    const promise3 = sendRequest(inbox, "my_test_name", { op: "call_within", ms: 1000 });
    expect(checkResponse({ foo: "bar" }, promise3)).toBe("no_reply");
    const message = await received(inbox, () => true);
    expect(message).toBeInstanceOf(ReplyMessage); // the wire shape of a reply, Erlang's {[alias|Ref], Reply}
    expect(checkResponse(message, promise3)).toEqual({ reply: "ok" });
    await advance(node, clock, 1500);
    expect(await wait("my_test_name", "next_call")).toEqual({ reply: false });

    // timeout: wait_response does not abandon the request
    const promise5 = sendRequest(inbox, "my_test_name", { op: "delayed_answer", ms: 50 });
    expect(await waitResponse(inbox, promise5, 0)).toBe("timeout");
    const later = waitResponse(inbox, promise5, Number.POSITIVE_INFINITY);
    await advance(node, clock, 50);
    expect(await later).toEqual({ reply: "delayed" });

    // bad return value in the gen_server loop from handle_call
    expect(await wait("my_test_name", "badreturn")).toEqual({
      error: [{ badReturnValue: "badreturn" }, "my_test_name"],
    });
    expect(await received(inbox, isExit(pidOf(pid)))).toBeDefined();

    // other error cases
    expect(await wait(pid, "started_p")).toEqual({ error: ["noproc", pid] });
    expect(await wait("my_test_name", "started_p")).toEqual({ error: ["noproc", "my_test_name"] });
    const remote = { name: "my_test_name", node: "foo@node" };
    expect(await wait(remote, "started_p")).toEqual({ error: ["noconnection", remote] });
    // {global, non_existing}: no global registry (see start); a via name that is not registered:
    const via = new DummyVia(node);
    expect(await wait({ via, name: "non_existing" }, "started_p")).toEqual({
      error: ["noproc", { via, name: "non_existing" }],
    });
    node.exit(via.pid, "foo");
    expect(() => sendRequest(inbox, { via, name: "non_existing" }, "started_p")).toThrow(BadArgError);
    // The remote-node part of the case is [dist].

    expect(await drain(inbox)).toEqual([]);
  });

  describe("reqid collections", () => {
    const startThree = async (inbox: Inbox) => [
      await SuiteServer.startLink(inbox, undefined, { name: "my_test_name1" }),
      await SuiteServer.startLink(inbox, undefined, { name: "my_test_name2" }),
      await SuiteServer.startLink(inbox, undefined, { name: "my_test_name3" }),
    ];

    const labels = <L>(ids: RequestIds<L>) => ids.toList().map(([, label]) => label);

    it("send_request_receive_reqid_collection", async () => {
      const { node, clock, inbox } = startNode();
      const [pid1, pid2, pid3] = await startThree(inbox);
      const collect = receiveResponse;

      // the plain case: labels come back in reply-arrival order and the collection shrinks
      {
        const reqId0 = sendRequest(inbox, pid1!, "started_p");
        const reqId1 = sendRequest(inbox, pid1!, { op: "delayed_answer", ms: 400 });
        const c1 = new RequestIds<string>().add(reqId1, "req1");
        expect(c1.size).toBe(1);
        const c2 = sendRequest(inbox, pid2!, { op: "delayed_answer", ms: 1 }, "req2", c1);
        expect(c2.size).toBe(2);
        const c3 = sendRequest(inbox, pid3!, { op: "delayed_answer", ms: 200 }, "req3", c2);
        expect(c3.size).toBe(3);
        const r2 = collect(inbox, c3, Number.POSITIVE_INFINITY, true);
        await advance(node, clock, 1);
        const [reply2, label2, c4] = (await r2) as Exclude<Awaited<typeof r2>, string>;
        expect([reply2, label2, c4.size]).toEqual([{ reply: "delayed" }, "req2", 2]);
        const r3 = collect(inbox, c4, 5678, true);
        await advance(node, clock, 199);
        const [reply3, label3, c5] = (await r3) as Exclude<Awaited<typeof r3>, string>;
        expect([reply3, label3, c5.size]).toEqual([{ reply: "delayed" }, "req3", 1]);
        const r1 = collect(inbox, c5, 5000, true);
        await advance(node, clock, 200);
        const [reply1, label1, c6] = (await r1) as Exclude<Awaited<typeof r1>, string>;
        expect([reply1, label1, c6.size]).toEqual([{ reply: "delayed" }, "req1", 0]);
        expect(await collect(inbox, c6, 5000, true)).toBe("no_request");
        expect(await collect(inbox, reqId0, Number.POSITIVE_INFINITY)).toEqual({ reply: "ok" });
      }

      // timeout: receive_response abandons every request of the collection
      {
        const reqId0 = sendRequest(inbox, pid1!, "started_p");
        const reqId1 = sendRequest(inbox, pid1!, { op: "delayed_answer", ms: 1000 });
        const c1 = new RequestIds<string>().add(reqId1, "req1");
        const c2 = sendRequest(inbox, pid2!, { op: "delayed_answer", ms: 1 }, "req2", c1);
        const reqId3 = sendRequest(inbox, pid3!, { op: "delayed_answer", ms: 500 });
        const c3 = c2.add(reqId3, "req3");
        // The suite's {abs, Deadline} (now + 100): Maquis takes relative timeouts only.
        const r2 = collect(inbox, c3, 100, true);
        await advance(node, clock, 1);
        const [reply2, label2, c4] = (await r2) as Exclude<Awaited<typeof r2>, string>;
        expect([reply2, label2, c4.size]).toEqual([{ reply: "delayed" }, "req2", 2]);
        const timedOut = collect(inbox, c4, 99, true);
        await advance(node, clock, 99);
        expect(await timedOut).toBe("timeout");
        expect(labels(c4).sort()).toEqual(["req1", "req3"]);
        // make sure the requests were abandoned: their replies never arrive
        const none = collect(inbox, c4, 1000, true);
        await advance(node, clock, 1000);
        expect(await none).toBe("timeout");
        expect(await collect(inbox, reqId0, Number.POSITIVE_INFINITY)).toEqual({ reply: "ok" });
      }

      // errors: a duplicate add is badarg; a server stopping with shutdown gives {error, {shutdown, _}}
      {
        const reqId0 = sendRequest(inbox, pid1!, "started_p");
        const reqId1 = sendRequest(inbox, pid1!, { op: "delayed_answer", ms: 400 });
        const c1 = new RequestIds<string>().add(reqId1, "req1");
        expect(() => c1.add(reqId1, "req2")).toThrow(BadArgError);
        inbox.unlink(pidOf(pid2));
        const c2 = sendRequest(inbox, pid2!, "stop_shutdown", "req2", c1);
        const c3 = sendRequest(inbox, pid3!, { op: "delayed_answer", ms: 200 }, "req3", c2);
        expect(c3.size).toBe(3);
        const [error2, label2, c4] = (await collect(inbox, c3, 2000, true)) as Exclude<
          Awaited<ReturnType<typeof collect<string>>>,
          string
        >;
        expect([error2, label2, c4.size]).toEqual([{ error: ["shutdown", pid2] }, "req2", 2]);
        const r3 = collect(inbox, c4, Number.POSITIVE_INFINITY, false);
        await advance(node, clock, 200);
        const [reply3, label3, same3] = (await r3) as Exclude<Awaited<typeof r3>, string>;
        expect([reply3, label3, same3]).toEqual([{ reply: "delayed" }, "req3", c4]);
        const r1 = collect(inbox, c4, Number.POSITIVE_INFINITY, false);
        await advance(node, clock, 200);
        const [reply1, label1, same1] = (await r1) as Exclude<Awaited<typeof r1>, string>;
        expect([reply1, label1, same1]).toEqual([{ reply: "delayed" }, "req1", c4]);
        expect(await collect(inbox, reqId0, Number.POSITIVE_INFINITY)).toEqual({ reply: "ok" });
      }

      for (const pid of [pid1, pid2, pid3]) {
        inbox.unlink(pidOf(pid));
        node.exit(pidOf(pid), "kill");
        expect(node.isAlive(pidOf(pid))).toBe(false);
      }
      expect(await drain(inbox)).toEqual([]);
    });

    it("send_request_wait_reqid_collection", async () => {
      const { node, clock, inbox } = startNode();
      const [pid1, pid2, pid3] = await startThree(inbox);
      const collect = waitResponse;

      {
        const reqId0 = sendRequest(inbox, pid1!, "started_p");
        const reqId1 = sendRequest(inbox, pid1!, { op: "delayed_answer", ms: 400 });
        const c1 = new RequestIds<string>().add(reqId1, "req1");
        expect(c1.size).toBe(1);
        const c2 = sendRequest(inbox, pid2!, { op: "delayed_answer", ms: 1 }, "req2", c1);
        expect(c2.size).toBe(2);
        const c3 = sendRequest(inbox, pid3!, { op: "delayed_answer", ms: 200 }, "req3", c2);
        expect(c3.size).toBe(3);
        const r2 = collect(inbox, c3, Number.POSITIVE_INFINITY, true);
        await advance(node, clock, 1);
        const [reply2, label2, c4] = (await r2) as Exclude<Awaited<typeof r2>, string>;
        expect([reply2, label2, c4.size]).toEqual([{ reply: "delayed" }, "req2", 2]);
        const r3 = collect(inbox, c4, 5678, true);
        await advance(node, clock, 199);
        const [reply3, label3, c5] = (await r3) as Exclude<Awaited<typeof r3>, string>;
        expect([reply3, label3, c5.size]).toEqual([{ reply: "delayed" }, "req3", 1]);
        const r1 = collect(inbox, c5, 5000, true);
        await advance(node, clock, 200);
        const [reply1, label1, c6] = (await r1) as Exclude<Awaited<typeof r1>, string>;
        expect([reply1, label1, c6.size]).toEqual([{ reply: "delayed" }, "req1", 0]);
        expect(await collect(inbox, c6, 5000, true)).toBe("no_request");
        expect(await collect(inbox, reqId0, Number.POSITIVE_INFINITY)).toEqual({ reply: "ok" });
      }

      // timeout: wait_response does not abandon the requests
      {
        const reqId0 = sendRequest(inbox, pid1!, "started_p");
        const reqId1 = sendRequest(inbox, pid1!, { op: "delayed_answer", ms: 1000 });
        const c1 = new RequestIds<string>().add(reqId1, "req1");
        const c2 = sendRequest(inbox, pid2!, { op: "delayed_answer", ms: 1 }, "req2", c1);
        const reqId3 = sendRequest(inbox, pid3!, { op: "delayed_answer", ms: 500 });
        const c3 = c2.add(reqId3, "req3");
        const r2 = collect(inbox, c3, 100, true);
        await advance(node, clock, 1);
        const [reply2, label2, c4] = (await r2) as Exclude<Awaited<typeof r2>, string>;
        expect([reply2, label2, c4.size]).toEqual([{ reply: "delayed" }, "req2", 2]);
        const timedOut = collect(inbox, c4, 99, true);
        await advance(node, clock, 99);
        expect(await timedOut).toBe("timeout");
        expect(labels(c4).sort()).toEqual(["req1", "req3"]);
        // make sure the requests were not abandoned
        const r3 = collect(inbox, c4, 1500, false);
        await advance(node, clock, 400);
        const [reply3, label3, same3] = (await r3) as Exclude<Awaited<typeof r3>, string>;
        expect([reply3, label3, same3]).toEqual([{ reply: "delayed" }, "req3", c4]);
        const r1 = collect(inbox, c4, 1500, false);
        await advance(node, clock, 500);
        const [reply1, label1, same1] = (await r1) as Exclude<Awaited<typeof r1>, string>;
        expect([reply1, label1, same1]).toEqual([{ reply: "delayed" }, "req1", c4]);
        expect(await receiveResponse(inbox, reqId0, Number.POSITIVE_INFINITY)).toEqual({ reply: "ok" });
      }

      {
        const reqId0 = sendRequest(inbox, pid1!, "started_p");
        const reqId1 = sendRequest(inbox, pid1!, { op: "delayed_answer", ms: 400 });
        const c1 = new RequestIds<string>().add(reqId1, "req1");
        expect(() => c1.add(reqId1, "req2")).toThrow(BadArgError);
        inbox.unlink(pidOf(pid2));
        const c2 = sendRequest(inbox, pid2!, "stop_shutdown", "req2", c1);
        const c3 = sendRequest(inbox, pid3!, { op: "delayed_answer", ms: 200 }, "req3", c2);
        expect(c3.size).toBe(3);
        const [error2, label2, c4] = (await collect(inbox, c3, 2000, true)) as Exclude<
          Awaited<ReturnType<typeof collect<string>>>,
          string
        >;
        expect([error2, label2, c4.size]).toEqual([{ error: ["shutdown", pid2] }, "req2", 2]);
        const r3 = collect(inbox, c4, Number.POSITIVE_INFINITY, false);
        await advance(node, clock, 200);
        const [reply3, label3, same3] = (await r3) as Exclude<Awaited<typeof r3>, string>;
        expect([reply3, label3, same3]).toEqual([{ reply: "delayed" }, "req3", c4]);
        const r1 = collect(inbox, c4, Number.POSITIVE_INFINITY, false);
        await advance(node, clock, 200);
        const [reply1, label1, same1] = (await r1) as Exclude<Awaited<typeof r1>, string>;
        expect([reply1, label1, same1]).toEqual([{ reply: "delayed" }, "req1", c4]);
        expect(await collect(inbox, reqId0, Number.POSITIVE_INFINITY)).toEqual({ reply: "ok" });
      }

      for (const pid of [pid1, pid2, pid3]) {
        inbox.unlink(pidOf(pid));
        node.exit(pidOf(pid), "kill");
        expect(node.isAlive(pidOf(pid))).toBe(false);
      }
      expect(await drain(inbox)).toEqual([]);
    });

    it("send_request_check_reqid_collection", async () => {
      const { node, clock, inbox } = startNode();
      const [pid1, pid2, pid3] = await startThree(inbox);
      const nextMsg = async () => {
        const message = await inbox.receive(undefined, 0);
        expect(message).toBeDefined();
        return message;
      };

      {
        const reqId0: RequestId = sendRequest(inbox, pid1!, "started_p");
        await advance(node, clock, 100);
        const c1 = sendRequest(
          inbox,
          pid1!,
          { op: "delayed_answer", ms: 400 },
          "req1",
          new RequestIds<string>(),
        );
        expect(c1.size).toBe(1);
        const reqId2 = sendRequest(inbox, pid2!, { op: "delayed_answer", ms: 1 });
        const c2 = c1.add(reqId2, "req2");
        expect(c2.size).toBe(2);
        const c3 = sendRequest(inbox, pid3!, { op: "delayed_answer", ms: 200 }, "req3", c2);
        expect(c3.size).toBe(3);
        await advance(node, clock, 400);

        const msg0 = await nextMsg();
        expect(checkResponse(msg0, c3, true)).toBe("no_reply");
        const [reply2, label2, c4] = checkResponse(await nextMsg(), c3, true) as Exclude<
          ReturnType<typeof checkResponse<string>>,
          string
        >;
        expect([reply2, label2, c4.size]).toEqual([{ reply: "delayed" }, "req2", 2]);
        const [reply3, label3, c5] = checkResponse(await nextMsg(), c4, true) as Exclude<
          ReturnType<typeof checkResponse<string>>,
          string
        >;
        expect([reply3, label3, c5.size]).toEqual([{ reply: "delayed" }, "req3", 1]);
        const [reply1, label1, c6] = checkResponse(await nextMsg(), c5, true) as Exclude<
          ReturnType<typeof checkResponse<string>>,
          string
        >;
        expect([reply1, label1, c6.size]).toEqual([{ reply: "delayed" }, "req1", 0]);
        expect(checkResponse(msg0, c6, true)).toBe("no_request");
        expect(checkResponse(msg0, reqId0)).toEqual({ reply: "ok" });
      }

      {
        const reqId0 = sendRequest(inbox, pid1!, "started_p");
        await advance(node, clock, 100);
        const reqId1 = sendRequest(inbox, pid1!, { op: "delayed_answer", ms: 400 });
        const c1 = new RequestIds<string>().add(reqId1, "req1");
        inbox.unlink(pidOf(pid2));
        const c2 = sendRequest(inbox, pid2!, "stop_shutdown", "req2", c1);
        const c3 = sendRequest(inbox, pid3!, { op: "delayed_answer", ms: 200 }, "req3", c2);
        expect(c3.size).toBe(3);
        await advance(node, clock, 400);

        const msg0 = await nextMsg();
        expect(checkResponse(msg0, c3, true)).toBe("no_reply");
        const [error2, label2, c4] = checkResponse(await nextMsg(), c3, true) as Exclude<
          ReturnType<typeof checkResponse<string>>,
          string
        >;
        expect([error2, label2, c4.size]).toEqual([{ error: ["shutdown", pid2] }, "req2", 2]);
        const [reply3, label3, same3] = checkResponse(await nextMsg(), c4, false) as Exclude<
          ReturnType<typeof checkResponse<string>>,
          string
        >;
        expect([reply3, label3, same3]).toEqual([{ reply: "delayed" }, "req3", c4]);
        const [reply1, label1, same1] = checkResponse(await nextMsg(), c4, false) as Exclude<
          ReturnType<typeof checkResponse<string>>,
          string
        >;
        expect([reply1, label1, same1]).toEqual([{ reply: "delayed" }, "req1", c4]);
        expect(checkResponse(msg0, reqId0)).toEqual({ reply: "ok" });
      }

      for (const pid of [pid1, pid3]) {
        inbox.unlink(pidOf(pid));
        node.exit(pidOf(pid), "kill");
      }
      for (const pid of [pid1, pid2, pid3]) expect(node.isAlive(pidOf(pid))).toBe(false);
      expect(await drain(inbox)).toEqual([]);
    });
  });
});
