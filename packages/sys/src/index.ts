/**
 * `@maquis/sys`: the process-library layer every Maquis behaviour stands on.
 *
 * - {@link startProcess}: synchronous start with init acknowledgement (Erlang's `proc_lib:start*`).
 * - `sys.*`: inspect and control a running behaviour (getState, suspend, statistics, trace, stop…).
 * - {@link handleSystemMessage}: the system-message loop a behaviour delegates to.
 * - {@link setLogger}: where crash reports and behaviour reports go.
 *
 * @packageDocumentation
 */
export * as sys from "./Sys.js";
export { afterCallback, isThenable, processGone, type Step } from "./Callbacks.js";
export { type Caller, isProcessCaller, nodeOf } from "./Caller.js";
export {
  Debug,
  describeEvent,
  type DebugFn,
  type DebugOption,
  type Statistics,
  type SystemEvent,
} from "./Debug.js";
export { CallbackFailedError, StartError, UnknownSystemMessageError } from "./Errors.js";
export { consoleLogger, type LogEvent, type Logger, log, loggerFor, setLogger } from "./Logger.js";
export {
  lineageOf,
  reportCrash,
  type Started,
  Starter,
  type StartMode,
  type StartOptions,
  startProcess,
} from "./Start.js";
export {
  isSystemMessage,
  SystemMessage,
  type SystemReply,
  type SystemRequest,
  whileSuspended,
} from "./SystemMessage.js";
export { handleSystemMessage, type SystemProcess, type SystemStatus } from "./SystemProcess.js";
export { Exit, exitReasonOf, UndefinedCallbackError } from "./Exit.js";
export { GenCall, GenCast, replyToFromWire } from "./GenMessages.js";
export {
  type AnyProtocol,
  type Call,
  type CallReply,
  type CallRequest,
  type CastRequest,
  named,
  type Protocol,
  type ProtocolOf,
  type ReplyFor,
  type ServerPid,
  type ServerRef,
} from "./Protocol.js";
export {
  type CollectionResult,
  checkResponse,
  receiveResponse,
  type RequestId,
  RequestIds,
  type Response,
  sendRequest,
  waitResponse,
} from "./Requests.js";
