/**
 * Over 400 lines on purpose: the OTP cases of one suite group, read case by case against the original.
 *
 * supervisor_SUITE, group significant: auto-shutdown on significant children.
 *
 * Kept whole: the suite's `significant` group.
 */
import type { Pid } from "@maquis/core";
import type { StartError } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import {
  type AutoShutdown,
  type ChildSpec,
  restartChild,
  startChild,
  type SupervisorInit,
  whichChildren,
} from "../src/index.js";
import { startSupTest, supTestStart, sup1 } from "./fixtures.js";
import {
  checkExit,
  checkNoExit,
  fakeUpgrade,
  reasonOf,
  rejectionOf,
  stateOf,
  stopProcess,
  type TestNode,
  terminate,
  useNodes,
} from "./support.js";

const startNode = useNodes("supsig");

const spec = (id: string, restart: "temporary" | "transient", significant: boolean): ChildSpec => ({
  id,
  start: sup1(),
  restart,
  significant,
});

const linkedChildren = async (t: TestNode, sup: Pid): Promise<Pid[]> => {
  const pids = (await whichChildren(t.inbox, sup)).map((c) => c.pid as Pid);
  for (const pid of pids) t.inbox.link(pid);
  return pids;
};

describe("supervisor_SUITE", () => {
  describe("significant", () => {
    it("nonsignificant_temporary", async () => {
      const t = startNode();
      const child1 = spec("child1", "temporary", false);
      for (const autoShutdown of ["never", "any_significant", "all_significant"] as const) {
        const sup = await startSupTest(t, { flags: { autoShutdown }, children: [] });
        for (const how of ["supervisor", "kill", "abnormal", "normal"] as const) {
          const { pid } = await startChild(t.inbox, sup, child1);
          t.inbox.link(pid!);
          await terminate(t, sup, pid!, "child1", how);
          await checkExit(t, [pid!]);
          await checkNoExit(t, sup);
        }
        await stopProcess(t, sup, "shutdown");
        await checkExit(t, [sup]);
      }
    });

    it("nonsignificant_transient", async () => {
      const t = startNode();
      const child1 = spec("child1", "transient", false);
      for (const autoShutdown of ["never", "any_significant", "all_significant"] as const) {
        const sup = await startSupTest(t, { flags: { intensity: 5, autoShutdown }, children: [] });
        const { pid: c1 } = await startChild(t.inbox, sup, child1);
        t.inbox.link(c1!);
        await terminate(t, sup, c1!, "child1", "supervisor");
        await checkExit(t, [c1!]);
        await checkNoExit(t, sup);
        // Killed: restarted, no auto-shutdown
        const { pid: c2 } = await restartChild(t.inbox, sup, "child1");
        t.inbox.link(c2!);
        await terminate(t, sup, c2!, "child1", "kill");
        await checkExit(t, [c2!]);
        await checkNoExit(t, sup);
        // Abnormal: restarted, no auto-shutdown
        const [c3] = await linkedChildren(t, sup);
        await terminate(t, sup, c3!, "child1", "abnormal");
        await checkExit(t, [c3!]);
        await checkNoExit(t, sup);
        // Normal: not restarted, no auto-shutdown
        const [c4] = await linkedChildren(t, sup);
        await terminate(t, sup, c4!, "child1", "normal");
        await checkExit(t, [c4!]);
        await checkNoExit(t, sup);
        await stopProcess(t, sup, "shutdown");
        await checkExit(t, [sup]);
      }
    });

    it("significant_temporary", async () => {
      const t = startNode();
      const child1 = spec("child1", "temporary", true);
      const child2 = spec("child2", "temporary", true);
      const child3 = spec("child3", "temporary", false);
      const startThree = async (autoShutdown: AutoShutdown) => {
        const sup = await startSupTest(t, { flags: { intensity: 5, autoShutdown }, children: [] });
        for (const c of [child1, child2, child3]) await startChild(t.inbox, sup, c);
        return sup;
      };

      // Terminating a temporary significant child through the supervisor: no auto-shutdown.
      const sup1Pid = await startThree("any_significant");
      expect((await whichChildren(t.inbox, sup1Pid)).map((c) => c.id)).toEqual([
        "child3",
        "child2",
        "child1",
      ]);
      const [p13, p12, p11] = await linkedChildren(t, sup1Pid);
      await terminate(t, sup1Pid, p11!, "child1", "supervisor");
      await checkExit(t, [p11!]);
      await checkNoExit(t, p12!);
      await checkNoExit(t, p13!);
      await checkNoExit(t, sup1Pid);

      // Killing a temporary significant child: auto-shutdown.
      await startChild(t.inbox, sup1Pid, child1);
      expect((await whichChildren(t.inbox, sup1Pid)).map((c) => c.id)).toEqual([
        "child1",
        "child3",
        "child2",
      ]);
      const [p21, p23, p22] = await linkedChildren(t, sup1Pid);
      await stopProcess(t, p21!, "kill");
      await checkExit(t, [p21!, p22!, p23!, sup1Pid]);

      // Abnormal exit: auto-shutdown.
      const sup2Pid = await startThree("any_significant");
      const [p33, p32, p31] = await linkedChildren(t, sup2Pid);
      await stopProcess(t, p31!, "abnormal");
      await checkExit(t, [p31!, p32!, p33!, sup2Pid]);

      // Normal exit: auto-shutdown.
      const sup3Pid = await startThree("any_significant");
      const [p43, p42, p41] = await linkedChildren(t, sup3Pid);
      await stopProcess(t, p41!, "normal");
      await checkExit(t, [p41!, p42!, p43!, sup3Pid]);

      // all_significant: the first significant exit does not shut down, the last one does.
      const sup4Pid = await startThree("all_significant");
      const [p53, p52, p51] = await linkedChildren(t, sup4Pid);
      await stopProcess(t, p51!, "normal");
      await checkExit(t, [p51!]);
      await checkNoExit(t, p52!);
      await checkNoExit(t, p53!);
      await checkNoExit(t, sup4Pid);
      await stopProcess(t, p52!, "normal");
      await checkExit(t, [p52!, p53!, sup4Pid]);
    });

    it("significant_transient", async () => {
      const t = startNode();
      const child1 = spec("child1", "transient", true);
      const child2 = spec("child2", "transient", true);
      const child3 = spec("child3", "transient", false);

      const sup1Pid = await startSupTest(t, {
        flags: { intensity: 5, autoShutdown: "any_significant" },
        children: [],
      });
      for (const c of [child1, child2, child3]) await startChild(t.inbox, sup1Pid, c);
      // Through the supervisor: no auto-shutdown.
      const [p13, p12, p11] = await linkedChildren(t, sup1Pid);
      await terminate(t, sup1Pid, p11!, "child1", "supervisor");
      await checkExit(t, [p11!]);
      await checkNoExit(t, p12!);
      await checkNoExit(t, p13!);
      await checkNoExit(t, sup1Pid);
      await restartChild(t.inbox, sup1Pid, "child1");
      // Killed: restarted, no auto-shutdown.
      const [p23, p22, p21] = await linkedChildren(t, sup1Pid);
      await stopProcess(t, p21!, "kill");
      await checkExit(t, [p21!]);
      await checkNoExit(t, p22!);
      await checkNoExit(t, p23!);
      await checkNoExit(t, sup1Pid);
      // Abnormal: restarted, no auto-shutdown.
      const [p33, p32, p31] = await linkedChildren(t, sup1Pid);
      await stopProcess(t, p31!, "abnormal");
      await checkExit(t, [p31!]);
      await checkNoExit(t, p32!);
      await checkNoExit(t, p33!);
      await checkNoExit(t, sup1Pid);
      // Normal: auto-shutdown.
      const [p43, p42, p41] = await linkedChildren(t, sup1Pid);
      await stopProcess(t, p41!, "normal");
      await checkExit(t, [p41!, p42!, p43!, sup1Pid]);

      // all_significant
      const sup2Pid = await startSupTest(t, {
        flags: { intensity: 5, autoShutdown: "all_significant" },
        children: [],
      });
      for (const c of [child1, child2, child3]) await startChild(t.inbox, sup2Pid, c);
      const [p53, p52, p51] = await linkedChildren(t, sup2Pid);
      await stopProcess(t, p51!, "normal");
      await checkExit(t, [p51!]);
      await checkNoExit(t, p52!);
      await checkNoExit(t, p53!);
      await checkNoExit(t, sup2Pid);
      await stopProcess(t, p52!, "normal");
      await checkExit(t, [p52!, p53!, sup2Pid]);
    });

    it("significant_simple", async () => {
      const t = startNode();
      const child1 = { id: "child1", start: sup1() };
      for (const autoShutdown of ["any_significant", "all_significant"]) {
        const error = await rejectionOf(
          startSupTest(t, { flags: { strategy: "simple_one_for_one", autoShutdown }, children: [child1] }),
        );
        expect((error as StartError).reason).toEqual({
          supervisorData: { badCombination: { strategy: "simple_one_for_one", autoShutdown } },
        });
      }
      const sup = await startSupTest(t, {
        flags: { strategy: "simple_one_for_one", autoShutdown: "never" },
        children: [child1],
      });
      await stopProcess(t, sup, "shutdown");
      await checkExit(t, [sup]);
    });

    it("significant_bystander", async () => {
      const t = startNode();
      const children = [
        spec("child1", "transient", true),
        spec("child2", "transient", false),
        spec("child3", "transient", true),
      ];
      for (const strategy of ["one_for_one", "one_for_all", "rest_for_one"] as const) {
        for (const autoShutdown of ["any_significant", "all_significant"] as const) {
          const sup = await startSupTest(t, {
            flags: { strategy, intensity: 5, autoShutdown },
            children: [],
          });
          for (const c of children) await startChild(t.inbox, sup, c);
          const [p3, p2, p1] = await linkedChildren(t, sup);
          await stopProcess(t, p2!, "kill");
          if (strategy === "one_for_one") {
            await checkExit(t, [p2!]);
            await checkNoExit(t, p1!);
            await checkNoExit(t, p2!);
          } else if (strategy === "one_for_all") {
            await checkExit(t, [p1!, p2!, p3!]);
          } else {
            await checkExit(t, [p2!, p3!]);
            await checkNoExit(t, p1!);
          }
          await checkNoExit(t, sup);
          await stopProcess(t, sup, "shutdown");
          await checkExit(t, [sup]);
        }
      }
    });

    it("significant_escalation", async () => {
      const t = startNode();
      const childSup: ChildSpec = {
        id: "sup1",
        start: supTestStart({ flags: { autoShutdown: "any_significant" }, children: [] }),
        restart: "transient",
        type: "supervisor",
      };
      const child1 = spec("child1", "transient", true);

      // A has B as a significant child, B has worker C as a significant child: C's exit shuts B down,
      // and B's exit shuts A down.
      const supA = await startSupTest(t, { flags: { autoShutdown: "any_significant" }, children: [] });
      const { pid: supB } = await startChild(t.inbox, supA, { ...childSup, significant: true });
      const { pid: c } = await startChild(t.inbox, supB!, child1);
      t.inbox.link(supB!);
      t.inbox.link(c!);
      await stopProcess(t, c!, "normal");
      await checkExit(t, [c!, supB!, supA]);

      // B is not significant for A: only B shuts down.
      const supA2 = await startSupTest(t, { flags: { autoShutdown: "any_significant" }, children: [] });
      const { pid: supB2 } = await startChild(t.inbox, supA2, { ...childSup, significant: false });
      const { pid: c2 } = await startChild(t.inbox, supB2!, child1);
      t.inbox.link(supB2!);
      t.inbox.link(c2!);
      await stopProcess(t, c2!, "normal");
      await checkExit(t, [c2!, supB2!]);
      await checkNoExit(t, supA2);
      await stopProcess(t, supA2, "shutdown");
      await checkExit(t, [supA2]);
    });

    const child1 = spec("child1", "transient", true);
    const child2 = spec("child2", "transient", true);
    const withFlags = (autoShutdown: AutoShutdown): SupervisorInit => ({
      flags: { autoShutdown },
      children: [],
    });

    it("significant_upgrade_never_any", async () => {
      const t = startNode();
      const sup = await startSupTest(t, withFlags("never"));
      expect(await reasonOf(startChild(t.inbox, sup, child1))).toEqual({ badCombination: expect.anything() });
      expect((await stateOf(t, sup)).autoShutdown).toBe("never");
      expect(await fakeUpgrade(t, sup, withFlags("any_significant"))).toBe("ok");
      expect((await stateOf(t, sup)).autoShutdown).toBe("any_significant");
      const { pid: p1 } = await startChild(t.inbox, sup, child1);
      const { pid: p2 } = await startChild(t.inbox, sup, child2);
      t.inbox.link(p1!);
      t.inbox.link(p2!);
      await stopProcess(t, p1!, "normal");
      await checkExit(t, [p1!, p2!, sup]);
    });

    it("significant_upgrade_any_never", async () => {
      const t = startNode();
      const sup = await startSupTest(t, withFlags("any_significant"));
      const { pid: p1 } = await startChild(t.inbox, sup, child1);
      t.inbox.link(p1!);
      expect(await fakeUpgrade(t, sup, withFlags("never"))).toBe("ok");
      expect((await stateOf(t, sup)).autoShutdown).toBe("never");
      await checkNoExit(t, p1!);
      await checkNoExit(t, sup);
      expect(await reasonOf(startChild(t.inbox, sup, child2))).toEqual({ badCombination: expect.anything() });
      await stopProcess(t, p1!, "normal");
      await checkExit(t, [p1!]);
      await checkNoExit(t, sup);
      const { pid: p2 } = await restartChild(t.inbox, sup, "child1");
      t.inbox.link(p2!);
      await stopProcess(t, sup, "shutdown");
      await checkExit(t, [p2!, sup]);
    });

    it("significant_upgrade_never_all", async () => {
      const t = startNode();
      const sup = await startSupTest(t, withFlags("never"));
      expect(await reasonOf(startChild(t.inbox, sup, child1))).toEqual({ badCombination: expect.anything() });
      expect(await fakeUpgrade(t, sup, withFlags("all_significant"))).toBe("ok");
      expect((await stateOf(t, sup)).autoShutdown).toBe("all_significant");
      const { pid: p1 } = await startChild(t.inbox, sup, child1);
      const { pid: p2 } = await startChild(t.inbox, sup, child2);
      t.inbox.link(p1!);
      t.inbox.link(p2!);
      await stopProcess(t, p1!, "normal");
      await checkExit(t, [p1!]);
      await checkNoExit(t, p2!);
      await checkNoExit(t, sup);
      await stopProcess(t, p2!, "normal");
      await checkExit(t, [p2!, sup]);
    });

    it("significant_upgrade_all_never", async () => {
      const t = startNode();
      const sup = await startSupTest(t, withFlags("all_significant"));
      const { pid: p1 } = await startChild(t.inbox, sup, child1);
      t.inbox.link(p1!);
      expect(await fakeUpgrade(t, sup, withFlags("never"))).toBe("ok");
      expect((await stateOf(t, sup)).autoShutdown).toBe("never");
      await checkNoExit(t, p1!);
      await checkNoExit(t, sup);
      expect(await reasonOf(startChild(t.inbox, sup, child2))).toEqual({ badCombination: expect.anything() });
      await stopProcess(t, p1!, "normal");
      await checkExit(t, [p1!]);
      await checkNoExit(t, sup);
      const { pid: p2 } = await restartChild(t.inbox, sup, "child1");
      t.inbox.link(p2!);
      await stopProcess(t, sup, "shutdown");
      await checkExit(t, [p2!, sup]);
    });

    it("significant_upgrade_any_all", async () => {
      const t = startNode();
      const sup = await startSupTest(t, withFlags("any_significant"));
      const { pid: p1 } = await startChild(t.inbox, sup, child1);
      const { pid: p2 } = await startChild(t.inbox, sup, child2);
      t.inbox.link(p1!);
      t.inbox.link(p2!);
      expect(await fakeUpgrade(t, sup, withFlags("all_significant"))).toBe("ok");
      expect((await stateOf(t, sup)).autoShutdown).toBe("all_significant");
      await checkNoExit(t, p1!);
      await checkNoExit(t, p2!);
      await checkNoExit(t, sup);
      await stopProcess(t, p1!, "normal");
      await checkExit(t, [p1!]);
      await checkNoExit(t, p2!);
      await checkNoExit(t, sup);
      await stopProcess(t, p2!, "normal");
      await checkExit(t, [p2!, sup]);
    });

    it("significant_upgrade_all_any", async () => {
      const t = startNode();
      const sup = await startSupTest(t, withFlags("all_significant"));
      const { pid: p1 } = await startChild(t.inbox, sup, child1);
      const { pid: p2 } = await startChild(t.inbox, sup, child2);
      t.inbox.link(p1!);
      t.inbox.link(p2!);
      expect(await fakeUpgrade(t, sup, withFlags("any_significant"))).toBe("ok");
      expect((await stateOf(t, sup)).autoShutdown).toBe("any_significant");
      await checkNoExit(t, p1!);
      await checkNoExit(t, p2!);
      await checkNoExit(t, sup);
      await stopProcess(t, p1!, "normal");
      await checkExit(t, [p1!, p2!, sup]);
    });

    it("significant_upgrade_child", async () => {
      const t = startNode();
      const nonSignificant = {
        id: "child",
        start: sup1(),
        restart: "transient" as const,
        significant: false,
      };
      const significant = { ...nonSignificant, significant: true };

      // autoShutdown never: a child cannot be upgraded to significant.
      const sup1Pid = await startSupTest(t, { flags: { autoShutdown: "never" }, children: [nonSignificant] });
      const [c1] = await linkedChildren(t, sup1Pid);
      const upgrade1 = { flags: { autoShutdown: "never" }, children: [significant] };
      expect(await fakeUpgrade(t, sup1Pid, upgrade1)).toEqual({ badCombination: expect.anything() });
      expect((await stateOf(t, sup1Pid)).args).toBe(upgrade1); // only the faked argument changed
      await checkNoExit(t, c1!);
      await checkNoExit(t, sup1Pid);
      await stopProcess(t, sup1Pid, "shutdown");
      await checkExit(t, [c1!, sup1Pid]);

      // Upgraded to significant: its normal exit shuts the supervisor down.
      const sup2Pid = await startSupTest(t, {
        flags: { autoShutdown: "any_significant" },
        children: [nonSignificant],
      });
      const [c2] = await linkedChildren(t, sup2Pid);
      expect(
        await fakeUpgrade(t, sup2Pid, {
          flags: { autoShutdown: "any_significant" },
          children: [significant],
        }),
      ).toBe("ok");
      await checkNoExit(t, c2!);
      await checkNoExit(t, sup2Pid);
      await stopProcess(t, c2!, "normal");
      await checkExit(t, [c2!, sup2Pid]);

      // Downgraded to non-significant: it no longer does.
      const sup3Pid = await startSupTest(t, {
        flags: { autoShutdown: "any_significant" },
        children: [significant],
      });
      const [c3] = await linkedChildren(t, sup3Pid);
      expect(
        await fakeUpgrade(t, sup3Pid, {
          flags: { autoShutdown: "any_significant" },
          children: [nonSignificant],
        }),
      ).toBe("ok");
      await checkNoExit(t, c3!);
      await checkNoExit(t, sup3Pid);
      await stopProcess(t, c3!, "normal");
      await checkExit(t, [c3!]);
      await checkNoExit(t, sup3Pid);
      await stopProcess(t, sup3Pid, "shutdown");
      await checkExit(t, [sup3Pid]);
    });
  });
});
