/**
 * The child processes of supervisor_SUITE (supervisor_1..4, supervisor_deadlock, naughty_child) and
 * its callback module `sup_test`, as GenServers. Sleeps run on the virtual clock.
 */
import { ExitMessage, type Pid, type ProcessContext, type ReplyTo } from "@maquis/core";
import {
  type AnyProtocol,
  GenServer,
  type InitResult,
  noreply,
  type NoReplyResult,
  ok,
  reply,
  stop,
} from "@maquis/gen-server";
import { Exit } from "@maquis/sys";
import {
  type ChildSpec,
  type ChildStart,
  type ChildType,
  type Modules,
  type RestartType,
  type Shutdown,
  Supervisor,
  type SupervisorInit,
} from "../src/index.js";
import type { TestNode } from "./support.js";

/**
 * Sleeps `ms` on the node's clock. (A receive that matches nothing and times out: the timer path of
 * core's receive, safe inside a handler process.)
 */
export const sleep = async (self: ProcessContext, ms: number): Promise<void> => {
  await self.receive(() => false, ms);
};

/** supervisor_SUITE's callback module: `init(fail)` raises, anything else is returned as is. */
export class SupTest extends Supervisor<unknown> {
  init(initResult: unknown): SupervisorInit {
    if (initResult === "fail") throw new Error("fail");
    return initResult as SupervisorInit;
  }
}

/** `start_link(InitResult)`: the supervisor registered as `sup_test`, linked to the test process. */
export const startSupTest = (t: TestNode, initResult: unknown): Promise<Pid> =>
  SupTest.startLink(t.inbox, initResult, { name: "sup_test" });

/** The tuple form of a child spec: `{Id, Start, Restart, Shutdown, Type, Modules}`. */
export const tuple = (
  id: unknown,
  start: ChildStart,
  restart: RestartType,
  shutdown: Shutdown,
  type: ChildType,
  modules: Modules,
): ChildSpec => ({ id, start, restart, shutdown, type, modules });

/**
 * An `{M, F, A}` start: `fn(parent, ...args, ...extraArgs)` (a simple_one_for_one supervisor's extra
 * args are appended, as `apply(M, F, A ++ ExtraArgs)`).
 */
export const mfa =
  // biome-ignore lint/suspicious/noExplicitAny: any start function, as apply/3 takes any MFA
  (fn: (parent: ProcessContext, ...args: any[]) => unknown, ...args: unknown[]): ChildStart =>
    ((parent: ProcessContext, ...extra: unknown[]) => fn(parent, ...args, ...extra)) as unknown as ChildStart;

/** A supervisor child started as `supervisor:start_link(?MODULE, InitResult)` (no name). */
export const supTestStart =
  (initResult: unknown): ChildStart =>
  (parent) =>
    SupTest.startLink(parent, initResult);

// ---- supervisor_1 ----

/** Erlang's `function_clause`: what `supervisor_1:init(error)` raises. */
export class FunctionClause extends Error {
  constructor() {
    super("function_clause");
    this.name = "function_clause";
  }
}

/**
 * supervisor_1: traps exits; `die` → exits `died`, `stop` → `normal`, an EXIT `shutdown` or
 * `{ shutdown }` → that reason, `{ sleep }` → busy for good (it never gets to its parent's EXIT).
 */
export class Sup1 extends GenServer<AnyProtocol, object, "normal" | "error"> {
  init(mode: "normal" | "error"): InitResult<object> {
    if (mode === "error") throw new FunctionClause();
    this.self.trapExit(true);
    return ok({});
  }
  override handleCall(request: unknown, _from: ReplyTo, state: object) {
    return reply(request, state);
  }
  override async handleInfo(message: unknown, state: object): Promise<NoReplyResult<object>> {
    if (message === "die") return stop("died", state);
    if (message === "stop") return stop("normal", state);
    if (message instanceof ExitMessage) {
      const r = message.reason as { shutdown?: unknown };
      if (message.reason === "shutdown" || (typeof r === "object" && r !== null && "shutdown" in r)) {
        return stop(message.reason, state);
      }
    }
    if (typeof message === "object" && message !== null && "sleep" in message) {
      for (;;) await sleep(this.self, (message as { sleep: number }).sleep);
    }
    return noreply(state);
  }
}

/** What `supervisor_1:start_child/0,1` is asked to do. */
export type Sup1Mode =
  | undefined
  | "ignore"
  | "error"
  | { readonly extra: unknown }
  | { readonly reject: unknown }
  | { readonly return: unknown };

// supervisor_1 keeps its "already ignored" / "already started once" flags in the process dictionary
// of the process calling it: the supervisor.
const dictionary = new WeakMap<Pid, Set<string>>();
const flag = (parent: ProcessContext, key: string): boolean => {
  let set = dictionary.get(parent.pid);
  if (set === undefined) dictionary.set(parent.pid, (set = new Set()));
  if (set.has(key)) return true;
  set.add(key);
  return false;
};

/** `supervisor_1:start_child(Mode)`. */
export const startSup1 = async (parent: ProcessContext, mode: Sup1Mode): Promise<unknown> => {
  if (mode === "ignore") return flag(parent, "child_ignored") ? Sup1.startLink(parent, "normal") : "ignore";
  if (mode === "error") return Sup1.startLink(parent, flag(parent, "start_child_error") ? "error" : "normal");
  if (typeof mode === "object" && "extra" in mode) {
    return { pid: await Sup1.startLink(parent, "normal"), info: mode.extra };
  }
  if (typeof mode === "object" && "reject" in mode) throw mode.reject;
  if (typeof mode === "object" && "return" in mode) return mode.return;
  return Sup1.startLink(parent, "normal");
};

/** The start `{supervisor_1, start_child, [Mode]}` (or `[]` without a mode). */
export const sup1 = (mode?: Sup1Mode): ChildStart =>
  mode === undefined ? mfa(startSup1) : mfa(startSup1, mode);

// ---- supervisor_2 ----

/** supervisor_2: traps exits; its terminate sleeps `time` ms. */
export class Sup2 extends GenServer<AnyProtocol, number, number> {
  init(time: number) {
    this.self.trapExit(true);
    return ok(time);
  }
  override handleInfo(_message: unknown, state: number) {
    return noreply(state);
  }
  override async terminate(_reason: unknown, time: number): Promise<void> {
    await sleep(this.self, time);
  }
}

/** `supervisor_2:start_child(Time)`. */
export const startSup2 = (parent: ProcessContext, time: number) => Sup2.startLink(parent, time);

// ---- supervisor_3 ----

/** What a supervisor_3 child tells the test: `{Name, self()}`. */
export class Hello {
  readonly name: string;
  readonly pid: Pid;
  constructor(name: string, pid: Pid) {
    this.name = name;
    this.pid = pid;
  }
}

// The results the test hands to waiting supervisor_3 inits (`Pid ! {Result, Self}` in the suite).
const gates = new Map<string, (result: InitResult<number>) => void>();

/** Lets the supervisor_3 child `pid` finish its init with `result` (`ok(0)`, `stop("normal")`…). */
export const release = (pid: Pid, result: InitResult<number>): void => {
  const open = gates.get(pid.key);
  if (open === undefined) throw new Error(`${pid} is not waiting`);
  gates.delete(pid.key);
  open(result);
};

/** supervisor_3: its init tells the caller it is starting, then waits for the result to return. */
export class Sup3 extends GenServer<AnyProtocol, number, [string, Pid]> {
  init([name, caller]: [string, Pid]): Promise<InitResult<number>> {
    const result = new Promise<InitResult<number>>((resolve) => gates.set(this.self.pid.key, resolve));
    this.self.send(caller, new Hello(name, this.self.pid));
    return result;
  }
  override handleInfo(_message: unknown, state: number) {
    return noreply(state);
  }
  override async terminate(_reason: unknown, time: number): Promise<void> {
    if (typeof time === "number" && time > 0) await sleep(this.self, time);
  }
}

/** `supervisor_3:start_child(Name, Caller)`. */
export const startSup3 = (parent: ProcessContext, name: string, caller: Pid) =>
  Sup3.startLink(parent, [name, caller]);

// ---- supervisor_4 ----

/** supervisor_4: traps exits; `stop` → normal; its terminate exits with the reason it was started with. */
export class Sup4 extends GenServer<AnyProtocol, { reason?: unknown }, { reason?: unknown }> {
  init(arg: { reason?: unknown }) {
    this.self.trapExit(true);
    return ok(arg);
  }
  override handleInfo(message: unknown, state: { reason?: unknown }) {
    return message === "stop" ? stop("normal", state) : noreply(state);
  }
  override terminate(_reason: unknown, state: { reason?: unknown }): void {
    if ("reason" in state) throw new Exit(state.reason);
  }
}

/** `supervisor_4:start_child/0,1`. */
export const startSup4 = (parent: ProcessContext, ...reason: unknown[]) =>
  Sup4.startLink(parent, reason.length === 0 ? {} : { reason: reason[0] });

// ---- supervisor_deadlock ----

/** The suite's ets table `supervisor_deadlock`: whether the next init fails (after 2 s). */
export const deadlock = { failStart: false };

/** supervisor_deadlock: init fails with `error` after 2000 ms while `failStart`; `restart` cast → exits `error`. */
export class Deadlock extends GenServer<AnyProtocol, null, undefined> {
  async init(): Promise<InitResult<null>> {
    if (!deadlock.failStart) return ok(null);
    await sleep(this.self, 2000);
    return stop("error");
  }
  override handleCast(_request: unknown, state: null) {
    return stop("error", state);
  }
  override handleInfo(_message: unknown, state: null) {
    return noreply(state);
  }
}

/** `supervisor_deadlock:start_child/0` (registered as `supervisor_deadlock`). */
export const deadlockStart: ChildStart = (parent) =>
  Deadlock.startLink(parent, undefined, { name: "supervisor_deadlock" }) as Promise<Pid>;
/** `supervisor_deadlock:start_child_noreg/0`. */
export const deadlockStartNoreg: ChildStart = (parent) => Deadlock.startLink(parent) as Promise<Pid>;

// ---- naughty_child ----

/** naughty_child: registered as `naughty_foo`, it unlinks from its supervisor in init. */
export class Naughty extends GenServer<AnyProtocol, null, Pid> {
  init(sup: Pid) {
    this.self.unlink(sup);
    return ok(null);
  }
  override handleInfo(_message: unknown, state: null) {
    return noreply(state);
  }
}

export const naughtyStart =
  (sup: Pid): ChildStart =>
  (parent) =>
    Naughty.startLink(parent, sup, { name: "naughty_foo" }) as Promise<Pid>;
