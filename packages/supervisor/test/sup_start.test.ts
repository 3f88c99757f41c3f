/** supervisor_SUITE, groups sup_start and sup_start_map. */
import { isPid } from "@maquis/core";
import { StartError } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import {
  getChildspec,
  startChild,
  SupervisorError,
  terminateChild,
  restartChild,
  whichChildren,
} from "../src/index.js";
import { FunctionClause, startSupTest, sup1, tuple } from "./fixtures.js";
import {
  checkExitReason,
  checkNoExitAtAll,
  counts,
  drain,
  rejectionOf,
  stopProcess,
  useNodes,
} from "./support.js";

const startNode = useNodes("supstart");

const oneForOne = { flags: { strategy: "one_for_one", intensity: 2, period: 3600 }, children: [] };

describe("supervisor_SUITE", () => {
  describe("sup_start", () => {
    it("sup_start_normal", async () => {
      const t = startNode();
      const pid = await startSupTest(t, oneForOne);
      await stopProcess(t, pid, "shutdown");
      await checkExitReason(t, pid, "shutdown");
      expect(await drain(t.inbox)).toEqual([]);
    });

    it("sup_start_ignore_init", async () => {
      const t = startNode();
      const error = await rejectionOf(startSupTest(t, "ignore"));
      expect(error).toBeInstanceOf(StartError);
      expect((error as StartError).ignored).toBe(true);
      await checkNoExitAtAll(t);
      expect(t.node.whereis("sup_test")).toBeUndefined();
    });

    it("sup_start_ignore_child", async () => {
      const t = startNode();
      await startSupTest(t, oneForOne);
      const child1 = tuple("child1", sup1("ignore"), "permanent", 1000, "worker", []);
      const child2 = tuple("child2", sup1(), "permanent", 1000, "worker", []);
      expect(await startChild(t.inbox, "sup_test", child1)).toEqual({ pid: undefined });
      const { pid: cpid2 } = await startChild(t.inbox, "sup_test", child2);
      expect(await whichChildren(t.inbox, "sup_test")).toEqual([
        { id: "child2", pid: cpid2, type: "worker", modules: [] },
        { id: "child1", pid: undefined, type: "worker", modules: [] },
      ]);
      expect(await counts(t, "sup_test")).toEqual([2, 1, 0, 2]);
    });

    it("sup_start_ignore_temporary_child", async () => {
      const t = startNode();
      const child1 = tuple("child1", sup1("ignore"), "temporary", 1000, "worker", []);
      const child2 = tuple("child2", sup1(), "temporary", 1000, "worker", []);
      await startSupTest(t, { flags: oneForOne.flags, children: [child1, child2] });
      const children = await whichChildren(t.inbox, "sup_test");
      expect(children).toEqual([{ id: "child2", pid: expect.anything(), type: "worker", modules: [] }]);
      expect(isPid(children[0]!.pid)).toBe(true);
      expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    });

    it("sup_start_ignore_temporary_child_start_child", async () => {
      const t = startNode();
      await startSupTest(t, oneForOne);
      const child1 = tuple("child1", sup1("ignore"), "temporary", 1000, "worker", []);
      const child2 = tuple("child2", sup1(), "temporary", 1000, "worker", []);
      expect(await startChild(t.inbox, "sup_test", child1)).toEqual({ pid: undefined });
      const { pid: cpid2 } = await startChild(t.inbox, "sup_test", child2);
      expect(await whichChildren(t.inbox, "sup_test")).toEqual([
        { id: "child2", pid: cpid2, type: "worker", modules: [] },
      ]);
      expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    });

    it("sup_start_ignore_temporary_child_start_child_simple", async () => {
      const t = startNode();
      const child1 = tuple("child1", sup1("ignore"), "temporary", 1000, "worker", []);
      await startSupTest(t, {
        flags: { strategy: "simple_one_for_one", intensity: 2, period: 3600 },
        children: [child1],
      });
      expect(await startChild(t.inbox, "sup_test", [])).toEqual({ pid: undefined });
      const { pid: cpid2 } = await startChild(t.inbox, "sup_test", []);
      expect(await whichChildren(t.inbox, "sup_test")).toEqual([
        { id: undefined, pid: cpid2, type: "worker", modules: [] },
      ]);
      expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    });

    it("sup_start_ignore_permanent_child_start_child_simple", async () => {
      const t = startNode();
      const child1 = tuple("child1", sup1("ignore"), "permanent", 1000, "worker", []);
      const pid = await startSupTest(t, {
        flags: { strategy: "simple_one_for_one", intensity: 2, period: 3600 },
        children: [child1],
      });
      expect(await startChild(t.inbox, "sup_test", [])).toEqual({ pid: undefined });
      const { pid: cpid2 } = await startChild(t.inbox, "sup_test", []);
      expect(await whichChildren(t.inbox, "sup_test")).toEqual([
        { id: undefined, pid: cpid2, type: "worker", modules: [] },
      ]);
      expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
      // Regression test: the supervisor terminates without error.
      t.inbox.exit(pid, "shutdown");
      await checkExitReason(t, pid, "shutdown");
      expect(t.logs.filter((e) => e.level === "error")).toEqual([]);
    });

    it("sup_start_error_return", async () => {
      const t = startNode();
      const error = await rejectionOf(startSupTest(t, "invalid"));
      expect(error).toBeInstanceOf(StartError);
      expect((error as StartError).reason).toEqual({
        badReturn: { module: "SupTest", function: "init", value: "invalid" },
      });
      await checkNoExitAtAll(t);
    });

    it("sup_start_fail", async () => {
      const t = startNode();
      const error = await rejectionOf(startSupTest(t, "fail"));
      expect(error).toBeInstanceOf(StartError);
      const reason = (error as StartError).reason;
      expect(reason).toBeInstanceOf(Error);
      expect((reason as Error).message).toBe("fail");
      expect((reason as Error).stack).toBeDefined(); // Erlang's {fail, Stacktrace}
      await checkNoExitAtAll(t);
    });

    it("sup_start_child_returns_error", async () => {
      const t = startNode();
      const child1 = tuple("child1", sup1({ reject: "reason" }), "permanent", 1000, "worker", []);
      const child2 = tuple("child2", sup1({ return: "error_reason" }), "permanent", 1000, "worker", []);
      await startSupTest(t, oneForOne);
      const e1 = (await rejectionOf(startChild(t.inbox, "sup_test", child1))) as SupervisorError;
      expect(e1).toBeInstanceOf(SupervisorError);
      expect(e1.reason).toBe("reason");
      expect(e1.child?.id).toBe("child1"); // OTP's {error, {reason, ChildInfo}}
      const e2 = (await rejectionOf(startChild(t.inbox, "sup_test", child2))) as SupervisorError;
      expect(e2.reason).toBe("error_reason");
      expect(e2.child?.id).toBe("child2");
      expect(await whichChildren(t.inbox, "sup_test")).toEqual([]);
    });

    it("sup_start_restart_child_returns_error", async () => {
      const t = startNode();
      const child = tuple("child1", sup1("error"), "permanent", 1000, "worker", []);
      await startSupTest(t, { flags: oneForOne.flags, children: [child] });
      await terminateChild(t.inbox, "sup_test", "child1");
      const error = (await rejectionOf(restartChild(t.inbox, "sup_test", "child1"))) as SupervisorError;
      expect(error).toBeInstanceOf(SupervisorError);
      expect(error.reason).toBeInstanceOf(FunctionClause); // {error, {function_clause, _}}
      expect(error.child).toBeUndefined();
      expect(await whichChildren(t.inbox, "sup_test")).toEqual([
        { id: "child1", pid: undefined, type: "worker", modules: [] },
      ]);
    });

    it("sup_start_child_returns_error_simple", async () => {
      const t = startNode();
      const child = tuple("child1", sup1(), "permanent", 1000, "worker", []);
      await startSupTest(t, {
        flags: { strategy: "simple_one_for_one", intensity: 2, period: 3600 },
        children: [child],
      });
      const e1 = (await rejectionOf(
        startChild(t.inbox, "sup_test", [{ reject: "reason" }]),
      )) as SupervisorError;
      expect(e1.reason).toBe("reason");
      expect(e1.child).toBeUndefined(); // unwrapped for simple_one_for_one
      const e2 = (await rejectionOf(
        startChild(t.inbox, "sup_test", [{ return: "error_reason" }]),
      )) as SupervisorError;
      expect(e2.reason).toBe("error_reason");
      expect(e2.child).toBeUndefined();
      expect(await whichChildren(t.inbox, "sup_test")).toEqual([]);
    });
  });

  describe("sup_start_map", () => {
    it("sup_start_map", async () => {
      const t = startNode();
      const start = sup1();
      const child1 = { id: "child1", start };
      const child2 = { id: "child2", start, shutdown: "brutal_kill" as const };
      const child3 = { id: "child3", start, type: "supervisor" as const };
      const pid = await startSupTest(t, { flags: {}, children: [child1, child2, child3] });
      const defaults = { start, restart: "permanent", significant: false, modules: [] };
      expect(await getChildspec(t.inbox, pid, "child1")).toEqual({
        ...defaults,
        id: "child1",
        shutdown: 5000,
        type: "worker",
      });
      expect(await getChildspec(t.inbox, pid, "child2")).toEqual({
        ...defaults,
        id: "child2",
        shutdown: "brutal_kill",
        type: "worker",
      });
      expect(await getChildspec(t.inbox, pid, "child3")).toEqual({
        ...defaults,
        id: "child3",
        shutdown: "infinity",
        type: "supervisor",
      });
      const error = await rejectionOf(getChildspec(t.inbox, pid, "child4"));
      expect(error).toBeInstanceOf(SupervisorError);
      expect((error as SupervisorError).reason).toBe("not_found");
      await stopProcess(t, pid, "shutdown");
    });

    it("sup_start_map_simple", async () => {
      const t = startNode();
      const spec = { id: undefined, start: sup1(), restart: "temporary" as const };
      const pid = await startSupTest(t, { flags: { strategy: "simple_one_for_one" }, children: [spec] });
      const c1 = (await startChild(t.inbox, pid, [])).pid;
      const c2 = (await startChild(t.inbox, pid, [])).pid;
      const c3 = (await startChild(t.inbox, pid, [])).pid;
      const full = { ...spec, type: "worker", shutdown: 5000, modules: [], significant: false };
      expect(await getChildspec(t.inbox, pid, c1)).toEqual(full);
      expect(await getChildspec(t.inbox, pid, c2)).toEqual(full);
      expect(await getChildspec(t.inbox, pid, c3)).toEqual(full);
      expect(((await rejectionOf(getChildspec(t.inbox, pid, t.inbox.pid))) as SupervisorError).reason).toBe(
        "not_found",
      );
      await stopProcess(t, pid, "shutdown");
    });

    it("sup_start_map_faulty_specs", async () => {
      const t = startNode();
      const child1 = { start: sup1() };
      const child2 = { id: "child2" };
      const child3 = { id: "child3", start: sup1(), silly_flag: true };
      const reason = async (init: unknown) =>
        ((await rejectionOf(startSupTest(t, init))) as StartError).reason;
      expect(await reason({ flags: {}, children: [child1] })).toEqual({ startSpec: "missing_id" });
      expect(await reason({ flags: {}, children: [child2] })).toEqual({ startSpec: "missing_start" });
      const pid = await startSupTest(t, { flags: {}, children: [child3] });
      await stopProcess(t, pid, "shutdown");
      expect(await reason({ flags: {}, children: ["child4"] })).toEqual({
        startSpec: { invalidChildSpec: "child4" },
      });
    });
  });
});
