import { describe, type Node, type Pid } from "@maquis/core";

/** One report: a crash report, a behaviour's error report, a warning, or a `trace` line. */
export interface LogEvent {
  readonly level: "error" | "warning" | "info" | "debug";
  /** What kind of report: `"crash_report"`, `"gen_server_terminate"`, `"unexpected_message"`, `"trace"`… */
  readonly kind: string;
  readonly pid: Pid;
  /** A one-line human summary. */
  readonly text: string;
  /** The structured details (reason, last message, state, initial call, ancestors…). */
  readonly data: Readonly<Record<string, unknown>>;
}

/** Receives the reports of the processes on one node. */
export type Logger = (event: LogEvent) => void;

/** Prints errors and warnings to the console; drops nothing silently except `debug` (trace) lines. */
export const consoleLogger: Logger = (event) => {
  const line = `[${event.level}] ${event.kind} ${event.pid}: ${event.text}`;
  if (event.level === "error") console.error(line, event.data);
  else if (event.level === "warning") console.warn(line);
  else console.log(line);
};

const loggers = new WeakMap<Node, Logger>();

/**
 * Sets where the reports of processes on `node` go (OTP's logger). Use it to route reports into your
 * logging stack, or to capture them in tests.
 */
export const setLogger = (node: Node, logger: Logger): void => {
  loggers.set(node, logger);
};

/** The logger for `node` (the console unless one was set). */
export const loggerFor = (node: Node): Logger => loggers.get(node) ?? consoleLogger;

/** Reports through the node's logger; a logger that throws is ignored rather than killing the process. */
export const log = (
  node: Node,
  level: LogEvent["level"],
  kind: string,
  pid: Pid,
  text: string,
  data: Record<string, unknown> = {},
): void => {
  try {
    loggerFor(node)({ level, kind, pid, text, data });
  } catch (error) {
    console.error(`logger failed on a ${kind} report: ${describe(error)}`);
  }
};
