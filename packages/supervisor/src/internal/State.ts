/**
 * The supervisor's state (OTP's `#state{}` and `#child{}` records) and the operations on its children
 * that do no I/O. Static children live in `ids` (newest first, i.e. reverse start order) and `db`;
 * the children of a `simple_one_for_one` supervisor live in `dynamics`, keyed by pid.
 */
import { Pid } from "@maquis/core";
import type { ResolvedChildSpec } from "../ChildSpec.js";
import type { AutoShutdown, Strategy } from "../Flags.js";

/** OTP's `{restarting, Pid}`: a restart of this child failed and is being retried. */
export class Restarting {
  readonly pid: Pid | undefined;
  constructor(pid: Pid | undefined) {
    this.pid = pid;
  }
}

export type ChildPid = Pid | undefined | Restarting;

/** One child (OTP's `#child{}`): its spec with defaults applied, and its pid. */
export interface Child extends ResolvedChildSpec {
  readonly pid: ChildPid;
}

/** Static children: ids newest first, records by id. Mutated in place by the supervisor's handlers. */
export interface Children {
  ids: unknown[];
  db: Map<unknown, Child>;
}

/** A child of a `simple_one_for_one` supervisor: its pid (or restarting marker) and its extra args. */
export interface DynamicChild {
  readonly pid: Pid | Restarting;
  /** The extra start arguments, kept only for children that may be restarted (not temporary). */
  readonly args: readonly unknown[] | undefined;
}

/** A supervisor's callback object: its class's `init`. */
export interface SupervisorModule {
  init(args: unknown): unknown;
  readonly constructor: { readonly name: string };
}

/** The supervisor's state (what `sys.getState` shows). */
export interface SupState {
  /** The registered name, or the pid: how reports name the supervisor. */
  name: unknown;
  strategy: Strategy;
  intensity: number;
  period: number;
  autoShutdown: AutoShutdown;
  children: Children;
  /** `simple_one_for_one` only: children by pid key. */
  dynamics: Map<string, DynamicChild> | undefined;
  /** `simple_one_for_one` only: how many children are being restarted. */
  dynamicRestarts: number;
  /** Restart times in whole seconds, newest first. */
  restarts: number[];
  module: SupervisorModule;
  /** The argument `init` was called with; `codeChange` calls `init` with it again. */
  args: unknown;
}

export const emptyChildren = (): Children => ({ ids: [], db: new Map() });

export const isSimple = (state: SupState): boolean => state.strategy === "simple_one_for_one";

/** OTP's `restarting/1`: a pid becomes a restarting marker; a marker or `undefined` stays as it is. */
export const restarting = (pid: ChildPid): ChildPid =>
  pid instanceof Restarting || pid === undefined ? pid : new Restarting(pid);

export const isRunning = (pid: ChildPid): pid is Pid => pid !== undefined && !(pid instanceof Restarting);

/** The spec part of a child record (OTP's `child_to_spec/1`). */
export const childToSpec = (child: Child): ResolvedChildSpec => ({
  id: child.id,
  start: child.start,
  restart: child.restart,
  significant: child.significant,
  shutdown: child.shutdown,
  type: child.type,
  modules: child.modules,
});

// ---- static children ----

/** Adds a child in front (it is the newest). */
export const saveChild = (children: Children, child: Child): void => {
  children.ids.unshift(child.id);
  children.db.set(child.id, child);
};

export const setPid = (children: Children, id: unknown, pid: ChildPid): void => {
  const child = children.db.get(id);
  if (child !== undefined) children.db.set(id, { ...child, pid });
};

/** Removes a child's record and id. */
export const removeChild = (children: Children, id: unknown): void => {
  const at = children.ids.indexOf(id);
  if (at >= 0) children.ids.splice(at, 1);
  children.db.delete(id);
};

/** OTP's `del_child/2`: a temporary child is removed, any other keeps its spec with no pid. */
export const delChildById = (children: Children, id: unknown): void => {
  const child = children.db.get(id);
  if (child === undefined) return;
  if (child.restart === "temporary") removeChild(children, id);
  else children.db.set(id, { ...child, pid: undefined });
};

/** The static child running as `pid`. */
export const findChildByPid = (children: Children, pid: Pid): Child | undefined => {
  for (const child of children.db.values()) {
    if (child.pid instanceof Restarting ? false : child.pid?.equals(pid) === true) return child;
  }
  return undefined;
};

/**
 * OTP's `split_child/2`: the children from the newest down to `id` (its pid cleared), and the older
 * ones. Both keep newest-first order.
 */
export const splitChild = (children: Children, id: unknown): { after: Children; before: Children } => {
  const at = children.ids.indexOf(id);
  const afterIds = children.ids.slice(0, at + 1);
  const beforeIds = children.ids.slice(at + 1);
  const after = { ids: afterIds, db: new Map(afterIds.map((i) => [i, children.db.get(i)!] as const)) };
  const before = { ids: beforeIds, db: new Map(beforeIds.map((i) => [i, children.db.get(i)!] as const)) };
  setPid(after, id, undefined);
  return { after, before };
};

/** OTP's `append/2`: `first`'s ids, then `second`'s. */
export const append = (first: Children, second: Children): Children => ({
  ids: [...first.ids, ...second.ids],
  db: new Map([...second.db, ...first.db]),
});

// ---- dynamic children (simple_one_for_one) ----

export const dynKey = (pid: Pid | Restarting): string =>
  pid instanceof Restarting ? `restarting:${pid.pid?.key}` : pid.key;

/** The template spec of a `simple_one_for_one` supervisor. */
export const dynamicTemplate = (state: SupState): Child => state.children.db.get(state.children.ids[0])!;

/** Stores a dynamic child; the args are dropped for temporary children (never restarted). */
export const dynStore = (state: SupState, pid: Pid | Restarting, args: readonly unknown[]): void => {
  const keep = dynamicTemplate(state).restart !== "temporary";
  state.dynamics!.set(dynKey(pid), { pid, args: keep ? args : undefined });
};

export const dynErase = (state: SupState, pid: ChildPid): void => {
  if (pid !== undefined) state.dynamics!.delete(dynKey(pid));
};

/** A dynamic child as a full record (template with this pid and args), or `undefined`. */
export const findDynamic = (
  state: SupState,
  pid: Pid | Restarting,
): { child: Child; args: readonly unknown[] } | undefined => {
  const entry = state.dynamics!.get(dynKey(pid));
  if (entry === undefined) return undefined;
  return { child: { ...dynamicTemplate(state), pid: entry.pid }, args: entry.args ?? [] };
};

/** Dynamic children in OTP's order: running children by pid, then the ones being restarted. */
export const dynamicList = (state: SupState): DynamicChild[] => {
  const entries = [...state.dynamics!.values()];
  const pidOf = (d: DynamicChild): Pid | undefined => (d.pid instanceof Restarting ? d.pid.pid : d.pid);
  return entries.sort((a, b) => {
    const ra = a.pid instanceof Restarting ? 1 : 0;
    const rb = b.pid instanceof Restarting ? 1 : 0;
    if (ra !== rb) return ra - rb;
    const pa = pidOf(a);
    const pb = pidOf(b);
    return pa === undefined || pb === undefined ? 0 : Pid.compare(pa, pb);
  });
};
