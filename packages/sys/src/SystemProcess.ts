/**
 * The system-message loop every behaviour shares (Erlang's `sys:handle_system_msg/6`): the behaviour
 * implements {@link SystemProcess}, and hands each {@link SystemMessage} to {@link handleSystemMessage}.
 */
import type { Matcher, Pid, ProcessContext } from "@maquis/core";
import { Debug } from "./Debug.js";
import { CallbackFailedError, UnknownSystemMessageError } from "./Errors.js";
import { type SystemMessage, type SystemReply, whileSuspended } from "./SystemMessage.js";

/** What `getStatus` returns (Erlang's `{status, Pid, {module, Mod}, [PDict, SysState, Parent, Debug, Misc]}`). */
export interface SystemStatus {
  readonly pid: Pid;
  /** The behaviour, e.g. `"GenServer"`. */
  readonly behaviour: string;
  /** The callback module (class name). */
  readonly module: string;
  readonly name: unknown;
  readonly status: "running" | "suspended";
  readonly parent: Pid;
  readonly debug: { readonly trace: boolean; readonly log: boolean; readonly statistics: boolean };
  /** The behaviour's own part: its `formatStatus` result, or `{ state }` by default. */
  readonly misc: unknown;
}

/** The hooks a behaviour gives the shared system-message loop. */
export interface SystemProcess {
  debug: Debug | null;
  /** The handler's `select`: set while suspended so that only system messages are handled. */
  select?: Matcher;
  readonly parent: Pid;
  readonly name: unknown;
  readonly behaviour: string;
  readonly module: string;
  getState(): unknown;
  /** Applies `fn` to the state and returns the new state; a throw propagates (reported as callback failed). */
  replaceState(fn: (state: unknown) => unknown): unknown;
  /** The behaviour-specific part of the status. */
  statusMisc(): unknown;
  /** Runs the code change callback; throws to refuse. */
  codeChange(oldVsn: unknown, extra: unknown): void;
  /** Runs terminate and ends the process with `reason` (Erlang's `system_terminate/4`). */
  terminate(reason: unknown, self: ProcessContext): void | PromiseLike<void>;
}

const ok = (value: unknown): SystemReply => ({ ok: true, value });
const fail = (error: Error): SystemReply => ({ ok: false, error });

/**
 * Serves one system message. Returns after replying; for terminate, returns what the behaviour's
 * terminate returns (a promise while an async terminate callback runs).
 */
export const handleSystemMessage = (
  proc: SystemProcess,
  self: ProcessContext,
  message: SystemMessage,
): void | PromiseLike<void> => {
  const request = message.request;
  let reply: SystemReply;
  switch (request.kind) {
    case "getState":
      try {
        reply = ok(proc.getState());
      } catch (error) {
        reply = fail(new CallbackFailedError(`${proc.behaviour}.systemGetState`, error));
      }
      break;
    case "replaceState":
      try {
        reply = ok(proc.replaceState(request.fn));
      } catch (error) {
        reply = fail(new CallbackFailedError(`${proc.behaviour}.systemReplaceState`, error));
      }
      break;
    case "getStatus": {
      const debug = proc.debug;
      const status: SystemStatus = {
        pid: self.pid,
        behaviour: proc.behaviour,
        module: proc.module,
        name: proc.name,
        status: proc.select === undefined ? "running" : "suspended",
        parent: proc.parent,
        debug: {
          trace: debug?.trace === true,
          log: debug?.events != null,
          statistics: debug?.stats != null,
        },
        misc: proc.statusMisc(),
      };
      reply = ok(status);
      break;
    }
    case "suspend":
      proc.select = whileSuspended(proc.parent);
      reply = ok(undefined);
      break;
    case "resume":
      proc.select = undefined;
      reply = ok(undefined);
      break;
    case "changeCode":
      if (proc.select === undefined) {
        reply = fail(new UnknownSystemMessageError(request));
        break;
      }
      try {
        proc.codeChange(request.oldVsn, request.extra);
        reply = ok(undefined);
      } catch (error) {
        reply = fail(
          error instanceof Error ? error : new CallbackFailedError(`${proc.module}.codeChange`, error),
        );
      }
      break;
    case "terminate":
      return proc.terminate(request.reason, self);
    case "statistics":
    case "trace":
    case "log":
    case "install":
    case "remove":
    case "noDebug":
      reply = ok(debugRequest(proc, self, request));
      break;
    default:
      // A request this version does not know (Erlang's `{error, {unknown_system_msg, Msg}}`).
      reply = fail(new UnknownSystemMessageError(request));
  }
  self.reply(message.from, reply);
};

const debugOf = (proc: SystemProcess): Debug => (proc.debug ??= new Debug());

/** The debug-option requests (statistics, trace, log, install, remove, noDebug). */
const debugRequest = (
  proc: SystemProcess,
  self: ProcessContext,
  request: Exclude<
    SystemMessage["request"],
    { kind: "getState" | "replaceState" | "getStatus" | "suspend" | "resume" | "changeCode" | "terminate" }
  >,
): unknown => {
  let result: unknown;
  switch (request.kind) {
    case "statistics":
      if (request.flag === "get") return proc.debug?.statistics(self.node) ?? "no_statistics";
      debugOf(proc).setStatistics(request.flag, self.node);
      break;
    case "trace":
      debugOf(proc).trace = request.on;
      break;
    case "log": {
      const flag = request.flag;
      if (flag === "get" || flag === "print") {
        if (flag === "print") proc.debug?.print(self.node, self.pid);
        result = [...(proc.debug?.events ?? [])];
        break;
      }
      debugOf(proc).setLog(flag === true ? 10 : flag === false ? false : flag);
      break;
    }
    case "install":
      debugOf(proc).install(request.id, request.fn, request.state);
      break;
    case "remove":
      proc.debug?.remove(request.id);
      break;
    case "noDebug":
      proc.debug = null;
      return undefined;
  }
  if (proc.debug?.idle === true) proc.debug = null;
  return result;
};
