/**
 * The `sys` debug state of one process: trace, the event log, statistics and installed debug functions
 * (Erlang's `sys:debug_options/1` and `sys:handle_debug/4`). A behaviour keeps `null` while nothing is
 * on, so the hot path pays one null check.
 */
import { describe, type Node, type Pid } from "@maquis/core";
import { log } from "./Logger.js";

/** An event a behaviour reports to its debug state (`{in, Msg}`, `{out, Reply, To}`, …). */
export type SystemEvent =
  | { readonly kind: "in"; readonly message: unknown; readonly from?: Pid }
  | { readonly kind: "out"; readonly reply: unknown; readonly to: Pid; readonly state?: unknown }
  | { readonly kind: "noreply"; readonly state: unknown }
  | { readonly kind: "continue"; readonly value: unknown }
  | { readonly kind: string; readonly [detail: string]: unknown };

/**
 * A debug function (`sys:install/2`): called with its own state, the event and the process's name (or
 * pid); returns its next state, or `"done"` to uninstall itself.
 */
export type DebugFn = (state: unknown, event: SystemEvent, name: unknown) => unknown;

/** Debug options at start (Erlang's `{debug, [trace | log | {log, N} | statistics | {install, …}]}`). */
export type DebugOption =
  | "trace"
  | "log"
  | { readonly log: number }
  | "statistics"
  | { readonly install: readonly [id: unknown, fn: DebugFn, state: unknown] };

/** What `statistics(ref, "get")` returns. */
export interface Statistics {
  /** Clock time (node clock, ms) when statistics were turned on. */
  readonly startTime: number;
  readonly currentTime: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
}

const DEFAULT_LOG_SIZE = 10;

export class Debug {
  trace = false;
  logSize = 0;
  events: SystemEvent[] | null = null;
  /** The format each logged event came with (Erlang keeps `{Event, State, FormFunc}`), for `print`. */
  private formats: Array<(e: SystemEvent) => string> = [];
  stats: { startTime: number; messagesIn: number; messagesOut: number } | null = null;
  /** Installed functions by id (the function itself when installed without one). */
  readonly funs = new Map<unknown, { fn: DebugFn; state: unknown }>();

  static from(options: readonly DebugOption[] | undefined, node: Node): Debug | null {
    if (options === undefined || options.length === 0) return null;
    const debug = new Debug();
    for (const option of options) {
      if (option === "trace") debug.trace = true;
      else if (option === "log") debug.setLog(DEFAULT_LOG_SIZE);
      else if (option === "statistics") debug.setStatistics(true, node);
      else if ("log" in option) debug.setLog(option.log);
      else if ("install" in option) debug.install(option.install[0], option.install[1], option.install[2]);
    }
    return debug;
  }

  get idle(): boolean {
    return !this.trace && this.events === null && this.stats === null && this.funs.size === 0;
  }

  setLog(size: number | false): void {
    if (size === false) {
      this.events = null;
      this.formats = [];
      this.logSize = 0;
    } else {
      this.logSize = size;
      this.events ??= [];
      if (this.events.length > size) {
        this.formats.splice(0, this.events.length - size);
        this.events.splice(0, this.events.length - size);
      }
    }
  }

  setStatistics(on: boolean, node: Node): void {
    this.stats = on ? { startTime: node.clock.now(), messagesIn: 0, messagesOut: 0 } : null;
  }

  statistics(node: Node): Statistics | undefined {
    const stats = this.stats;
    if (stats === null) return undefined;
    return { ...stats, currentTime: node.clock.now() };
  }

  /** Installs `fn` under `id`; installing the same id (or the same function) again keeps the first. */
  install(id: unknown, fn: DebugFn, state: unknown): void {
    if (!this.funs.has(id)) this.funs.set(id, { fn, state });
  }

  /**
   * Removes the function installed under `idOrFn` (its id, or the function itself when it was
   * installed without one). As in Erlang, a function installed under an id is removed by that id only.
   */
  remove(idOrFn: unknown): void {
    this.funs.delete(idOrFn);
  }

  /** Prints the logged events through the node's logger, as trace lines (Erlang's `sys:print_log/1`). */
  print(node: Node, pid: Pid): void {
    const events = this.events;
    if (events === null) return;
    events.forEach((event, i) => {
      const format = this.formats[i] ?? ((e: SystemEvent) => describe(e));
      log(node, "debug", "trace", pid, `*DBG* ${format(event)}`, { event });
    });
  }

  /**
   * Records one event: counts it, logs it, traces it (with `format` for the text) and runs the
   * installed functions. A function that returns `"done"` or throws an `Error` is removed; a thrown
   * non-Error value is its next state (the throw rule, as Erlang's `catch` in `sys:handle_debug/4`).
   */
  event(node: Node, pid: Pid, name: unknown, event: SystemEvent, format: (e: SystemEvent) => string): void {
    const stats = this.stats;
    if (stats !== null) {
      if (event.kind === "in") stats.messagesIn++;
      else if (event.kind === "out") stats.messagesOut++;
    }
    const events = this.events;
    if (events !== null) {
      events.push(event);
      this.formats.push(format);
      if (events.length > this.logSize) {
        events.shift();
        this.formats.shift();
      }
    }
    if (this.trace) log(node, "debug", "trace", pid, `*DBG* ${format(event)}`, { event });
    for (const [id, entry] of this.funs) {
      let next: unknown;
      try {
        next = entry.fn(entry.state, event, name);
      } catch (thrown) {
        next = thrown instanceof Error ? "done" : thrown;
      }
      if (next === "done") this.funs.delete(id);
      else entry.state = next;
    }
  }
}

/** The default text of an event, for behaviours without their own wording. */
export const describeEvent = (name: unknown, event: SystemEvent): string => {
  const who = typeof name === "string" ? name : String(name);
  switch (event.kind) {
    case "in":
      return event.from === undefined
        ? `${who} got ${describe(event.message)}`
        : `${who} got call ${describe(event.message)} from ${event.from}`;
    case "out":
      return `${who} sent ${describe(event.reply)} to ${event.to}`;
    case "noreply":
      return `${who} new state ${describe(event.state)}`;
    case "continue":
      return `${who} continue ${describe(event.value)}`;
    default:
      return `${who} ${event.kind} ${describe(event)}`;
  }
};
