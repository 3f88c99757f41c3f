import type { Pid } from "../Pid.js";
import type { Ref } from "../Ref.js";
import type { RemoteName } from "../Messages.js";
import { BUSY, EXITED, PULL, type Process, TRAP_EXIT } from "./Process.js";

/** What `Node.processInfo` reports about a process (Erlang's `process_info/1`, the useful subset). */
export interface ProcessInfo {
  readonly pid: Pid;
  /** `running` (handling a message), `runnable` (queued), `waiting` (for a message), `exiting`. */
  readonly status: "running" | "runnable" | "waiting" | "exiting";
  readonly registeredName: string | undefined;
  /** `"function"` for async bodies, `"handler"`, or `"inbox"`, plus the function or class name. */
  readonly initialCall: string;
  readonly messageQueueLength: number;
  readonly messagesIn: number;
  readonly messagesOut: number;
  readonly trapExit: boolean;
  readonly links: Pid[];
  /** Monitors this process holds. */
  readonly monitors: Array<{ ref: Ref; item: Pid | RemoteName }>;
  /** Processes monitoring this one. */
  readonly monitoredBy: Pid[];
  /** A rough estimate of the bytes this process holds, excluding its own message contents. */
  readonly memory: number;
}

// Measured: an idle handler process with its pid and table entry (apps/bench memory-idle-process).
const BASE_BYTES = 230;

export const processInfo = (p: Process): ProcessInfo => {
  const code = p.code;
  const kind = code === null ? "inbox" : typeof code === "function" ? "function" : "handler";
  const label = code === null ? "" : typeof code === "function" ? code.name : code.constructor?.name;
  const signals = p.signals;
  const queued = p.mailbox?.size ?? 0;
  return {
    pid: p.pid,
    status:
      p.flags & EXITED
        ? "exiting"
        : p.scheduled
          ? "runnable"
          : p.flags & BUSY || (p.flags & PULL && p.waiter === null)
            ? "running"
            : "waiting",
    registeredName: p.name,
    initialCall: label ? `${kind} ${label}` : kind,
    messageQueueLength: queued,
    messagesIn: p.messagesIn,
    messagesOut: p.messagesOut,
    trapExit: (p.flags & TRAP_EXIT) !== 0,
    links: signals === null ? [] : [...signals.links.values()],
    monitors:
      signals === null ? [] : [...signals.monitors.values()].map((m) => ({ ref: m.ref, item: m.item })),
    monitoredBy: signals === null ? [] : [...signals.monitoredBy.values()].map((m) => m.watcher),
    memory:
      BASE_BYTES +
      (p.mailbox === null ? 0 : 16 + 8 * Math.max(8, queued)) +
      (signals === null
        ? 0
        : 200 + 64 * (signals.links.size + signals.monitors.size + signals.monitoredBy.size)),
  };
};
