import type { Node, ProcessContext } from "@maquis/core";

/**
 * Who makes a call or starts a process: a process (its `self` context, an inbox) or a node, for code
 * that runs outside any process (an HTTP handler, a test).
 *
 * Gotcha: `startLink` and `startMonitor` need a process, because only a process can be linked or hold
 * a monitor.
 */
export type Caller = ProcessContext | Node;

/** Whether the caller is a process (rather than a node). */
export const isProcessCaller = (caller: Caller): caller is ProcessContext => "pid" in caller;

/** The node the caller runs on. */
export const nodeOf = (caller: Caller): Node => (isProcessCaller(caller) ? caller.node : caller);
