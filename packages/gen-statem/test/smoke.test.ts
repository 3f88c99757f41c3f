/** A first end-to-end check of the engine: dispatch, enter calls, postpone replay, timeouts. */
import type { ReplyTo } from "@maquis/core";
import { expect, it } from "vitest";
import {
  call,
  cast,
  GenStatem,
  keepStateAndData,
  nextEvent,
  nextState,
  ok,
  postpone,
  reply,
  type StatemEvent,
  stateTimeout,
  eventTimeout,
  keepState,
} from "../src/index.js";
import { drain, useNodes } from "./support.js";

const nodes = useNodes("smoke");

type Door = "locked" | "open";

class DoorLock extends GenStatem<Door, { code: string; log: string[] }, string> {
  callbackMode() {
    return ["stateFunctions", "stateEnter"] as const;
  }
  init(code: string) {
    return ok<Door, { code: string; log: string[] }>("locked", { code, log: [] });
  }
  locked(event: StatemEvent, data: { code: string; log: string[] }) {
    data.log.push(`locked:${event.type}`);
    switch (event.type) {
      case "enter":
        return keepStateAndData();
      case "call":
        if (event.content === data.code)
          return nextState<Door, typeof data>("open", data, reply(event.from, "opened"));
        return keepStateAndData(reply(event.from, "wrong"));
      case "cast":
        return keepStateAndData(postpone());
      default:
        return keepStateAndData();
    }
  }
  open(event: StatemEvent, data: { code: string; log: string[] }) {
    data.log.push(`open:${event.type}:${String((event as { content?: unknown }).content ?? "")}`);
    switch (event.type) {
      case "enter":
        return keepStateAndData(stateTimeout(1000, "lock"));
      case "stateTimeout":
        return nextState<Door, typeof data>("locked", data);
      case "call":
        return keepStateAndData(reply(event.from as ReplyTo, data.log.slice()));
      default:
        return keepStateAndData();
    }
  }
}

it("opens with the code, replays postponed casts, and relocks on the state timeout", async () => {
  const { node, clock } = nodes();
  const door = await DoorLock.start(node, "1234");
  cast(node, door, "knock");
  expect(await call(node, door, "0000")).toBe("wrong");
  expect(await call(node, door, "1234")).toBe("opened");
  await node.idle();
  const log = (await call(node, door, "log")) as string[];
  expect(log).toEqual([
    "locked:enter",
    "locked:cast",
    "locked:call",
    "locked:call",
    "open:enter:",
    "open:cast:knock",
    "open:call:log",
  ]);
  clock.advance(1000);
  await node.idle();
  expect(await call(node, door, "1234")).toBe("opened");
});

class Order extends GenStatem<string, unknown[]> {
  callbackMode() {
    return "handleEvent" as const;
  }
  init() {
    return ok("a", [] as unknown[]);
  }
  override handleEvent(event: StatemEvent, state: string, data: unknown[]) {
    if (event.type === "call") return keepStateAndData(reply(event.from, data));
    data.push([state, event.type, (event as { content?: unknown }).content]);
    if (state === "a" && event.type === "cast" && event.content === "go") {
      return nextState("b", data, [
        nextEvent("internal", 1),
        nextEvent("internal", 2),
        stateTimeout(0, "st0"),
        eventTimeout(0, "ev0"),
      ]);
    }
    if (state === "a") return keepState(data, postpone());
    return keepStateAndData();
  }
}

it("orders inserted, replayed, zero-timeout and new events as OTP does", async () => {
  const { node, inbox } = nodes();
  const m = await Order.start(node);
  cast(node, m, "p1");
  cast(node, m, "p2");
  cast(node, m, "go");
  cast(node, m, "after");
  await node.idle();
  expect(await call(node, m, "get")).toEqual([
    ["a", "cast", "p1"],
    ["a", "cast", "p2"],
    ["a", "cast", "go"],
    ["b", "internal", 1],
    ["b", "internal", 2],
    ["b", "cast", "p1"],
    ["b", "cast", "p2"],
    ["b", "stateTimeout", "st0"],
    ["b", "cast", "after"],
  ]);
  expect(await drain(inbox)).toEqual([]);
});
