/** supervisor_SUITE: code_change, code_change_map, code_change_simple, code_change_simple_map. */
import { describe, expect, it } from "vitest";
import { getChildspec, restartChild, whichChildren } from "../src/index.js";
import { startSupTest, sup1, tuple } from "./fixtures.js";
import { fakeUpgrade, stateOf, stopProcess, useNodes } from "./support.js";

const startNode = useNodes("supcc");

const ids = async (t: ReturnType<typeof startNode>, sup: Parameters<typeof whichChildren>[1]) =>
  (await whichChildren(t.inbox, sup)).map((c) => c.id);

describe("supervisor_SUITE", () => {
  it("code_change", async () => {
    const t = startNode();
    const flags = { strategy: "one_for_one", intensity: 0, period: 1 };
    const pid = await startSupTest(t, { flags, children: [] });
    expect(await whichChildren(t.inbox, pid)).toEqual([]);

    // Change the supervisor flags
    const s1 = await stateOf(t, pid);
    expect(
      await fakeUpgrade(t, pid, {
        flags: { strategy: "one_for_one", intensity: 1, period: 3 },
        children: [],
      }),
    ).toBe("ok");
    const s2 = await stateOf(t, pid);
    expect([s1.intensity, s1.period]).toEqual([0, 1]);
    expect([s2.intensity, s2.period]).toEqual([1, 3]);

    // Faulty child spec (the tuple form with the start missing: not a spec)
    const faulty = ["child1", "permanent", "brutal_kill", "worker", []];
    expect(await fakeUpgrade(t, pid, { flags, children: [faulty] })).toEqual({ invalidChildSpec: faulty });

    // Add child1 and child2
    const child1 = tuple("child1", sup1(), "permanent", 2000, "worker", []);
    const child2 = tuple("child2", sup1(), "permanent", "brutal_kill", "worker", []);
    expect(await fakeUpgrade(t, pid, { flags, children: [child1, child2] })).toBe("ok");
    // Children are not started automatically
    expect(await whichChildren(t.inbox, pid)).toEqual([
      { id: "child2", pid: undefined, type: "worker", modules: [] },
      { id: "child1", pid: undefined, type: "worker", modules: [] },
    ]);
    await restartChild(t.inbox, pid, "child1");
    await restartChild(t.inbox, pid, "child2");
    expect(await ids(t, pid)).toEqual(["child2", "child1"]);

    // Change child1, remove child2 and add child3
    const child11 = tuple("child1", sup1(), "permanent", 1000, "worker", []);
    const child3 = tuple("child3", sup1(), "permanent", "brutal_kill", "worker", []);
    expect(await fakeUpgrade(t, pid, { flags, children: [child11, child3] })).toBe("ok");
    // Children are not deleted on upgrade, so child2 is still here
    expect(await ids(t, pid)).toEqual(["child2", "child3", "child1"]);

    // Ignore during upgrade
    expect(await fakeUpgrade(t, pid, "ignore")).toBe("ok");
    // Error during upgrade
    expect(await fakeUpgrade(t, pid, "faulty_return")).toEqual({
      badReturn: { module: "SupTest", function: "init", value: "faulty_return" },
    });
    // Faulty flags
    expect(
      await fakeUpgrade(t, pid, {
        flags: { strategy: "one_for_one", intensity: "faulty_intensity", period: 1 },
        children: [],
      }),
    ).toEqual({ invalidIntensity: "faulty_intensity" });
    expect(await fakeUpgrade(t, pid, { flags: "faulty_flags", children: [] })).toEqual({
      badFlags: "faulty_flags",
    });

    await stopProcess(t, pid, "shutdown");
  });

  it("code_change_map", async () => {
    const t = startNode();
    const pid = await startSupTest(t, { flags: {}, children: [] });
    expect(await whichChildren(t.inbox, pid)).toEqual([]);

    // Change the supervisor flags
    expect(await fakeUpgrade(t, pid, { flags: { intensity: 1, period: 3 }, children: [] })).toBe("ok");
    const s2 = await stateOf(t, pid);
    expect([s2.intensity, s2.period]).toEqual([1, 3]);

    // Faulty child spec
    expect(await fakeUpgrade(t, pid, { flags: {}, children: [{ id: "faulty_child" }] })).toBe(
      "missing_start",
    );

    // Add child1 and child2
    const child1 = { id: "child1", start: sup1(), shutdown: 2000 };
    const child2 = { id: "child2", start: sup1() };
    expect(await fakeUpgrade(t, pid, { flags: {}, children: [child1, child2] })).toBe("ok");
    // Children are not started automatically
    await restartChild(t.inbox, pid, "child1");
    await restartChild(t.inbox, pid, "child2");
    expect(await ids(t, pid)).toEqual(["child2", "child1"]);
    expect((await getChildspec(t.inbox, pid, "child1")).shutdown).toBe(2000);

    // Change child1, remove child2 and add child3
    const child11 = { id: "child1", start: sup1(), shutdown: 1000 };
    const child3 = { id: "child3", start: sup1() };
    expect(await fakeUpgrade(t, pid, { flags: {}, children: [child11, child3] })).toBe("ok");
    expect(await ids(t, pid)).toEqual(["child2", "child3", "child1"]);
    expect((await getChildspec(t.inbox, pid, "child1")).shutdown).toBe(1000);

    expect(await fakeUpgrade(t, pid, "ignore")).toBe("ok");
    expect(await fakeUpgrade(t, pid, "faulty_return")).toEqual({
      badReturn: { module: "SupTest", function: "init", value: "faulty_return" },
    });
    expect(await fakeUpgrade(t, pid, { flags: { intensity: "faulty_intensity" }, children: [] })).toEqual({
      invalidIntensity: "faulty_intensity",
    });

    await stopProcess(t, pid, "shutdown");
  });

  it("code_change_simple", async () => {
    const t = startNode();
    const simpleChild1 = tuple("child1", sup1(), "permanent", "brutal_kill", "worker", []);
    const flags = { strategy: "simple_one_for_one", intensity: 0, period: 1 };
    const pid = await startSupTest(t, { flags, children: [simpleChild1] });
    // Change the child spec
    const simpleChild11 = tuple("child1", sup1(), "permanent", 1000, "worker", []);
    expect(await fakeUpgrade(t, pid, { flags, children: [simpleChild11] })).toBe("ok");
    expect((await stateOf(t, pid)).children.db.get("child1")?.shutdown).toBe(1000);
    // Attempt to add a child
    const simpleChild2 = tuple("child2", sup1(), "permanent", "brutal_kill", "worker", []);
    expect(await fakeUpgrade(t, pid, { flags, children: [simpleChild1, simpleChild2] })).toEqual({
      badStartSpec: [simpleChild1, simpleChild2],
    });
    // Attempt to remove the child
    expect(await fakeUpgrade(t, pid, { flags, children: [] })).toEqual({ badStartSpec: [] });
    await stopProcess(t, pid, "shutdown");
  });

  it("code_change_simple_map", async () => {
    const t = startNode();
    const simpleChild1 = { id: "child1", start: sup1() };
    const flags = { strategy: "simple_one_for_one" };
    const pid = await startSupTest(t, { flags, children: [simpleChild1] });
    const simpleChild11 = { id: "child1", start: sup1(), shutdown: 1000 };
    expect(await fakeUpgrade(t, pid, { flags, children: [simpleChild11] })).toBe("ok");
    expect((await stateOf(t, pid)).children.db.get("child1")?.shutdown).toBe(1000);
    const simpleChild2 = { id: "child2", start: sup1() };
    expect(await fakeUpgrade(t, pid, { flags, children: [simpleChild1, simpleChild2] })).toEqual({
      badStartSpec: [simpleChild1, simpleChild2],
    });
    expect(await fakeUpgrade(t, pid, { flags, children: [] })).toEqual({ badStartSpec: [] });
    await stopProcess(t, pid, "shutdown");
  });
});
