/**
 * Synchronous start (Erlang's `proc_lib:start*` with OTP 26 semantics): the caller spawns the process
 * and waits until its init acknowledges or fails. A failed start leaves no trace: the name is released
 * before the caller resumes and the caller's EXIT for the child is consumed.
 */
import {
  BadArgError,
  CallError,
  type ExitReason,
  isExit,
  isNormalExit,
  type Pid,
  type ProcessContext,
  type ProcessHandler,
  type Ref,
  type ReplyTo,
  type ViaName,
} from "@maquis/core";
import { type Caller, isProcessCaller, nodeOf } from "./Caller.js";
import type { DebugOption } from "./Debug.js";
import { StartError } from "./Errors.js";
import { log } from "./Logger.js";

/** Options every behaviour's start accepts. */
export interface StartOptions {
  /** Register the process under a local name, or in a via registry (`{ via, name }`). */
  readonly name?: string | ViaName;
  /** How long init may take, ms (default `Infinity`). On expiry the process is killed: `StartError("timeout")`. */
  readonly timeout?: number;
  /** sys debug options from the start (trace, log, statistics, install). */
  readonly debug?: readonly DebugOption[];
  /**
   * Accepted for OTP compatibility; JavaScript has no per-process heap to compact, so hibernation is a
   * no-op (see docs/semantics.md).
   */
  readonly hibernateAfter?: number;
}

/** How the caller is tied to the new process. */
export type StartMode = "start" | "startLink" | "startMonitor";

/** A started process: its pid, and the caller's monitor on it for `startMonitor`. */
export interface Started {
  readonly pid: Pid;
  readonly monitor: Ref | undefined;
}

type Ack = { readonly ok: true } | { readonly ok: false; readonly reason: ExitReason };

/** The new process's side of the start protocol (Erlang's `init_ack` / `init_fail` and the starter info). */
export class Starter {
  /**
   * The caller for `startLink` and `startMonitor`, or the process itself for a plain `start` (as in
   * Erlang's gen, where a monitored start also records the caller as parent).
   */
  parent!: Pid;
  readonly name: string | ViaName | undefined;
  readonly options: StartOptions;
  replyTo: ReplyTo | undefined = undefined;
  private done = false;

  constructor(options: StartOptions) {
    this.options = options;
    this.name = options.name;
  }

  /**
   * Registers a via name (local names are registered at spawn). Returns false, after failing the
   * start with `{ alreadyStarted }`, if the name is taken.
   */
  register(self: ProcessContext): boolean {
    const name = this.name;
    if (name === undefined || typeof name === "string") return true;
    if (name.via.registerName(name.name, self.pid)) return true;
    this.fail(self, { alreadyStarted: name.via.whereisName(name.name) }, "normal");
    return false;
  }

  /** Init succeeded: the caller's start returns. */
  ack(self: ProcessContext): void {
    this.send(self, { ok: true });
  }

  /**
   * Init failed: the caller's start fails with `result` (`"ignore"` for ignore), and this process ends
   * with `exitReason` (after releasing a via name). Never returns.
   */
  fail(self: ProcessContext, result: ExitReason, exitReason: ExitReason): never {
    const name = this.name;
    if (name !== undefined && typeof name !== "string" && name.via.whereisName(name.name)?.equals(self.pid)) {
      name.via.unregisterName(name.name);
    }
    this.send(self, { ok: false, reason: result });
    return self.exit(exitReason);
  }

  private send(self: ProcessContext, ack: Ack): void {
    const replyTo = this.replyTo;
    if (this.done || replyTo === undefined) return;
    this.done = true;
    this.replyTo = undefined; // nothing more to say: do not keep the caller's alias alive
    self.reply(replyTo, ack);
  }
}

interface Lineage {
  /** The process that started it linked or monitored, or the process itself (plain start). */
  readonly parent: Pid;
  readonly initialCall: string;
  readonly ancestors: readonly (Pid | string)[];
}

const NO_ANCESTORS: readonly (Pid | string)[] = Object.freeze([]);

// Keyed by the pid object, which core keeps unique for a live local process.
const lineage = new WeakMap<Pid, Lineage>();

/** Erlang's `'$ancestors'` (parent first) and `'$initial_call'` of a process started here. */
export const lineageOf = (pid: Pid): Lineage | undefined => lineage.get(pid);

/**
 * Spawns a process whose handler `makeHandler` builds around a {@link Starter}, and waits for its
 * init to acknowledge. Rejects with {@link StartError} on failure, `ignore` or timeout.
 *
 * @param initialCall names the code for crash reports (e.g. `"GenServer:KvStore"`).
 */
export const startProcess = async (
  caller: Caller,
  mode: StartMode,
  options: StartOptions,
  initialCall: string,
  makeHandler: (starter: Starter) => ProcessHandler,
): Promise<Started> => {
  const linked = mode === "startLink";
  if (mode !== "start" && !isProcessCaller(caller)) {
    throw new BadArgError(`${mode} needs a process caller (a node cannot be linked or hold a monitor)`);
  }
  const timeout = options.timeout ?? Number.POSITIVE_INFINITY;
  if (!(timeout >= 0)) throw new BadArgError(`invalid start timeout: ${timeout}`);
  const name = options.name;
  // Checked before spawning, so a taken name spawns nothing (no stray DOWN or EXIT for the caller).
  const existing = typeof name === "string" ? caller.whereis(name) : name?.via.whereisName(name.name);
  if (existing !== undefined) throw new StartError({ alreadyStarted: existing });
  const starter = new Starter(options);
  const handler = makeHandler(starter);
  const spawnOptions = typeof name === "string" ? { name } : undefined;
  const pid = linked
    ? (caller as ProcessContext).spawnLink(handler, spawnOptions)
    : caller.spawn(handler, spawnOptions);
  const callerPid = isProcessCaller(caller) ? caller.pid : undefined;
  starter.parent = mode === "start" ? pid : callerPid!;
  const callerName =
    callerPid === undefined ? undefined : nodeOf(caller).processInfo(callerPid)?.registeredName;
  const parentLineage = callerPid === undefined ? undefined : lineage.get(callerPid);
  lineage.set(pid, {
    parent: starter.parent,
    initialCall,
    ancestors:
      callerPid === undefined ? NO_ANCESTORS : [callerName ?? callerPid, ...(parentLineage?.ancestors ?? [])],
  });
  const monitor = mode === "startMonitor" ? (caller as ProcessContext).monitor(pid) : undefined;
  const forgetChild = () => {
    if (linked) (caller as ProcessContext).discard(isExit(pid));
  };
  let ack: Ack;
  try {
    ack = await caller.request<Ack>(
      pid,
      (replyTo) => {
        starter.replyTo = replyTo;
        return undefined; // nothing to send: the child replies when its init is done
      },
      timeout,
    );
  } catch (error) {
    if (!(error instanceof CallError)) throw error;
    if (error.reason === "timeout") {
      if (linked) (caller as ProcessContext).unlink(pid);
      nodeOf(caller).exit(pid, "kill");
      forgetChild();
    } else {
      forgetChild();
    }
    throw new StartError(error.reason);
  }
  if (!ack.ok) {
    forgetChild();
    throw new StartError(ack.reason);
  }
  return { pid, monitor };
};

/**
 * Logs proc_lib's crash report for a process started here that ends abnormally (not for normal,
 * shutdown or `{ shutdown }` reasons).
 */
export const reportCrash = (self: ProcessContext, reason: ExitReason): void => {
  if (isNormalExit(reason)) return;
  const info = lineage.get(self.pid);
  log(self.node, "error", "crash_report", self.pid, `process ${self.pid} crashed`, {
    initialCall: info?.initialCall,
    ancestors: info?.ancestors ?? [],
    reason,
  });
};
