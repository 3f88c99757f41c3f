/**
 * Child specifications: how a supervisor starts, restarts and stops one child (OTP's `child_spec()`).
 */
import type { Pid, ProcessContext } from "@maquis/core";

/**
 * When a child is restarted (OTP's `restart()`):
 * - `"permanent"`: always (the default).
 * - `"transient"`: only after an abnormal exit (not `normal`, `shutdown` or `{ shutdown: _ }`).
 * - `"temporary"`: never; its spec is dropped when it exits, and it is not restarted as a bystander of
 *   a `one_for_all` or `rest_for_one` restart either.
 */
export type RestartType = "permanent" | "transient" | "temporary";

/**
 * How a child is stopped (OTP's `shutdown()`): `"brutal_kill"` kills it; a number of milliseconds
 * sends `shutdown` and kills it if it has not exited in time (it then exits `killed`); `"infinity"`
 * sends `shutdown` and waits forever. Default: 5000 for a worker, `"infinity"` for a supervisor.
 */
export type Shutdown = "brutal_kill" | number | "infinity";

/** Whether the child is a worker or a supervisor (OTP's `worker()`); default `"worker"`. */
export type ChildType = "worker" | "supervisor";

/**
 * The code a child runs, for release tooling and introspection (OTP's `modules()`): a list of classes
 * or names, or `"dynamic"`. It has no effect on supervision. Default `[]` for a bare start function;
 * {@link worker} and {@link supervisorChild} fill in the class.
 */
export type Modules = readonly (string | Function)[] | "dynamic";

/**
 * What a start function resolves with: the child's pid (OTP's `{ok, Pid}`), `{ pid, info }` (OTP's
 * `{ok, Pid, Info}`: `info` is handed back by `startChild`/`restartChild`), or `"ignore"` (no process;
 * a permanent or transient spec is kept with no pid, a temporary one is dropped). Anything else is an
 * error whose reason is that value.
 */
export type ChildStartResult = Pid | { readonly pid: Pid; readonly info?: unknown } | "ignore";

/**
 * Starts a child: called in the supervisor's process with the supervisor's context as `parent`. It
 * must start the child **linked** to `parent` (every behaviour's `startLink` does) and return its pid.
 *
 * Rejecting fails the start: with a sys `StartError` the reason is its `reason` (one whose `ignored`
 * is true counts as `"ignore"`); with anything else the reason is the thrown value. For a
 * `simple_one_for_one` template, `startChild(caller, sup, extraArgs)` calls `start(parent, ...extraArgs)`.
 */
export type ChildStart = (
  parent: ProcessContext,
  ...extraArgs: never[]
) => ChildStartResult | PromiseLike<ChildStartResult>;

/**
 * A child specification (OTP's child spec map). `id` and `start` are required; the rest default as in
 * OTP: `restart: "permanent"`, `significant: false`, `shutdown: 5000` (`"infinity"` for a supervisor),
 * `type: "worker"`, `modules: []`. Unknown keys are ignored.
 *
 * Gotcha: ids are compared with `===` (SameValueZero, as `Map` keys), not structurally as in Erlang:
 * use strings, numbers or symbols.
 *
 * @example
 * const spec: ChildSpec = { id: "cache", start: (parent) => Cache.startLink(parent, {}), shutdown: 1000 };
 */
export interface ChildSpec {
  readonly id: unknown;
  readonly start: ChildStart;
  readonly restart?: RestartType;
  /**
   * Counts for the supervisor's `autoShutdown` (OTP's `significant`): only allowed for transient and
   * temporary children, and only when `autoShutdown` is not `"never"`.
   */
  readonly significant?: boolean;
  readonly shutdown?: Shutdown;
  readonly type?: ChildType;
  readonly modules?: Modules;
}

/** A child spec with every default filled in, as `getChildspec` returns it. */
export interface ResolvedChildSpec {
  readonly id: unknown;
  readonly start: ChildStart;
  readonly restart: RestartType;
  readonly significant: boolean;
  readonly shutdown: Shutdown;
  readonly type: ChildType;
  readonly modules: Modules;
}

/**
 * One entry of `whichChildren` (OTP's `{Id, Child, Type, Modules}`): `id` is `undefined` for the
 * children of a `simple_one_for_one` supervisor; `pid` is `undefined` when the child is not running
 * and `"restarting"` while a failed restart is being retried.
 */
export interface ChildInfo {
  readonly id: unknown;
  readonly pid: Pid | undefined | "restarting";
  readonly type: ChildType;
  readonly modules: Modules;
}

/**
 * What `countChildren` returns (OTP's `[{specs,_},{active,_},{supervisors,_},{workers,_}]`): specs,
 * running children, and specs by type whether running or not. A child being restarted counts in its
 * type but not in `active`.
 */
export interface ChildCounts {
  readonly specs: number;
  readonly active: number;
  readonly supervisors: number;
  readonly workers: number;
}

/**
 * A successful `startChild` or `restartChild` (OTP's `{ok, Child}` / `{ok, Child, Info}`): `pid` is
 * `undefined` when the start function returned `"ignore"`; `info` is present only when the start
 * function returned `{ pid, info }`.
 */
export interface StartedChild {
  readonly pid: Pid | undefined;
  readonly info?: unknown;
}
