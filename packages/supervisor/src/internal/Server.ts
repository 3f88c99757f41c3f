/**
 * The supervisor process: a gen-server (as OTP's supervisor is) that traps exits, starts its children
 * in `init`, restarts them on their EXIT, and stops them in `terminate`.
 */
import { ExitMessage, type ExitReason, isPid, type ReplyTo } from "@maquis/core";
import {
  type AnyProtocol,
  GenServer,
  type InitResult,
  ignore,
  type NoReplyResult,
  noreply,
  ok,
  reply,
  stop,
  type CallResult,
} from "@maquis/gen-server";
import { log } from "@maquis/sys";
import { SupervisorError } from "../SupervisorError.js";
import { handleCall } from "./Calls.js";
import { shutdownAll } from "./Lifecycle.js";
import { type Outcome, type SupRequest, TryAgainRestart } from "./Protocol.js";
import { reportError } from "./Reports.js";
import {
  childExited,
  findChildAndArgs,
  restart,
  startChildren,
  terminateChildren,
  type Verdict,
} from "./Restart.js";
import {
  type Children,
  type DynamicChild,
  dynamicTemplate,
  emptyChildren,
  isSimple,
  Restarting,
  type SupervisorModule,
  type SupState,
} from "./State.js";
import { type CheckedFlags, checkFlags, checkStartSpec, Invalid } from "./validate.js";

/** What the supervisor process is started with (OTP's `{SupName, Mod, Args}`). */
export interface InitArg {
  readonly module: SupervisorModule;
  readonly args: unknown;
  readonly name: unknown;
}

interface Definition {
  readonly flags?: unknown;
  readonly children: readonly unknown[];
}

const isDefinition = (value: unknown): value is Definition =>
  typeof value === "object" && value !== null && Array.isArray((value as Definition).children);

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === "object" && value !== null && typeof (value as PromiseLike<unknown>).then === "function";

const badReturn = (module: SupervisorModule, value: unknown) => ({
  badReturn: { module: module.constructor.name, function: "init", value },
});

export class SupervisorServer extends GenServer<AnyProtocol, SupState, InitArg> {
  async init(arg: InitArg): Promise<InitResult<SupState>> {
    const self = this.self;
    self.trapExit(true);
    const result = await arg.module.init(arg.args);
    if (result === "ignore") return ignore();
    if (!isDefinition(result)) return stop(badReturn(arg.module, result));
    const flags = checkFlags(result.flags);
    if (flags instanceof Invalid) return stop({ supervisorData: flags.reason });
    const state: SupState = {
      name: arg.name ?? self.pid,
      ...flags,
      children: emptyChildren(),
      dynamics: undefined,
      dynamicRestarts: 0,
      restarts: [],
      module: arg.module,
      args: arg.args,
    };
    if (isSimple(state)) {
      if (result.children.length !== 1) return stop({ badStartSpec: result.children });
      const children = checkStartSpec(result.children, state.autoShutdown);
      if (children instanceof Invalid) return stop({ startSpec: children.reason });
      state.children = children;
      state.dynamics = new Map();
      return ok(state);
    }
    const children = checkStartSpec(result.children, state.autoShutdown);
    if (children instanceof Invalid) return stop({ startSpec: children.reason });
    const started = await startChildren(self, state, children);
    if (!started.ok) {
      await terminateChildren(self, state, started.children);
      return stop({ shutdown: { failedToStartChild: started.failedId, reason: started.reason } });
    }
    state.children = started.children;
    return ok(state);
  }

  override handleCall(
    request: unknown,
    _from: ReplyTo,
    state: SupState,
  ): CallResult<SupState, unknown> | Promise<CallResult<SupState, unknown>> {
    const outcome = handleCall(this.self, state, request as SupRequest);
    return outcome instanceof Promise ? outcome.then((o: Outcome) => reply(o, state)) : reply(outcome, state);
  }

  override handleCast(
    request: unknown,
    state: SupState,
  ): NoReplyResult<SupState> | Promise<NoReplyResult<SupState>> {
    if (!(request instanceof TryAgainRestart)) return this.unexpected(request, state);
    const found = findChildAndArgs(state, request.id);
    if (found === undefined || !(found.child.pid instanceof Restarting)) return noreply(state);
    return restart(this.self, state, found).then((verdict) => this.after(verdict, state));
  }

  override handleInfo(
    message: unknown,
    state: SupState,
  ): NoReplyResult<SupState> | Promise<NoReplyResult<SupState>> {
    if (!(message instanceof ExitMessage)) return this.unexpected(message, state);
    return childExited(this.self, state, message.from, message.reason).then((verdict) =>
      this.after(verdict, state),
    );
  }

  override async terminate(_reason: ExitReason, state: SupState): Promise<void> {
    if (!isSimple(state)) {
      await terminateChildren(this.self, state, state.children);
      return;
    }
    const template = dynamicTemplate(state);
    const pids = [...state.dynamics!.values()].map((d: DynamicChild) => d.pid).filter(isPid);
    const errors = await shutdownAll(this.self, template, pids);
    for (const { reason, pids: failed } of errors.values()) {
      reportError(this.self, state, "shutdown_error", reason, { ...template, pid: undefined }, failed.length);
    }
  }

  /**
   * A code change (`sys.changeCode` while suspended) calls `init` again with the same argument: new
   * flags apply, changed specs are updated, new specs are added without being started, removed ones
   * are kept (OTP's `code_change/3`).
   */
  override codeChange(_oldVsn: unknown, state: SupState, _extra: unknown): SupState {
    const result = state.module.init(state.args);
    if (isThenable(result)) throw new SupervisorError("async_init");
    if (result === "ignore") return state;
    if (!isDefinition(result)) throw new SupervisorError(badReturn(state.module, result));
    const flags = checkFlags(result.flags);
    if (flags instanceof Invalid) {
      const reason = flags.reason as { invalidType?: unknown };
      throw new SupervisorError("invalidType" in reason ? { badFlags: reason.invalidType } : reason);
    }
    const next: SupState = { ...state, ...(flags as CheckedFlags) };
    const children = checkStartSpec(result.children, next.autoShutdown);
    if (children instanceof Invalid) throw new SupervisorError(children.reason);
    if (isSimple(next)) {
      if (children.ids.length !== 1) throw new SupervisorError({ badStartSpec: result.children });
      next.children = children;
      next.dynamics ??= new Map();
      return next;
    }
    next.children = mergeSpecs(state.children, children);
    return next;
  }

  private after(verdict: Verdict, state: SupState): NoReplyResult<SupState> {
    return verdict === "shutdown" ? stop("shutdown", state) : noreply(state);
  }

  private unexpected(message: unknown, state: SupState): NoReplyResult<SupState> {
    log(
      this.self.node,
      "error",
      "supervisor_unexpected_message",
      this.self.pid,
      "supervisor received an unexpected message",
      {
        message,
      },
    );
    return noreply(state);
  }
}

/**
 * OTP's `update_childspec1/3`: children in the new specs take the new spec and keep their pid; new
 * specs are added (not started); children missing from the new specs are kept. Newest first: the kept
 * old ones, then the new specs in reverse order.
 */
const mergeSpecs = (old: Children, specs: Children): Children => {
  const db = new Map(specs.db);
  const kept: unknown[] = [];
  for (const id of old.ids) {
    const child = old.db.get(id)!;
    const updated = db.get(id);
    if (updated === undefined) {
      kept.unshift(id);
      db.set(id, child);
    } else {
      db.set(id, { ...updated, pid: child.pid });
    }
  }
  return { ids: [...specs.ids, ...kept].reverse(), db };
};
