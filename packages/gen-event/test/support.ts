/** Shared fixtures for the gen-event tests: nodes on a virtual clock, stopped after each test. */
import { type Inbox, Node, VirtualClock } from "@maquis/core";
import { type LogEvent, setLogger } from "@maquis/sys";
import { afterEach } from "vitest";

export interface TestNode {
  readonly node: Node;
  readonly clock: VirtualClock;
  /** Every report the node's processes logged. */
  readonly logs: LogEvent[];
  /** A fresh inbox: the test's own process (Erlang's `self()` in the suites). */
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
    return { node, clock, logs, inbox: node.inbox() };
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
