/** Shared fixtures for the sys tests: nodes on a virtual clock, stopped after each test. */
import {
  type Inbox,
  Node,
  type ProcessContext,
  ProcessExitedError,
  type ProcessHandler,
  reasonFromThrown,
  VirtualClock,
} from "@maquis/core";
import { afterEach } from "vitest";
import {
  type Caller,
  Exit,
  type LogEvent,
  reportCrash,
  type Started,
  type StartMode,
  type StartOptions,
  setLogger,
  startProcess,
} from "../src/index.js";

/** One test node: its clock, the reports its processes logged, and the test's own process. */
export interface TestNode {
  readonly node: Node;
  readonly clock: VirtualClock;
  /** Every report the node's processes logged, oldest first. */
  readonly logs: LogEvent[];
  /** A fresh inbox: the test's own process (Erlang's `self()` in the suites). */
  readonly inbox: Inbox;
}

/**
 * Returns a factory of test nodes named `prefix0`, `prefix1`…, each on its own {@link VirtualClock}
 * with a capturing logger; every node is stopped after each test.
 */
export const useNodes = (prefix: string): (() => TestNode) => {
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
    return { node, clock, logs, inbox: node.inbox() };
  };
};

/** Everything queued in `inbox` once the scheduler is idle, oldest first (the suites' `flush()`). */
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

/**
 * Tracks whether a promise has settled, without awaiting it: a test checks that something has *not*
 * happened yet (a start that must wait for init) after `node.idle()`.
 */
export const track = <T>(
  promise: Promise<T>,
): { readonly settled: () => boolean; readonly promise: Promise<T> } => {
  let settled = false;
  const observed = promise.then(
    (value) => {
      settled = true;
      return value;
    },
    (error: unknown) => {
      settled = true;
      throw error;
    },
  );
  // The test awaits `promise` itself; this copy must not count as an unhandled rejection.
  observed.catch(() => {});
  return { settled: () => settled, promise: observed };
};

/** The code of a process started through {@link startPlain}: its messages, after init has acked. */
export type PlainReceive = (message: unknown, self: ProcessContext) => void | PromiseLike<void>;

/**
 * Starts a process the way `proc_lib:start*` does with a function that acks at once: init acks,
 * then every message goes to `receive`.
 */
export const startPlain = (
  caller: Caller,
  mode: StartMode,
  receive: PlainReceive,
  options: StartOptions = {},
  initialCall = "test:plain",
): Promise<Started> =>
  startProcess(
    caller,
    mode,
    options,
    initialCall,
    (starter): ProcessHandler => ({
      init(self) {
        starter.ack(self);
      },
      receive,
    }),
  );

/** The crash reports among `logs`. */
export const crashReports = (logs: readonly LogEvent[]): LogEvent[] =>
  logs.filter((e) => e.kind === "crash_report");

/** The `*DBG*` trace lines among `logs`. */
export const traceLines = (logs: readonly LogEvent[]): string[] =>
  logs.filter((e) => e.kind === "trace").map((e) => e.text);

/**
 * Wraps a process's (synchronous) message code as proc_lib wraps a spawned function: whatever it throws ends the
 * process with a crash report (none for normal, shutdown or `{ shutdown }`). `throw new Exit(r)` is
 * Erlang's `exit(r)`, an `Error` is an error (`{R, Stack}`), any other value an uncaught throw.
 */
export const reporting =
  (receive: (message: unknown, self: ProcessContext) => void): PlainReceive =>
  (message, self) => {
    try {
      receive(message, self);
    } catch (thrown) {
      if (thrown instanceof ProcessExitedError) throw thrown;
      const reason = thrown instanceof Exit ? thrown.reason : reasonFromThrown(thrown);
      reportCrash(self, reason);
      self.exit(reason);
    }
  };
