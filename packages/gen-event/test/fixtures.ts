/**
 * The handlers of OTP's gen_event_SUITE, clause by clause: `dummy_h.erl` (DummyH), `dummy1_h.erl`
 * (Dummy1H), `gen_event_SUITE_data/oc_event.erl` (OcEvent: init only) and `oc_init_event` (no init at
 * all), plus the helpers the port uses.
 *
 * Erlang → TypeScript: atoms are strings, `{dummy_h, Event}` notes to the test process are
 * `["dummy_h", event]` arrays, `{swap_event, Mod, Args}` is `{ swapEvent: Handler, args }`, `{ok, X}`
 * is `{ ok: X }`, `{return, faulty}` is `{ return: "faulty" }`, and `erlang:error({badmatch, 4})` is
 * `throw new Error("badmatch 4")`.
 */
import { CallError, type Inbox, type Matcher, type Pid, type ProcessContext } from "@maquis/core";
import {
  EventHandler,
  type EventResult,
  GenEventError,
  type HandlerId,
  ok,
  removeHandler,
  reply,
  swapHandler,
} from "../src/index.js";

/** Resolves after `ms` on the process's node clock (Erlang's `receive after T -> ok end`). */
export const sleep = (self: ProcessContext, ms: number): Promise<void> =>
  new Promise((resolve) => {
    self.node.clock.schedule(ms, resolve);
  });

/** `dummy_h`'s state: the parent to notify, or `[]` after a hibernate/wakeup event. */
type DummyState = unknown;

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null;

/** dummy_h: forwards what it gets to its parent, and misbehaves on demand. */
export class DummyH extends EventHandler<unknown, DummyState, unknown, unknown, unknown> {
  init(args: unknown) {
    if (args === "make_error") return { error: "my_error" };
    if (isObject(args) && "state" in args) return ok(args.state);
    if (Array.isArray(args) && args.length === 2 && args[1] === "hibernate") return ok(args[0], "hibernate");
    if (Array.isArray(args) && args.length === 1) return ok(args[0]);
    throw new Error(`function_clause: DummyH.init(${String(args)})`);
  }

  override handleEvent(event: unknown, state: DummyState): EventResult<DummyState> {
    if (isObject(event) && "swapEvent" in event) {
      return swapHandler("swap", state, event.swapEvent as HandlerId, event.args);
    }
    if (event === "error_event") return { return: "faulty" } as never;
    if (event === "do_crash") throw new Error("badmatch 4");
    if (event === "hibernate") return ok([], "hibernate");
    if (event === "wakeup") return ok([]);
    if (isObject(event) && event.op === "handle_event") {
      this.self.send(event.from as Pid, "handled_event");
      return ok([]);
    }
    this.self.send(state as Pid, ["dummy_h", event]);
    return ok(state);
  }

  override handleCall(request: unknown, state: DummyState) {
    if (request === "hejsan") return reply({ ok: "hejhopp" }, state);
    if (isObject(request) && "swapCall" in request) {
      return swapHandler("swap", state, request.swapCall as HandlerId, request.args, { ok: "swapped" });
    }
    if (request === "error_call") return { return: "faulty" } as never;
    if (request === "exit_call") throw new Error("badmatch 4");
    if (request === "hibernate") return reply(true, [], "hibernate");
    if (request === "hibernate_later") {
      this.self.sendAfter(1000, this.self.pid, "sleep");
      return reply("later", []);
    }
    if (isObject(request) && "delayedAnswer" in request) {
      // `receive after T`: an async handleCall, the manager waits for it
      return sleep(this.self, request.delayedAnswer as number).then(() => reply("delayed", state));
    }
    return reply("ok", state);
  }

  override handleInfo(info: unknown, state: DummyState): EventResult<DummyState> {
    if (isObject(info) && "swapInfo" in info) {
      return swapHandler("swap", state, info.swapInfo as HandlerId, info.args);
    }
    if (info === "error_info") return { return: "faulty" } as never;
    if (info === "do_crash") throw new Error("badmatch 4");
    if (info === "sleep") return ok([], "hibernate");
    if (info === "wake" || info === "gnurf") return ok([]);
    if (isObject(info) && info.op === "handle_info") {
      this.self.send(info.from as Pid, "handled_info");
      return ok([]);
    }
    this.self.send(state as Pid, ["dummy_h", info]);
    return ok(state);
  }

  override terminate(arg: unknown, state: DummyState): unknown {
    if (arg === "return_hej") return "return_hej";
    if (arg === "swap") return { ok: state };
    if (isObject(arg) && isObject(arg.error) && arg.error.return === "faulty") {
      this.self.send(state as Pid, ["dummy_h", "returned_error"]);
      return undefined;
    }
    if (isObject(state) && "undefInTerminate" in state) {
      // Erlang's `Mod:Fun()` on a function that does not exist: JavaScript's TypeError
      const [module, fun] = state.undefInTerminate as [Record<string, unknown>, string];
      (module[fun] as () => void)();
      return "ok";
    }
    return "ok";
  }

  override formatStatus() {
    return "dummy1_h handler state";
  }
}

/** dummy1_h: the handler dummy_h swaps to; removes itself on `delete_*`. */
export class Dummy1H extends EventHandler<unknown, DummyState, unknown, unknown, unknown> {
  init(args: unknown) {
    if (args === "make_error") return { error: "my_error" };
    if (Array.isArray(args) && args.length === 2 && args[1] === "error") return "non_existing" as never; // swap from a missing handler
    if (
      Array.isArray(args) &&
      args.length === 2 &&
      args[0] === "swap" &&
      isObject(args[1]) &&
      "ok" in args[1]
    ) {
      return ok(args[1].ok);
    }
    if (Array.isArray(args) && args.length === 1) return ok(args[0]);
    throw new Error(`function_clause: Dummy1H.init(${String(args)})`);
  }

  override handleEvent(event: unknown, parent: DummyState): EventResult<DummyState> {
    if (event === "delete_event") return removeHandler();
    if (event === "do_crash") throw new Error("badmatch 4");
    if (event === "hibernate") return ok(parent);
    if (event === "wakeup") return ok(parent, "hibernate");
    this.self.send(parent as Pid, ["dummy1_h", event]);
    return ok(parent);
  }

  override handleCall(request: unknown, state: DummyState) {
    if (request === "delete_call") return removeHandler("ok");
    return reply("ok", state);
  }

  override handleInfo(info: unknown, parent: DummyState): EventResult<DummyState> {
    if (info === "delete_info") return removeHandler();
    if (info === "do_crash") throw new Error("badmatch 4");
    if (info === "gnurf") return ok(parent, "hibernate");
    this.self.send(parent as Pid, ["dummy1_h", info]);
    return ok(parent);
  }

  override terminate(arg: unknown, parent: DummyState): unknown {
    if (arg === "return_hej") return "return_hej";
    if (arg === "remove_handler") {
      this.self.send(parent as Pid, ["dummy1_h", "removed"]);
      return undefined;
    }
    return "ok";
  }

  override formatStatus() {
    return "dummy1_h handler state";
  }
}

/** oc_event: a handler with init and nothing else (the undef_callbacks group). */
export class OcEvent extends EventHandler<unknown, object, unknown> {
  init() {
    return ok({});
  }
}

/** oc_init_event: a "handler" without init (only possible from JavaScript, or by casting). */
export class OcInitEvent {}

/** A handler class nobody installs (the suite's `duuuuuuuuumy`, `faulty_h` and `bad_h`). */
export class Duuuuuuuuumy extends EventHandler {
  init() {
    return ok(undefined);
  }
}

/** Matches the note `[tag, value]` a dummy handler sends its parent (Erlang's `{dummy_h, Value}`). */
export const note =
  (tag: "dummy_h" | "dummy1_h", value: unknown) =>
  (message: unknown): boolean =>
    Array.isArray(message) && message.length === 2 && message[0] === tag && isEqual(message[1], value);

const isEqual = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * Takes the oldest message `match` accepts once every process is idle, or `undefined`: Erlang's
 * `receive Pattern -> … after 0 -> … end` after letting the system settle.
 */
export const received = async <T>(inbox: Inbox, match: Matcher<T>): Promise<T | undefined> => {
  await inbox.node.idle();
  return inbox.receive(match, 0);
};

/** The `GenEventError` a handler operation fails with; fails the test if it resolves or fails otherwise. */
export const genEventFailure = async (promise: Promise<unknown>): Promise<GenEventError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GenEventError) return error;
    throw error;
  }
  throw new Error("expected a GenEventError, but it resolved");
};

/** The `CallError` a call (or stop) fails with; fails the test if it resolves or fails otherwise. */
export const callFailure = async (promise: Promise<unknown>): Promise<CallError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CallError) return error;
    throw error;
  }
  throw new Error("expected a CallError, but it resolved");
};
