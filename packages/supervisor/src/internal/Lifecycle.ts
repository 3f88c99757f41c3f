/**
 * Starting and stopping child processes (OTP's `do_start_child_i/3`, `shutdown/1`,
 * `terminate_dynamic_children/1`).
 *
 * Gotcha (why there is no `receive` here): the supervisor is a handler process, and core's selective
 * `receive` inside a handler can miss its wake-up when the scheduler's time slice is spent (see the
 * package README). A child's death is watched with a request to it instead: core monitors the child and
 * rejects the request with the child's exit reason, or with `"timeout"` when the shutdown time (on the
 * node's clock) runs out. Either way it is a monitor, so a child that unlinked is still seen to die.
 */
import {
  CallError,
  type ExitReason,
  isExit,
  isNormalExit,
  isPid,
  type Matcher,
  type Pid,
  ProcessExitedError,
  type ProcessContext,
} from "@maquis/core";
import { StartError } from "@maquis/sys";
import type { ChildStart } from "../ChildSpec.js";
import type { Child } from "./State.js";

/** What a start function gave: a pid (or none, for ignore), or a failure reason. */
export type StartOutcome =
  | { readonly ok: true; readonly pid: Pid | undefined; readonly info: unknown; readonly hasInfo: boolean }
  | { readonly ok: false; readonly reason: ExitReason };

const IGNORED: StartOutcome = { ok: true, pid: undefined, info: undefined, hasInfo: false };

/** Runs a start function in the supervisor and interprets its result (OTP's `do_start_child_i/3`). */
export const runStart = async (
  self: ProcessContext,
  start: ChildStart,
  args: readonly unknown[],
): Promise<StartOutcome> => {
  let result: unknown;
  try {
    result = await (start as (parent: ProcessContext, ...extra: unknown[]) => unknown)(self, ...args);
  } catch (thrown) {
    if (thrown instanceof ProcessExitedError) throw thrown; // the supervisor itself is gone
    if (thrown instanceof StartError) return thrown.ignored ? IGNORED : { ok: false, reason: thrown.reason };
    return { ok: false, reason: thrown };
  }
  if (result === "ignore") return IGNORED;
  if (isPid(result)) return { ok: true, pid: result, info: undefined, hasInfo: false };
  if (typeof result === "object" && result !== null && isPid((result as { pid?: unknown }).pid)) {
    const r = result as { pid: Pid; info?: unknown };
    return { ok: true, pid: r.pid, info: r.info, hasInfo: "info" in r };
  }
  return { ok: false, reason: result };
};

/** Removes and returns the oldest queued message `match` accepts, without waiting. */
export const take = <T>(self: ProcessContext, match: (message: unknown) => message is T): T | undefined => {
  let found: T | undefined;
  self.discard(((message: unknown) => {
    if (found !== undefined || !match(message)) return false;
    found = message;
    return true;
  }) as Matcher);
  return found;
};

const TIMEOUT = Symbol("timeout");
type Watched = { readonly reason: ExitReason } | typeof TIMEOUT;

/**
 * Watches `pid` until it dies (its exit reason) or `ms` pass on the node's clock (`TIMEOUT`). The
 * monitor is in place when this returns, so an exit signal sent right after is always seen.
 */
const watch = (self: ProcessContext, pid: Pid, ms: number): Promise<Watched> =>
  self
    .request(pid, () => undefined, ms)
    .then(
      () => watch(self, pid, ms), // nobody replies to this alias; a stray reply just re-arms the watch
      (error: unknown): Watched => {
        if (!(error instanceof CallError)) throw error;
        if (error.reason === "timeout" && self.node.isAlive(pid)) return TIMEOUT;
        return { reason: error.reason };
      },
    );

/**
 * OTP's `unlink_flush/2`: drops the link and takes the child's EXIT, whose reason is the real one
 * (a monitor set on an already dead child only says `noproc`).
 */
const unlinkFlush = (self: ProcessContext, pid: Pid, fallback: ExitReason): ExitReason => {
  self.unlink(pid);
  return take(self, isExit(pid))?.reason ?? fallback;
};

/** Whether `reason` is an expected way for `child` to end when the supervisor stops it. */
const expected = (child: Child, reason: ExitReason): boolean => {
  if (reason === (child.shutdown === "brutal_kill" ? "killed" : "shutdown")) return true;
  return child.restart !== "permanent" && isNormalExit(reason);
};

const waitWithEscalation = async (
  self: ProcessContext,
  pid: Pid,
  down: Promise<Watched>,
): Promise<ExitReason> => {
  let watched = await down;
  if (watched === TIMEOUT) {
    const killed = watch(self, pid, Number.POSITIVE_INFINITY);
    self.exit(pid, "kill");
    watched = await killed;
  }
  return unlinkFlush(self, pid, (watched as { reason: ExitReason }).reason);
};

const timeoutOf = (shutdown: Child["shutdown"]): number =>
  typeof shutdown === "number" && shutdown > 0 ? shutdown : Number.POSITIVE_INFINITY;

/** Sends the child its exit signal, after its watch is set up. A zero shutdown time kills at once. */
const signal = (self: ProcessContext, pid: Pid, shutdown: Child["shutdown"]): void => {
  if (shutdown === "brutal_kill") {
    self.exit(pid, "kill");
    return;
  }
  self.exit(pid, "shutdown");
  if (shutdown === 0 && self.node.isAlive(pid)) self.exit(pid, "kill");
};

/**
 * Stops one child (OTP's `shutdown/1`). Resolves `undefined` when it ended as expected, or with the
 * unexpected reason (to be reported as a `shutdown_error`).
 */
export const shutdownChild = async (self: ProcessContext, child: Child): Promise<ExitReason | undefined> => {
  const pid = child.pid as Pid;
  const down = watch(self, pid, timeoutOf(child.shutdown));
  signal(self, pid, child.shutdown);
  const reason = await waitWithEscalation(self, pid, down);
  return expected(child, reason) ? undefined : reason;
};

/**
 * Stops every dynamic child at once under one deadline (OTP's `terminate_dynamic_children/1`), and
 * returns the unexpected exit reasons with the pids that gave them.
 */
export const shutdownAll = async (
  self: ProcessContext,
  template: Child,
  pids: readonly Pid[],
): Promise<Map<string, { reason: ExitReason; pids: Pid[] }>> => {
  const ms = timeoutOf(template.shutdown);
  const downs = pids.map((pid) => watch(self, pid, ms));
  for (const pid of pids) signal(self, pid, template.shutdown);
  const reasons = await Promise.all(pids.map((pid, i) => waitWithEscalation(self, pid, downs[i]!)));
  const errors = new Map<string, { reason: ExitReason; pids: Pid[] }>();
  reasons.forEach((reason, i) => {
    if (expected(template, reason)) return;
    const key = keyOf(reason);
    const entry = errors.get(key);
    if (entry === undefined) errors.set(key, { reason, pids: [pids[i]!] });
    else entry.pids.push(pids[i]!);
  });
  return errors;
};

const keyOf = (reason: ExitReason): string => {
  if (typeof reason === "string") return `s:${reason}`;
  if (reason instanceof Error) return `e:${reason.name}:${reason.message}`;
  try {
    return `j:${JSON.stringify(reason)}`;
  } catch {
    return `o:${String(reason)}`;
  }
};
