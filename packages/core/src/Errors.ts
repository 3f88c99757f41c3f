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
}

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
