/**
 * supervisor_SUITE, groups normal_termination, shutdown_termination and abnormal_termination (the
 * restart matrix), with temporary_bystander.
 */
import { isPid, type Pid } from "@maquis/core";
import type { StartError } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import { restartChild, startChild, whichChildren } from "../src/index.js";
import { mfa, startSupTest, SupTest, sup1, tuple } from "./fixtures.js";
import { counts, rejectionOf, type TestNode, terminate, useNodes } from "./support.js";

const startNode = useNodes("suprestart");

const oneForOne = { flags: { strategy: "one_for_one", intensity: 2, period: 3600 }, children: [] };
const child1Of = (restart: "permanent" | "transient" | "temporary") =>
  tuple("child1", sup1(), restart, 1000, "worker", []);

const onlyChild = async (t: TestNode): Promise<Pid | undefined> => {
  const children = await whichChildren(t.inbox, "sup_test");
  expect(children).toHaveLength(1);
  expect(children[0]!.id).toBe("child1");
  return children[0]!.pid as Pid | undefined;
};

const permanentNormal = async (t: TestNode) => {
  const sup = await startSupTest(t, oneForOne);
  const { pid } = await startChild(t.inbox, "sup_test", child1Of("permanent"));
  await terminate(t, sup, pid!, "child1", "normal");
  const restarted = await onlyChild(t);
  expect(isPid(restarted)).toBe(true);
  expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
};

describe("supervisor_SUITE", () => {
  describe("normal_termination", () => {
    it("external_start_no_progress_log", async () => {
      const t = startNode();
      await permanentNormal(t);
      // The restart is reported (from do_restart); starting children logs nothing at info level or above
      // but errors (progress reports are debug-level, as in current OTP).
      expect(
        t.logs.some((e) => e.kind === "supervisor_report" && e.data.errorContext === "child_terminated"),
      ).toBe(true);
      expect(t.logs.filter((e) => e.kind === "supervisor_progress" && e.level !== "debug")).toEqual([]);
      expect(t.logs.filter((e) => e.level === "info")).toEqual([]);
    });

    it("permanent_normal", async () => {
      await permanentNormal(startNode());
    });

    it("transient_normal", async () => {
      const t = startNode();
      const sup = await startSupTest(t, oneForOne);
      const { pid } = await startChild(t.inbox, "sup_test", child1Of("transient"));
      await terminate(t, sup, pid!, "child1", "normal");
      expect(await onlyChild(t)).toBeUndefined();
      expect(await counts(t, "sup_test")).toEqual([1, 0, 0, 1]);
    });

    it("temporary_normal", async () => {
      const t = startNode();
      const sup = await startSupTest(t, oneForOne);
      const { pid } = await startChild(t.inbox, "sup_test", child1Of("temporary"));
      await terminate(t, sup, pid!, "child1", "normal");
      expect(await whichChildren(t.inbox, "sup_test")).toEqual([]);
      expect(await counts(t, "sup_test")).toEqual([0, 0, 0, 0]);
    });
  });

  describe("shutdown_termination", () => {
    it("permanent_shutdown", async () => {
      const t = startNode();
      const sup = await startSupTest(t, oneForOne);
      const { pid: cpid1 } = await startChild(t.inbox, "sup_test", child1Of("permanent"));
      await terminate(t, sup, cpid1!, "child1", "shutdown");
      const cpid2 = await onlyChild(t);
      expect(isPid(cpid2)).toBe(true);
      expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
      await terminate(t, sup, cpid2!, "child1", { shutdown: "some_info" });
      const cpid3 = await onlyChild(t);
      expect(isPid(cpid3)).toBe(true);
      expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    });

    it("transient_shutdown", async () => {
      const t = startNode();
      const sup = await startSupTest(t, oneForOne);
      const { pid: cpid1 } = await startChild(t.inbox, "sup_test", child1Of("transient"));
      await terminate(t, sup, cpid1!, "child1", "shutdown");
      expect(await onlyChild(t)).toBeUndefined();
      expect(await counts(t, "sup_test")).toEqual([1, 0, 0, 1]);
      const { pid: cpid2 } = await restartChild(t.inbox, "sup_test", "child1");
      await terminate(t, sup, cpid2!, "child1", { shutdown: "some_info" });
      expect(await onlyChild(t)).toBeUndefined();
      expect(await counts(t, "sup_test")).toEqual([1, 0, 0, 1]);
    });

    it("temporary_shutdown", async () => {
      const t = startNode();
      const sup = await startSupTest(t, oneForOne);
      const { pid: cpid1 } = await startChild(t.inbox, "sup_test", child1Of("temporary"));
      await terminate(t, sup, cpid1!, "child1", "shutdown");
      expect(await whichChildren(t.inbox, "sup_test")).toEqual([]);
      expect(await counts(t, "sup_test")).toEqual([0, 0, 0, 0]);
      const { pid: cpid2 } = await startChild(t.inbox, "sup_test", child1Of("temporary"));
      await terminate(t, sup, cpid2!, "child1", { shutdown: "some_info" });
      expect(await whichChildren(t.inbox, "sup_test")).toEqual([]);
      expect(await counts(t, "sup_test")).toEqual([0, 0, 0, 0]);
    });

    it("faulty_application_shutdown", async () => {
      // OTP starts an application whose top supervisor's child calls an undefined function; there is
      // no application controller here, so the supervisor start failure it passes on is checked directly.
      const t = startNode();
      const undef = new Error("an_undefined_module_with:an_undefined_function/2 is undefined");
      const error = await rejectionOf(
        startSupTest(t, {
          flags: {},
          children: [
            {
              id: "app_faulty",
              start: mfa(async () => {
                throw undef;
              }),
            },
          ],
        }),
      );
      expect((error as StartError).reason).toEqual({
        shutdown: { failedToStartChild: "app_faulty", reason: undef },
      });
    });
  });

  describe("abnormal_termination", () => {
    it("permanent_abnormal", async () => {
      const t = startNode();
      const sup = await startSupTest(t, oneForOne);
      const { pid } = await startChild(t.inbox, "sup_test", child1Of("permanent"));
      await terminate(t, sup, pid!, "child1", "abnormal");
      expect(isPid(await onlyChild(t))).toBe(true);
      expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    });

    it("transient_abnormal", async () => {
      const t = startNode();
      const sup = await startSupTest(t, oneForOne);
      const { pid } = await startChild(t.inbox, "sup_test", child1Of("transient"));
      await terminate(t, sup, pid!, "child1", "abnormal");
      expect(isPid(await onlyChild(t))).toBe(true);
      expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    });

    it("temporary_abnormal", async () => {
      const t = startNode();
      const sup = await startSupTest(t, oneForOne);
      const { pid } = await startChild(t.inbox, "sup_test", child1Of("temporary"));
      await terminate(t, sup, pid!, "child1", "abnormal");
      expect(await whichChildren(t.inbox, "sup_test")).toEqual([]);
      expect(await counts(t, "sup_test")).toEqual([0, 0, 0, 0]);
    });
  });

  it("temporary_bystander", async () => {
    const t = startNode();
    const child1 = tuple("child1", sup1(), "permanent", 100, "worker", []);
    const child2 = tuple("child2", sup1(), "temporary", 100, "worker", []);
    const sup1Pid = await SupTest.startLink(t.inbox, {
      flags: { strategy: "one_for_all", intensity: 2, period: 300 },
      children: [],
    });
    const sup2Pid = await SupTest.startLink(t.inbox, {
      flags: { strategy: "rest_for_one", intensity: 2, period: 300 },
      children: [],
    });
    t.inbox.unlink(sup1Pid); // otherwise we crash with it
    t.inbox.unlink(sup2Pid);
    const { pid: cpid1 } = await startChild(t.inbox, sup1Pid, child1);
    await startChild(t.inbox, sup1Pid, child2);
    const { pid: cpid3 } = await startChild(t.inbox, sup2Pid, child1);
    await startChild(t.inbox, sup2Pid, child2);
    await terminate(t, sup1Pid, cpid1!, "child1", "normal");
    await terminate(t, sup2Pid, cpid3!, "child1", "normal");
    t.clock.advance(350);
    await t.node.idle();
    // The supervisors would die attempting to restart child2
    expect(t.node.isAlive(sup1Pid)).toBe(true);
    expect(t.node.isAlive(sup2Pid)).toBe(true);
    // child2 has not been restarted
    expect((await whichChildren(t.inbox, sup1Pid)).map((c) => c.id)).toEqual(["child1"]);
    expect((await whichChildren(t.inbox, sup2Pid)).map((c) => c.id)).toEqual(["child1"]);
  });
});
