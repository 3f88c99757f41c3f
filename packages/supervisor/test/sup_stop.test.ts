/** supervisor_SUITE, group sup_stop: a supervisor stops its children by their shutdown specs. */
import type { Pid } from "@maquis/core";
import { describe, expect, it } from "vitest";
import { startChild } from "../src/index.js";
import { mfa, startSup2, startSup4, startSupTest, sup1, tuple } from "./fixtures.js";
import { checkExitReason, drain, stopProcess, type TestNode, useNodes } from "./support.js";

const startNode = useNodes("supstop");

const oneForOne = { flags: { strategy: "one_for_one", intensity: 2, period: 3600 }, children: [] };

const linked = async (t: TestNode, promise: Promise<{ pid: Pid | undefined }>): Promise<Pid> => {
  const pid = (await promise).pid!;
  t.inbox.link(pid);
  return pid;
};

describe("supervisor_SUITE", () => {
  describe("sup_stop", () => {
    it("sup_stop_infinity", async () => {
      const t = startNode();
      const pid = await startSupTest(t, oneForOne);
      const child1 = tuple("child1", sup1(), "permanent", "infinity", "supervisor", []);
      const child2 = tuple("child2", sup1(), "permanent", "infinity", "worker", []);
      const cpid1 = await linked(t, startChild(t.inbox, "sup_test", child1));
      const cpid2 = await linked(t, startChild(t.inbox, "sup_test", child2));
      await stopProcess(t, pid, "shutdown");
      await checkExitReason(t, cpid1, "shutdown");
      await checkExitReason(t, cpid2, "shutdown");
    });

    it("sup_stop_timeout", async () => {
      const t = startNode();
      const pid = await startSupTest(t, oneForOne);
      const child1 = tuple("child1", sup1(), "permanent", 1000, "worker", []);
      const child2 = tuple("child2", sup1(), "permanent", 1000, "worker", []);
      const cpid1 = await linked(t, startChild(t.inbox, "sup_test", child1));
      const cpid2 = await linked(t, startChild(t.inbox, "sup_test", child2));
      t.inbox.send(cpid2, { sleep: 200000 });
      await stopProcess(t, pid, "shutdown");
      expect(t.clock.now()).toBe(1000); // child2 got its 1000 ms, then was killed
      await checkExitReason(t, cpid1, "shutdown");
      await checkExitReason(t, cpid2, "killed");
    });

    it("sup_stop_timeout_dynamic", async () => {
      const t = startNode();
      const child = tuple("child", sup1(), "temporary", 1000, "worker", []);
      const pid = await startSupTest(t, {
        flags: { strategy: "simple_one_for_one", intensity: 2, period: 3600 },
        children: [child],
      });
      const cpid1 = await linked(t, startChild(t.inbox, pid, []));
      const cpid2 = await linked(t, startChild(t.inbox, pid, []));
      t.inbox.send(cpid2, { sleep: 200000 });
      await stopProcess(t, pid, "shutdown");
      expect(t.clock.now()).toBe(1000);
      await checkExitReason(t, pid, "shutdown");
      await checkExitReason(t, cpid1, "shutdown");
      await checkExitReason(t, cpid2, "killed");
    });

    it("sup_stop_brutal_kill", async () => {
      const t = startNode();
      const pid = await startSupTest(t, oneForOne);
      const child1 = tuple("child1", sup1(), "permanent", 1000, "worker", []);
      const child2 = tuple("child2", sup1(), "permanent", "brutal_kill", "worker", []);
      const cpid1 = await linked(t, startChild(t.inbox, "sup_test", child1));
      const cpid2 = await linked(t, startChild(t.inbox, "sup_test", child2));
      await stopProcess(t, pid, "shutdown");
      await checkExitReason(t, cpid1, "shutdown");
      await checkExitReason(t, cpid2, "killed");
    });

    it("sup_stop_brutal_kill_dynamic", async () => {
      const t = startNode();
      const child = tuple("child", mfa(startSup4), "temporary", "brutal_kill", "worker", []);
      const pid = await startSupTest(t, {
        flags: { strategy: "simple_one_for_one", intensity: 2, period: 3600 },
        children: [child],
      });
      const cpids: Pid[] = [];
      for (let i = 0; i < 10; i++) cpids.push(await linked(t, startChild(t.inbox, pid, [])));
      await stopProcess(t, pid, "shutdown");
      await checkExitReason(t, pid, "shutdown");
      for (const cpid of cpids) await checkExitReason(t, cpid, "killed");
    });

    it("sup_stop_race", async () => {
      const t = startNode();
      const pid = await startSupTest(t, oneForOne);
      const cpidA = await linked(
        t,
        startChild(t.inbox, pid, { id: "child_a", start: sup1(), restart: "temporary", shutdown: 1000 }),
      );
      const reasons = ["normal", "shutdown", { shutdown: "test" }, "other"];
      const cpids = new Map<Pid, unknown>();
      let n = 0;
      for (const restart of ["temporary", "transient", "permanent"] as const) {
        for (const reason of reasons) {
          const cpid = await linked(
            t,
            startChild(t.inbox, pid, {
              id: `child${n++}`,
              start: mfa(startSup4, reason),
              restart,
              shutdown: 1000,
            }),
          );
          cpids.set(cpid, reason);
        }
      }
      const cpidZ = await linked(
        t,
        startChild(t.inbox, pid, {
          id: "child_z",
          start: mfa(startSup2, 1000),
          restart: "temporary",
          shutdown: 2000,
        }),
      );
      // After 200 ms, while the supervisor waits for child_z, the other children stop by themselves.
      t.node.spawn(async (self) => {
        await self.receive(() => false, 200);
        for (const cpid of cpids.keys()) self.send(cpid, "stop");
      });
      await stopProcess(t, pid, "shutdown");
      await checkExitReason(t, pid, "shutdown");
      await checkExitReason(t, cpidZ, "shutdown");
      for (const [cpid, reason] of cpids) await checkExitReason(t, cpid, reason);
      await checkExitReason(t, cpidA, "shutdown");
      expect(await drain(t.inbox)).toEqual([]);
    });

    it("sup_stop_non_shutdown_exit_dynamic", async () => {
      const t = startNode();
      for (const restart of ["temporary", "transient", "permanent"] as const) {
        const child = tuple("child", mfa(startSup4), restart, 5000, "worker", []);
        const pid = await startSupTest(t, {
          flags: { strategy: "simple_one_for_one", intensity: 2, period: 3600 },
          children: [child],
        });
        const cpids = new Map<Pid, unknown>();
        for (const reason of ["normal", "shutdown", { shutdown: "test" }, "other"]) {
          cpids.set(await linked(t, startChild(t.inbox, pid, [reason])), reason);
        }
        await stopProcess(t, pid, "shutdown");
        await checkExitReason(t, pid, "shutdown");
        for (const [cpid, reason] of cpids) await checkExitReason(t, cpid, reason);
        expect(await drain(t.inbox)).toEqual([]);
      }
    });
  });
});
