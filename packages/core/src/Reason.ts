/**
 * Exit reasons. As in Erlang, a reason is any value; these are the ones the runtime gives meaning to.
 *
 * - `"normal"`: the process finished. Linked processes that do not trap exits ignore it.
 * - `"kill"`: sent with `exit(pid, "kill")` it cannot be trapped and the target dies with `"killed"`.
 *   A process that *itself* exits with reason `"kill"` sends an ordinary `"kill"` reason to its links.
 * - `"killed"`: the reason of a process that was killed.
 * - `"shutdown"` and {@link shutdownWith}: orderly stops; like `"normal"` they are not errors
 *   (no crash report, a transient child is not restarted), but unlike it they kill linked processes.
 * - `"noproc"`: the process did not exist (monitor or link on a dead pid).
 * - `"noconnection"`: the process's node could not be reached.
 * - An `Error`: the process threw. The error (with its stack) is the reason, Erlang's `{Reason, Stack}`.
 */
export type ExitReason = unknown;

/** The well-known reasons as constants, for readability and typo safety. */
export const Reason = {
  normal: "normal",
  kill: "kill",
  killed: "killed",
  shutdown: "shutdown",
  noproc: "noproc",
  noconnection: "noconnection",
} as const;

/** Erlang's `{shutdown, Detail}`: an orderly stop that carries a detail. */
export interface ShutdownWith<D = unknown> {
  readonly shutdown: D;
}

/** Builds `{ shutdown: detail }`, Erlang's `{shutdown, Detail}`. */
export const shutdownWith = <D>(detail: D): ShutdownWith<D> => ({ shutdown: detail });

/**
 * True for the reasons that are not errors: `"normal"`, `"shutdown"` and `{ shutdown: _ }`.
 * These produce no crash report, and a transient supervisor child is not restarted after them.
 */
export const isNormalExit = (reason: ExitReason): boolean =>
  reason === "normal" ||
  reason === "shutdown" ||
  (typeof reason === "object" &&
    reason !== null &&
    "shutdown" in reason &&
    Object.keys(reason).length === 1 &&
    !(reason instanceof Error));

/**
 * A value thrown that is not an `Error` (`throw "oops"`): the process exits with this, holding the value
 * (Erlang's `{nocatch, Value}`).
 */
export class UncaughtThrow extends Error {
  readonly value: unknown;
  constructor(value: unknown) {
    super(`uncaught throw: ${describe(value)}`);
    this.name = "UncaughtThrow";
    this.value = value;
  }
}

/** The exit reason for a value thrown by process code. */
export const reasonFromThrown = (thrown: unknown): ExitReason =>
  thrown instanceof Error ? thrown : new UncaughtThrow(thrown);

/** A short printable form of a reason for logs and errors. */
export const describe = (value: unknown): string => {
  if (typeof value === "string") return value;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? `${v}n` : v)) ?? String(value);
  } catch {
    return String(value);
  }
};
