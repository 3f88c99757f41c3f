/**
 * The typed errors of the Effect API: one tagged class per way a call or a start can fail, so that
 * `Effect.catchTag` picks the case it handles. Each error also carries the `reason` the Promise API's
 * `CallError` / `StartError` would have, so code that logs or compares reasons works on both APIs.
 */
import { CallError, type Destination, describe, type ExitReason, type Pid } from "@maquis/core";
import { StartError } from "@maquis/sys";
import * as Data from "effect/Data";

// Data errors take their message from a `message` field; these compute it from the other fields and
// keep it non-enumerable, as `Error`'s own message is.
const setMessage = (error: Error, message: string): void => {
  Object.defineProperty(error, "message", { value: message, configurable: true, writable: true });
};

/**
 * The call got no reply within its timeout (the Promise API's `CallError` with reason `"timeout"`).
 *
 * Gotcha: as in Erlang, the server may still handle the request; its late reply is dropped.
 */
export class CallTimeout extends Data.TaggedError("CallTimeout")<{
  /** The server the call went to. */
  readonly server: Destination;
  /** The timeout that expired, ms. */
  readonly timeout: number;
}> {
  /** The Promise API's reason: `"timeout"`. */
  readonly reason = "timeout" as const;
  constructor(props: { readonly server: Destination; readonly timeout: number }) {
    super(props);
    setMessage(this, `call to ${describe(props.server)} timed out after ${props.timeout} ms`);
  }
}

/**
 * The server does not exist: a dead pid, or no process under that name (reason `"noproc"`). Also
 * what {@link EffectGenServer.stop} fails with for a server that is already gone.
 */
export class NoProc extends Data.TaggedError("NoProc")<{
  /** The server the call went to. */
  readonly server: Destination;
}> {
  /** The Promise API's reason: `"noproc"`. */
  readonly reason = "noproc" as const;
  constructor(props: { readonly server: Destination }) {
    super(props);
    setMessage(this, `no such server: ${describe(props.server)}`);
  }
}

/** The server's node could not be reached, or the connection dropped during the call (reason `"noconnection"`). */
export class NoConnection extends Data.TaggedError("NoConnection")<{
  /** The server the call went to. */
  readonly server: Destination;
}> {
  /** The Promise API's reason: `"noconnection"`. */
  readonly reason = "noconnection" as const;
  constructor(props: { readonly server: Destination }) {
    super(props);
    setMessage(this, `no connection to ${describe(props.server)}`);
  }
}

/**
 * A process called itself (reason `"calling_self"`): it would wait forever for its own reply, so the
 * call fails at once. Usually a bug: a callback calling its own server instead of using its state.
 */
export class CallingSelf extends Data.TaggedError("CallingSelf")<{
  /** The server the call went to (the caller itself). */
  readonly server: Destination;
}> {
  /** The Promise API's reason: `"calling_self"`. */
  readonly reason = "calling_self" as const;
  constructor(props: { readonly server: Destination }) {
    super(props);
    setMessage(this, `a process called itself: ${describe(props.server)}`);
  }
}

/**
 * The server exited before it replied, with `reason` (an `Error` when it crashed, the value of a
 * `stop(reason)`, `"killed"`…). For {@link EffectGenServer.stop}: the reason the server actually exited
 * with when it differs from the one asked for (its terminate crashed).
 */
export class ServerExited extends Data.TaggedError("ServerExited")<{
  /** The server the call went to. */
  readonly server: Destination;
  /** The server's exit reason. */
  readonly reason: ExitReason;
}> {
  constructor(props: { readonly server: Destination; readonly reason: ExitReason }) {
    super(props);
    setMessage(this, `${describe(props.server)} exited: ${describe(props.reason)}`);
  }
}

/** Every way a call (or a stop) can fail. Each member has a `reason`, as the Promise API's `CallError`. */
export type CallFailure = CallTimeout | NoProc | NoConnection | CallingSelf | ServerExited;

/**
 * Start failed: init crashed (reason: the error), returned `stop(reason)` or `initError(reason)`, or
 * did not finish within the start's `timeout` (reason `"timeout"`; the process is then killed).
 */
export class StartFailed extends Data.TaggedError("StartFailed")<{
  /** What init failed with, as the Promise API's `StartError.reason`. */
  readonly reason: ExitReason;
}> {
  constructor(props: { readonly reason: ExitReason }) {
    super(props);
    setMessage(this, `start failed: ${describe(props.reason)}`);
  }
}

/** init returned `ignore()`: no server was started (Erlang's `ignore`). Not an error for a supervisor. */
export class StartIgnored extends Data.TaggedError("StartIgnored") {
  /** The Promise API's reason: `"ignore"`. */
  readonly reason = "ignore" as const;
  constructor() {
    super();
    setMessage(this, "init returned ignore");
  }
}

/** The name given in the start options is taken by `pid` (Erlang's `{error, {already_started, Pid}}`). */
export class AlreadyStarted extends Data.TaggedError("AlreadyStarted")<{
  /** The process that holds the name (undefined if it vanished meanwhile). */
  readonly pid: Pid | undefined;
}> {
  /** The Promise API's reason: `{ alreadyStarted: pid }`. */
  get reason(): { readonly alreadyStarted: Pid | undefined } {
    return { alreadyStarted: this.pid };
  }
  constructor(props: { readonly pid: Pid | undefined }) {
    super(props);
    setMessage(this, `already started: ${describe(props.pid)}`);
  }
}

/** Every way a start can fail. */
export type StartFailure = StartFailed | StartIgnored | AlreadyStarted;

/**
 * The typed error for a Promise API `CallError` (by its `reason`); any other value is not a call
 * failure and gives `undefined`.
 *
 * @param server the server the call or stop went to.
 * @param timeout the call's timeout, for {@link CallTimeout}.
 */
export const fromCallError = (
  error: unknown,
  server: Destination,
  timeout: number,
): CallFailure | undefined => {
  if (!(error instanceof CallError)) return undefined;
  switch (error.reason) {
    case "timeout":
      return new CallTimeout({ server, timeout });
    case "noproc":
      return new NoProc({ server });
    case "noconnection":
      return new NoConnection({ server });
    case "calling_self":
      return new CallingSelf({ server });
    default:
      return new ServerExited({ server, reason: error.reason });
  }
};

const isAlreadyStarted = (reason: ExitReason): reason is { readonly alreadyStarted: Pid | undefined } =>
  typeof reason === "object" && reason !== null && "alreadyStarted" in reason;

/**
 * The typed error for a Promise API `StartError` (by its `reason`); any other value gives
 * `undefined`.
 */
export const fromStartError = (error: unknown): StartFailure | undefined => {
  if (!(error instanceof StartError)) return undefined;
  if (error.ignored) return new StartIgnored();
  if (isAlreadyStarted(error.reason)) return new AlreadyStarted({ pid: error.reason.alreadyStarted });
  return new StartFailed({ reason: error.reason });
};
