import { describe, type ExitReason } from "./Reason.js";

/**
 * Erlang's `badarg`: an operation got an argument it cannot act on (sending to an unregistered name,
 * registering a taken name, sending `undefined`).
 */
export class BadArgError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BadArgError";
  }
}

/** Erlang's `noproc`: the process an operation needs does not exist (linking to a dead local pid). */
export class NoProcError extends Error {
  readonly target: unknown;
  constructor(target: unknown) {
    super(`no such process: ${String(target)}`);
    this.name = "NoProcError";
    this.target = target;
  }
}

/**
 * Thrown by the context of a process that has already exited (killed while awaiting something, or
 * after `exit()`), so that code still running on its behalf cannot act as the dead process.
 * The runtime never reports it as a crash: the process's exit reason is `reason`.
 */
export class ProcessExitedError extends Error {
  readonly reason: ExitReason;
  constructor(reason: ExitReason) {
    super(`process has exited: ${describe(reason)}`);
    this.name = "ProcessExitedError";
    this.reason = reason;
  }

  /**
   * @internal The error `self.exit(reason)` throws to unwind the exiting process's own code: built
   * without capturing a stack or formatting the reason (its message is computed when read), because
   * every behaviour stop goes through it and a stack capture was most of a restart's cost.
   */
  static unwinding(reason: ExitReason): ProcessExitedError {
    const error = Object.create(ProcessExitedError.prototype) as { reason: ExitReason };
    error.reason = reason;
    return error as ProcessExitedError;
  }
}

Object.defineProperty(ProcessExitedError.prototype, "name", { value: "ProcessExitedError", writable: true });
// An own `message` (set by the constructor) shadows this; `unwinding` instances use it.
Object.defineProperty(ProcessExitedError.prototype, "message", {
  get(this: ProcessExitedError) {
    return `process has exited: ${describe(this.reason)}`;
  },
  configurable: true,
});

/** Bytes that are not a valid encoded message. Nothing is delivered when decoding throws it. */
export class DecodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DecodeError";
  }
}

/** A value the codec cannot encode (a function, a symbol, an oversized bigint). */
export class EncodeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EncodeError";
  }
}

/** Invalid options given to `Node.start` or `spawn`. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Names the operation a failed request was part of, as Erlang's `{Mod, Fun, Args}` in a call exit. */
export interface CallSite {
  readonly module: string;
  readonly function: string;
  readonly args: readonly unknown[];
}

/**
 * A request failed: Erlang's caller exit `{Reason, {Mod, call, Args}}`.
 *
 * `reason` is `"timeout"`, `"noproc"`, `"noconnection"`, `"calling_self"`, or the exit reason of the
 * server if it died before replying. An uncaught `CallError` crashes a process with the error as its
 * reason, as an uncaught call exit does in Erlang.
 */
export class CallError extends Error {
  readonly _tag = "CallError";
  readonly reason: ExitReason;
  readonly site: CallSite | undefined;
  constructor(reason: ExitReason, site?: CallSite) {
    super(
      site === undefined
        ? `request failed: ${describe(reason)}`
        : `${site.module}.${site.function} failed: ${describe(reason)}`,
    );
    this.name = "CallError";
    this.reason = reason;
    this.site = site;
  }
}
