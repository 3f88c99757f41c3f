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
