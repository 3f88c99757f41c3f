/**
 * supervisor_SUITE: hanging_restart_loop, hanging_restart_loop_rest_for_one,
 * hanging_restart_loop_simple and count_restarting_children (OTP-9549: a supervisor stays responsive
 * while a failed restart is retried). Each failing restart takes 2 s of virtual time.
 */
import type { Pid } from "@maquis/core";
import { cast } from "@maquis/gen-server";
import { beforeEach, describe, expect, it } from "vitest";
import { deleteChild, restartChild, startChild, terminateChild, whichChildren } from "../src/index.js";
import { deadlock, deadlockStart, deadlockStartNoreg, startSupTest, sup1, tuple } from "./fixtures.js";
import { checkExitReason, counts, reasonOf, settle, sleepFor, stopProcess, useNodes } from "./support.js";

const startNode = useNodes("suploop");

beforeEach(() => {
  deadlock.failStart = false;
});

describe("supervisor_SUITE", () => {
  it("hanging_restart_loop", async () => {
    const t = startNode();
    const pid = await startSupTest(t, {
      flags: { strategy: "one_for_one", intensity: 8, period: 10 },
      children: [],
    });
    const child1 = tuple("child1", deadlockStart, "permanent", "brutal_kill", "worker", []);
    const { pid: cpid1 } = await startChild(t.inbox, "sup_test", child1);
    t.inbox.link(cpid1!);

    deadlock.failStart = true;
    cast(t.inbox, "supervisor_deadlock", "restart");
    await sleepFor(t, 2000); // let the restart loop begin

    // The calls are served between two restart attempts.
    const [started, restarted, deleted, which, count] = await settle(
      t,
      Promise.all([
        reasonOf(startChild(t.inbox, "sup_test", child1)),
        reasonOf(restartChild(t.inbox, "sup_test", "child1")),
        reasonOf(deleteChild(t.inbox, "sup_test", "child1")),
        whichChildren(t.inbox, "sup_test"),
        counts(t, "sup_test"),
      ]),
    );
    expect(started).toBe("already_present");
    expect(restarted).toBe("restarting");
    expect(deleted).toBe("restarting");
    expect(which).toEqual([{ id: "child1", pid: "restarting", type: "worker", modules: [] }]);
    expect(count).toEqual([1, 0, 0, 1]);

    await settle(t, terminateChild(t.inbox, "sup_test", "child1"));
    await checkExitReason(t, cpid1!, "error");
    expect(await whichChildren(t.inbox, "sup_test")).toEqual([
      { id: "child1", pid: undefined, type: "worker", modules: [] },
    ]);

    deadlock.failStart = false;
    const { pid: cpid2 } = await settle(t, restartChild(t.inbox, "sup_test", "child1"));
    t.inbox.link(cpid2!);
    deadlock.failStart = true;
    cast(t.inbox, "supervisor_deadlock", "restart");
    await sleepFor(t, 2000);

    // The supervisor does not hang in the restart loop when it is stopped.
    await stopProcess(t, pid, "shutdown");
    // The child died with the reason of the "restart" request above
    await checkExitReason(t, cpid2!, "error");
    expect(t.node.whereis("sup_test")).toBeUndefined();
  });

  it("hanging_restart_loop_rest_for_one", async () => {
    const t = startNode();
    const pid = await startSupTest(t, {
      flags: { strategy: "rest_for_one", intensity: 8, period: 10 },
      children: [],
    });
    const child1 = tuple("child1", sup1(), "permanent", "brutal_kill", "worker", []);
    const child2 = tuple("child2", deadlockStart, "permanent", "brutal_kill", "worker", []);
    const child3 = tuple("child3", sup1(), "permanent", "brutal_kill", "worker", []);
    const { pid: cpid1 } = await startChild(t.inbox, "sup_test", child1);
    const { pid: cpid2 } = await startChild(t.inbox, "sup_test", child2);
    t.inbox.link(cpid2!);
    await startChild(t.inbox, "sup_test", child3);

    deadlock.failStart = true;
    cast(t.inbox, "supervisor_deadlock", "restart");
    await sleepFor(t, 2000);

    const [started, restarted, deleted, which, count] = await settle(
      t,
      Promise.all([
        reasonOf(startChild(t.inbox, "sup_test", child2)),
        reasonOf(restartChild(t.inbox, "sup_test", "child2")),
        reasonOf(deleteChild(t.inbox, "sup_test", "child2")),
        whichChildren(t.inbox, "sup_test"),
        counts(t, "sup_test"),
      ]),
    );
    expect(started).toBe("already_present");
    expect(restarted).toBe("restarting");
    expect(deleted).toBe("restarting");
    expect(which).toEqual([
      { id: "child3", pid: undefined, type: "worker", modules: [] },
      { id: "child2", pid: "restarting", type: "worker", modules: [] },
      { id: "child1", pid: cpid1, type: "worker", modules: [] },
    ]);
    expect(count).toEqual([3, 1, 0, 3]);

    await settle(t, terminateChild(t.inbox, "sup_test", "child2"));
    await checkExitReason(t, cpid2!, "error");
    expect(await whichChildren(t.inbox, "sup_test")).toEqual([
      { id: "child3", pid: undefined, type: "worker", modules: [] },
      { id: "child2", pid: undefined, type: "worker", modules: [] },
      { id: "child1", pid: cpid1, type: "worker", modules: [] },
    ]);

    deadlock.failStart = false;
    const { pid: cpid22 } = await settle(t, restartChild(t.inbox, "sup_test", "child2"));
    t.inbox.link(cpid22!);
    deadlock.failStart = true;
    cast(t.inbox, "supervisor_deadlock", "restart");
    await sleepFor(t, 2000);

    await stopProcess(t, pid, "shutdown");
    await checkExitReason(t, cpid22!, "error");
    expect(t.node.whereis("sup_test")).toBeUndefined();
  });

  it("hanging_restart_loop_simple", async () => {
    const t = startNode();
    const child1 = tuple("child1", deadlockStart, "permanent", "brutal_kill", "worker", []);
    const pid = await startSupTest(t, {
      flags: { strategy: "simple_one_for_one", intensity: 8, period: 10 },
      children: [child1],
    });
    const { pid: cpid1 } = await startChild(t.inbox, "sup_test", []);
    t.inbox.link(cpid1!);

    deadlock.failStart = true;
    cast(t.inbox, "supervisor_deadlock", "restart");
    await sleepFor(t, 2000);

    const [restarted, deleted, which, count] = await settle(
      t,
      Promise.all([
        reasonOf(restartChild(t.inbox, "sup_test", "child1")),
        reasonOf(deleteChild(t.inbox, "sup_test", "child1")),
        whichChildren(t.inbox, "sup_test"),
        counts(t, "sup_test"),
      ]),
    );
    expect(restarted).toBe("simple_one_for_one");
    expect(deleted).toBe("simple_one_for_one");
    expect(which).toEqual([{ id: undefined, pid: "restarting", type: "worker", modules: [] }]);
    expect(count).toEqual([1, 0, 0, 1]);

    await settle(t, terminateChild(t.inbox, "sup_test", cpid1));
    await checkExitReason(t, cpid1!, "error");
    expect(await whichChildren(t.inbox, "sup_test")).toEqual([]);

    deadlock.failStart = false;
    const { pid: cpid2 } = await settle(t, startChild(t.inbox, "sup_test", []));
    t.inbox.link(cpid2!);
    deadlock.failStart = true;
    cast(t.inbox, "supervisor_deadlock", "restart");
    await sleepFor(t, 2000);

    await stopProcess(t, pid, "shutdown");
    await checkExitReason(t, cpid2!, "error");
    expect(t.node.whereis("sup_test")).toBeUndefined();
  });

  it("count_restarting_children", async () => {
    const t = startNode();
    const child = tuple("child", deadlockStartNoreg, "permanent", "brutal_kill", "worker", []);
    // A failing restart takes 2 s: intensity 20 in 10 s keeps three children in a restart loop.
    const sup = await startSupTest(t, {
      flags: { strategy: "simple_one_for_one", intensity: 20, period: 10 },
      children: [child],
    });

    expect(await counts(t, sup)).toEqual([1, 0, 0, 0]);
    const { pid: ch11 } = await startChild(t.inbox, sup, []);
    expect(await counts(t, sup)).toEqual([1, 1, 0, 1]);
    const { pid: ch12 } = await startChild(t.inbox, sup, []);
    expect(await counts(t, sup)).toEqual([1, 2, 0, 2]);
    const { pid: ch13 } = await startChild(t.inbox, sup, []);
    expect(await counts(t, sup)).toEqual([1, 3, 0, 3]);

    for (const ch of [ch11, ch12, ch13]) cast(t.inbox, ch!, "restart");
    await sleepFor(t, 400);
    expect(await counts(t, sup)).toEqual([1, 3, 0, 3]);
    const [ch21, ch22, ch23] = (await whichChildren(t.inbox, sup)).map((c) => c.pid);

    deadlock.failStart = true;
    cast(t.inbox, ch21 as Pid, "restart");
    cast(t.inbox, ch22 as Pid, "restart");
    await sleepFor(t, 4000); // let the restarts begin
    expect(await settle(t, counts(t, sup))).toEqual([1, 1, 0, 3]);

    deadlock.failStart = false;
    await sleepFor(t, 4000); // let the restarts succeed
    expect(await settle(t, counts(t, sup))).toEqual([1, 3, 0, 3]);

    await terminateChild(t.inbox, sup, ch23);
    expect(await counts(t, sup)).toEqual([1, 2, 0, 2]);
    const [ch31, ch32] = (await whichChildren(t.inbox, sup)).map((c) => c.pid);
    await terminateChild(t.inbox, sup, ch31);
    expect(await counts(t, sup)).toEqual([1, 1, 0, 1]);
    await terminateChild(t.inbox, sup, ch32);
    expect(await counts(t, sup)).toEqual([1, 0, 0, 0]);
  });
});
