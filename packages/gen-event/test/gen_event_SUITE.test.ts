/**
 * OTP's `lib/stdlib/test/gen_event_SUITE.erl`, ported case by case (part 1: start, start_opt, the
 * client-visible parts of hibernate and auto_hibernate, and the test_all group up to swap_sup_handler).
 * Part 2 (`gen_event_SUITE.events.test.ts`) has notify, sync_notify, call, info, the format_status
 * cases, get_state, replace_state and the undef_callbacks group. docs/parity/gen_event_SUITE.md lists
 * every case with its status.
 *
 * Conventions: the test process is an inbox (Erlang's `self()`), trapping exits where the suite does;
 * time is the node's VirtualClock; `received` waits until every process is idle, then takes a message
 * (the suite's blocking `receive`); many cases end by asserting an empty mailbox.
 */
import { isExit } from "@maquis/core";
import { StartError, sys } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import {
  addHandler,
  addSupHandler,
  deleteHandler,
  GenEvent,
  isGenEventExit,
  whichHandlers,
} from "../src/index.js";
import { DummyVia } from "./DummyVia.js";
import { Dummy1H, DummyH, Duuuuuuuuumy, genEventFailure, received } from "./fixtures.js";
import { drain, useNodes } from "./support.js";

const startNode = useNodes("ge1_");

const startFailure = async (promise: Promise<unknown>): Promise<StartError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof StartError) return error;
    throw error;
  }
  throw new Error("expected a StartError, but the start succeeded");
};

describe("gen_event_SUITE", () => {
  it("start", async () => {
    const { node, inbox } = startNode();
    inbox.trapExit(true);
    const via = new DummyVia(node); // dummy_via:reset()
    const viaName = { via, name: "my_dummy_name" };

    // anonymous
    const pid0 = await GenEvent.start(inbox);
    expect(await whichHandlers(inbox, pid0)).toEqual([]);
    await GenEvent.stop(inbox, pid0);
    expect(node.isAlive(pid0)).toBe(false);

    // anonymous, linked
    const pid1 = await GenEvent.startLink(inbox);
    expect(await whichHandlers(inbox, pid1)).toEqual([]);
    await GenEvent.stop(inbox, pid1);
    expect(await received(inbox, isExit(pid1))).toMatchObject({ reason: "normal" });

    // local name
    const pid2 = await GenEvent.start(inbox, { name: "my_dummy_name" });
    expect(await whichHandlers(inbox, "my_dummy_name")).toEqual([]);
    expect(await whichHandlers(inbox, pid2)).toEqual([]);
    await GenEvent.stop(inbox, "my_dummy_name");
    expect(node.whereis("my_dummy_name")).toBeUndefined();

    // local name, linked
    const pid3 = await GenEvent.startLink(inbox, { name: "my_dummy_name" });
    expect(await whichHandlers(inbox, "my_dummy_name")).toEqual([]);
    expect(await whichHandlers(inbox, pid3)).toEqual([]);
    await GenEvent.stop(inbox, "my_dummy_name");
    expect(await received(inbox, isExit(pid3))).toMatchObject({ reason: "normal" });

    // {global, my_dummy_name} (Pid4): no global registry; the via name stands for it.

    // via name, linked
    const pid5 = await GenEvent.startLink(inbox, { name: viaName });
    expect(await whichHandlers(inbox, viaName)).toEqual([]);
    expect(await whichHandlers(inbox, pid5)).toEqual([]);
    await GenEvent.stop(inbox, viaName);
    expect(await received(inbox, isExit(pid5))).toMatchObject({ reason: "normal" });

    // already started, local name
    const taken = await GenEvent.startLink(inbox, { name: "my_dummy_name" });
    for (const start of [GenEvent.startLink, GenEvent.start]) {
      const error = await startFailure(start(inbox, { name: "my_dummy_name" }));
      expect(error.reason).toEqual({ alreadyStarted: taken });
    }
    await GenEvent.stop(inbox, "my_dummy_name");
    expect(await received(inbox, isExit(taken))).toMatchObject({ reason: "normal" });

    // Pid6 (global in the suite, a local name here): stop with shutdown and a timeout → EXIT shutdown
    const pid6 = await GenEvent.startLink(inbox, { name: "my_dummy_name" });
    for (const start of [GenEvent.startLink, GenEvent.start]) {
      const error = await startFailure(start(inbox, { name: "my_dummy_name" }));
      expect(error.reason).toEqual({ alreadyStarted: pid6 });
    }
    await GenEvent.stop(inbox, "my_dummy_name", "shutdown", 10000);
    expect(await received(inbox, isExit(pid6))).toMatchObject({ reason: "shutdown" });

    // Pid7, via name: the parent's exit(Pid7, shutdown) stops it with shutdown
    const pid7 = await GenEvent.startLink(inbox, { name: viaName });
    for (const start of [GenEvent.startLink, GenEvent.start]) {
      const error = await startFailure(start(inbox, { name: viaName }));
      expect(error.reason).toEqual({ alreadyStarted: pid7 });
    }
    inbox.exit(pid7, "shutdown");
    expect(await received(inbox, isExit(pid7))).toMatchObject({ reason: "shutdown" });
    expect(await drain(inbox)).toEqual([]);
  });

  it("start_opt", async () => {
    const { node, inbox } = startNode();
    inbox.trapExit(true);
    const via = new DummyVia(node);
    const viaName = { via, name: "my_dummy_name" };

    const pid0 = await GenEvent.start(inbox, {});
    expect(await whichHandlers(inbox, pid0)).toEqual([]);
    await GenEvent.stop(inbox, pid0);

    const pid1 = await GenEvent.startLink(inbox, {});
    expect(await whichHandlers(inbox, pid1)).toEqual([]);
    await GenEvent.stop(inbox, pid1);
    expect(await received(inbox, isExit(pid1))).toBeDefined();

    const pid2 = await GenEvent.start(inbox, { name: "my_dummy_name" });
    expect(await whichHandlers(inbox, "my_dummy_name")).toEqual([]);
    expect(await whichHandlers(inbox, pid2)).toEqual([]);
    await GenEvent.stop(inbox, "my_dummy_name");

    const pid3 = await GenEvent.startLink(inbox, { name: "my_dummy_name" });
    expect(await whichHandlers(inbox, pid3)).toEqual([]);
    await GenEvent.stop(inbox, "my_dummy_name");
    expect(await received(inbox, isExit(pid3))).toBeDefined();

    const pid5 = await GenEvent.startLink(inbox, { name: viaName });
    expect(await whichHandlers(inbox, viaName)).toEqual([]);
    expect(await whichHandlers(inbox, pid5)).toEqual([]);
    await GenEvent.stop(inbox, viaName);
    expect(await received(inbox, isExit(pid5))).toBeDefined();

    const pid7 = await GenEvent.startLink(inbox, { name: "my_dummy_name" });
    expect((await startFailure(GenEvent.startLink(inbox, { name: "my_dummy_name" }))).reason).toEqual({
      alreadyStarted: pid7,
    });
    expect((await startFailure(GenEvent.start(inbox, { name: "my_dummy_name" }))).reason).toEqual({
      alreadyStarted: pid7,
    });
    await GenEvent.stop(inbox, "my_dummy_name", "shutdown", 10000);
    expect(await received(inbox, isExit(pid7))).toMatchObject({ reason: "shutdown" });

    const pid8 = await GenEvent.startLink(inbox, { name: viaName });
    expect((await startFailure(GenEvent.startLink(inbox, { name: viaName }))).reason).toEqual({
      alreadyStarted: pid8,
    });
    expect((await startFailure(GenEvent.start(inbox, { name: viaName }))).reason).toEqual({
      alreadyStarted: pid8,
    });
    inbox.exit(pid8, "shutdown");
    expect(await received(inbox, isExit(pid8))).toMatchObject({ reason: "shutdown" });

    // spawn_opt ({min_heap_size}) is [wb]: no per-process heap in JavaScript.

    // the debug option is honoured: the manager logs from the start
    const pid10 = await GenEvent.startLink(inbox, { name: "my_dummy_name", debug: ["log"] });
    expect((await startFailure(GenEvent.start(inbox, { name: "my_dummy_name" }))).reason).toEqual({
      alreadyStarted: pid10,
    });
    expect(await whichHandlers(inbox, pid10)).toEqual([]);
    expect(await sys.log(inbox, pid10, "get")).toEqual([
      { kind: "in", message: { op: "whichHandlers" }, from: inbox.pid },
    ]);
    await GenEvent.stop(inbox, "my_dummy_name");
    expect(await received(inbox, isExit(pid10))).toBeDefined();
    expect(await drain(inbox)).toEqual([]);
  });

  it("hibernate (client-visible part; hibernation probes are [wb])", async () => {
    // `hibernate` results are accepted and are no-ops: the manager keeps serving, and every handler
    // keeps its place and state.
    const { node, clock, inbox } = startNode();
    const manager = await GenEvent.start(inbox, { name: "my_dummy_handler" });
    await addHandler(inbox, "my_dummy_handler", DummyH, [inbox.pid]);
    expect(await whichHandlers(inbox, "my_dummy_handler")).toEqual([DummyH]);
    expect(await GenEvent.call(inbox, "my_dummy_handler", DummyH, "hibernate")).toBe(true);
    inbox.send(manager, "wake");
    expect(await GenEvent.call(inbox, "my_dummy_handler", DummyH, "hibernate_later")).toBe("later");
    clock.advance(1000); // the handler's timer sends the manager `sleep`
    await node.idle();
    GenEvent.notify(inbox, "my_dummy_handler", "hibernate");
    GenEvent.notify(inbox, "my_dummy_handler", "wakeup");
    GenEvent.notify(inbox, "my_dummy_handler", "hibernate");
    await GenEvent.syncNotify(inbox, "my_dummy_handler", "wakeup");
    await GenEvent.syncNotify(inbox, "my_dummy_handler", "hibernate");
    inbox.send(manager, "wake");
    await addHandler(inbox, "my_dummy_handler", Dummy1H, [inbox.pid]);
    expect(await whichHandlers(inbox, "my_dummy_handler")).toEqual([Dummy1H, DummyH]);
    GenEvent.notify(inbox, "my_dummy_handler", "hibernate");
    GenEvent.notify(inbox, "my_dummy_handler", "wakeup");
    for (const info of ["wake", "gnurf", "sleep", "wake"]) inbox.send(manager, info);
    // dummy1_h forwards the infos it has no clause for
    expect(await drain(inbox)).toEqual([
      ["dummy1_h", "wake"],
      ["dummy1_h", "sleep"],
      ["dummy1_h", "wake"],
    ]);
    expect(await whichHandlers(inbox, "my_dummy_handler")).toEqual([Dummy1H, DummyH]);
    await GenEvent.stop(inbox, "my_dummy_handler");

    const manager2 = await GenEvent.start(inbox, { name: "my_dummy_handler" });
    await addHandler(inbox, "my_dummy_handler", DummyH, [inbox.pid, "hibernate"]);
    await sys.suspend(inbox, "my_dummy_handler");
    await sys.resume(inbox, "my_dummy_handler");
    inbox.send(manager2, "wake");
    expect(await sys.getState(inbox, manager2)).toEqual([{ handler: DummyH, id: undefined, state: [] }]);
    await GenEvent.stop(inbox, "my_dummy_handler");
    expect(await drain(inbox)).toEqual([]);
  });

  it("auto_hibernate (client-visible part; hibernation probes are [wb])", async () => {
    const { node, clock, inbox } = startNode();
    const state = { autoHibernateState: true };
    const name = "auto_hibernate_handler";
    const manager = await GenEvent.start(inbox, { name, hibernateAfter: 100 });
    clock.advance(100);
    await addHandler(inbox, name, DummyH, [state]);
    expect(await sys.getState(inbox, manager)).toEqual([{ handler: DummyH, id: undefined, state }]);
    expect(await GenEvent.call(inbox, name, DummyH, "hejsan")).toEqual({ ok: "hejhopp" });
    clock.advance(100);
    GenEvent.notify(inbox, name, { op: "handle_event", from: inbox.pid });
    expect(await received(inbox, (m) => m === "handled_event")).toBe("handled_event");
    clock.advance(100);
    inbox.send(manager, { op: "handle_info", from: inbox.pid });
    expect(await received(inbox, (m) => m === "handled_info")).toBe("handled_info");
    await node.idle();
    await GenEvent.stop(inbox, name);
    expect(await drain(inbox)).toEqual([]);
  });

  describe("test_all", () => {
    it("add_handler", async () => {
      const { inbox } = startNode();
      const m = "my_dummy_handler";
      await GenEvent.start(inbox, { name: m });
      expect((await genEventFailure(addHandler(inbox, m, DummyH, "make_error"))).reason).toEqual({
        error: "my_error",
      });
      expect(await whichHandlers(inbox, m)).toEqual([]);
      await addHandler(inbox, m, DummyH, [inbox.pid]);
      expect(await whichHandlers(inbox, m)).toEqual([DummyH]);

      const withId = { handler: DummyH, id: inbox.pid };
      const refused = await genEventFailure(addHandler(inbox, m, withId, "make_error"));
      expect(refused).toMatchObject({ reason: { error: "my_error" }, operation: "addHandler" });
      expect(await whichHandlers(inbox, m)).toEqual([DummyH]);
      await addHandler(inbox, m, withId, [inbox.pid]);
      expect(await whichHandlers(inbox, m)).toEqual([{ handler: DummyH, id: inbox.pid }, DummyH]);
      await GenEvent.stop(inbox, m);
      expect(await drain(inbox)).toEqual([]);
    });

    it("add_sup_handler", async () => {
      const { inbox } = startNode();
      const m = "my_dummy_handler";
      const manager = await GenEvent.start(inbox, { name: m });
      const refused = await genEventFailure(addSupHandler(inbox, m, DummyH, "make_error"));
      expect(refused).toMatchObject({ reason: { error: "my_error" }, operation: "addSupHandler" });
      expect(await whichHandlers(inbox, m)).toEqual([]);
      await addSupHandler(inbox, m, DummyH, [inbox.pid]);
      expect(await whichHandlers(inbox, m)).toEqual([DummyH]);
      // The supervising process "dies" (an exit signal from it): its handler goes, terminate({stop, R}).
      inbox.exit(manager, "sup_died");
      expect(await received(inbox, isGenEventExit(DummyH))).toMatchObject({
        manager,
        handler: DummyH,
        reason: "shutdown",
      });
      expect(await whichHandlers(inbox, m)).toEqual([]);

      await addSupHandler(inbox, m, DummyH, [inbox.pid]);
      expect(await whichHandlers(inbox, m)).toEqual([DummyH]);
      const withId = { handler: DummyH, id: inbox.pid };
      expect((await genEventFailure(addHandler(inbox, m, withId, "make_error"))).reason).toEqual({
        error: "my_error",
      });
      expect(await whichHandlers(inbox, m)).toEqual([DummyH]);
      await addSupHandler(inbox, m, withId, [inbox.pid]);
      expect(await whichHandlers(inbox, m)).toEqual([withId, DummyH]);
      await GenEvent.stop(inbox, m);
      // stop terminates the handlers newest first; each supervisor hears "shutdown"
      expect(await drain(inbox)).toEqual([
        expect.objectContaining({ handler: withId, reason: "shutdown" }),
        expect.objectContaining({ handler: DummyH, reason: "shutdown" }),
      ]);
      expect(inbox.node.isAlive(inbox.pid)).toBe(true); // unlinked before the manager exited
    });

    it("delete_handler", async () => {
      const { inbox } = startNode();
      const m = "my_dummy_handler";
      await GenEvent.start(inbox, { name: m });
      await addHandler(inbox, m, DummyH, [inbox.pid]);
      const missing = await genEventFailure(deleteHandler(inbox, m, Duuuuuuuuumy, []));
      expect(missing).toMatchObject({ reason: "module_not_found", operation: "deleteHandler" });
      expect(await deleteHandler(inbox, m, DummyH, "return_hej")).toBe("return_hej");
      expect(await whichHandlers(inbox, m)).toEqual([]);
      await addHandler(inbox, m, DummyH, [inbox.pid]);
      expect(await deleteHandler(inbox, m, DummyH, [])).toBe("ok");
      expect(await whichHandlers(inbox, m)).toEqual([]);

      await addHandler(inbox, m, { handler: DummyH, id: 1 }, [inbox.pid]);
      await addHandler(inbox, m, { handler: DummyH, id: 2 }, [inbox.pid]);
      const missingId = await genEventFailure(deleteHandler(inbox, m, { handler: Duuuuuuuuumy, id: 1 }, []));
      expect(missingId.reason).toBe("module_not_found");
      expect(await deleteHandler(inbox, m, { handler: DummyH, id: 1 }, "return_hej")).toBe("return_hej");
      expect(await deleteHandler(inbox, m, { handler: DummyH, id: 2 }, "return_hej")).toBe("return_hej");
      expect(await whichHandlers(inbox, m)).toEqual([]);
      await addHandler(inbox, m, { handler: DummyH, id: 2 }, [inbox.pid]);
      expect(await deleteHandler(inbox, m, { handler: DummyH, id: 2 }, [])).toBe("ok");
      expect(await whichHandlers(inbox, m)).toEqual([]);
      await GenEvent.stop(inbox, m);
      expect(await drain(inbox)).toEqual([]);
    });

    it("swap_handler", async () => {
      const { inbox } = startNode();
      const m = "my_dummy_handler";
      await GenEvent.start(inbox, { name: m });
      await addHandler(inbox, m, DummyH, [inbox.pid]);
      // an old handler that is not installed: the new init gets [args, "error"] and refuses
      const refused = await genEventFailure(
        GenEvent.swapHandler(inbox, m, [Duuuuuuuuumy, "swap"], [Dummy1H, []]),
      );
      expect(refused).toMatchObject({ reason: "non_existing", operation: "swapHandler" });
      await GenEvent.swapHandler(inbox, m, [DummyH, "swap"], [Dummy1H, "swap"]);
      expect(await whichHandlers(inbox, m)).toEqual([Dummy1H]);
      expect(await deleteHandler(inbox, m, Dummy1H, [])).toBe("ok");

      await addHandler(inbox, m, { handler: DummyH, id: 3 }, [inbox.pid]);
      const again = await genEventFailure(
        GenEvent.swapHandler(inbox, m, [Duuuuuuuuumy, "swap"], [Dummy1H, []]),
      );
      expect(again.reason).toBe("non_existing");
      await GenEvent.swapHandler(
        inbox,
        m,
        [{ handler: DummyH, id: 3 }, "swap"],
        [{ handler: Dummy1H, id: 4 }, "swap"],
      );
      expect(await whichHandlers(inbox, m)).toEqual([{ handler: Dummy1H, id: 4 }]);
      expect(await deleteHandler(inbox, m, { handler: Dummy1H, id: 4 }, [])).toBe("ok");
      await GenEvent.stop(inbox, m);
      expect(await drain(inbox)).toEqual([]);
    });

    it("swap_sup_handler", async () => {
      const { inbox } = startNode();
      const m = "my_dummy_handler";
      await GenEvent.start(inbox, { name: m });
      await addSupHandler(inbox, m, DummyH, [inbox.pid]);
      const refused = await genEventFailure(
        GenEvent.swapHandler(inbox, m, [Duuuuuuuuumy, "swap"], [Dummy1H, []]),
      );
      expect(refused.reason).toBe("non_existing");
      // a plain swap of a supervised handler: the new one inherits the supervisor
      await GenEvent.swapHandler(inbox, m, [DummyH, "swap"], [Dummy1H, "swap"]);
      expect(await whichHandlers(inbox, m)).toEqual([Dummy1H]);
      expect(await received(inbox, isGenEventExit(DummyH))).toMatchObject({
        reason: { swapped: Dummy1H, supervisor: inbox.pid },
      });
      expect(await deleteHandler(inbox, m, Dummy1H, [])).toBe("ok");
      expect(await received(inbox, isGenEventExit(Dummy1H))).toMatchObject({ reason: "normal" });

      const h3 = { handler: DummyH, id: 3 };
      const h4 = { handler: Dummy1H, id: 4 };
      await addSupHandler(inbox, m, h3, [inbox.pid]);
      const again = await genEventFailure(
        GenEvent.swapSupHandler(inbox, m, [Duuuuuuuuumy, "swap"], [Dummy1H, []]),
      );
      expect(again).toMatchObject({ reason: "non_existing", operation: "swapSupHandler" });
      await GenEvent.swapSupHandler(inbox, m, [h3, "swap"], [h4, "swap"]);
      expect(await whichHandlers(inbox, m)).toEqual([h4]);
      expect(await received(inbox, isGenEventExit(h3))).toMatchObject({
        reason: { swapped: h4, supervisor: inbox.pid },
      });
      expect(await deleteHandler(inbox, m, h4, [])).toBe("ok");
      expect(await received(inbox, isGenEventExit(h4))).toMatchObject({ handler: h4, reason: "normal" });
      await GenEvent.stop(inbox, m);
      expect(await drain(inbox)).toEqual([]);
    });
  });
});
