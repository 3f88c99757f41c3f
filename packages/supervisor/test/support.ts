/**
 * Shared fixtures for the supervisor tests: nodes on a virtual clock (stopped after each test), the
 * test process (an inbox trapping exits, as `process_flag(trap_exit, true)` in the suite), and the
 * helpers of supervisor_SUITE (`terminate/4`, `check_exit/1`, `check_exit_reason/2`, counts).
 */
import {
  type DownMessage,
  type ExitMessage,
  type ExitReason,
  type Inbox,
  isDown,
  isExit,
  Node,
  type Pid,
  VirtualClock,
} from "@maquis/core";
import { type LogEvent, setLogger, sys } from "@maquis/sys";
import { afterEach, expect } from "vitest";
import { countChildren, type SupervisorRef, terminateChild } from "../src/index.js";
import type { SupState } from "../src/internal/State.js";

export interface TestNode {
  readonly node: Node;
  readonly clock: VirtualClock;
  /** Every report the node's processes logged. */
  readonly logs: LogEvent[];
  /** The test process (Erlang's `self()` in the suite), trapping exits. */
  readonly inbox: Inbox;
}

export const useNodes = (prefix: string) => {
  const started: Node[] = [];
  afterEach(async () => {
    for (const node of started.splice(0)) await node.stop();
  });
  return (): TestNode => {
    const clock = new VirtualClock();
    const node = Node.start({ name: `${prefix}${started.length}`, clock });
    started.push(node);
    const logs: LogEvent[] = [];
    setLogger(node, (e) => logs.push(e));
    const inbox = node.inbox();
    inbox.trapExit(true);
    return { node, clock, logs, inbox };
  };
};

/** Everything queued in `inbox` once the scheduler is idle, oldest first. */
export const drain = async (inbox: Inbox): Promise<unknown[]> => {
  await inbox.node.idle();
  const out: unknown[] = [];
  for (;;) {
    const message = await inbox.receive(undefined, 0);
    if (message === undefined) return out;
    out.push(message);
  }
};

/** The rejection of `promise` (fails the test if it resolves). */
export const rejectionOf = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
};

/** The `reason` of the `SupervisorError` (or other error with a reason) `promise` rejects with. */
export const reasonOf = async (promise: Promise<unknown>): Promise<unknown> =>
  ((await rejectionOf(promise)) as { reason: unknown }).reason;

/**
 * Waits for `promise` while the supervisor may be blocked on timers (a child's init sleeping, a
 * shutdown timeout): runs the scheduler to idle, and advances the virtual clock to the next timer
 * whenever the promise is still pending. Fails if nothing is left to run.
 */
export const settle = async <T>(t: TestNode, promise: Promise<T>): Promise<T> => {
  let done = false;
  const watched = promise.finally(() => {
    done = true;
  });
  watched.catch(() => {});
  for (;;) {
    await t.node.idle();
    if (done) return watched;
    const delay = t.clock.nextDelay();
    if (delay === undefined) throw new Error("settle: nothing left to run and the promise is pending");
    t.clock.advance(delay);
  }
};

/**
 * Erlang's `timer:sleep(Ms)` in the test process: lets `ms` of virtual time pass, firing timers in
 * order and letting every process react to each before the next.
 */
export const sleepFor = async (t: TestNode, ms: number): Promise<void> => {
  const end = t.clock.now() + ms;
  for (;;) {
    await t.node.idle();
    const delay = t.clock.nextDelay();
    if (delay === undefined || t.clock.now() + delay > end) break;
    t.clock.advance(delay);
  }
  t.clock.advance(end - t.clock.now());
  await t.node.idle();
};

/**
 * The suite's `fake_upgrade/2`: suspend, make `init` return `newInit` (by replacing the argument kept
 * in the state), change code, resume. Resolves "ok" or the `SupervisorError`'s reason.
 */
export const fakeUpgrade = async (t: TestNode, sup: Pid, newInit: unknown): Promise<unknown> => {
  await sys.suspend(t.inbox, sup);
  await sys.replaceState<SupState>(t.inbox, sup, (state) => ({ ...state, args: newInit }));
  let result: unknown = "ok";
  try {
    await sys.changeCode(t.inbox, sup, "dummy_vsn", []);
  } catch (error) {
    result = (error as { reason: unknown }).reason;
  }
  await sys.resume(t.inbox, sup);
  return result;
};

/** The supervisor's state, through sys. */
export const stateOf = (t: TestNode, sup: Pid): Promise<SupState> => sys.getState<SupState>(t.inbox, sup);

/** The EXIT from `pid` queued in the test process (fails if none has arrived). */
export const exitOf = async (t: TestNode, pid: Pid): Promise<ExitMessage> => {
  await t.node.idle();
  const exit = await t.inbox.receive(isExit(pid), 0);
  if (exit === undefined) throw new Error(`no EXIT from ${pid}`);
  return exit;
};

/** OTP's `check_exit_reason/2`. */
export const checkExitReason = async (t: TestNode, pid: Pid, reason: ExitReason): Promise<void> => {
  expect((await exitOf(t, pid)).reason).toEqual(reason);
};

/** OTP's `check_exit/1`: an EXIT (any reason) from each pid. */
export const checkExit = async (t: TestNode, pids: readonly Pid[]): Promise<void> => {
  for (const pid of pids) await exitOf(t, pid);
};

/** OTP's `error = check_exit([Pid], Ms)`: `ms` of virtual time pass and no EXIT from `pid` arrives. */
export const checkNoExit = async (t: TestNode, pid: Pid, ms = 1000): Promise<void> => {
  await t.node.idle();
  t.clock.advance(ms);
  await t.node.idle();
  expect(await t.inbox.receive(isExit(pid), 0)).toBeUndefined();
};

/** OTP's `check_no_exit/1`: no EXIT at all is queued. */
export const checkNoExitAtAll = async (t: TestNode): Promise<void> => {
  await t.node.idle();
  expect(await t.inbox.receive(isExit(), 0)).toBeUndefined();
};

/** OTP's `get_child_counts/1`: `[specs, active, supervisors, workers]`. */
export const counts = async (t: TestNode, sup: SupervisorRef): Promise<number[]> => {
  const c = await countChildren(t.inbox, sup);
  return [c.specs, c.active, c.supervisors, c.workers];
};

export type How = "kill" | "shutdown" | "normal" | "abnormal" | "supervisor" | { readonly shutdown: unknown };

const downOf = async (t: TestNode, ref: ReturnType<Inbox["monitor"]>): Promise<DownMessage> =>
  settle(t, t.inbox.receive(isDown(ref)));

/**
 * OTP's `terminate/4`: ends a child (or supervisor) the given way and waits for it to be gone with
 * the expected reason: `kill` → killed; `shutdown` and `{ shutdown }` → themselves; `normal` sends
 * `"stop"`; `abnormal` sends `"die"` (reason `"died"`); `supervisor` calls `terminateChild`.
 */
export const terminate = async (
  t: TestNode,
  sup: SupervisorRef,
  pid: Pid,
  id: unknown,
  how: How,
): Promise<void> => {
  if (how === "supervisor") {
    await settle(t, terminateChild(t.inbox, sup, id));
    return;
  }
  const ref = t.inbox.monitor(pid);
  let expected: ExitReason;
  if (how === "kill") {
    t.inbox.exit(pid, "kill");
    expected = "killed";
  } else if (how === "normal") {
    t.inbox.send(pid, "stop");
    expected = "normal";
  } else if (how === "abnormal") {
    t.inbox.send(pid, "die");
    expected = "died";
  } else {
    t.inbox.exit(pid, how);
    expected = how;
  }
  const down = await downOf(t, ref);
  expect(down.reason).toEqual(expected);
  await t.node.idle();
};

/** OTP's `terminate/2`. */
export const stopProcess = (t: TestNode, pid: Pid, how: Exclude<How, "supervisor">): Promise<void> =>
  terminate(t, pid, pid, undefined, how);
