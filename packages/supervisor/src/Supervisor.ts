/**
 * The supervisor behaviour (OTP's `supervisor` module): extend {@link Supervisor} and return the
 * flags and children from `init`, or use {@link startSupervisor} / {@link startSupervisorLink} with a
 * plain definition.
 */
import type { Pid, ProcessContext } from "@maquis/core";
import { GenServer, type StartArgs } from "@maquis/gen-server";
import type { Caller, StartOptions } from "@maquis/sys";
import type { SupervisorInit } from "./Flags.js";
import { SupervisorServer } from "./internal/Server.js";

/**
 * A supervisor's callback class (OTP's callback module). `init(args)` runs in the new supervisor
 * process and returns `{ flags, children }` or `"ignore"`; it may be async.
 *
 * - Start it with `MySup.startLink(self, args)` from its parent (a supervisor's `start` function, or
 *   any process), or `MySup.start(nodeOrProcess, args)` for a top-level supervisor without a link.
 *   Start resolves once every child has started, in list order.
 * - A failed start rejects with sys's `StartError`: `reason` is `{ supervisorData: … }` for bad flags,
 *   `{ startSpec: … }` for a bad spec, `{ badStartSpec: specs }` when a `simple_one_for_one`
 *   supervisor does not get exactly one spec, `{ badReturn: { module, function, value } }` for an init
 *   that returns something else, `{ shutdown: { failedToStartChild: id, reason } }` when a child fails
 *   to start (the children already started are stopped first, newest first), or the error `init`
 *   threw. `"ignore"` rejects with a `StartError` whose `ignored` is true.
 * - The supervisor stops its children newest first when it is stopped (its parent exits, or
 *   `Supervisor.stop`), then exits with the same reason.
 *
 * Gotcha: `init` runs again on `sys.changeCode` (it must then be synchronous and free of side effects,
 * as in OTP); the new flags and specs apply but new children are not started.
 *
 * @example
 * class App extends Supervisor<{ port: number }> {
 *   init({ port }: { port: number }) {
 *     return {
 *       flags: { strategy: "one_for_all", intensity: 3, period: 10 },
 *       children: [worker(Store, undefined, { id: "store" }), worker(Http, port, { id: "http" })],
 *     };
 *   }
 * }
 * const app = await App.startLink(self, { port: 8080 });
 */
export abstract class Supervisor<A = undefined> {
  /** Returns the supervisor's flags and child specs, or `"ignore"`. */
  abstract init(args: A): SupervisorInit | PromiseLike<SupervisorInit>;

  /** Starts the supervisor linked to `caller` (its parent), as OTP's `supervisor:start_link`. */
  static startLink<T extends Supervisor<unknown>>(
    this: new () => T,
    caller: ProcessContext,
    ...rest: StartArgs<SupervisorArgs<T>>
  ): Promise<Pid> {
    return SupervisorServer.startLink(caller, initArg(new this(), rest[0], rest[1]), rest[1]) as Promise<Pid>;
  }

  /**
   * Starts the supervisor without a link, from a process or from a node (a top-level supervisor in a
   * script or server). It is its own parent: stop it with `Supervisor.stop`.
   */
  static start<T extends Supervisor<unknown>>(
    this: new () => T,
    caller: Caller,
    ...rest: StartArgs<SupervisorArgs<T>>
  ): Promise<Pid> {
    return SupervisorServer.start(caller, initArg(new this(), rest[0], rest[1]), rest[1]) as Promise<Pid>;
  }

  /**
   * Stops a supervisor: it stops its children (newest first), then exits with `reason` (default
   * `"normal"`); resolves once it is dead. Fails like `GenServer.stop` (`CallError` `noproc`…).
   */
  static readonly stop = GenServer.stop;
}

/** The `init` argument type of a supervisor class. */
export type SupervisorArgs<T> = T extends Supervisor<infer A> ? A : never;

/** A concrete supervisor class (a subclass of {@link Supervisor} with a no-argument constructor). */
export type SupervisorClass<T extends Supervisor<unknown> = Supervisor<unknown>> = new () => T;

const initArg = (module: Supervisor<unknown>, args: unknown, options: StartOptions | undefined) => ({
  module,
  args,
  name: options?.name,
});

/** The supervisor behind {@link startSupervisor}: its init returns its argument. */
class DefinedSupervisor extends Supervisor<
  SupervisorInit | (() => SupervisorInit | PromiseLike<SupervisorInit>)
> {
  init(definition: SupervisorInit | (() => SupervisorInit | PromiseLike<SupervisorInit>)) {
    return typeof definition === "function" ? definition() : definition;
  }
}

/**
 * Starts a supervisor from a plain definition (or a function returning one, called in the supervisor's
 * process), without a link: a quick top-level supervisor. See {@link Supervisor} for the start errors.
 *
 * @example
 * const sup = await startSupervisor(node, { flags: { strategy: "one_for_one" }, children: [worker(Kv, {}, { id: "kv" })] });
 */
export const startSupervisor = (
  caller: Caller,
  definition: SupervisorInit | (() => SupervisorInit | PromiseLike<SupervisorInit>),
  options?: StartOptions,
): Promise<Pid> => DefinedSupervisor.start(caller, definition, options);

/** {@link startSupervisor}, linked to `caller` (its parent), as a child's start function needs. */
export const startSupervisorLink = (
  caller: ProcessContext,
  definition: SupervisorInit | (() => SupervisorInit | PromiseLike<SupervisorInit>),
  options?: StartOptions,
): Promise<Pid> => DefinedSupervisor.startLink(caller, definition, options);
