/** The worked example of docs/gen-event.md, kept compiling and working. */
import type { Node } from "@maquis/core";
import { setLogger, sys } from "@maquis/sys";
import { expect, it } from "vitest";
import {
  EventHandler,
  GenEvent,
  GenEventError,
  GenEventExit,
  type HandlerState,
  isGenEventExit,
  type ManagerStatus,
  ok,
  removeHandler,
  reply,
} from "../src/index.js";
import { useNodes } from "./support.js";

// ---- the guide's code, as written there ----

type AppEvent =
  | { readonly type: "request"; readonly path: string; readonly ms: number }
  | { readonly type: "error"; readonly message: string };

/** Writes one line per event to a sink (an array here; a file or a log service in real code). */
class TextLogger extends EventHandler<AppEvent, string[], string[]> {
  init(sink: string[]) {
    return ok(sink);
  }

  override handleEvent(event: AppEvent, sink: string[]) {
    sink.push(event.type === "request" ? `${event.path} ${event.ms}ms` : `error: ${event.message}`);
    return ok(sink);
  }

  // On a swap, hand the sink over to the next logger.
  override terminate(_reason: unknown, sink: string[]) {
    return sink;
  }
}

interface Metrics {
  readonly requests: number;
  readonly errors: number;
  readonly totalMs: number;
}

/** Counts requests and errors; answers `"snapshot"` calls. */
class MetricsHandler extends EventHandler<AppEvent, Metrics, undefined, "snapshot", Metrics> {
  init() {
    return ok({ requests: 0, errors: 0, totalMs: 0 });
  }

  override handleEvent(event: AppEvent, m: Metrics) {
    return event.type === "request"
      ? ok({ ...m, requests: m.requests + 1, totalMs: m.totalMs + event.ms })
      : ok({ ...m, errors: m.errors + 1 });
  }

  override handleCall(_request: "snapshot", m: Metrics) {
    return reply(m, m);
  }
}

/** Pages someone on errors; it has a bug: an error without a message crashes it. */
class Pager extends EventHandler<AppEvent, string[], string[]> {
  init(pages: string[]) {
    return ok(pages);
  }

  override handleEvent(event: AppEvent, pages: string[]) {
    if (event.type !== "error") return ok(pages);
    if (event.message.length === 0) throw new Error("cannot page an empty message");
    pages.push(event.message);
    return pages.length >= 100 ? removeHandler() : ok(pages);
  }
}

/** The logger swapped in: JSON lines, on the sink the old logger handed over. */
class JsonLogger extends EventHandler<AppEvent, string[], [unknown, string[]]> {
  init([_args, sink]: [unknown, string[]]) {
    return ok(sink);
  }

  override handleEvent(event: AppEvent, sink: string[]) {
    sink.push(JSON.stringify(event));
    return ok(sink);
  }
}

const startNode = useNodes("guide");

it("the guide's event manager: logger, metrics, a supervised pager, a swap", async () => {
  const { node: testNode } = startNode();
  const node: Node = testNode;

  // ---- Start a manager and add handlers ----
  const events = await GenEvent.start<AppEvent>(node, { name: "events" });
  const lines: string[] = [];
  await GenEvent.addHandler(node, events, TextLogger, lines);
  await GenEvent.addHandler(node, events, MetricsHandler);

  GenEvent.notify(node, events, { type: "request", path: "/", ms: 12 });
  await GenEvent.syncNotify(node, events, { type: "error", message: "db down" });
  // lines: ["/ 12ms", "error: db down"]
  expect(lines).toEqual(["/ 12ms", "error: db down"]);

  const snapshot = await GenEvent.call(node, events, MetricsHandler, "snapshot");
  // { requests: 1, errors: 1, totalMs: 12 }
  expect(snapshot).toEqual({ requests: 1, errors: 1, totalMs: 12 });

  // ---- A supervised handler ----
  const owner = node.inbox(); // any process: a gen-server's `this.self`, say
  const pages: string[] = [];
  await GenEvent.addSupHandler(owner, events, Pager, pages);
  expect(await GenEvent.whichHandlers(node, events)).toEqual([Pager, MetricsHandler, TextLogger]);

  await GenEvent.syncNotify(node, events, { type: "error", message: "" }); // Pager crashes
  const exit = await owner.receive((m): m is GenEventExit => m instanceof GenEventExit);
  // exit.handler === Pager, exit.reason: { exit: Error("cannot page an empty message") }
  expect(exit.handler).toBe(Pager);
  expect(exit.reason).toEqual({ exit: new Error("cannot page an empty message") });
  // The others handled the event all the same.
  expect(lines.at(-1)).toBe("error: ");
  expect(await GenEvent.call(node, events, MetricsHandler, "snapshot")).toEqual({
    requests: 1,
    errors: 2,
    totalMs: 12,
  });
  // The owner decides what to do: here, put it back.
  await GenEvent.addSupHandler(owner, events, Pager, pages);

  // ---- Swap the logger, keeping its sink ----
  await GenEvent.swapHandler(node, events, [TextLogger, "swap"], [JsonLogger, undefined]);
  GenEvent.notify(node, events, { type: "request", path: "/health", ms: 1 });
  expect(await GenEvent.whichHandlers(node, events)).toEqual([JsonLogger, Pager, MetricsHandler]);
  // lines ends with '{"type":"request","path":"/health","ms":1}'
  expect(lines.at(-1)).toBe('{"type":"request","path":"/health","ms":1}');

  // ---- Errors ----
  const missing = await GenEvent.call(node, events, TextLogger, "snapshot").catch((e) => e);
  // a GenEventError whose reason is "bad_module": no such handler
  expect(missing).toBeInstanceOf(GenEventError);
  expect((missing as GenEventError).reason).toBe("bad_module");

  // ---- Inspecting ----
  const states = await sys.getState<HandlerState[]>(node, events);
  expect(states.map((h) => h.handler)).toEqual([JsonLogger, Pager, MetricsHandler]);
  expect(states[0]).toEqual({ handler: JsonLogger, id: undefined, state: lines });
  await sys.replaceState(node, events, (h: HandlerState) =>
    h.handler === MetricsHandler ? { ...h, state: { requests: 0, errors: 0, totalMs: 0 } } : h,
  );
  expect(await GenEvent.call(node, events, MetricsHandler, "snapshot")).toEqual({
    requests: 0,
    errors: 0,
    totalMs: 0,
  });
  const { misc } = await sys.getStatus(node, events);
  expect((misc as ManagerStatus).header).toBe("Status for event handler events");
  const traced: string[] = [];
  setLogger(node, (e) => {
    if (e.kind === "trace") traced.push(e.text);
  });
  await sys.trace(node, events, true);
  await GenEvent.call(node, events, MetricsHandler, "snapshot");
  expect(traced).toEqual(["*DBG* events(MetricsHandler) got call snapshot"]);

  await GenEvent.stop(node, events);
  const stopped = await owner.receive(isGenEventExit(Pager));
  expect(stopped.reason).toBe("shutdown");
});
