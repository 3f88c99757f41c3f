/**
 * Child specs for the usual children: a {@link GenServer} class ({@link worker}) or a supervisor
 * ({@link supervisorChild}), started linked to the supervisor with the class's `startLink`.
 */
import type { Destination, Pid, ProcessContext } from "@maquis/core";
import { type ArgsOf, GenServer, type GenServerClass, type Protocol } from "@maquis/gen-server";
import type { StartOptions } from "@maquis/sys";
import type { ChildSpec, Modules, RestartType, Shutdown } from "./ChildSpec.js";
import type { SupervisorInit } from "./Flags.js";
import {
  type Supervisor,
  type SupervisorArgs,
  type SupervisorClass,
  startSupervisorLink,
} from "./Supervisor.js";

/** The optional parts of a spec made by {@link worker} or {@link supervisorChild}. */
export interface ChildOptions {
  /** The child's id; default: the class's name. */
  readonly id?: unknown;
  readonly restart?: RestartType;
  readonly significant?: boolean;
  readonly shutdown?: Shutdown;
  /** Default: `[Class]`. */
  readonly modules?: Modules;
  /** Start options for the child (a registered `name`, a start `timeout`, `debug`). */
  readonly start?: StartOptions;
}

type StartLink = (
  this: unknown,
  caller: ProcessContext,
  args: unknown,
  options?: StartOptions,
) => Promise<Destination>;
const genServerStartLink = GenServer.startLink as unknown as StartLink;

const spec = (
  id: unknown,
  start: (parent: ProcessContext, ...extra: unknown[]) => Promise<Pid>,
  type: ChildSpec["type"],
  options: ChildOptions,
  modules: Modules,
): ChildSpec => {
  const s: { -readonly [K in keyof ChildSpec]: ChildSpec[K] } = {
    id: options.id ?? id,
    start: start as ChildSpec["start"],
    type,
    modules: options.modules ?? modules,
  };
  if (options.restart !== undefined) s.restart = options.restart;
  if (options.significant !== undefined) s.significant = options.significant;
  if (options.shutdown !== undefined) s.shutdown = options.shutdown;
  return s;
};

/**
 * A worker child that runs a {@link GenServer} class, started with `Class.startLink(parent, args)`.
 *
 * For a `simple_one_for_one` template, `startChild(caller, sup, [a])` starts the server with `a` as its
 * args instead of `args` (one extra argument replaces the template's; none keeps it).
 *
 * @example
 * worker(KvStore, { capacity: 100 }, { id: "kv", restart: "transient", shutdown: 2000 })
 */
export const worker = <T extends GenServer<Protocol, unknown, unknown>>(
  server: GenServerClass<T>,
  args: ArgsOf<T>,
  options: ChildOptions = {},
): ChildSpec =>
  spec(
    server.name,
    (parent, ...extra) =>
      genServerStartLink.call(
        server,
        parent,
        extra.length === 0 ? args : extra[0],
        options.start,
      ) as Promise<Pid>,
    "worker",
    options,
    [server],
  );

/**
 * A supervisor child: a {@link Supervisor} class with its `init` argument, or a plain definition (then
 * `options.id` is required). Its shutdown defaults to `"infinity"`, so that its own children have all
 * the time they need to stop.
 */
export function supervisorChild<T extends Supervisor<unknown>>(
  sup: SupervisorClass<T>,
  args: SupervisorArgs<T>,
  options?: ChildOptions,
): ChildSpec;
export function supervisorChild(
  definition: SupervisorInit | (() => SupervisorInit | PromiseLike<SupervisorInit>),
  options: ChildOptions & { readonly id: unknown },
): ChildSpec;
export function supervisorChild(
  source: unknown,
  argsOrOptions?: unknown,
  maybeOptions?: ChildOptions,
): ChildSpec {
  if (typeof source === "function" && "startLink" in source) {
    const cls = source as SupervisorClass & { startLink: StartLink };
    const options = maybeOptions ?? {};
    return spec(
      cls.name,
      (parent) => cls.startLink.call(cls, parent, argsOrOptions, options.start) as Promise<Pid>,
      "supervisor",
      options,
      [cls],
    );
  }
  const options = argsOrOptions as ChildOptions & { readonly id: unknown };
  return spec(
    options.id,
    (parent) =>
      startSupervisorLink(
        parent,
        source as SupervisorInit | (() => SupervisorInit | PromiseLike<SupervisorInit>),
        options.start,
      ),
    "supervisor",
    options,
    [],
  );
}
