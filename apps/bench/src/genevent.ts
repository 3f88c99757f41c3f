/**
 * The gen-event measure, on the same work as the Erlang reference (maquis_bench:gen_event_notify/0 with
 * erlang/maquis_bench_handler.erl), written as a user of `@maquis/gen-event` would write it.
 */
import { EventHandler, GenEvent, ok, reply } from "@maquis/gen-event";
import { withNode } from "./genserver.js";

const now = () => performance.now();
const rate = (n: number, t0: number, t1 = now()) => n / ((t1 - t0) / 1000);

/** maquis_bench_handler: counts the events it is notified of; `count` returns the count. */
class CountingHandler extends EventHandler<"tick", number, number, "count", number> {
  init(start: number) {
    return ok(start);
  }
  override handleEvent(_event: "tick", n: number) {
    return ok(n + 1);
  }
  override handleCall(_request: "count", n: number) {
    return reply(n, n);
  }
}

/**
 * gen-event-notify: a manager with `handlers` counting handlers (`{ handler, id }`, as Erlang's
 * `{Module, Id}`) gets `n` notifies from one process in windows of `window`, each closed by a call (no
 * timeout) to the first handler: the manager handles messages in order, so every notify before it has
 * reached every handler. events/s from the first notify to the last reply, windowed as
 * gen-statem-events is; the other handlers' counts are checked after the clock stops.
 */
export const genEventNotify = (n = 1_000_000, handlers = 10, window = 1000): Promise<number> =>
  withNode(async (node) => {
    const manager = await GenEvent.start<"tick">(node);
    const ids = Array.from({ length: handlers }, (_, i) => ({ handler: CountingHandler, id: i + 1 }));
    for (const id of ids) await GenEvent.addHandler(node, manager, id, 0);
    const first = ids[0]!;
    const driver = node.inbox();
    const t0 = now();
    node.spawn(async (self) => {
      let count = 0;
      for (let sent = 0; sent < n; ) {
        const end = Math.min(n, sent + window);
        for (; sent < end; sent++) GenEvent.notify(self, manager, "tick");
        count = await GenEvent.call(self, manager, first, "count", Number.POSITIVE_INFINITY);
      }
      self.send(driver.pid, count);
    });
    const count = await driver.receive();
    const t1 = now();
    if (count !== n) throw new Error(`handler 1 counted ${count} events of ${n}`);
    for (const id of ids.slice(1)) {
      const c = await GenEvent.call(driver, manager, id, "count");
      if (c !== n) throw new Error(`handler ${id.id} counted ${c} events of ${n}`);
    }
    await GenEvent.stop(driver, manager);
    driver.close();
    return rate(n, t0, t1);
  });
