/**
 * The typing of the public API: init arguments, call requests and replies are inferred from the
 * handler class, typed managers check their events, and misuse does not compile.
 */
import type { Pid } from "@maquis/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  addHandler,
  call,
  EventHandler,
  GenEvent,
  type HandlerId,
  type ManagerPid,
  managerNamed,
  notify,
  ok,
  removeHandler,
  reply,
  swapHandler,
  syncNotify,
} from "../src/index.js";
import { useNodes } from "./support.js";

const startNode = useNodes("ge_types_");

type Metric = { readonly name: string; readonly value: number };

type TotalsReply = Record<string, number> | number | undefined;

class Totals extends EventHandler<
  Metric,
  Map<string, number>,
  { readonly seed: number },
  "totals" | { sum: string },
  TotalsReply
> {
  init({ seed }: { readonly seed: number }) {
    return ok(new Map([["seed", seed]]));
  }
  override handleEvent(event: Metric, totals: Map<string, number>) {
    return ok(totals.set(event.name, (totals.get(event.name) ?? 0) + event.value));
  }
  override handleCall(request: "totals" | { sum: string }, totals: Map<string, number>) {
    return request === "totals"
      ? reply(Object.fromEntries(totals), totals)
      : reply(totals.get(request.sum), totals);
  }
}

class NoArgs extends EventHandler<Metric, number> {
  init() {
    return ok(0);
  }
  override handleEvent(_event: Metric, n: number) {
    return n > 10 ? removeHandler() : ok(n + 1);
  }
  override handleCall(_request: unknown, n: number) {
    return n > 10 ? swapHandler("args", n, Totals, { seed: n }, "swapped") : reply("kept", n);
  }
}

describe("types", () => {
  it("infers init arguments, requests and replies from the handler class", async () => {
    const { node } = startNode();
    const manager = await GenEvent.start<Metric>(node, { name: "metrics" });
    expectTypeOf(manager).toEqualTypeOf<ManagerPid<Metric>>();
    await addHandler(node, manager, Totals, { seed: 1 });
    await addHandler(node, manager, NoArgs); // init takes no arguments: they may be left out
    await addHandler(node, manager, { handler: NoArgs, id: 2 }, undefined);
    // @ts-expect-error Totals needs its init arguments
    await addHandler(node, manager, Totals).catch(() => undefined);
    // @ts-expect-error wrong init arguments
    await addHandler(node, manager, Totals, { seed: "1" }).catch(() => undefined);

    notify(node, manager, { name: "cpu", value: 3 });
    // @ts-expect-error a typed manager checks its events
    notify(node, manager, "not a metric");
    await syncNotify(node, manager, { name: "cpu", value: 4 });
    notify(node, manager as Pid, "a plain pid takes anything");
    notify(node, managerNamed<Metric>("metrics"), { name: "x", value: 1 });
    // @ts-expect-error managerNamed gives a name its event type
    expectTypeOf(() => notify(node, managerNamed<Metric>("metrics"), 42)).toBeFunction();

    const totals = call(node, manager, Totals, "totals");
    expectTypeOf(totals).toEqualTypeOf<Promise<TotalsReply>>();
    const sum = call(node, manager, { handler: Totals, id: 1 }, { sum: "cpu" });
    expectTypeOf(sum).toEqualTypeOf<Promise<TotalsReply>>();
    await sum.catch(() => undefined);
    // @ts-expect-error not one of Totals' requests
    call(node, manager, Totals, "averages").catch(() => undefined);
    await totals;
  });

  it("handler ids and results are typed", () => {
    expectTypeOf<typeof Totals>().toExtend<HandlerId>();
    expectTypeOf({ handler: Totals, id: 1 }).toExtend<HandlerId>();
    // @ts-expect-error a non-class is not a handler id
    expectTypeOf<{ id: 1 }>().toExtend<HandlerId>();
    class WrongState extends EventHandler<Metric, number> {
      init() {
        return ok(0);
      }
      // @ts-expect-error handleEvent must keep the state type
      override handleEvent(_event: Metric, _n: number) {
        return ok("not a number");
      }
    }
    class CallMustReply extends EventHandler<Metric, number, undefined, "q", number> {
      init() {
        return ok(0);
      }
      // @ts-expect-error handleCall's reply must be the reply type
      override handleCall(_request: "q", n: number) {
        return reply("not a number", n);
      }
    }
    expectTypeOf(WrongState).toBeConstructibleWith();
    expectTypeOf(CallMustReply).toBeConstructibleWith();
  });
});
