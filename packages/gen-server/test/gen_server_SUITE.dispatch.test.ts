/**
 * Over 400 lines on purpose: the OTP cases of one suite group, read case by case against the original.
 *
 * OTP's `gen_server_SUITE.erl`, part 2: cast, info, abcast, continue, event timeouts, multi_call,
 * calling_self, enter_loop (spec_init, otp_5854), hibernate, otp_7669, the format_status group,
 * get_state/replace_state and the undef_callbacks group. See gen_server_SUITE.test.ts for part 1.
 */
import { type Inbox, isDown, isExit, type Pid } from "@maquis/core";
import { CallbackFailedError, sys, UndefinedCallbackError } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import { abcast, call, cast, GenServer, multiCall } from "../src/index.js";
import { DummyVia } from "./fixtures/DummyVia.js";
import { advance, callFailure, note, pidOf, received, sleep, startFailure } from "./fixtures/helpers.js";
import { OcInitServer, OcServer } from "./fixtures/OcServer.js";
import { specInit, startSpec } from "./fixtures/specInit.js";
import { type EventTimeoutRequest, SuiteServer } from "./fixtures/SuiteServer.js";
import { drain, rejectionOf, useNodes } from "./support.js";

const startNode = useNodes("gs2_");

/** The notes up to and including `[pid, "ack"]`, minus the ack (the suite's read_replies). */
const readReplies = async (inbox: Inbox, pid: unknown): Promise<unknown[]> => {
  expect(await received(inbox, note("ack", pidOf(pid)))).toBeDefined();
  return drain(inbox);
};

describe("gen_server_SUITE", () => {
  it.skip("cast_fast (skipped [dist]: a cast to an unreachable node must return at once)", () => {});

  it("cast", async () => {
    const { node, clock, inbox } = startNode();
    const pid = pidOf(await SuiteServer.start(inbox, undefined, { name: "my_test_name" }));
    expect(await call(inbox, "my_test_name", "started_p")).toBe("ok");

    expect(cast(inbox, "my_test_name", { op: "handle_cast", from: inbox.pid })).toBeUndefined();
    expect(await received(inbox, note("handled_cast", pid))).toBeDefined();

    cast(inbox, "my_test_name", { op: "delayed_cast", from: inbox.pid, ms: 1 });
    await advance(node, clock, 1);
    expect(await received(inbox, note("delayed", pid))).toBeDefined();

    cast(inbox, "my_test_name", { op: "stop", from: inbox.pid });
    expect(await received(inbox, note("stopped", pid))).toBeDefined(); // terminate ran
    expect(node.isAlive(pid)).toBe(false);

    // A cast never fails, even to a dead pid or a name nobody holds.
    expect(() => cast(inbox, pid, { op: "handle_cast", from: inbox.pid })).not.toThrow();
    expect(() => cast(node, "my_test_name", { op: "handle_cast", from: inbox.pid })).not.toThrow();
    expect(await drain(inbox)).toEqual([]);
  });

  it("info", async () => {
    const { node, clock, inbox } = startNode();
    const pid = pidOf(await SuiteServer.start(inbox, undefined, { name: "my_test_name" }));
    expect(await call(inbox, "my_test_name", "started_p")).toBe("ok");

    inbox.send(pid, { op: "handle_info", from: inbox.pid });
    expect(await received(inbox, note("handled_info", pid))).toBeDefined();

    inbox.send(pid, { op: "delayed_info", from: inbox.pid, ms: 1 });
    await advance(node, clock, 1);
    expect(await received(inbox, note("delayed_info", pid))).toBeDefined();

    inbox.send(pid, { op: "stop", from: inbox.pid });
    expect(await received(inbox, note("stopped_info", pid))).toBeDefined(); // terminate ran
    expect(node.isAlive(pid)).toBe(false);
    expect(await drain(inbox)).toEqual([]);
  });

  it("abcast", async () => {
    const { node, clock, inbox } = startNode();
    const pid = pidOf(await SuiteServer.start(inbox, undefined, { name: "my_test_name" }));
    expect(await call(inbox, "my_test_name", "started_p")).toBe("ok");

    // Erlang's abcast returns the atom abcast; here it returns nothing and never throws.
    expect(abcast(inbox, "my_test_name", { op: "handle_cast", from: inbox.pid })).toBeUndefined();
    expect(await received(inbox, note("handled_cast", pid))).toBeDefined();

    abcast(inbox, "my_test_name", { op: "delayed_cast", from: inbox.pid, ms: 1 }, [node.name]);
    await advance(node, clock, 1);
    expect(await received(inbox, note("delayed", pid))).toBeDefined();

    abcast(inbox, "my_test_name", { op: "stop", from: inbox.pid });
    expect(await received(inbox, note("stopped", pid))).toBeDefined();
    expect(await drain(inbox)).toEqual([]);
  });

  it("continue", async () => {
    const { inbox } = startNode();
    const pid = pidOf(await SuiteServer.startLink(inbox, { continue: inbox.pid }));
    // handle_continue runs before the message init had already queued (after_continue).
    const inOrder = [
      [pid, "continue"],
      [pid, "after_continue"],
    ];
    expect(await readReplies(inbox, pid)).toEqual(inOrder);

    expect(await call(inbox, pid, { op: "continue_reply", to: inbox.pid })).toBe("ok");
    expect(await readReplies(inbox, pid)).toEqual(inOrder);

    // the reply comes from handle_continue
    expect(await call(inbox, pid, { op: "continue_noreply", to: inbox.pid })).toBe("ok");
    expect(await readReplies(inbox, pid)).toEqual(inOrder);

    cast(inbox, pid, { op: "continue_noreply", to: inbox.pid });
    expect(await readReplies(inbox, pid)).toEqual(inOrder);

    inbox.send(pid, { op: "continue_noreply", to: inbox.pid });
    expect(await readReplies(inbox, pid)).toEqual(inOrder);

    // a continue that continues
    inbox.send(pid, { op: "continue_continue", to: inbox.pid });
    expect(await readReplies(inbox, pid)).toEqual([
      [pid, "before_continue"],
      [pid, "continue"],
      [pid, "after_continue"],
    ]);

    const ref = inbox.monitor(pid);
    inbox.send(pid, "continue_stop");
    expect(await received(inbox, isDown(ref))).toMatchObject({ item: pid, reason: "normal" });
    expect(await drain(inbox)).toEqual([]);
  });

  type Send = (inbox: Inbox, pid: Pid, request: EventTimeoutRequest) => unknown;
  const commands: Record<string, Send> = {
    call: (inbox, pid, request) => call(inbox, pid, request),
    cast: (inbox, pid, request) => cast(inbox, pid, request),
    send: (inbox, pid, request) => inbox.send(pid, request),
  };

  // Only the `{timeout, T, Msg}` and `{continue, {timeout, …}}` rows: Next has no `{abs, …}` options and
  // no `{hibernate, T, Msg}` (hibernation is a no-op in JavaScript).
  it("handle_event_timeout", async () => {
    const { node, clock, inbox } = startNode();
    inbox.trapExit(true);
    const pid = pidOf(await SuiteServer.start(inbox));
    expect(await call(inbox, pid, "ping")).toBe("pong");
    for (const send of Object.values(commands)) {
      for (const op of ["timeout", "continue_timeout"] as const) {
        for (const interrupt of [false, true]) {
          await send(inbox, pid, { op, ms: 500, to: inbox.pid });
          await sys.getStatus(inbox, pid);
          if (interrupt) expect(await call(inbox, pid, "ping")).toBe("pong");
          await advance(node, clock, 1000);
          expect(await drain(inbox)).toEqual(interrupt ? [] : [[pid, "event_timeout"]]);
        }
      }
    }
    expect(await call(inbox, pid, "stop")).toBe("ok");
    expect((await callFailure(call(inbox, pid, "started_p", 1))).reason).toBe("noproc");
    expect(await drain(inbox)).toEqual([]);
  });

  it("handle_event_timeout_zero", async () => {
    const { inbox } = startNode();
    inbox.trapExit(true);
    const pid = pidOf(await SuiteServer.start(inbox));
    expect(await call(inbox, pid, "ping")).toBe("pong");
    for (const send of Object.values(commands)) {
      for (const op of ["timeout_zero", "continue_timeout_zero"] as const) {
        await send(inbox, pid, { op, to: inbox.pid });
        expect(await drain(inbox)).toEqual([
          [pid, "event_timeout"],
          [pid, "after_event_timeout_zero"],
        ]);
      }
    }
    expect(await call(inbox, pid, "stop")).toBe("ok");
    expect((await callFailure(call(inbox, pid, "started_p", 1))).reason).toBe("noproc");
    expect(await drain(inbox)).toEqual([]);
  });

  it("handle_event_timeout_plain", async () => {
    const { node, clock, inbox } = startNode();
    inbox.trapExit(true);
    const pid = pidOf(await SuiteServer.start(inbox));
    expect(await call(inbox, pid, "ping")).toBe("pong");

    // a system message does not cancel a plain timeout
    cast(inbox, pid, { op: "delayed_cast", from: inbox.pid, ms: 500 });
    await sys.getStatus(inbox, pid);
    await advance(node, clock, 1000);
    expect(await drain(inbox)).toEqual([[pid, "delayed"]]);

    // a request (or any other message) does
    cast(inbox, pid, { op: "delayed_cast", from: inbox.pid, ms: 500 });
    expect(await call(inbox, pid, "ping")).toBe("pong");
    await advance(node, clock, 1000);
    expect(await drain(inbox)).toEqual([]);

    expect(await call(inbox, pid, "stop")).toBe("ok");
    expect((await callFailure(call(inbox, pid, "started_p", 1))).reason).toBe("noproc");
    expect(await drain(inbox)).toEqual([]);
  });

  describe("multi_call", () => {
    it("multicall", async () => {
      const { node, clock, inbox } = startNode();
      inbox.trapExit(true);
      const pid = pidOf(await SuiteServer.startLink(inbox, undefined, { name: "my_test_name" }));
      expect(await call(inbox, "my_test_name", "started_p")).toBe("ok");
      const here = node.name;

      const all = multiCall(inbox, "my_test_name", { op: "delayed_answer", ms: 1 });
      await advance(node, clock, 1);
      expect(await all).toEqual({ replies: [[here, "delayed"]], badNodes: node.nodes() });

      // two requests within a specified time
      const at = (request: unknown) => multiCall(inbox, "my_test_name", request, { nodes: [here] });
      expect(await at({ op: "call_within", ms: 1000 })).toEqual({ replies: [[here, "ok"]], badNodes: [] });
      await advance(node, clock, 500);
      expect(await at("next_call")).toEqual({ replies: [[here, "ok"]], badNodes: [] });
      expect(await at({ op: "call_within", ms: 1000 })).toEqual({ replies: [[here, "ok"]], badNodes: [] });
      await advance(node, clock, 1500);
      expect(await at("next_call")).toEqual({ replies: [[here, false]], badNodes: [] });

      // stop the server
      expect(await at("stop")).toEqual({ replies: [[here, "ok"]], badNodes: [] });
      expect(await received(inbox, isExit(pid))).toMatchObject({ reason: "stopped" });
      expect(await drain(inbox)).toEqual([]);
    });

    it("multicall_down", async () => {
      // OTP-3587: a node that cannot be reached ends up in the bad nodes (the suite calls global's
      // name server, which every Erlang node runs; here the suite server stands in for it).
      const { inbox } = startNode();
      await SuiteServer.start(inbox, undefined, { name: "global_name_server" });
      const result = await multiCall(inbox, "global_name_server", "started_p", {
        nodes: ["node@test01", inbox.node.name],
        timeout: 3000,
      });
      expect(result).toEqual({ replies: [[inbox.node.name, "ok"]], badNodes: ["node@test01"] });
      expect(await drain(inbox)).toEqual([]);
    });

    for (const name of [
      "multicall_remote",
      "multicall_remote_old1",
      "multicall_remote_old2",
      "multicall_recv_opt_success",
      "multicall_recv_opt_timeout",
      "multicall_recv_opt_noconnection",
    ]) {
      it.skip(`${name} (skipped [dist]: needs peer nodes)`, () => {});
    }
  });

  for (const name of ["call_remote1", "call_remote2", "call_remote3"]) {
    it.skip(`${name} (skipped [dist]: a server on a peer node)`, () => {});
  }

  it("calling_self", async () => {
    const { inbox } = startNode();
    for (const timeout of [undefined, Number.POSITIVE_INFINITY]) {
      const error = await callFailure(call(inbox, inbox.pid, "oops", timeout));
      expect(error.reason).toBe("calling_self");
      expect(error.site).toMatchObject({ module: "GenServer", function: "call" });
    }
    expect(await drain(inbox)).toEqual([]);
  });

  for (const name of ["call_remote_n1", "call_remote_n2", "call_remote_n3"]) {
    it.skip(`${name} (skipped [dist]: a peer node that goes down)`, () => {});
  }

  it("spec_init", async () => {
    const { node, clock, inbox } = startNode();
    inbox.trapExit(true);
    const exitOf = async (pid: Pid) => (await received(inbox, isExit(pid)))?.reason;
    const callAndStop = async (pid: Pid) => {
      expect(await call(inbox, pid, "started_p")).toBe("ok");
      expect(await call(inbox, pid, "stop")).toBe("ok");
      expect(await exitOf(pid)).toBe("stopped");
    };

    // local name, registered first / not registered
    await callAndStop(await startSpec(inbox, specInit("my_server", true, Number.POSITIVE_INFINITY)));
    const pid01 = await startSpec(inbox, specInit("my_server", false, Number.POSITIVE_INFINITY));
    expect(await exitOf(pid01)).toBe("process_not_registered");

    // {global, my_server}: a via registry stands for global
    const via = new DummyVia(node);
    await callAndStop(
      await startSpec(inbox, specInit({ via, name: "my_server" }, true, Number.POSITIVE_INFINITY)),
    );
    const pid11 = await startSpec(
      inbox,
      specInit({ via, name: "my_server" }, false, Number.POSITIVE_INFINITY),
    );
    expect(await exitOf(pid11)).toEqual({ processNotRegisteredVia: via });

    // anonymous, with and without a timeout
    await callAndStop(await startSpec(inbox, specInit(undefined, true, Number.POSITIVE_INFINITY)));
    await callAndStop(await startSpec(inbox, specInit(undefined)));

    // local name without a timeout
    await callAndStop(await startSpec(inbox, specInit("my_server")));

    // OTP-10130 (a global name taken for a timeout): the name without a timeout still serves calls
    const hurra = await startSpec(inbox, specInit({ via, name: "hurra" }));
    await advance(node, clock, 1000);
    expect(await call(inbox, { via, name: "hurra" }, "started_p")).toBe("ok");
    expect(await call(inbox, hurra, "stop")).toBe("ok");
    expect(await exitOf(hurra)).toBe("stopped");

    // not started by proc_lib
    const pid5 = inbox.spawnLink(async (self) => {
      await SuiteServer.enterLoop(self, {});
    });
    expect(await exitOf(pid5)).toBe("process_was_not_started_by_proc_lib");
    expect(await drain(inbox)).toEqual([]);
  });

  it("spec_init_local_registered_parent", async () => {
    // OTP-4820: terminate runs when the parent is a registered process
    const { inbox } = startNode();
    inbox.register("foobar");
    inbox.trapExit(true);
    const pid = await startSpec(inbox, specInit("my_server"));
    cast(inbox, "my_server", { op: "stop", from: inbox.pid });
    expect(await received(inbox, note("stopped", pid))).toBeDefined();
    expect(await received(inbox, isExit(pid))).toMatchObject({ reason: ["stopped", inbox.pid] });
    inbox.unregister("foobar");
    expect(await drain(inbox)).toEqual([]);
  });

  it("spec_init_global_registered_parent", async () => {
    // The same with the parent in a via registry (standing for global) and the server under a via name.
    const { node, inbox } = startNode();
    const via = new DummyVia(node);
    expect(via.registerName("foobar", inbox.pid)).toBe(true);
    inbox.trapExit(true);
    const pid = await startSpec(inbox, specInit({ via, name: "my_server" }));
    expect(await call(inbox, pid, "started_p")).toBe("ok");
    cast(inbox, pid, { op: "stop", from: inbox.pid });
    expect(await received(inbox, note("stopped", pid))).toBeDefined();
    expect(await received(inbox, isExit(pid))).toMatchObject({ reason: ["stopped", inbox.pid] });
    via.unregisterName("foobar");
    expect(await drain(inbox)).toEqual([]);
  });

  it("otp_5854", async () => {
    // enter_loop refuses a name that another process (here: the test) holds
    const { node, inbox } = startNode();
    inbox.trapExit(true);
    const via = new DummyVia(node);

    inbox.register("armitage");
    const pid1 = await startSpec(inbox, specInit("armitage", false, Number.POSITIVE_INFINITY));
    expect(await received(inbox, isExit(pid1))).toMatchObject({ reason: "process_not_registered" });
    inbox.unregister("armitage");

    // {global, armitage}: no global registry; the via case below covers a registry name.
    expect(via.registerName("armitage", inbox.pid)).toBe(true);
    const pid3 = await startSpec(inbox, specInit({ via, name: "armitage" }, false, Number.POSITIVE_INFINITY));
    expect(await received(inbox, isExit(pid3))).toMatchObject({ reason: { processNotRegisteredVia: via } });
    via.unregisterName("armitage");
    expect(await drain(inbox)).toEqual([]);
  });

  // hibernate is accepted and a no-op (no heap to compact): the suite's process_info probes have no
  // counterpart, so only what a client sees is ported: every hibernating return keeps serving.
  it("hibernate (client-visible part; hibernation probes are [wb])", async () => {
    const { node, clock, inbox } = startNode();
    inbox.trapExit(true);
    const pid0 = pidOf(await SuiteServer.startLink(inbox, "hibernate", { name: "my_test_name_hibernate0" }));
    expect(await call(inbox, "my_test_name_hibernate0", "stop")).toBe("ok");
    expect(await received(inbox, isExit(pid0))).toMatchObject({ reason: "stopped" });

    const name = "my_test_name_hibernate";
    const pid = pidOf(await SuiteServer.startLink(inbox, undefined, { name }));
    expect(await call(inbox, name, "started_p")).toBe("ok");
    expect(await call(inbox, name, "hibernate")).toBe(true);
    const helper = inbox.spawnLink(async (self) => {
      await self.receive((m) => m === "go");
      await sleep(self, 1000);
      self.send(pid, "continue");
      self.send(inbox.pid, "result");
    });
    const noreply = call(inbox, name, { op: "hibernate_noreply", to: helper });
    await advance(node, clock, 1000);
    expect(await noreply).toBe(true);

    cast(inbox, name, "hibernate_later");
    expect(await call(inbox, name, "started_p")).toBe("ok");
    await advance(node, clock, 1000);
    cast(inbox, name, "hibernate_now");
    expect(await call(inbox, name, "started_p")).toBe("ok");
    inbox.send(pid, "hibernate_later");
    await advance(node, clock, 1000);
    expect(await call(inbox, name, "started_p")).toBe("ok");
    inbox.send(pid, "hibernate_now");
    expect(await call(inbox, name, "started_p")).toBe("ok");
    expect(await received(inbox, (m) => m === "result")).toBe("result");
    expect(await received(inbox, isExit(helper))).toMatchObject({ reason: "normal" });

    expect(await call(inbox, name, "hibernate")).toBe(true);
    await sys.suspend(inbox, name);
    await sys.resume(inbox, name);
    expect(await call(inbox, name, "started_p")).toBe("ok");
    expect(await call(inbox, name, "stop")).toBe("ok");
    expect(await received(inbox, isExit(pid))).toMatchObject({ reason: "stopped" });
    expect(await drain(inbox)).toEqual([]);
  });

  it("auto_hibernate (client-visible part; hibernation probes are [wb])", async () => {
    const { node, clock, inbox } = startNode();
    inbox.trapExit(true);
    const name = "my_test_name_auto_hibernate";
    const state = { auto_hibernate_state: true };
    const pid = pidOf(await SuiteServer.startLink(inbox, { state }, { name, hibernateAfter: 100 }));
    await advance(node, clock, 100);
    expect(await sys.getState(inbox, name)).toBe(state);
    expect(await call(inbox, name, "started_p")).toBe("ok");
    await advance(node, clock, 100);
    cast(inbox, name, { op: "handle_cast", from: inbox.pid });
    expect(await received(inbox, note("handled_cast", pid))).toBeDefined();
    await advance(node, clock, 100);
    inbox.send(pid, { op: "handle_info", from: inbox.pid });
    expect(await received(inbox, note("handled_info", pid))).toBeDefined();
    await advance(node, clock, 100);
    expect(await call(inbox, name, "stop")).toBe("ok");
    expect(await received(inbox, isExit(pid))).toMatchObject({ reason: "stopped" });
    expect(await drain(inbox)).toEqual([]);
  });

  it("otp_7669", async () => {
    // After ignore or {stop, _} the name is free the moment start returns.
    const { node, inbox } = startNode();
    inbox.trapExit(true);
    const via = new DummyVia(node);
    const local = "gen_server_SUITE";
    const global = { via, name: "gen_server_SUITE" };
    for (let n = 0; n < 100; n++) {
      expect((await startFailure(SuiteServer.start(inbox, "ignore", { name: local }))).ignored).toBe(true);
      expect(node.whereis(local)).toBeUndefined();
      expect((await startFailure(SuiteServer.start(inbox, "ignore", { name: local }))).ignored).toBe(true);
      expect(node.whereis(local)).toBeUndefined();
      expect((await startFailure(SuiteServer.startLink(inbox, "ignore", { name: local }))).ignored).toBe(
        true,
      );
      expect(node.whereis(local)).toBeUndefined();
    }
    for (let n = 0; n < 100; n++) {
      expect((await startFailure(SuiteServer.start(inbox, "ignore", { name: global }))).ignored).toBe(true);
      expect(via.whereisName(global.name)).toBeUndefined();
      expect((await startFailure(SuiteServer.startLink(inbox, "ignore", { name: global }))).ignored).toBe(
        true,
      );
      expect(via.whereisName(global.name)).toBeUndefined();
    }
    for (let n = 0; n < 10; n++) {
      expect((await startFailure(SuiteServer.start(inbox, "stop", { name: local }))).reason).toBe("stopped");
      expect(node.whereis(local)).toBeUndefined();
      expect((await startFailure(SuiteServer.start(inbox, "stop", { name: global }))).reason).toBe("stopped");
      expect(via.whereisName(global.name)).toBeUndefined();
    }
    expect(await drain(inbox)).toEqual([]); // and no EXIT leaked from the failed start_links
  });

  describe("format_status", () => {
    it("call_format_status", async () => {
      const { node, inbox } = startNode();
      inbox.trapExit(true);
      const via = new DummyVia(node);
      // registered, anonymous (the name is the pid), and names that are neither (via, for global)
      const names = ["call_format_status", undefined, { via, name: "CallFormatStatus" }];
      for (const name of names) {
        const pid = pidOf(await SuiteServer.startLink(inbox, undefined, { name }));
        for (const timeout of [undefined, 5000]) {
          const status = await sys.getStatus(inbox, name ?? pid, timeout);
          expect(status).toMatchObject({
            pid,
            behaviour: "GenServer",
            module: "SuiteServer",
            name: name ?? pid,
            status: "running",
            parent: inbox.pid,
            misc: { formatted: [] },
          });
        }
        expect(await call(inbox, pid, "stop")).toBe("ok");
        expect(await received(inbox, isExit(pid))).toBeDefined();
      }
      expect(await drain(inbox)).toEqual([]);
    });

    it("error_format_status", async () => {
      const { inbox, logs } = startNode();
      inbox.trapExit(true);
      const state = "called format_status";
      const pid = pidOf(await SuiteServer.startLink(inbox, { state }));
      expect((await callFailure(call(inbox, pid, "crash"))).reason).toBe("crashed");
      expect(await received(inbox, isExit(pid))).toMatchObject({ reason: "crashed" });
      expect(logs.filter((e) => e.level === "error")).toMatchObject([
        {
          kind: "gen_server_terminate",
          pid,
          data: { lastMessage: "crash", state: { formatted: state }, reason: "crashed", client: inbox.pid },
        },
        { kind: "crash_report", pid },
      ]);
      expect(await drain(inbox)).toEqual([]);
    });

    it("terminate_crash_format", async () => {
      const { inbox, logs } = startNode();
      inbox.trapExit(true);
      const state = "crash_terminate";
      const pid = pidOf(await SuiteServer.startLink(inbox, { state }));
      // {stop, stopped, ok, S}: terminate runs first and crashes; the reply is still sent
      expect(await call(inbox, pid, "stop")).toBe("ok");
      expect(await received(inbox, isExit(pid))).toMatchObject({ reason: { crash: "terminate" } });
      expect(logs.filter((e) => e.level === "error")).toMatchObject([
        {
          kind: "gen_server_terminate",
          pid,
          data: {
            lastMessage: "stop",
            state: { formatted: state },
            reason: { crash: "terminate" },
            client: inbox.pid,
          },
        },
        { kind: "crash_report", pid, data: { reason: { crash: "terminate" } } },
      ]);
      expect(await drain(inbox)).toEqual([]);
    });

    // format_status/1 semantics (the only kind here): a crash or a throw gives the "crashed" string.
    for (const [name, op] of [
      ["crash_in_format_status", "crash_in_format_status"],
      ["throw_in_format_status", "throw_in_format_status"],
    ] as const) {
      it(name, async () => {
        const { inbox, logs } = startNode();
        inbox.trapExit(true);
        const pid = pidOf(await SuiteServer.startLink(inbox, { state: { op } }));
        const crashed = "SuiteServer.formatStatus crashed";
        expect((await sys.getStatus(inbox, pid)).misc).toBe(crashed);
        expect(await call(inbox, pid, "stop")).toBe("ok");
        expect(await received(inbox, isExit(pid))).toMatchObject({ reason: "stopped" });
        expect(logs.filter((e) => e.level === "error")).toMatchObject([
          {
            kind: "gen_server_terminate",
            pid,
            data: { lastMessage: "stop", state: crashed, reason: "stopped", client: inbox.pid },
          },
          { kind: "crash_report", pid },
        ]);
        expect(await drain(inbox)).toEqual([]);
      });
    }

    it("format_all_status (state and log; StatusInfo has no message or reason)", async () => {
      const { node, clock, inbox, logs } = startNode();
      inbox.trapExit(true);
      const state = { op: "format_all_status" };
      const pid = pidOf(await SuiteServer.startLink(inbox, { state }));
      await sys.log(inbox, pid, true);
      expect(await call(inbox, pid, "started_p")).toBe("ok");
      const delayed = call(inbox, pid, { op: "delayed_answer", ms: 10 });
      await advance(node, clock, 10);
      expect(await delayed).toBe("delayed");

      const logged = [
        { kind: "in", message: "started_p", from: inbox.pid },
        { kind: "out", reply: "ok", to: inbox.pid, state },
        { kind: "in", message: { op: "delayed_answer", ms: 10 }, from: inbox.pid },
        { kind: "noreply", state: { op: "reply_to", state } },
        { kind: "in", message: "timeout" },
        { kind: "noreply", state },
      ];
      const { misc } = await sys.getStatus(inbox, pid);
      expect(misc).toMatchObject({ state, log: logged });

      expect(await call(inbox, pid, "stop")).toBe("ok");
      expect(await received(inbox, isExit(pid))).toMatchObject({ reason: "stopped" });
      const [report] = logs.filter((e) => e.kind === "gen_server_terminate");
      expect(report?.data).toMatchObject({
        lastMessage: "stop",
        state: { state, log: [...logged, { kind: "in", message: "stop", from: inbox.pid }] },
        reason: "stopped",
        client: inbox.pid,
      });
      expect(await drain(inbox)).toEqual([]);
    });
  });

  it("get_state", async () => {
    const { inbox } = startNode();
    const state = inbox.pid;
    await SuiteServer.startLink(inbox, { state }, { name: "get_state" });
    expect(await sys.getState(inbox, "get_state")).toBe(state);
    expect(await sys.getState(inbox, "get_state", 5000)).toBe(state);
    const pid = await SuiteServer.startLink(inbox, { state });
    expect(await sys.getState(inbox, pid)).toBe(state);
    expect(await sys.getState(inbox, pid, 5000)).toBe(state);
    await sys.suspend(inbox, pid);
    expect(await sys.getState(inbox, pid)).toBe(state);
    await sys.resume(inbox, pid);
    expect(await call(inbox, pid, "started_p")).toBe("ok");
    expect(await drain(inbox)).toEqual([]);
  });

  it("replace_state", async () => {
    const { inbox } = startNode();
    await SuiteServer.startLink(inbox, { state: inbox.pid }, { name: "replace_state" });
    expect(await sys.getState(inbox, "replace_state")).toBe(inbox.pid);
    const nState1 = "replaced";
    expect(await sys.replaceState(inbox, "replace_state", () => nState1)).toBe(nState1);
    expect(await sys.getState(inbox, "replace_state")).toBe(nState1);

    const pid = await SuiteServer.startLink(inbox, { state: nState1 });
    expect(await sys.getState(inbox, pid)).toBe(nState1);
    const nState2 = `${nState1} again`;
    expect(await sys.replaceState<string>(inbox, pid, (s) => `${s} again`, 5000)).toBe(nState2);
    expect(await sys.getState(inbox, pid, 5000)).toBe(nState2);

    // no change in state if the replace function crashes
    const failed = await rejectionOf(
      sys.replaceState(inbox, pid, () => {
        throw "fail";
      }),
    );
    expect(failed).toBeInstanceOf(CallbackFailedError);
    expect(failed).toMatchObject({ callback: "GenServer.systemReplaceState", cause: "fail" });
    expect(await sys.getState(inbox, pid, 5000)).toBe(nState2);

    // the state is replaced while suspended, too
    await sys.suspend(inbox, pid);
    const nState3 = `${nState2} and again`;
    expect(await sys.replaceState<string>(inbox, pid, (s) => `${s} and again`)).toBe(nState3);
    await sys.resume(inbox, pid);
    expect(await sys.getState(inbox, pid, 5000)).toBe(nState3);
    expect(await drain(inbox)).toEqual([]);
  });

  it.skip("call_with_huge_message_queue (skipped [wb]: a timing ratio; Maquis replies never enter the mailbox)", () => {});

  describe("undef_callbacks", () => {
    it("undef_handle_call", async () => {
      const { inbox } = startNode();
      const server = await OcServer.start(inbox);
      const error = await callFailure(call(inbox, server, "call_msg"));
      expect(error.reason).toBeInstanceOf(UndefinedCallbackError);
      expect(error.reason).toMatchObject({ callback: "handleCall" });
      expect(error.site).toMatchObject({ module: "GenServer", function: "call" });
    });

    it("undef_handle_cast", async () => {
      const { inbox } = startNode();
      const server = pidOf(await OcServer.start(inbox));
      const ref = inbox.monitor(server);
      cast(inbox, server, "cast_msg");
      const down = await received(inbox, isDown(ref));
      expect(down?.reason).toBeInstanceOf(UndefinedCallbackError);
      expect(down?.reason).toMatchObject({ callback: "handleCast" });
    });

    it("undef_handle_info", async () => {
      const { node, inbox, logs } = startNode();
      const server = pidOf(await OcServer.start(inbox));
      inbox.send(server, "hej");
      await node.idle();
      expect(node.isAlive(server)).toBe(true);
      expect(logs).toMatchObject([
        { level: "warning", kind: "unexpected_message", pid: server, data: { message: "hej" } },
      ]);
    });

    it("undef_handle_continue (monitored by start_monitor: the continue runs before start returns)", async () => {
      const { inbox } = startNode();
      const [, ref] = await OcServer.startMonitor(inbox, "continue");
      const down = await received(inbox, isDown(ref));
      expect(down?.reason).toBeInstanceOf(UndefinedCallbackError);
      expect(down?.reason).toMatchObject({ callback: "handleContinue" });
    });

    it("undef_init", async () => {
      const { node, inbox } = startNode();
      const start = GenServer.start as (this: unknown, caller: unknown) => Promise<unknown>;
      const startLink = GenServer.startLink as (this: unknown, caller: unknown) => Promise<unknown>;
      inbox.trapExit(true);
      for (const started of [start.call(OcInitServer, node), startLink.call(OcInitServer, inbox)]) {
        const error = await startFailure(started);
        expect(error.reason).toBeInstanceOf(UndefinedCallbackError);
        expect(error.reason).toMatchObject({ callback: "init" });
      }
      expect(await drain(inbox)).toEqual([]);
    });

    it("undef_code_change", async () => {
      const { node, inbox } = startNode();
      const server = pidOf(await OcServer.start(inbox));
      // the suite's fake_upgrade: suspend, replace the state, change code, resume
      await sys.suspend(inbox, server);
      await sys.replaceState(inbox, server, (state) => ({ new: state }));
      const error = await rejectionOf(sys.changeCode(inbox, server, "old_vsn", []));
      await sys.resume(inbox, server);
      expect(error).toBeInstanceOf(UndefinedCallbackError);
      expect(error).toMatchObject({ callback: "codeChange" });
      expect(node.isAlive(server)).toBe(true);
    });

    it("undef_terminate1", async () => {
      const { inbox } = startNode();
      const server = pidOf(await OcServer.start(inbox));
      const ref = inbox.monitor(server);
      await GenServer.stop(inbox, server);
      expect(await received(inbox, isDown(ref))).toMatchObject({ reason: "normal" });
    });

    it("undef_terminate2", async () => {
      const { inbox } = startNode();
      const server = pidOf(await OcServer.start(inbox));
      const ref = inbox.monitor(server);
      await GenServer.stop(inbox, server, { error: "test" }, Number.POSITIVE_INFINITY);
      expect(await received(inbox, isDown(ref))).toMatchObject({ reason: { error: "test" } });
    });
  });

  it("undef_in_terminate", async () => {
    // a TypeError (JavaScript's undef) raised inside terminate is the exit reason, and stop raises it
    const { inbox } = startNode();
    const server = await SuiteServer.start(inbox, { state: { op: "undef_in_terminate" } });
    const error = await callFailure(GenServer.stop(inbox, server));
    expect(error.reason).toBeInstanceOf(TypeError);
    expect(error.site).toBeUndefined();
  });

  it("undef_in_handle_info", async () => {
    // an undefined function called inside an existing handleInfo crashes the server
    const { inbox, logs } = startNode();
    const server = pidOf(await SuiteServer.start(inbox));
    const ref = inbox.monitor(server);
    inbox.send(server, { op: "call_undef_fun" });
    const down = await received(inbox, isDown(ref));
    expect(down?.reason).toBeInstanceOf(TypeError);
    expect(logs.filter((e) => e.level === "warning")).toEqual([]);
  });

  it.skip("format_log_1 (skipped [wb]: Erlang logger format strings)", () => {});
  it.skip("format_log_2 (skipped [wb]: Erlang logger format strings)", () => {});
  it.skip("format_log_with_process_label (skipped [wb]: Erlang logger format strings)", () => {});
  it.skip("reply_by_alias_with_payload (skipped [wb]: Erlang's [alias|Ref] tag layout)", () => {});
});
