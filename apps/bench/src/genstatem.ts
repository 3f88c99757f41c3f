/**
 * The gen-statem measure, on the same work as the Erlang reference (maquis_bench:gen_statem_events/0
 * with erlang/maquis_bench_statem.erl), written as a user of `@maquis/gen-statem` would write it.
 */
import {
  type Call,
  call,
  cast,
  GenStatem,
  keepStateAndData,
  nextState,
  ok,
  reply,
  type StatemEvent,
  stateTimeout,
  stop,
} from "@maquis/gen-statem";
import { withNode } from "./genserver.js";

const now = () => performance.now();
const rate = (n: number, t0: number, t1 = now()) => n / ((t1 - t0) / 1000);

interface FlipProtocol {
  calls: Call<"count", number>;
  casts: "flip";
}

type Side = "a" | "b";
type FlipEvent = StatemEvent<FlipProtocol, Side>;

/**
 * maquis_bench_statem: two states with state enter calls; each `flip` cast moves a -> b -> a and
 * counts, so every event is a real state change (the state timeout is cancelled, and the new state's
 * enter call sets it again). The 60 s state timeout never fires during a run.
 */
class Flipper extends GenStatem<Side, number, undefined, FlipProtocol> {
  callbackMode() {
    return ["stateFunctions", "stateEnter"] as const;
  }
  init() {
    return ok<Side, number>("a", 0);
  }
  a(event: FlipEvent, n: number) {
    return this.on(event, "b", n);
  }
  b(event: FlipEvent, n: number) {
    return this.on(event, "a", n);
  }
  private on(event: FlipEvent, other: Side, n: number) {
    switch (event.type) {
      case "enter":
        return keepStateAndData(stateTimeout(60_000, "idle"));
      case "cast":
        return nextState(other, n + 1);
      case "call":
        return keepStateAndData(reply(event.from, n));
      default:
        return stop("idle_timeout");
    }
  }
}

/**
 * gen-statem-events: `n` `flip` casts from one process in windows of `window`, each closed by a call
 * (no timeout, the gen-statem default) that returns the count; events/s from the first cast to the last
 * reply. Windowed on both sides so that the figure is the machine's: an unwindowed Erlang caster
 * outruns the machine and the Erlang figure becomes the cost of a ~1M-message mailbox (see
 * maquis_bench.erl).
 */
export const genStatemEvents = (n = 2_000_000, window = 1000): Promise<number> =>
  withNode(async (node) => {
    const machine = await Flipper.start(node);
    const driver = node.inbox();
    const t0 = now();
    node.spawn(async (self) => {
      let count = 0;
      for (let sent = 0; sent < n; ) {
        const end = Math.min(n, sent + window);
        for (; sent < end; sent++) cast(self, machine, "flip");
        count = await call(self, machine, "count");
      }
      self.send(driver.pid, count);
    });
    const count = await driver.receive();
    const t1 = now();
    if (count !== n) throw new Error(`machine counted ${count} events of ${n}`);
    await GenStatem.stop(driver, machine);
    driver.close();
    return rate(n, t0, t1);
  });
