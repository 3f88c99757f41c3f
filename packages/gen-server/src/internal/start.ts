import type { ProcessContext, ViaName } from "@maquis/core";
import {
  type Caller,
  lineageOf,
  type Started,
  StartError,
  Starter,
  type StartMode,
  type StartOptions,
  startProcess,
  UndefinedCallbackError,
} from "@maquis/sys";
import type { Next } from "../Results.js";
import type { GenServer } from "../GenServer.js";
import type { Protocol } from "@maquis/sys";
import { GenServerLoop } from "./Loop.js";

/** A GenServer subclass with a no-argument constructor. */
export type GenServerClass<T> = new () => T;

/** A server to start: a class (instantiated per start) or an instance (for servers that need constructor arguments). */
export type ServerSource<T> = GenServerClass<T> | T;

export const startServer = <T extends GenServer<Protocol, unknown, unknown>>(
  caller: Caller,
  mode: StartMode,
  source: ServerSource<T>,
  args: unknown,
  options: StartOptions = {},
): Promise<Started> => {
  const server = (typeof source === "function"
    ? new (source as GenServerClass<T>)()
    : source) as unknown as GenServer;
  if (typeof (server as { init?: unknown }).init !== "function") {
    // Erlang's `{error, {undef, [{Mod, init, [Args], _}]}}`: the start fails; it does not throw.
    const name = (server as { constructor?: { name?: string } } | null)?.constructor?.name ?? String(source);
    return Promise.reject(new StartError(new UndefinedCallbackError(name, "init")));
  }
  return startProcess(caller, mode, options, `GenServer:${server.constructor.name}`, (starter) => {
    return new GenServerLoop(server, starter, args);
  });
};

/** Erlang's `gen_server:enter_loop`: see {@link GenServer.enterLoop}. */
export const enterLoop = <T extends GenServer<Protocol, unknown, unknown>>(
  self: ProcessContext,
  source: ServerSource<T>,
  state: unknown,
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
  const server = (typeof source === "function"
    ? new (source as GenServerClass<T>)()
    : source) as unknown as GenServer;
  const starter = new Starter({ name, debug: options.debug });
  starter.parent = lineage.parent;
  const loop = new GenServerLoop(server, starter, undefined);
  return loop.enter(self, state, options.next);
};

/** Options of {@link enterLoop}. */
export interface EnterLoopOptions {
  /** The name the process must already be registered under (else it exits `process_not_registered`). */
  readonly name?: string | ViaName;
  readonly debug?: StartOptions["debug"];
  /** A timeout, hibernate or continue to apply before the first message, as from init. */
  readonly next?: Next;
}
