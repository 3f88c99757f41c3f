/**
 * Over 400 lines on purpose: the OTP cases of one suite group, read case by case against the original.
 *
 * supervisor_SUITE: the API cases (child_adm, child_adm_simple, extra_return), spec and flag
 * validation (child_specs, child_specs_map, sup_flags) and multiple_restarts.
 *
 * Kept whole: each case is one long scenario, as in the suite.
 */
import { CallError, isPid, type Pid } from "@maquis/core";
import type { StartError } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import {
  type ChildSpec,
  checkChildSpecs,
  countChildren,
  deleteChild,
  restartChild,
  startChild,
  SupervisorError,
  terminateChild,
  whichChildren,
} from "../src/index.js";
import { startSupTest, sup1, tuple } from "./fixtures.js";
import {
  checkExitReason,
  counts,
  reasonOf,
  rejectionOf,
  stopProcess,
  type TestNode,
  terminate,
  useNodes,
} from "./support.js";

const startNode = useNodes("supapi");

const flags = (strategy: string, intensity = 2, period = 3600) => ({ strategy, intensity, period });

/** The `{noproc, {gen_server, call, _}}` exit of a call to a supervisor that does not exist. */
const expectNoproc = async (promise: Promise<unknown>, fn: string) => {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(CallError);
  expect((error as CallError).reason).toBe("noproc");
  expect((error as CallError).site?.function).toBe(fn);
};

const which = (t: TestNode, sup: string | Pid = "sup_test") => whichChildren(t.inbox, sup);
const entry = (id: unknown, pid: unknown) => ({ id, pid, type: "worker", modules: [] });

describe("supervisor_SUITE", () => {
  it("child_adm", async () => {
    const t = startNode();
    const child = tuple("child1", sup1(), "permanent", 1000, "worker", []);
    await startSupTest(t, { flags: flags("one_for_one"), children: [child] });
    // (OTP also checks that a static supervisor hibernates after start: no such probe here.)
    const [{ pid: cpid }] = (await which(t)) as unknown as [{ pid: Pid }];
    expect(await which(t)).toEqual([entry("child1", cpid)]);
    expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    t.inbox.link(cpid);
    // Start of an already running process
    expect(await reasonOf(startChild(t.inbox, "sup_test", child))).toEqual({ alreadyStarted: cpid });

    // Termination
    expect(await reasonOf(terminateChild(t.inbox, "sup_test", "hej"))).toBe("not_found");
    await expectNoproc(terminateChild(t.inbox, "foo", "child1"), "terminateChild");
    await terminateChild(t.inbox, "sup_test", "child1");
    await checkExitReason(t, cpid, "shutdown");
    expect(await which(t)).toEqual([entry("child1", undefined)]);
    expect(await counts(t, "sup_test")).toEqual([1, 0, 0, 1]);
    // Like deleting something that does not exist, it succeeds
    await terminateChild(t.inbox, "sup_test", "child1");

    // Start of an already existing but not running process
    expect(await reasonOf(startChild(t.inbox, "sup_test", child))).toBe("already_present");

    // Restart
    const { pid: cpid2 } = await restartChild(t.inbox, "sup_test", "child1");
    expect(await which(t)).toEqual([entry("child1", cpid2)]);
    expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    expect(await reasonOf(restartChild(t.inbox, "sup_test", "child1"))).toBe("running");
    expect(await reasonOf(restartChild(t.inbox, "sup_test", "child2"))).toBe("not_found");

    // Deletion
    expect(await reasonOf(deleteChild(t.inbox, "sup_test", "child1"))).toBe("running");
    expect(await reasonOf(deleteChild(t.inbox, "sup_test", "hej"))).toBe("not_found");
    await expectNoproc(deleteChild(t.inbox, "foo", "child1"), "deleteChild");
    await terminateChild(t.inbox, "sup_test", "child1");
    await deleteChild(t.inbox, "sup_test", "child1");
    expect(await reasonOf(restartChild(t.inbox, "sup_test", "child1"))).toBe("not_found");
    expect(await which(t)).toEqual([]);
    expect(await counts(t, "sup_test")).toEqual([0, 0, 0, 0]);

    // Start
    await expectNoproc(startChild(t.inbox, "foo", child), "startChild");
    const { pid: cpid3 } = await startChild(t.inbox, "sup_test", child);
    expect(await which(t)).toEqual([entry("child1", cpid3)]);
    expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);

    // Terminate with a pid is not allowed when not simple_one_for_one
    expect(await reasonOf(terminateChild(t.inbox, "sup_test", cpid3))).toBe("not_found");
    expect(await which(t)).toEqual([entry("child1", cpid3)]);
    expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);

    await expectNoproc(whichChildren(t.inbox, "foo"), "whichChildren");
    await expectNoproc(countChildren(t.inbox, "foo"), "countChildren");
  });

  it("child_adm_simple", async () => {
    const t = startNode();
    const child = tuple("child", sup1(), "permanent", 1000, "worker", []);
    await startSupTest(t, { flags: flags("simple_one_for_one"), children: [child] });
    // In simple_one_for_one all children are added dynamically
    expect(await which(t)).toEqual([]);
    expect(await counts(t, "sup_test")).toEqual([1, 0, 0, 0]);

    // Start
    await expectNoproc(startChild(t.inbox, "foo", []), "startChild");
    const { pid: cpid1 } = await startChild(t.inbox, "sup_test", []);
    expect(await which(t)).toEqual([entry(undefined, cpid1)]);
    expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    const { pid: cpid2 } = await startChild(t.inbox, "sup_test", []);
    const children = await which(t);
    expect(children).toHaveLength(2);
    expect(children).toContainEqual(entry(undefined, cpid1));
    expect(children).toContainEqual(entry(undefined, cpid2));
    expect(await counts(t, "sup_test")).toEqual([1, 2, 0, 2]);

    // Termination
    expect(await reasonOf(terminateChild(t.inbox, "sup_test", "child1"))).toBe("simple_one_for_one");
    expect(await counts(t, "sup_test")).toEqual([1, 2, 0, 2]);
    await terminateChild(t.inbox, "sup_test", cpid1);
    expect(await which(t)).toHaveLength(1);
    expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    expect(t.node.isAlive(cpid1!)).toBe(false);
    // Terminating a non-existing process is ok
    await terminateChild(t.inbox, "sup_test", cpid1);
    expect(await which(t)).toHaveLength(1);
    expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    // Terminating a pid which is not a child of this supervisor is not ok
    const noChild = t.inbox.spawnLink(async (self) => {
      await self.receive(() => false);
    });
    expect(await reasonOf(terminateChild(t.inbox, "sup_test", noChild))).toBe("not_found");
    expect(t.node.isAlive(noChild)).toBe(true);

    expect(await reasonOf(restartChild(t.inbox, "sup_test", "child1"))).toBe("simple_one_for_one");
    expect(await reasonOf(deleteChild(t.inbox, "sup_test", "child1"))).toBe("simple_one_for_one");
  });

  it("extra_return", async () => {
    const t = startNode();
    const child = tuple("child1", sup1({ extra: "extra_return" }), "permanent", 1000, "worker", []);
    await startSupTest(t, { flags: flags("one_for_one"), children: [child] });
    const [{ pid: cpid }] = (await which(t)) as unknown as [{ pid: Pid }];
    t.inbox.link(cpid);
    expect(await reasonOf(terminateChild(t.inbox, "sup_test", "hej"))).toBe("not_found");
    expect(await reasonOf(deleteChild(t.inbox, "sup_test", "hej"))).toBe("not_found");
    expect(await reasonOf(restartChild(t.inbox, "sup_test", "hej"))).toBe("not_found");
    expect(await reasonOf(deleteChild(t.inbox, "sup_test", "child1"))).toBe("running");
    expect(await reasonOf(restartChild(t.inbox, "sup_test", "child1"))).toBe("running");
    expect(await which(t)).toEqual([entry("child1", cpid)]);
    expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);

    await terminateChild(t.inbox, "sup_test", "child1");
    await checkExitReason(t, cpid, "shutdown");
    expect(await which(t)).toEqual([entry("child1", undefined)]);
    expect(await counts(t, "sup_test")).toEqual([1, 0, 0, 1]);

    const restarted = await restartChild(t.inbox, "sup_test", "child1");
    expect(restarted).toEqual({ pid: expect.anything(), info: "extra_return" });
    expect(await which(t)).toEqual([entry("child1", restarted.pid)]);
    expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);

    await terminateChild(t.inbox, "sup_test", "child1");
    await terminateChild(t.inbox, "sup_test", "child1");
    await deleteChild(t.inbox, "sup_test", "child1");
    expect(await reasonOf(restartChild(t.inbox, "sup_test", "child1"))).toBe("not_found");
    expect(await which(t)).toEqual([]);
    expect(await counts(t, "sup_test")).toEqual([0, 0, 0, 0]);

    const started = await startChild(t.inbox, "sup_test", child);
    expect(started.info).toBe("extra_return");
    const cpid3 = started.pid!;
    expect(await which(t)).toEqual([entry("child1", cpid3)]);
    expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);

    // It is automatically restarted
    await stopProcess(t, cpid3, "abnormal");
    const [{ pid: cpid4 }] = (await which(t)) as unknown as [{ pid: Pid }];
    expect(await counts(t, "sup_test")).toEqual([1, 1, 0, 1]);
    expect(isPid(cpid4)).toBe(true);
    expect(cpid4).not.toBe(cpid3);
  });

  it("child_specs", async () => {
    const t = startNode();
    const pid = await startSupTest(t, { flags: flags("one_for_one"), children: [] });
    expect(await rejectionOf(startChild(t.inbox, "sup_test", "hej" as never))).toBeInstanceOf(
      SupervisorError,
    );

    const start = sup1();
    const bad = (b: Record<string, unknown>) =>
      ({
        id: "child",
        start,
        restart: "permanent",
        shutdown: 1000,
        type: "worker",
        modules: [],
        ...b,
      }) as never;
    const b1 = bad({ start: "mfa" });
    const b2 = bad({ restart: "prmanent" });
    const b3 = bad({ shutdown: -10 });
    const b4 = bad({ type: "wrker" });
    const b5 = bad({ modules: "dy" });
    const b6 = bad({ modules: [1, 2, 3] });

    expect(await reasonOf(startChild(t.inbox, "sup_test", b1))).toEqual({ invalidStart: "mfa" });
    expect(await reasonOf(startChild(t.inbox, "sup_test", b2))).toEqual({ invalidRestartType: "prmanent" });
    expect(await reasonOf(startChild(t.inbox, "sup_test", b3))).toEqual({ invalidShutdown: -10 });
    expect(await reasonOf(startChild(t.inbox, "sup_test", b4))).toEqual({ invalidChildType: "wrker" });
    expect(await reasonOf(startChild(t.inbox, "sup_test", b5))).toEqual({ invalidModules: "dy" });

    const check = (specs: unknown, autoShutdown?: string): unknown => {
      try {
        checkChildSpecs(specs as readonly ChildSpec[], autoShutdown as never);
        return "ok";
      } catch (error) {
        expect(error).toBeInstanceOf(SupervisorError);
        return (error as SupervisorError).reason;
      }
    };
    expect(check(b1)).toEqual({ badarg: b1 }); // should be a list
    expect(check([b1])).toEqual({ invalidStart: "mfa" });
    expect(check([b2])).toEqual({ invalidRestartType: "prmanent" });
    expect(check([b3])).toEqual({ invalidShutdown: -10 });
    expect(check([b4])).toEqual({ invalidChildType: "wrker" });
    expect(check([b5])).toEqual({ invalidModules: "dy" });
    expect(check([b6])).toEqual({ invalidModule: 1 });

    for (const restart of ["permanent", "transient", "temporary"]) {
      for (const shutdown of [0, 1000, "infinity", "brutal_kill"]) {
        for (const type of ["supervisor", "worker"]) {
          for (const modules of ["dynamic", [], ["m"], ["m1", "m2"]]) {
            expect(
              check([
                tuple("child", start, restart as never, shutdown as never, type as never, modules as never),
              ]),
            ).toBe("ok");
          }
        }
      }
    }

    const c1 = tuple("child", start, "permanent", "infinity", "supervisor", []);
    const c2 = tuple("child", start, "permanent", 1000, "supervisor", []);
    expect(check([c1, c2])).toEqual({ duplicateChildName: "child" });

    await stopProcess(t, pid, "shutdown");

    // Faulty child specs in supervisor start
    const startReason = async (init: unknown) =>
      ((await rejectionOf(startSupTest(t, init))) as StartError).reason;
    expect(await startReason({ flags: flags("one_for_one"), children: [b1] })).toEqual({
      startSpec: { invalidStart: "mfa" },
    });
    expect(await startReason({ flags: flags("simple_one_for_one"), children: [b2] })).toEqual({
      startSpec: { invalidRestartType: "prmanent" },
    });
    // simple_one_for_one needs exactly one child
    expect(await startReason({ flags: flags("simple_one_for_one"), children: [] })).toEqual({
      badStartSpec: [],
    });
    expect(await startReason({ flags: flags("simple_one_for_one"), children: [c1, c2] })).toEqual({
      badStartSpec: [c1, c2],
    });
  });

  it("child_specs_map", async () => {
    const t = startNode();
    const pid = await startSupTest(t, { flags: {}, children: [] });
    expect(await rejectionOf(startChild(t.inbox, "sup_test", "hej" as never))).toBeInstanceOf(
      SupervisorError,
    );

    const start = sup1();
    const cs0 = { id: "child", start };
    const b1 = {} as never;
    const b2 = { id: "child" } as never;
    const b3 = { start } as never;
    const b4 = { ...cs0, start: "mfa" } as never;
    const b5 = { ...cs0, restart: "prmanent" } as never;
    const b6 = { ...cs0, shutdown: -10 } as never;
    const b7 = { ...cs0, type: "wrker" } as never;
    const b8 = { ...cs0, modules: "dy" } as never;
    const b9 = { ...cs0, modules: [1, 2, 3] } as never;
    const b10 = { ...cs0, significant: "maybe" } as never;

    expect(await reasonOf(startChild(t.inbox, "sup_test", b1))).toBe("missing_id");
    expect(await reasonOf(startChild(t.inbox, "sup_test", b2))).toBe("missing_start");
    expect(await reasonOf(startChild(t.inbox, "sup_test", b3))).toBe("missing_id");
    expect(await reasonOf(startChild(t.inbox, "sup_test", b4))).toEqual({ invalidStart: "mfa" });
    expect(await reasonOf(startChild(t.inbox, "sup_test", b5))).toEqual({ invalidRestartType: "prmanent" });
    expect(await reasonOf(startChild(t.inbox, "sup_test", b6))).toEqual({ invalidShutdown: -10 });
    expect(await reasonOf(startChild(t.inbox, "sup_test", b7))).toEqual({ invalidChildType: "wrker" });
    expect(await reasonOf(startChild(t.inbox, "sup_test", b8))).toEqual({ invalidModules: "dy" });

    const check = (specs: unknown, autoShutdown?: unknown): unknown => {
      try {
        checkChildSpecs(specs as readonly ChildSpec[], autoShutdown as never);
        return "ok";
      } catch (error) {
        expect(error).toBeInstanceOf(SupervisorError);
        return (error as SupervisorError).reason;
      }
    };
    expect(check(b1)).toEqual({ badarg: b1 }); // should be a list
    expect(check([b1])).toBe("missing_id");
    expect(check([b2])).toBe("missing_start");
    expect(check([b3])).toBe("missing_id");
    expect(check([b4])).toEqual({ invalidStart: "mfa" });
    expect(check([b5])).toEqual({ invalidRestartType: "prmanent" });
    expect(check([b6])).toEqual({ invalidShutdown: -10 });
    expect(check([b7])).toEqual({ invalidChildType: "wrker" });
    expect(check([b8])).toEqual({ invalidModules: "dy" });
    expect(check([b9])).toEqual({ invalidModule: 1 });
    expect(check([b10])).toEqual({ invalidSignificant: "maybe" });

    // Every combination of valid values (undefined: the key is left out).
    const u = undefined;
    for (const autoShutdown of [u, "never", "any_significant", "all_significant"])
      for (const restart of [u, "permanent", "transient", "temporary"])
        for (const shutdown of [u, 0, 1000, "infinity", "brutal_kill"])
          for (const type of [u, "supervisor", "worker"])
            for (const modules of [u, "dynamic", [], ["m"], ["m1", "m2"]])
              for (const significant of [u, true, false])
                for (const dummy of [u, "dummy"]) {
                  const fields = { restart, shutdown, type, modules, significant, dummy };
                  const spec = Object.fromEntries(
                    Object.entries({ ...cs0, ...fields }).filter(([, v]) => v !== u),
                  );
                  let expected: unknown = "ok";
                  if (significant === true && autoShutdown === "never") {
                    expected = { badCombination: { autoShutdown: "never", significant: true } };
                  } else if (significant === true && (restart === u || restart === "permanent")) {
                    expected = { badCombination: { restart: "permanent", significant: true } };
                  }
                  expect(check([spec], autoShutdown)).toEqual(expected);
                }

    expect(check([cs0, cs0])).toEqual({ duplicateChildName: "child" });

    await stopProcess(t, pid, "shutdown");

    // Faulty child specs in supervisor start
    const startReason = async (init: unknown) =>
      ((await rejectionOf(startSupTest(t, init))) as StartError).reason;
    expect(await startReason({ flags: flags("one_for_one"), children: [b4] })).toEqual({
      startSpec: { invalidStart: "mfa" },
    });
    expect(await startReason({ flags: flags("simple_one_for_one"), children: [b5] })).toEqual({
      startSpec: { invalidRestartType: "prmanent" },
    });
    // simple_one_for_one needs exactly one child
    expect(await startReason({ flags: flags("simple_one_for_one"), children: [] })).toEqual({
      badStartSpec: [],
    });
    expect(await startReason({ flags: flags("simple_one_for_one"), children: [cs0, cs0] })).toEqual({
      badStartSpec: [cs0, cs0],
    });
    // autoShutdown never does not accept significant children
    expect(
      await startReason({ flags: { autoShutdown: "never" }, children: [{ ...cs0, significant: true }] }),
    ).toEqual({ startSpec: { badCombination: expect.anything() } });
  });

  it("sup_flags", async () => {
    const t = startNode();
    const startReason = async (f: unknown) =>
      ((await rejectionOf(startSupTest(t, { flags: f, children: [] }))) as StartError).reason;
    expect(await startReason({ strategy: "none_for_one", intensity: 2, period: 3600 })).toEqual({
      supervisorData: { invalidStrategy: "none_for_one" },
    });
    expect(await startReason({ strategy: "none_for_one" })).toEqual({
      supervisorData: { invalidStrategy: "none_for_one" },
    });
    expect(
      await startReason({ strategy: "one_for_one", intensity: Number.POSITIVE_INFINITY, period: 3600 }),
    ).toEqual({ supervisorData: { invalidIntensity: Number.POSITIVE_INFINITY } });
    expect(await startReason({ intensity: "infinity" })).toEqual({
      supervisorData: { invalidIntensity: "infinity" },
    });
    expect(await startReason({ strategy: "one_for_one", intensity: 2, period: 0 })).toEqual({
      supervisorData: { invalidPeriod: 0 },
    });
    expect(await startReason({ period: 0 })).toEqual({ supervisorData: { invalidPeriod: 0 } });
    expect(
      await startReason({ strategy: "one_for_one", intensity: 2, period: Number.POSITIVE_INFINITY }),
    ).toEqual({
      supervisorData: { invalidPeriod: Number.POSITIVE_INFINITY },
    });
    expect(await startReason({ period: "infinity" })).toEqual({
      supervisorData: { invalidPeriod: "infinity" },
    });
    expect(await startReason({ autoShutdown: "sometimes" })).toEqual({
      supervisorData: { invalidAutoShutdown: "sometimes" },
    });
    // Flags other than an object
    expect(await startReason(["one_for_one", 2])).toEqual({
      supervisorData: { invalidType: ["one_for_one", 2] },
    });
    // Unexpected flags are ignored
    const pid = await startSupTest(t, { flags: { silly_flag: true }, children: [] });
    await stopProcess(t, pid, "shutdown");
  });

  it("multiple_restarts", async () => {
    const t = startNode();
    const child1 = {
      id: "child1",
      start: sup1(),
      restart: "permanent",
      shutdown: "brutal_kill",
      type: "worker",
      modules: [],
    } as const;
    const sup = await startSupTest(t, {
      flags: { strategy: "one_for_one", intensity: 1, period: 1 },
      children: [],
    });
    const { pid: cpid1 } = await startChild(t.inbox, "sup_test", child1);
    // Terminate the child several times, never exceeding the maximum restart intensity.
    await terminate(t, sup, cpid1!, "child1", "abnormal");
    for (let i = 0; i < 3; i++) {
      t.clock.advance(2100);
      const [{ pid }] = (await which(t)) as unknown as [{ pid: Pid }];
      await terminate(t, sup, pid, "child1", "abnormal");
    }
    // The supervisor is still alive.
    await terminateChild(t.inbox, sup, "child1");
    expect(t.node.isAlive(sup)).toBe(true);
    await deleteChild(t.inbox, sup, "child1");
    t.inbox.exit(sup, "kill");
    await checkExitReason(t, sup, "killed");
  });
});
