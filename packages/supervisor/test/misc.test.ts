/**
 * Over 400 lines on purpose: the OTP cases of one suite group, read case by case against the original.
 *
 * supervisor_SUITE: child_unlink, tree, count_children*, get_callback_module, the temporary-children
 * cases, simple_global_supervisor, order_of_children, already_started_outside_supervisor and
 * which_children*.
 *
 * One file for the suite's ungrouped cases, kept whole so that it reads in the suite's order.
 */
import { BadArgError, isDown, type Node, Pid, type ViaRegistry } from "@maquis/core";
import { GenServer, noreply, ok } from "@maquis/gen-server";
import { describe, expect, it } from "vitest";
import {
  type ChildSpec,
  deleteChild,
  getCallbackModule,
  restartChild,
  startChild,
  terminateChild,
  whichChild,
  whichChildren,
} from "../src/index.js";
import { naughtyStart, sleep, startSupTest, SupTest, supTestStart, sup1, tuple } from "./fixtures.js";
import {
  checkExit,
  counts,
  type How,
  reasonOf,
  sleepFor,
  stateOf,
  stopProcess,
  type TestNode,
  terminate,
  useNodes,
} from "./support.js";

const startNode = useNodes("supmisc");

const flags = (strategy: string, intensity = 2, period = 3600) => ({ strategy, intensity, period });

describe("supervisor_SUITE", () => {
  it("child_unlink", async () => {
    const t = startNode();
    const sup = await startSupTest(t, { flags: flags("one_for_one"), children: [] });
    const child = tuple("naughty_child", naughtyStart(sup), "permanent", 1000, "worker", [SupTest]);
    await startChild(t.inbox, "sup_test", child);
    // The child unlinked from the supervisor; terminating it must not hang the supervisor.
    const terminated = terminateChild(t.inbox, sup, "naughty_child");
    t.inbox.send(sup, "foo");
    await terminated;
    await sleepFor(t, 5000);
    // The supervisor did not hang: it got rid of the foo message.
    expect(t.node.processInfo(sup)?.messageQueueLength).toBe(0);
    expect(t.logs.some((e) => e.kind === "supervisor_unexpected_message" && e.data.message === "foo")).toBe(
      true,
    );
  });

  it("tree", async () => {
    const t = startNode();
    const child1 = tuple("child1", sup1(), "permanent", 1000, "worker", []);
    const child2 = tuple("child2", sup1(), "permanent", 1000, "worker", []);
    const child3 = tuple("child3", sup1("error"), "permanent", 1000, "worker", []);
    const child4 = tuple("child4", sup1(), "permanent", 1000, "worker", []);
    const childSup1 = tuple(
      "supchild1",
      supTestStart({ flags: flags("one_for_one", 4), children: [child1, child2] }),
      "permanent",
      "infinity",
      "supervisor",
      [],
    );
    const childSup2 = tuple(
      "supchild2",
      supTestStart({ flags: flags("one_for_one", 4), children: [] }),
      "permanent",
      "infinity",
      "supervisor",
      [],
    );
    const childSup3 = tuple(
      "supchild3",
      supTestStart({ flags: flags("one_for_one", 4), children: [] }),
      "transient",
      "infinity",
      "supervisor",
      [],
    );

    // Top supervisor
    const sup = await startSupTest(t, { flags: flags("one_for_all", 4), children: [] });
    // Child supervisors
    const { pid: s1 } = await startChild(t.inbox, sup, childSup1);
    const { pid: s2 } = await startChild(t.inbox, sup, childSup2);
    await startChild(t.inbox, sup, childSup3);
    await terminateChild(t.inbox, sup, "supchild3");
    expect(await counts(t, sup)).toEqual([3, 2, 3, 0]);

    // Workers
    const [w2, w1] = (await whichChildren(t.inbox, s1!)).map((c) => c.pid);
    expect(await counts(t, s1!)).toEqual([2, 2, 0, 2]);
    expect(await counts(t, s2!)).toEqual([0, 0, 0, 0]);

    // Dynamic children
    const { pid: cpid3 } = await startChild(t.inbox, s2!, child3);
    const { pid: cpid4 } = await startChild(t.inbox, s2!, child4);
    expect(await counts(t, s1!)).toEqual([2, 2, 0, 2]);
    expect(await counts(t, s2!)).toEqual([2, 2, 0, 2]);

    // Only the process that dies is restarted
    await terminate(t, s2!, cpid4!, "child4", "abnormal");
    expect((await whichChildren(t.inbox, s1!)).map((c) => c.pid)).toEqual([w2, w1]);
    expect(await counts(t, s1!)).toEqual([2, 2, 0, 2]);
    const [newCpid4, sameCpid3] = (await whichChildren(t.inbox, s2!)).map((c) => c.pid);
    expect(sameCpid3).toBe(cpid3);
    expect(newCpid4).not.toBe(cpid4);
    expect(await counts(t, s2!)).toEqual([2, 2, 0, 2]);

    // The whole tree is restarted (child3 cannot restart, supchild2 gives up), without the dynamic
    // children.
    await terminate(t, s2!, cpid3!, "child3", "abnormal");
    await sleepFor(t, 1000);
    const top = await whichChildren(t.inbox, sup);
    expect(top.map((c) => c.id)).toEqual(["supchild3", "supchild2", "supchild1"]);
    expect(await counts(t, sup)).toEqual([3, 3, 3, 0]);
    const [newSup3, newSup2, newSup1] = top.map((c) => c.pid as Pid);
    expect((await whichChildren(t.inbox, newSup1!)).map((c) => c.id)).toEqual(["child2", "child1"]);
    expect(await counts(t, newSup1!)).toEqual([2, 2, 0, 2]);
    expect(await whichChildren(t.inbox, newSup2!)).toEqual([]);
    expect(await counts(t, newSup2!)).toEqual([0, 0, 0, 0]);
    expect(await whichChildren(t.inbox, newSup3!)).toEqual([]);
    expect(await counts(t, newSup3!)).toEqual([0, 0, 0, 0]);
  });

  const countChildrenCase = async (t: TestNode, type: "worker" | "supervisor") => {
    const child = tuple("child", sup1(), "temporary", type === "worker" ? 1000 : "infinity", type, []);
    const sup = await startSupTest(t, { flags: flags("simple_one_for_one"), children: [child] });
    for (let i = 0; i < 1000; i++) await startChild(t.inbox, "sup_test", []);
    const children = await whichChildren(t.inbox, "sup_test");
    const childCount = await counts(t, "sup_test");
    for (let i = 0; i < 1000; i++) await startChild(t.inbox, "sup_test", []);
    const childCount2 = await counts(t, "sup_test");
    const children2 = await whichChildren(t.inbox, "sup_test");
    const childCount3 = await counts(t, "sup_test");
    const children3 = await whichChildren(t.inbox, "sup_test");
    expect(children).toHaveLength(1000);
    expect(childCount).toEqual(type === "worker" ? [1, 1000, 0, 1000] : [1, 1000, 1000, 0]);
    expect(children2).toHaveLength(2000);
    expect(childCount2).toEqual(type === "worker" ? [1, 2000, 0, 2000] : [1, 2000, 2000, 0]);
    expect(children3).toEqual(children2);
    expect(childCount3).toEqual(childCount2);
    for (const c of children3) await terminate(t, sup, c.pid as Pid, "child", "kill");
    expect(await counts(t, "sup_test")).toEqual([1, 0, 0, 0]);
  };

  it("count_children", async () => {
    await countChildrenCase(startNode(), "worker");
  });

  it("count_children_supervisor", async () => {
    await countChildrenCase(startNode(), "supervisor");
  });

  it("get_callback_module", async () => {
    const t = startNode();
    const child = tuple("child", sup1(), "temporary", 1000, "worker", []);
    const sup = await startSupTest(t, { flags: flags("simple_one_for_one"), children: [child] });
    expect(await getCallbackModule(t.inbox, sup)).toBe(SupTest);
  });

  it("do_not_save_start_parameters_for_temporary_children", async () => {
    // OTP compares the size of the supervisors' states. Static children's start functions are
    // closures (their arguments cannot be dropped); a simple_one_for_one supervisor keeps the extra
    // arguments of its children only when they may be restarted.
    const t = startNode();
    const largeList = Array.from({ length: 10 }, () => "Potentially large");
    const sups: Pid[] = [];
    for (const restart of ["permanent", "transient", "temporary"] as const) {
      const template = tuple("child", sup1(), restart, 1000, "worker", []);
      const sup = await SupTest.startLink(t.inbox, {
        flags: flags("simple_one_for_one"),
        children: [template],
      });
      for (let i = 0; i < 100; i++) await startChild(t.inbox, sup, [{ extra: largeList }]);
      sups.push(sup);
    }
    const kept = async (sup: Pid) =>
      [...(await stateOf(t, sup)).dynamics!.values()].filter((d) => d.args !== undefined).length;
    expect(await kept(sups[0]!)).toBe(100);
    expect(await kept(sups[1]!)).toBe(100);
    expect(await kept(sups[2]!)).toBe(0);
    for (const sup of sups) await stopProcess(t, sup, "shutdown");
  });

  it("do_not_save_child_specs_for_temporary_children", async () => {
    const t = startNode();
    const permanent = tuple("child1", sup1(), "permanent", 1000, "worker", []);
    const transient = tuple("child2", sup1(), "transient", 1000, "worker", []);
    const temporary = tuple("child3", sup1(), "temporary", 1000, "worker", []);
    const alreadyPresent = async (sup: Pid, spec: ChildSpec, how: How) => {
      const { pid } = await startChild(t.inbox, sup, spec);
      await terminate(t, sup, pid!, spec.id, how);
      expect(await reasonOf(startChild(t.inbox, sup, spec))).toBe("already_present");
      await restartChild(t.inbox, sup, spec.id);
    };
    const restarted = async (sup: Pid, spec: ChildSpec, how: How) => {
      const { pid } = await startChild(t.inbox, sup, spec);
      await terminate(t, sup, pid!, spec.id, how);
      // Restarted by the supervisor, as it was not terminated through the API
      expect(await reasonOf(startChild(t.inbox, sup, spec))).toEqual({ alreadyStarted: expect.any(Pid) });
    };
    for (const how of ["kill", "normal", "abnormal", "supervisor"] as const) {
      for (const strategy of ["one_for_all", "one_for_one", "rest_for_one"]) {
        const sup = await SupTest.startLink(t.inbox, { flags: flags(strategy), children: [] });
        if (how === "supervisor") await alreadyPresent(sup, permanent, how);
        else await restarted(sup, permanent, how);
        if (how === "supervisor" || how === "normal") await alreadyPresent(sup, transient, how);
        else await restarted(sup, transient, how);
        // A temporary child's spec is not saved: it can be started again.
        const { pid } = await startChild(t.inbox, sup, temporary);
        await terminate(t, sup, pid!, "child3", how);
        await startChild(t.inbox, sup, temporary);
        await stopProcess(t, sup, "shutdown");
      }
    }
  });

  it("simple_one_for_one_scale_many_temporary_children", async () => {
    // OTP-9242 measures that terminating children scales linearly; here only the behaviour is checked.
    const t = startNode();
    const child = tuple("child", sup1(), "temporary", 1000, "worker", []);
    await startSupTest(t, { flags: flags("simple_one_for_one"), children: [child] });
    for (const n of [1000, 10000]) {
      const pids: Pid[] = [];
      for (let i = 0; i < n; i++) pids.push((await startChild(t.inbox, "sup_test", [])).pid!);
      expect(await counts(t, "sup_test")).toEqual([1, n, 0, n]);
      for (const pid of pids) await terminateChild(t.inbox, "sup_test", pid);
      expect(await counts(t, "sup_test")).toEqual([1, 0, 0, 0]);
    }
  }, 30_000);

  it("simple_global_supervisor", async () => {
    // OTP-9212, with a via registry standing in for `global`.
    const t = startNode();
    const global = new GlobalRegistry(t.node);
    const server9212 = (parent: Parameters<typeof Server9212.startLink>[0]) =>
      Server9212.startLink(parent, undefined, { name: { via: global, name: "server" } }) as Promise<Pid>;
    const middle9212 = (parent: Parameters<typeof SupTest.startLink>[0]) =>
      SupTest.startLink(
        parent,
        {
          flags: flags("one_for_all", 3, 60),
          children: [tuple("child", server9212, "permanent", 2000, "worker", [])],
        },
        { name: { via: global, name: "sup2" } },
      );
    const start9212 = async () => {
      const middle = tuple("middle", middle9212, "permanent", 2000, "supervisor", []);
      const top = await startSupTest(t, { flags: flags("one_for_all", 3, 60), children: [middle] });
      const sup2 = global.whereisName("sup2");
      const server = global.whereisName("server");
      expect(sup2).toBeInstanceOf(Pid);
      expect(server).toBeInstanceOf(Pid);
      return { top, sup2: sup2!, server: server! };
    };
    const stop9212 = async (top: Pid) => {
      t.inbox.exit(top, "kill");
      await sleepFor(t, 200);
      expect(global.whereisName("sup2")).toBeUndefined();
      expect(global.whereisName("server")).toBeUndefined();
      await checkExit(t, [top]);
    };
    const restartedServer = (old: Pid) => {
      const server = global.whereisName("server");
      expect(server).toBeInstanceOf(Pid);
      expect(server).not.toBe(old);
    };

    // kill_supervisor: killing a supervisor isn't really supported, but try it anyway...
    {
      const { top, sup2, server } = await start9212();
      t.inbox.exit(sup2, "kill");
      await sleepFor(t, 200);
      const newSup2 = global.whereisName("sup2");
      expect(newSup2).toBeInstanceOf(Pid);
      expect(newSup2).not.toBe(sup2);
      restartedServer(server);
      await stop9212(top);
    }
    // kill_worker
    {
      const { top, server } = await start9212();
      t.inbox.exit(server, "kill");
      await sleepFor(t, 200);
      restartedServer(server);
      await stop9212(top);
    }
    // exit_worker
    {
      const { top, server } = await start9212();
      t.inbox.send(server, { fail: "normal", after: 0 });
      await sleepFor(t, 200);
      restartedServer(server);
      await stop9212(top);
    }
    // restart_worker
    {
      const { top, server } = await start9212();
      const sup2 = { via: global, name: "sup2" };
      await terminateChild(t.inbox, sup2, "child");
      await restartChild(t.inbox, sup2, "child");
      restartedServer(server);
      await stop9212(top);
    }
  });

  it("order_of_children", async () => {
    const t = startNode();
    // Child ids that are not in alphabetical order
    const ids = ["ch7", "ch3", "ch10", "ch2", "ch5"];
    const children = ids.map((id) => tuple(id, sup1(), "permanent", 1000, "worker", []));
    const sup = await startSupTest(t, { flags: flags("rest_for_one"), children });

    // Start order (pids grow)
    const byPid = async () =>
      [...(await whichChildren(t.inbox, "sup_test"))].sort((a, b) => Pid.compare(a.pid as Pid, b.pid as Pid));
    const which1 = await byPid();
    expect(which1.map((c) => c.id)).toEqual(ids);
    const [pid1, pid2, pid3, pid4, pid5] = which1.map((c) => c.pid as Pid);

    /** The order in which `pids` exit, seen through monitors. */
    const exitOrder = async (pids: Pid[], act: () => void) => {
      const refs = pids.map((pid) => t.inbox.monitor(pid));
      act();
      const order: Pid[] = [];
      for (let i = 0; i < pids.length; i++) {
        const down = await t.inbox.receive((m) => refs.some((r) => isDown(r)(m)));
        order.push((down as { item: Pid }).item);
      }
      return order;
    };

    // Terminate pid3: pid5, then pid4, are stopped.
    expect(await exitOrder([pid4!, pid5!], () => t.inbox.send(pid3!, "die"))).toEqual([pid5, pid4]);
    await t.node.idle();

    // Then ch10, ch2 and ch5 are started again, in order.
    const which2 = await byPid();
    expect(which2.map((c) => c.id)).toEqual(ids);
    const [p1, p2, p32, p42, p52] = which2.map((c) => c.pid as Pid);
    expect([p1, p2]).toEqual([pid1, pid2]);

    // Stopping the supervisor stops the children in reverse start order.
    expect(await exitOrder([p1!, p2!, p32!, p42!, p52!], () => t.inbox.exit(sup, "shutdown"))).toEqual([
      p52,
      p42,
      p32,
      p2,
      p1,
    ]);
  });

  it("scale_start_stop_many_children", async () => {
    // OTP measures that starting and stopping many static children scales linearly (100000 of them);
    // here only the behaviour is checked, with fewer children and no timing.
    const t = startNode();
    await startSupTest(t, { flags: flags("one_for_one"), children: [] });
    const n1 = 1000;
    const n2 = 3000;
    const specs = (n: number) =>
      Array.from({ length: n }, (_, i) => tuple(i + 1, sup1(), "permanent", 1000, "worker", []));
    for (const spec of specs(n1)) await startChild(t.inbox, "sup_test", spec);
    for (let id = 1; id <= n1; id++) await terminateChild(t.inbox, "sup_test", id);
    expect(await counts(t, "sup_test")).toEqual([n1, 0, 0, n1]);
    // Ids 1..n1 are still present (terminated, not deleted): their start fails with already_present.
    let present = 0;
    for (const spec of specs(n2)) {
      try {
        await startChild(t.inbox, "sup_test", spec);
      } catch {
        present++;
      }
    }
    expect(present).toBe(n1);
    expect(await counts(t, "sup_test")).toEqual([n2, n2 - n1, 0, n2]);
    for (let id = 1; id <= n2; id++) await terminateChild(t.inbox, "sup_test", id);
    expect(await counts(t, "sup_test")).toEqual([n2, 0, 0, n2]);
  }, 30_000);

  it("already_started_outside_supervisor", async () => {
    const t = startNode();
    const sup = await startSupTest(t, { flags: {}, children: [] });
    const regName = "registered_name";
    const child = {
      id: "child",
      start: (parent: Parameters<typeof SupTest.startLink>[0]) =>
        SupTest.startLink(parent, [], { name: regName }),
      restart: "transient",
      significant: false,
    } as const;
    // Another process has the name.
    const pid = t.inbox.spawnLink(async (self) => {
      self.register(regName);
      await self.receive((m) => m === "die");
    });
    await t.node.idle();
    const error = await reasonOf(startChild(t.inbox, sup, child));
    expect(error).toEqual({ alreadyStarted: pid });
    await stopProcess(t, sup, "shutdown");
    t.inbox.send(pid, "die");
    await checkExit(t, [sup]);
  });

  // format_log_1 and format_log_2 test the text formatting callbacks OTP's logger calls for supervisor
  // reports; Maquis reports are structured data through sys's logger (kind "supervisor_report").
  it.skip("format_log_1", () => {});
  it.skip("format_log_2", () => {});

  it("which_children", async () => {
    const t = startNode();
    const sup = await startSupTest(t, { flags: {}, children: [] });
    const info = (id: string, pid: unknown) => ({ id, pid, type: "worker", modules: [] });
    expect(await whichChildren(t.inbox, sup)).toEqual([]);
    expect(await reasonOf(whichChild(t.inbox, sup, "childx"))).toBe("not_found");

    const { pid: child1 } = await startChild(t.inbox, sup, { id: "child1", start: sup1() });
    expect(await whichChildren(t.inbox, sup)).toEqual([info("child1", child1)]);
    expect(await whichChild(t.inbox, sup, "child1")).toEqual(info("child1", child1));
    expect(await reasonOf(whichChild(t.inbox, sup, "childx"))).toBe("not_found");

    const { pid: child2 } = await startChild(t.inbox, sup, { id: "child2", start: sup1() });
    expect(await whichChildren(t.inbox, sup)).toEqual([info("child2", child2), info("child1", child1)]);
    expect(await whichChild(t.inbox, sup, "child1")).toEqual(info("child1", child1));
    expect(await whichChild(t.inbox, sup, "child2")).toEqual(info("child2", child2));
    expect(await reasonOf(whichChild(t.inbox, sup, "childx"))).toBe("not_found");

    await terminateChild(t.inbox, sup, "child1");
    expect(await whichChildren(t.inbox, sup)).toEqual([info("child2", child2), info("child1", undefined)]);
    expect(await whichChild(t.inbox, sup, "child1")).toEqual(info("child1", undefined));
    expect(await whichChild(t.inbox, sup, "child2")).toEqual(info("child2", child2));

    await deleteChild(t.inbox, sup, "child1");
    expect(await whichChildren(t.inbox, sup)).toEqual([info("child2", child2)]);
    expect(await reasonOf(whichChild(t.inbox, sup, "child1"))).toBe("not_found");
    expect(await whichChild(t.inbox, sup, "child2")).toEqual(info("child2", child2));
    expect(await reasonOf(whichChild(t.inbox, sup, "childx"))).toBe("not_found");
  });

  it("which_children_simple_one_for_one", async () => {
    const t = startNode();
    const sup = await startSupTest(t, {
      flags: { strategy: "simple_one_for_one" },
      children: [{ id: "child", start: sup1(), restart: "temporary" }],
    });
    const info = (pid: unknown) => ({ id: undefined, pid, type: "worker", modules: [] });
    expect(await whichChildren(t.inbox, sup)).toEqual([]);
    expect(await reasonOf(whichChild(t.inbox, sup, t.inbox.pid))).toBe("not_found");

    const { pid: child1 } = await startChild(t.inbox, sup, []);
    expect(await whichChildren(t.inbox, sup)).toEqual([info(child1)]);
    expect(await whichChild(t.inbox, sup, child1)).toEqual(info(child1));
    expect(await reasonOf(whichChild(t.inbox, sup, t.inbox.pid))).toBe("not_found");

    const { pid: child2 } = await startChild(t.inbox, sup, []);
    expect(await whichChildren(t.inbox, sup)).toEqual([info(child1), info(child2)]);
    expect(await whichChild(t.inbox, sup, child1)).toEqual(info(child1));
    expect(await whichChild(t.inbox, sup, child2)).toEqual(info(child2));

    await terminateChild(t.inbox, sup, child1);
    expect(await whichChildren(t.inbox, sup)).toEqual([info(child2)]);
    expect(await reasonOf(whichChild(t.inbox, sup, child1))).toBe("not_found");
    expect(await whichChild(t.inbox, sup, child2)).toEqual(info(child2));
    expect(await reasonOf(whichChild(t.inbox, sup, t.inbox.pid))).toBe("not_found");

    expect(await reasonOf(whichChild(t.inbox, sup, "not_a_pid"))).toBe("simple_one_for_one");
  });
});

/** A stand-in for `global`: names of live processes; a name frees up when its process dies. */
class GlobalRegistry implements ViaRegistry {
  private readonly names = new Map<unknown, Pid>();
  private readonly node: Node;
  constructor(node: Node) {
    this.node = node;
  }
  registerName(name: unknown, pid: Pid): boolean {
    if (this.whereisName(name) !== undefined) return false;
    this.names.set(name, pid);
    return true;
  }
  unregisterName(name: unknown): void {
    this.names.delete(name);
  }
  whereisName(name: unknown): Pid | undefined {
    const pid = this.names.get(name);
    return pid !== undefined && this.node.isAlive(pid) ? pid : undefined;
  }
  send(name: unknown, message: unknown): void {
    const pid = this.whereisName(name);
    if (pid === undefined) throw new BadArgError(`not registered: ${String(name)}`);
    this.node.send(pid, message);
  }
}

/** The suite's gen_server9212: `{fail, With, After}` makes it crash with `With` after `After` ms. */
class Server9212 extends GenServer {
  init() {
    return ok([]);
  }
  override async handleInfo(message: unknown, state: unknown) {
    const m = message as { fail?: string; after?: number };
    if (m.fail !== undefined) {
      await sleep(this.self, m.after ?? 0);
      throw new Error(m.fail);
    }
    return noreply(state);
  }
}
