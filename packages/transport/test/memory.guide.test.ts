/**
 * The in-memory network example of docs/distribution.md, run as written (plus assertions), so that the
 * guide cannot drift from the code.
 */
import { VirtualClock } from "@maquis/core";
import { expect, it } from "vitest";
import type { CloseInfo } from "../src/Connection.js";
import { type FrameEvent, MemoryNetwork } from "../src/memory/index.js";

it("the guide's example: an echo over a lossy, slow link, then a partition and heal", async () => {
  const clock = new VirtualClock();
  const network = new MemoryNetwork({ clock, seed: 42, delivery: "manual" });
  const trace: FrameEvent[] = [];
  network.onFrame = (event) => trace.push(event);

  await network.medium("b").listen("memory://b", (connection) => {
    connection.onFrame = (frame) => connection.send(frame); // echo
  });
  const conn = await network.medium("a").connect("memory://b", { from: "a", to: "b", channel: "data" });
  const echoed: number[] = [];
  const closes: CloseInfo[] = [];
  conn.onFrame = (frame) => echoed.push(frame[0]!);
  conn.onClose = (info) => closes.push(info);

  network.faults.add({ from: "a", to: "b", channel: "data", drop: 0.2, delay: [5, 20] });
  for (let i = 0; i < 10; i++) conn.send(Uint8Array.of(i));
  network.runUntilIdle(); // nothing yet: every frame that survived the drop is delayed
  expect(echoed).toEqual([]);
  clock.advance(20);
  network.runUntilIdle(); // the survivors are echoed, in order
  expect(echoed).toEqual([0, 1, 3, 4, 5, 6, 7, 8]);
  expect(trace.filter((e) => e.fate === "dropped").map((e) => e.id)).toEqual([3, 10]);

  const split = network.partition(["a"], ["b"]); // conn closes with reason "partitioned"
  network.runUntilIdle();
  expect(closes).toEqual([{ code: 1006, reason: "partitioned", local: false }]);
  await expect(
    network.medium("a").connect("memory://b", { from: "a", to: "b", channel: "data" }),
  ).rejects.toThrow("refused: partitioned");
  split.heal(); // a can dial b again
  const redialled = await network.medium("a").connect("memory://b", { from: "a", to: "b", channel: "data" });
  expect(redialled.open).toBe(true);
});
