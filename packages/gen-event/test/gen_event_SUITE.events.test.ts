/**
 * Over 400 lines on purpose: the OTP cases of one suite group, read case by case against the original.
 *
 * OTP's `lib/stdlib/test/gen_event_SUITE.erl`, part 2: notify, sync_notify, call and info (the rest of
 * the test_all group), the format_status cases, get_state, replace_state, the undef_callbacks group and
 * undef_in_terminate. Part 1 is `gen_event_SUITE.test.ts`; conventions are described there.
 */
import type { Inbox } from "@maquis/core";
import { sys, UndefinedCallbackError } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import {
  addHandler,
  addSupHandler,
  deleteHandler,
  GenEvent,
  isGenEventExit,
  type ManagerStatus,
  syncNotify,
  whichHandlers,
} from "../src/index.js";
import {
  callFailure,
  Dummy1H,
  DummyH,
  Duuuuuuuuumy,
  genEventFailure,
  note,
  OcEvent,
  OcInitEvent,
  received,
} from "./fixtures.js";
import { drain, useNodes } from "./support.js";

const startNode = useNodes("ge2_");
const M = "my_dummy_handler";

/** The suite's blocking `receive {Tag, Value} -> ok end`: the note must arrive. */
const expectNote = async (inbox: Inbox, tag: "dummy_h" | "dummy1_h", value: unknown): Promise<void> => {
  expect(await received(inbox, note(tag, value))).toEqual([tag, value]);
};

/**
 * notify and sync_notify run the same scenario (the suite's two cases are the same text with the other
 * function): events delivered, swap, remove_handler, a bad return, ids, and supervised handlers.
 */
const notifyScenario = async (send: (inbox: Inbox, event: unknown) => unknown): Promise<void> => {
  const { inbox } = startNode();
  await GenEvent.start(inbox, { name: M });
  await addHandler(inbox, M, DummyH, [inbox.pid]);
  const event = { event: inbox.pid };
  expect(await whichHandlers(inbox, M)).toEqual([DummyH]);
  await send(inbox, event);
  await expectNote(inbox, "dummy_h", event);
  await send(inbox, { swapEvent: Dummy1H, args: "swap" });
  expect(await whichHandlers(inbox, M)).toEqual([Dummy1H]);
  await send(inbox, event);
  await expectNote(inbox, "dummy1_h", event);
  await send(inbox, "delete_event");
  await expectNote(inbox, "dummy1_h", "removed");
  expect(await whichHandlers(inbox, M)).toEqual([]);
  await addHandler(inbox, M, DummyH, [inbox.pid]);
  await send(inbox, "error_event");
  await expectNote(inbox, "dummy_h", "returned_error");
  expect(await whichHandlers(inbox, M)).toEqual([]);

  // handler with id, {Mod, Id}
  await addHandler(inbox, M, { handler: DummyH, id: 5 }, [inbox.pid]);
  expect(await whichHandlers(inbox, M)).toEqual([{ handler: DummyH, id: 5 }]);
  await send(inbox, event);
  await expectNote(inbox, "dummy_h", event);
  await send(inbox, { swapEvent: { handler: Dummy1H, id: 9 }, args: "swap" });
  expect(await whichHandlers(inbox, M)).toEqual([{ handler: Dummy1H, id: 9 }]);
  await send(inbox, event);
  await expectNote(inbox, "dummy1_h", event);
  await send(inbox, "delete_event");
  await expectNote(inbox, "dummy1_h", "removed");
  expect(await whichHandlers(inbox, M)).toEqual([]);
  await addHandler(inbox, M, { handler: DummyH, id: "a" }, [inbox.pid]);
  await send(inbox, "error_event");
  await expectNote(inbox, "dummy_h", "returned_error");
  expect(await whichHandlers(inbox, M)).toEqual([]);

  // supervised handler
  await addSupHandler(inbox, M, DummyH, [inbox.pid]);
  expect(await whichHandlers(inbox, M)).toEqual([DummyH]);
  await send(inbox, event);
  await expectNote(inbox, "dummy_h", event);
  await send(inbox, "do_crash");
  expect(await received(inbox, isGenEventExit(DummyH))).toMatchObject({
    reason: { exit: expect.any(Error) },
  });

  await addSupHandler(inbox, M, DummyH, [inbox.pid]);
  await send(inbox, { swapEvent: Dummy1H, args: "swap" });
  expect(await whichHandlers(inbox, M)).toEqual([Dummy1H]);
  expect(await received(inbox, isGenEventExit(DummyH))).toMatchObject({
    reason: { swapped: Dummy1H, supervisor: inbox.pid },
  });
  await send(inbox, "do_crash");
  expect(await received(inbox, isGenEventExit(Dummy1H))).toMatchObject({
    reason: { exit: expect.any(Error) },
  });

  await addSupHandler(inbox, M, DummyH, [inbox.pid]);
  await send(inbox, { swapEvent: Dummy1H, args: "swap" });
  expect(await whichHandlers(inbox, M)).toEqual([Dummy1H]);
  expect(await received(inbox, isGenEventExit(DummyH))).toBeDefined();
  await send(inbox, "delete_event");
  await expectNote(inbox, "dummy1_h", "removed");
  expect(await received(inbox, isGenEventExit(Dummy1H))).toMatchObject({ reason: "normal" });
  expect(await whichHandlers(inbox, M)).toEqual([]);
  await GenEvent.stop(inbox, M);
  expect(await drain(inbox)).toEqual([]);
};

describe("gen_event_SUITE", () => {
  describe("test_all", () => {
    it("notify", () =>
      notifyScenario((inbox, event) => {
        expect(GenEvent.notify(inbox, M, event)).toBeUndefined();
      }));

    it("sync_notify", () => notifyScenario((inbox, event) => syncNotify(inbox, M, event)));

    it("call", async () => {
      const { clock, inbox } = startNode();
      await GenEvent.start(inbox, { name: M });
      await addHandler(inbox, M, DummyH, [inbox.pid]);
      await addHandler(inbox, M, { handler: DummyH, id: 1 }, [inbox.pid]);
      expect(await whichHandlers(inbox, M)).toEqual([{ handler: DummyH, id: 1 }, DummyH]);
      const noManager = await callFailure(GenEvent.call(inbox, "non_exist", DummyH, "hejsan"));
      expect(noManager).toMatchObject({ reason: "noproc", site: { module: "GenEvent", function: "call" } });
      const badModule = await genEventFailure(GenEvent.call(inbox, M, Duuuuuuuuumy, "hejsan"));
      expect(badModule).toMatchObject({ reason: "bad_module", operation: "call" });
      expect(await GenEvent.call(inbox, M, DummyH, "hejsan")).toEqual({ ok: "hejhopp" });
      expect(await GenEvent.call(inbox, M, { handler: DummyH, id: 1 }, "hejsan")).toEqual({ ok: "hejhopp" });
      expect(await GenEvent.call(inbox, M, DummyH, "hejsan", 10000)).toEqual({ ok: "hejhopp" });
      const late = GenEvent.call(inbox, M, DummyH, "hejsan", 0);
      clock.advance(0); // the deadline passes before the manager gets to run
      const timedOut = await callFailure(late);
      expect(timedOut.reason).toBe("timeout");
      expect(timedOut.site?.args).toEqual([M, DummyH, "hejsan", 0]);
      expect(await drain(inbox)).toEqual([]); // flush(): the late reply never reaches the mailbox
      expect(await deleteHandler(inbox, M, { handler: DummyH, id: 1 }, [])).toBe("ok");
      const swapped = await GenEvent.call(inbox, M, DummyH, { swapCall: Dummy1H, args: "swap" });
      expect(swapped).toEqual({ ok: "swapped" });
      expect(await whichHandlers(inbox, M)).toEqual([Dummy1H]);
      expect((await genEventFailure(GenEvent.call(inbox, M, DummyH, "hejsan"))).reason).toBe("bad_module");
      expect(await GenEvent.call(inbox, M, Dummy1H, "delete_call")).toBe("ok");
      await expectNote(inbox, "dummy1_h", "removed");
      expect(await whichHandlers(inbox, M)).toEqual([]);
      await addHandler(inbox, M, DummyH, [inbox.pid]);
      const faulty = await genEventFailure(GenEvent.call(inbox, M, DummyH, "error_call"));
      expect(faulty.reason).toEqual({ return: "faulty" });
      await expectNote(inbox, "dummy_h", "returned_error");
      expect(await whichHandlers(inbox, M)).toEqual([]);
      await addHandler(inbox, M, DummyH, [inbox.pid]);
      const crashed = await genEventFailure(GenEvent.call(inbox, M, DummyH, "exit_call"));
      expect(crashed.reason).toEqual({ exit: expect.any(Error) });
      expect(await whichHandlers(inbox, M)).toEqual([]);

      // handler with id, {Mod, Id}
      const h1 = { handler: DummyH, id: 1 };
      await addHandler(inbox, M, h1, [inbox.pid]);
      expect(await whichHandlers(inbox, M)).toEqual([h1]);
      expect((await genEventFailure(GenEvent.call(inbox, M, Duuuuuuuuumy, "hejsan"))).reason).toBe(
        "bad_module",
      );
      expect(await GenEvent.call(inbox, M, h1, "hejsan")).toEqual({ ok: "hejhopp" });
      const h2 = { handler: Dummy1H, id: 2 };
      expect(await GenEvent.call(inbox, M, h1, { swapCall: h2, args: "swap" })).toEqual({ ok: "swapped" });
      expect(await whichHandlers(inbox, M)).toEqual([h2]);
      expect((await genEventFailure(GenEvent.call(inbox, M, DummyH, "hejsan"))).reason).toBe("bad_module");
      expect(await GenEvent.call(inbox, M, h2, "delete_call")).toBe("ok");
      await expectNote(inbox, "dummy1_h", "removed");
      expect(await whichHandlers(inbox, M)).toEqual([]);
      await addHandler(inbox, M, { handler: DummyH, id: 3 }, [inbox.pid]);
      const faulty3 = await genEventFailure(
        GenEvent.call(inbox, M, { handler: DummyH, id: 3 }, "error_call"),
      );
      expect(faulty3.reason).toEqual({ return: "faulty" });
      await expectNote(inbox, "dummy_h", "returned_error");
      expect(await whichHandlers(inbox, M)).toEqual([]);
      await addHandler(inbox, M, { handler: DummyH, id: 4 }, [inbox.pid]);
      const crashed4 = await genEventFailure(
        GenEvent.call(inbox, M, { handler: DummyH, id: 4 }, "exit_call"),
      );
      expect(crashed4.reason).toEqual({ exit: expect.any(Error) });
      expect(await whichHandlers(inbox, M)).toEqual([]);

      // supervised handler
      await addSupHandler(inbox, M, DummyH, [inbox.pid]);
      expect(await whichHandlers(inbox, M)).toEqual([DummyH]);
      expect((await genEventFailure(GenEvent.call(inbox, M, Duuuuuuuuumy, "hejsan"))).reason).toBe(
        "bad_module",
      );
      expect(await GenEvent.call(inbox, M, DummyH, "hejsan")).toEqual({ ok: "hejhopp" });
      expect(await GenEvent.call(inbox, M, DummyH, { swapCall: Dummy1H, args: "swap" })).toEqual({
        ok: "swapped",
      });
      expect(await whichHandlers(inbox, M)).toEqual([Dummy1H]);
      expect(await received(inbox, isGenEventExit(DummyH))).toMatchObject({
        reason: { swapped: Dummy1H, supervisor: inbox.pid },
      });
      expect((await genEventFailure(GenEvent.call(inbox, M, DummyH, "hejsan"))).reason).toBe("bad_module");
      expect(await GenEvent.call(inbox, M, Dummy1H, "delete_call")).toBe("ok");
      await expectNote(inbox, "dummy1_h", "removed");
      expect(await received(inbox, isGenEventExit(Dummy1H))).toMatchObject({ reason: "normal" });
      expect(await whichHandlers(inbox, M)).toEqual([]);
      await addSupHandler(inbox, M, DummyH, [inbox.pid]);
      expect((await genEventFailure(GenEvent.call(inbox, M, DummyH, "error_call"))).reason).toEqual({
        return: "faulty",
      });
      await expectNote(inbox, "dummy_h", "returned_error");
      expect(await received(inbox, isGenEventExit(DummyH))).toMatchObject({ reason: { return: "faulty" } });
      expect(await whichHandlers(inbox, M)).toEqual([]);
      await addSupHandler(inbox, M, DummyH, [inbox.pid]);
      const crashedSup = await genEventFailure(GenEvent.call(inbox, M, DummyH, "exit_call"));
      expect(crashedSup.reason).toEqual({ exit: expect.any(Error) });
      // the supervisor gets the same `{ exit }` the caller does
      expect(await received(inbox, isGenEventExit(DummyH))).toMatchObject({ reason: crashedSup.reason });
      expect(await whichHandlers(inbox, M)).toEqual([]);
      await GenEvent.stop(inbox, M);
      expect(await drain(inbox)).toEqual([]);
    });

    it("info", async () => {
      const { inbox } = startNode();
      await GenEvent.start(inbox, { name: M });
      await addHandler(inbox, M, DummyH, [inbox.pid]);
      const info = { info: inbox.pid };
      expect(await whichHandlers(inbox, M)).toEqual([DummyH]);
      inbox.send(M, info);
      await expectNote(inbox, "dummy_h", info);
      inbox.send(M, { swapInfo: Dummy1H, args: "swap" });
      expect(await whichHandlers(inbox, M)).toEqual([Dummy1H]);
      inbox.send(M, info);
      await expectNote(inbox, "dummy1_h", info);
      inbox.send(M, "delete_info");
      await expectNote(inbox, "dummy1_h", "removed");
      expect(await whichHandlers(inbox, M)).toEqual([]);
      await addHandler(inbox, M, DummyH, [inbox.pid]);
      inbox.send(M, "error_info");
      await expectNote(inbox, "dummy_h", "returned_error");
      expect(await whichHandlers(inbox, M)).toEqual([]);

      // handler with id, {Mod, Id}
      await addHandler(inbox, M, { handler: DummyH, id: 1 }, [inbox.pid]);
      expect(await whichHandlers(inbox, M)).toEqual([{ handler: DummyH, id: 1 }]);
      inbox.send(M, info);
      await expectNote(inbox, "dummy_h", info);
      inbox.send(M, { swapInfo: { handler: Dummy1H, id: 2 }, args: "swap" });
      expect(await whichHandlers(inbox, M)).toEqual([{ handler: Dummy1H, id: 2 }]);
      inbox.send(M, info);
      await expectNote(inbox, "dummy1_h", info);
      inbox.send(M, "delete_info");
      await expectNote(inbox, "dummy1_h", "removed");
      expect(await whichHandlers(inbox, M)).toEqual([]);
      await addHandler(inbox, M, { handler: DummyH, id: 3 }, [inbox.pid]);
      inbox.send(M, "error_info");
      await expectNote(inbox, "dummy_h", "returned_error");
      expect(await whichHandlers(inbox, M)).toEqual([]);

      // supervised handler
      await addSupHandler(inbox, M, DummyH, [inbox.pid]);
      expect(await whichHandlers(inbox, M)).toEqual([DummyH]);
      inbox.send(M, info);
      await expectNote(inbox, "dummy_h", info);
      inbox.send(M, { swapInfo: Dummy1H, args: "swap" });
      expect(await whichHandlers(inbox, M)).toEqual([Dummy1H]);
      expect(await received(inbox, isGenEventExit(DummyH))).toMatchObject({
        reason: { swapped: Dummy1H, supervisor: inbox.pid },
      });
      inbox.send(M, info);
      await expectNote(inbox, "dummy1_h", info);
      inbox.send(M, "delete_info");
      await expectNote(inbox, "dummy1_h", "removed");
      expect(await received(inbox, isGenEventExit(Dummy1H))).toMatchObject({ reason: "normal" });
      expect(await whichHandlers(inbox, M)).toEqual([]);
      await addSupHandler(inbox, M, DummyH, [inbox.pid]);
      inbox.send(M, "error_info");
      await expectNote(inbox, "dummy_h", "returned_error");
      expect(await received(inbox, isGenEventExit(DummyH))).toMatchObject({ reason: { return: "faulty" } });
      await addSupHandler(inbox, M, DummyH, [inbox.pid]);
      inbox.send(M, "do_crash");
      expect(await received(inbox, isGenEventExit(DummyH))).toMatchObject({
        reason: { exit: expect.any(Error) },
      });
      expect(await whichHandlers(inbox, M)).toEqual([]);
      await GenEvent.stop(inbox, M);
      expect(await drain(inbox)).toEqual([]);
    });
  });

  it("call_format_status", async () => {
    const { inbox } = startNode();
    const pid = await GenEvent.start(inbox, { name: M });
    // the state differs from what formatStatus shows
    await addHandler(inbox, M, Dummy1H, [inbox.pid]);
    const status1 = await sys.getStatus(inbox, pid);
    const status2 = await sys.getStatus(inbox, pid, 5000);
    await GenEvent.stop(inbox, pid);
    for (const status of [status1, status2]) {
      expect(status).toMatchObject({
        pid,
        behaviour: "GenEvent",
        status: "running",
        parent: pid, // a start without a link is its own parent
        debug: { trace: false, log: false, statistics: false },
      });
      const misc = status.misc as ManagerStatus;
      expect(misc.header).toBe(`Status for event handler ${M}`);
      expect(misc.handlers).toEqual([
        { handler: Dummy1H, state: "dummy1_h handler state", supervisor: undefined },
      ]);
    }
  });

  it("call_format_status_anon", async () => {
    const { inbox } = startNode();
    const pid = await GenEvent.start(inbox);
    const status = await sys.getStatus(inbox, pid);
    await GenEvent.stop(inbox, pid);
    expect(status).toMatchObject({ pid, parent: pid });
    expect((status.misc as ManagerStatus).header).toBe(`Status for event handler ${String(pid)}`);
  });

  it("error_format_status", async () => {
    const { inbox, logs } = startNode();
    inbox.trapExit(true);
    const pid = await GenEvent.start(inbox, { name: M });
    await addSupHandler(inbox, M, Dummy1H, [inbox.pid]);
    GenEvent.notify(inbox, M, "do_crash");
    const exit = await received(inbox, isGenEventExit(Dummy1H));
    expect(exit).toMatchObject({ reason: { exit: expect.any(Error) } });
    expect(logs.filter((e) => e.level === "error")).toMatchObject([
      {
        kind: "gen_event_handler_crashed",
        pid,
        data: {
          handler: Dummy1H,
          name: M,
          lastMessage: "do_crash",
          state: "dummy1_h handler state",
          reason: exit?.reason,
        },
      },
    ]);
    expect(logs[0]?.text).toBe("gen_event handler Dummy1H crashed");
    await GenEvent.stop(inbox, pid);
    // The link addSupHandler made outlives the removed handler (as in OTP), so the trapping tester
    // gets the manager's EXIT.
    expect(await drain(inbox)).toEqual([
      expect.objectContaining({ kind: "EXIT", from: pid, reason: "normal" }),
    ]);
  });

  it("get_state", async () => {
    const { inbox } = startNode();
    const pid = await GenEvent.start(inbox, { name: M });
    const state1 = inbox.pid;
    await addHandler(inbox, M, Dummy1H, [state1]);
    const one = [{ handler: Dummy1H, id: undefined, state: state1 }];
    expect(await sys.getState(inbox, pid)).toEqual(one);
    expect(await sys.getState(inbox, pid, 5000)).toEqual(one);
    const state2 = { suite: "gen_event_SUITE", pid: inbox.pid };
    await addHandler(inbox, M, { handler: Dummy1H, id: "id" }, [state2]);
    // newest first (the suite sorts them)
    const two = [{ handler: Dummy1H, id: "id", state: state2 }, ...one];
    expect(await sys.getState(inbox, pid)).toEqual(two);
    expect(await sys.getState(inbox, pid, 5000)).toEqual(two);
    await sys.suspend(inbox, pid);
    expect(await sys.getState(inbox, pid)).toEqual(two);
    await sys.resume(inbox, pid);
    await GenEvent.stop(inbox, pid);
  });

  it("replace_state", async () => {
    const { inbox } = startNode();
    const pid = await GenEvent.start(inbox, { name: M });
    await addHandler(inbox, M, Dummy1H, [inbox.pid]);
    expect(await sys.getState(inbox, pid)).toEqual([{ handler: Dummy1H, id: undefined, state: inbox.pid }]);
    // the suite's `fun({dummy1_h, false, _} = S) -> setelement(3, S, New) end`
    const replaceWith = (state: unknown) => (entry: { handler: unknown; id: unknown }) => {
      if (entry.handler !== Dummy1H || entry.id !== undefined) throw new Error("function_clause");
      return { ...entry, state };
    };
    const replaced = [{ handler: Dummy1H, id: undefined, state: "replaced" }];
    expect(await sys.replaceState(inbox, pid, replaceWith("replaced"))).toEqual(replaced);
    expect(await sys.getState(inbox, pid)).toEqual(replaced);
    const again = [{ handler: Dummy1H, id: undefined, state: "replaced again" }];
    expect(await sys.replaceState(inbox, pid, replaceWith("replaced again"), 5000)).toEqual(again);
    expect(await sys.getState(inbox, pid)).toEqual(again);
    // no change in state if the replace function crashes, and no error either
    const crashing = () => {
      throw new Error("fail");
    };
    expect(await sys.replaceState(inbox, pid, crashing)).toEqual(again);
    expect(await sys.getState(inbox, pid)).toEqual(again);
    // replaced while suspended
    await sys.suspend(inbox, pid);
    const third = [{ handler: Dummy1H, id: undefined, state: "replaced again and again" }];
    expect(await sys.replaceState(inbox, pid, replaceWith("replaced again and again"))).toEqual(third);
    await sys.resume(inbox, pid);
    expect(await sys.getState(inbox, pid)).toEqual(third);
  });

  describe("undef_callbacks", () => {
    /** oc_event:start(): a manager registered as oc_event with the oc_event handler installed. */
    const startOcEvent = async (inbox: Inbox) => {
      const pid = await GenEvent.start(inbox, { name: "oc_event" });
      await addHandler(inbox, "oc_event", OcEvent);
      return pid;
    };

    it("undef_init", async () => {
      const { inbox } = startNode();
      const pid = await GenEvent.start(inbox, { name: "oc_init_event" });
      const noInit = OcInitEvent as unknown as typeof OcEvent;
      const error = await genEventFailure(addHandler(inbox, pid, noInit, []));
      expect(error.reason).toEqual({ exit: expect.any(UndefinedCallbackError) });
      expect((error.reason as { exit: UndefinedCallbackError }).exit.callback).toBe("init");
      expect(await whichHandlers(inbox, pid)).toEqual([]);
      await GenEvent.stop(inbox, pid);
    });

    it("undef_handle_call", async () => {
      const { inbox } = startNode();
      const pid = await startOcEvent(inbox);
      const error = await genEventFailure(GenEvent.call(inbox, pid, OcEvent, "call_msg"));
      expect(error.reason).toEqual({ exit: expect.any(UndefinedCallbackError) });
      expect((error.reason as { exit: UndefinedCallbackError }).exit.callback).toBe("handleCall");
      expect(await whichHandlers(inbox, pid)).toEqual([]);
      await GenEvent.stop(inbox, pid);
    });

    it("undef_handle_event", async () => {
      const { inbox } = startNode();
      const pid = await startOcEvent(inbox);
      await syncNotify(inbox, pid, "event_msg");
      expect(await whichHandlers(inbox, pid)).toEqual([]);
      await addHandler(inbox, "oc_event", OcEvent);
      expect(await whichHandlers(inbox, pid)).toEqual([OcEvent]);
      GenEvent.notify(inbox, pid, "event_msg");
      expect(await whichHandlers(inbox, pid)).toEqual([]);
      await GenEvent.stop(inbox, pid);
    });

    it("undef_handle_info", async () => {
      const { node, inbox, logs } = startNode();
      const pid = await startOcEvent(inbox);
      inbox.send(pid, "hej");
      await node.idle();
      expect(await whichHandlers(inbox, pid)).toEqual([OcEvent]);
      expect(logs).toMatchObject([
        {
          level: "warning",
          kind: "unexpected_message",
          pid,
          text: "undefined handleInfo in OcEvent",
          data: { handler: OcEvent, message: "hej" },
        },
      ]);
      await GenEvent.stop(inbox, pid);
    });

    it("undef_code_change", async () => {
      const { inbox } = startNode();
      const pid = await startOcEvent(inbox);
      // the suite's fake_upgrade: suspend, replace the state (a fun that matches no handler), change code
      await sys.suspend(inbox, pid);
      await sys.replaceState(inbox, pid, (s) => ({ new: s }));
      const error = await sys.changeCode(inbox, pid, "old_vsn", []).catch((e: unknown) => e);
      await sys.resume(inbox, pid);
      expect(error).toBeInstanceOf(UndefinedCallbackError);
      expect(error).toMatchObject({ callback: "codeChange" });
      expect(await whichHandlers(inbox, pid)).toEqual([OcEvent]);
      await GenEvent.stop(inbox, pid);
    });

    it("undef_terminate", async () => {
      const { inbox } = startNode();
      const pid = await startOcEvent(inbox);
      expect(await deleteHandler(inbox, pid, OcEvent, [])).toBeUndefined(); // OTP: ok
      expect(await whichHandlers(inbox, pid)).toEqual([]);
      await GenEvent.stop(inbox, pid);
    });
  });

  it("undef_in_terminate", async () => {
    // a TypeError (JavaScript's undef) inside terminate: delete rejects with it, the handler is gone
    const { inbox } = startNode();
    const pid = await GenEvent.start(inbox, { name: "dummy" });
    const state = { undefInTerminate: [DummyH, "terminate"] };
    await addHandler(inbox, pid, DummyH, { state });
    expect(await whichHandlers(inbox, pid)).toEqual([DummyH]);
    const error = await genEventFailure(deleteHandler(inbox, pid, DummyH, []));
    expect(error).toMatchObject({ reason: { exit: expect.any(TypeError) }, operation: "deleteHandler" });
    expect(await whichHandlers(inbox, pid)).toEqual([]);
    await GenEvent.stop(inbox, pid);
    expect(await drain(inbox)).toEqual([]);
  });
});
