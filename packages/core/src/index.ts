/**
 * `@maquis/core`: Erlang/OTP processes for TypeScript.
 *
 * Nodes own processes; processes have mailboxes with selective receive, links, monitors, exit signals,
 * names and timers, with Erlang's semantics. See docs/semantics.md for where JavaScript differs.
 *
 * @packageDocumentation
 */
export { Node, type NodeOptions, type Inbox } from "./Node.js";
export { Pid, isPid } from "./Pid.js";
export { Ref, isRef } from "./Ref.js";
export type {
  DemonitorOptions,
  Destination,
  Matcher,
  MonitorTarget,
  ProcessBody,
  ProcessContext,
  ProcessHandler,
  SendOptions,
  SpawnOptions,
  ViaName,
  ViaRegistry,
} from "./Context.js";
export {
  Reason,
  type ExitReason,
  type ShutdownWith,
  shutdownWith,
  isNormalExit,
  UncaughtThrow,
  reasonFromThrown,
  describe,
} from "./Reason.js";
export {
  ExitMessage,
  DownMessage,
  TimeoutMessage,
  NodeMessage,
  ReplyMessage,
  type ReplyTo,
  isReply,
  type RemoteName,
  isExit,
  isDown,
  isRemoteName,
} from "./Messages.js";
export {
  BadArgError,
  NoProcError,
  ProcessExitedError,
  DecodeError,
  EncodeError,
  ConfigError,
  CallError,
  type CallSite,
} from "./Errors.js";
export { type Clock, type ClockHandle, systemClock, VirtualClock } from "./Clock.js";
export { encode, decode, internPid, ExtensionType, registerWireClass, type WireClass } from "./Codec.js";
export type { Signal, DistributionHost, DistributionPort, Transport } from "./Distribution.js";
export type { ProcessInfo } from "./internal/Info.js";
