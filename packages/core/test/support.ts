/** Shared test fixtures: nodes on a virtual clock, stopped after each test, and mailbox draining. */
import { afterEach } from "vitest";
import { type Inbox, Node, type NodeOptions, VirtualClock } from "../src/index.js";

/**
 * Returns a `startNode` for this test file: each call starts a node on its own `VirtualClock`
 * (named `prefix0`, `prefix1`… unless `options.name` says otherwise); every node is stopped after each test.
 */
export const useNodes = (prefix: string) => {
  const started: Node[] = [];
  afterEach(async () => {
    for (const node of started.splice(0)) await node.stop();
  });
  const startNode = (options: NodeOptions = {}): { node: Node; clock: VirtualClock } => {
    const clock = options.clock instanceof VirtualClock ? options.clock : new VirtualClock();
    const node = Node.start({ name: `${prefix}${started.length}`, clock, ...options });
    started.push(node);
    return { node, clock };
  };
  /** Stops a node started some other way after the test, too. */
  const track = (node: Node): Node => {
    started.push(node);
    return node;
  };
  return Object.assign(startNode, { track });
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
