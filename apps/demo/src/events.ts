/** The store's event manager and its two handlers: an audit log and metrics (gen-event). */
import { addHandler, EventHandler, GenEvent, managerNamed, ok, reply } from "@maquis/gen-event";
import type { ChildSpec } from "@maquis/supervisor";

/** What the store reports: every write, by key. */
export type KvEvent = { readonly op: "put"; readonly key: string; readonly value: string };

/** The manager's registered name, typed with the events it takes. */
export const kvEvents = managerNamed<KvEvent>("kv_events");

/** Prints one line per write. */
export class AuditLog extends EventHandler<KvEvent, (line: string) => void, (line: string) => void> {
  init(print: (line: string) => void) {
    return ok(print);
  }

  override handleEvent(event: KvEvent, print: (line: string) => void) {
    print(`audit: put ${event.key}=${event.value}`);
    return ok(print);
  }
}

/** Counts writes per key; answers `"snapshot"` calls. */
export class WriteMetrics extends EventHandler<
  KvEvent,
  Map<string, number>,
  undefined,
  "snapshot",
  Record<string, number>
> {
  init() {
    return ok(new Map<string, number>());
  }

  override handleEvent(event: KvEvent, counts: Map<string, number>) {
    return ok(counts.set(event.key, (counts.get(event.key) ?? 0) + 1));
  }

  override handleCall(_request: "snapshot", counts: Map<string, number>) {
    return reply(Object.fromEntries(counts), counts);
  }
}

/**
 * The manager as a supervised child, registered as `kv_events`, with its handlers added in its start
 * function (so a restart brings them back): the audit log when `audit` prints somewhere, and metrics.
 */
export const kvEventsChild = (audit?: (line: string) => void): ChildSpec => ({
  id: "kv_events",
  start: async (parent) => {
    const manager = await GenEvent.startLink(parent, { name: "kv_events" });
    if (audit !== undefined) await addHandler(parent, manager, AuditLog, audit);
    await addHandler(parent, manager, WriteMetrics);
    return manager;
  },
  modules: "dynamic",
});
