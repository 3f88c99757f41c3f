import type { ProcessContext, ViaName } from "@maquis/core";
import {
  type Caller,
  lineageOf,
  type Protocol,
  type Started,
  StartError,
  Starter,
  type StartMode,
  type StartOptions,
  startProcess,
  UndefinedCallbackError,
} from "@maquis/sys";
import type { Actions } from "../Actions.js";
import type { GenStatem } from "../GenStatem.js";
import { StatemLoop } from "./Loop.js";

/** A GenStatem subclass with a no-argument constructor. */
export type StatemClass<T> = new () => T;

/** A machine to start: a class (instantiated per start) or an instance (for machines that need constructor arguments). */
export type StatemSource<T> = StatemClass<T> | T;

type AnyStatem = GenStatem<unknown, unknown, unknown, Protocol>;

const instantiate = <T extends AnyStatem>(source: StatemSource<T>): AnyStatem =>
  (typeof source === "function" ? new (source as StatemClass<T>)() : source) as AnyStatem;

export const startStatem = <T extends AnyStatem>(
  caller: Caller,
  mode: StartMode,
  source: StatemSource<T>,
  args: unknown,
  options: StartOptions = {},
): Promise<Started> => {
  const machine = instantiate(source);
  if (typeof (machine as { init?: unknown }).init !== "function") {
    // Erlang's `{error, {undef, [{Mod, init, [Args], _}]}}`: the start fails; it does not throw.
    const name = (machine as { constructor?: { name?: string } } | null)?.constructor?.name ?? String(source);
    return Promise.reject(new StartError(new UndefinedCallbackError(name, "init")));
  }
  return startProcess(caller, mode, options, `GenStatem:${machine.constructor.name}`, (starter) => {
    return new StatemLoop(machine, starter, args);
  });
};

/** Erlang's `gen_statem:enter_loop`: see {@link GenStatem.enterLoop}. */
export const enterLoop = <T extends AnyStatem>(
  self: ProcessContext,
  source: StatemSource<T>,
  state: unknown,
  data: unknown,
  options: EnterLoopOptions = {},
): Promise<never> => {
  const lineage = lineageOf(self.pid);
  if (lineage === undefined) return self.exit("process_was_not_started_by_proc_lib");
  const name = options.name;
  if (typeof name === "string") {
    if (!self.whereis(name)?.equals(self.pid)) return self.exit("process_not_registered");
  } else if (name !== undefined && !name.via.whereisName(name.name)?.equals(self.pid)) {
    return self.exit({ processNotRegisteredVia: name.via });
  }
  const starter = new Starter({ name, debug: options.debug });
  starter.parent = lineage.parent;
  return new StatemLoop(instantiate(source), starter, undefined).enter(self, state, data, options.actions);
};

/** Options of {@link GenStatem.enterLoop}. */
export interface EnterLoopOptions {
  /** The name the process must already be registered under (else it exits `process_not_registered`). */
  readonly name?: string | ViaName;
  readonly debug?: StartOptions["debug"];
  /** Actions to run as init's would (OTP's `enter_loop/6` Actions). */
  readonly actions?: Actions;
}
