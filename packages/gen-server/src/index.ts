/**
 * `@maquis/gen-server`: OTP's gen_server for TypeScript.
 *
 * Extend {@link GenServer}, return results with {@link reply}, {@link noreply}, {@link stop}…, start it
 * with `MyServer.start(node)` and talk to it with {@link call} and {@link cast}. The Effect API is at
 * `@maquis/gen-server/effect`.
 *
 * @packageDocumentation
 */
export {
  GenServer,
  type ArgsOf,
  type ProtocolOfServer,
  type StartArgs,
  type StatusInfo,
} from "./GenServer.js";
export { abcast, call, cast, DEFAULT_CALL_TIMEOUT, multiCall } from "./Client.js";
// The shared gen layer (Erlang's gen.erl) lives in @maquis/sys; re-exported for gen-server users.
export {
  type CollectionResult,
  checkResponse,
  GenCall,
  GenCast,
  receiveResponse,
  type RequestId,
  RequestIds,
  type Response,
  sendRequest,
  waitResponse,
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
} from "@maquis/sys";
export {
  type CallResult,
  type Ignore,
  ignore,
  type InitError,
  initError,
  type InitResult,
  type Next,
  type NoReply,
  noreply,
  type NoReplyResult,
  type Ok,
  ok,
  type Reply,
  reply,
  type Stop,
  stop,
  stopAndReply,
} from "./Results.js";
export type { EnterLoopOptions, GenServerClass, ServerSource } from "./internal/start.js";
