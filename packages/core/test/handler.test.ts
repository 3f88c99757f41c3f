/** Handler processes: `select` keeps unselected messages queued, in order, until it is cleared. */
import { expect, it } from "vitest";
import type { Matcher, ProcessContext, ProcessHandler } from "../src/index.js";
import { useNodes } from "./support.js";

const startNode = useNodes("h");

it("select: only accepted messages are handled; the rest are handled in order once it is cleared", async () => {
  const { node } = startNode();
  const handled: unknown[] = [];
  const onlyNumbers: Matcher = (m) => typeof m === "number";
  const handler: ProcessHandler = {
    select: onlyNumbers,
    receive(message: unknown, _self: ProcessContext) {
      handled.push(message);
      if (message === 0) handler.select = undefined;
    },
  };
  const pid = node.spawn(handler);
  for (const m of ["a", 1, "b", 2]) node.send(pid, m);
  await node.idle();
  expect(handled).toEqual([1, 2]);
  expect(node.processInfo(pid)?.messageQueueLength).toBe(2);
  node.send(pid, 0);
  await node.idle();
  expect(handled).toEqual([1, 2, 0, "a", "b"]);
});

it("a handler's callback awaiting receive gets a message parked after the time slice was spent", async () => {
  const { node } = startNode();
  let resolved = false;
  const waiter = node.spawn({
    async init(self: ProcessContext) {
      await self.receive((m) => m === "wanted");
      resolved = true;
    },
    receive() {},
  });
  const bodies = Array.from({ length: 200 }, () =>
    node.spawn(async (self) => {
      await self.receive();
    }),
  );
  await node.idle();
  node.send(waiter, "other");
  const kicker = node.spawn({
    receive() {
      const start = performance.now();
      while (performance.now() - start < 10) {} // spend the 5 ms slice for certain
      for (const b of bodies) node.send(b, "wake");
      node.send(waiter, "wanted"); // the slice is spent: handed over through the run queue
    },
  });
  node.send(kicker, "go");
  await node.idle();
  await node.idle();
  expect(resolved).toBe(true);
});
