/**
 * RefTable, where a process keeps the monitors held on it: entries found by ref, including refs of
 * different nodes or incarnations that share an id.
 */
import { describe, expect, it } from "vitest";
import { Ref } from "../src/index.js";
import { RefTable } from "../src/internal/RefTable.js";

interface Entry {
  readonly ref: Ref;
  readonly label: string;
}

const entry = (ref: Ref, label: string): Entry => ({ ref, label });

describe("RefTable", () => {
  it("finds an entry by an equal ref decoded separately, and replaces it on set", () => {
    const table = new RefTable<Entry>();
    table.set(entry(new Ref("a@h", 1, 7), "first"));
    expect(table.get(new Ref("a@h", 1, 7))?.label).toBe("first");
    table.set(entry(new Ref("a@h", 1, 7), "second"));
    expect(table.size).toBe(1);
    expect(table.get(new Ref("a@h", 1, 7))?.label).toBe("second");
    expect(table.delete(new Ref("a@h", 1, 7))).toBe(true);
    expect(table.size).toBe(0);
    expect(table.get(new Ref("a@h", 1, 7))).toBeUndefined();
  });

  it("keeps refs that share an id apart: other node, other incarnation", () => {
    const table = new RefTable<Entry>();
    const refs = [new Ref("a@h", 1, 7), new Ref("b@h", 1, 7), new Ref("a@h", 2, 7), new Ref("a@h", 1, 8)];
    for (const [i, ref] of refs.entries()) table.set(entry(ref, `e${i}`));
    expect(table.size).toBe(4);
    for (const [i, ref] of refs.entries()) {
      expect(table.get(new Ref(ref.node, ref.creation, ref.id))?.label).toBe(`e${i}`);
    }
    table.set(entry(new Ref("b@h", 1, 7), "replaced"));
    expect(table.size).toBe(4);
    expect(table.get(new Ref("b@h", 1, 7))?.label).toBe("replaced");

    expect(table.delete(new Ref("c@h", 1, 7))).toBe(false);
    expect(table.delete(new Ref("a@h", 1, 7))).toBe(true);
    expect(table.get(new Ref("a@h", 1, 7))).toBeUndefined();
    expect(table.get(new Ref("b@h", 1, 7))?.label).toBe("replaced");
    expect(table.get(new Ref("a@h", 2, 7))?.label).toBe("e2");
    expect(table.size).toBe(3);
    expect(table.delete(new Ref("a@h", 2, 7))).toBe(true);
    expect(table.delete(new Ref("a@h", 2, 7))).toBe(false);
    expect([...table.values()].map((e) => e.label).sort()).toEqual(["e3", "replaced"]);
    expect(table.size).toBe(2);
  });

  it("deleteWhere removes exactly the entries it accepts, shared slots included", () => {
    const table = new RefTable<Entry>();
    for (let id = 0; id < 20; id++) {
      table.set(entry(new Ref("a@h", 1, id), "a"));
      if (id % 2 === 0) table.set(entry(new Ref("b@h", 1, id), "b"));
    }
    expect(table.size).toBe(30);
    table.deleteWhere((e) => e.ref.node === "b@h");
    expect(table.size).toBe(20);
    expect([...table.values()].every((e) => e.ref.node === "a@h")).toBe(true);
    expect(table.get(new Ref("b@h", 1, 4))).toBeUndefined();
    expect(table.get(new Ref("a@h", 1, 4))?.label).toBe("a");
  });
});
