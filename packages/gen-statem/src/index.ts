/**
 * `@maquis/gen-statem`: OTP's gen_statem for TypeScript.
 *
 * Extend {@link GenStatem}, pick a {@link CallbackMode}, return transitions with {@link nextState},
 * {@link keepState}, {@link repeatState}, {@link stop}… and actions such as {@link reply},
 * {@link postpone}, {@link nextEvent} and the timeouts ({@link eventTimeout}, {@link stateTimeout},
 * {@link genericTimeout}). Start it with `Machine.start(node)` and talk to it with {@link call} and
 * {@link cast}.
 *
 * @packageDocumentation
 */
export {
  type CallbackMode,
  type CallbackModeName,
  GenStatem,
  type ProtocolOfStatem,
  type StartArgs,
  type StateAndData,
  type StatemArgsOf,
  type StatemDataOf,
  type StatemStateOf,
  type StatemStatus,
} from "./GenStatem.js";
export { type CallTimeout, call, cast, sendReply } from "./Client.js";
export type {
  CallEvent,
  CastEvent,
  EnterEvent,
  EventTimeoutEvent,
  EventType,
  GenericTimeoutEvent,
  InfoEvent,
  InternalEvent,
  QueuedEvent,
  StatemEvent,
  StateTimeoutEvent,
  TimeoutName,
} from "./Events.js";
export {
  type Action,
  type Actions,
  type CallbackModuleAction,
  changeCallbackModule,
  eventTimeout,
  genericTimeout,
  type HibernateAction,
  hibernate,
  type NextEventAction,
  nextEvent,
  type PostponeAction,
  popCallbackModule,
  postpone,
  pushCallbackModule,
  type ReplyAction,
  reply,
  stateTimeout,
  type TimeoutAction,
  type TimeoutOptions,
  type TimerKind,
} from "./Actions.js";
export {
  type EnterResult,
  type Ignore,
  ignore,
  type InitError,
  initError,
  type InitResult,
  type KeepState,
  keepState,
  keepStateAndData,
  type NextState,
  nextState,
  type Ok,
  ok,
  type RepeatState,
  repeatState,
  repeatStateAndData,
  type Stop,
  stop,
  stopAndReply,
  type StateResult,
} from "./Results.js";
// The shared gen layer (Erlang's gen.erl), re-exported for gen-statem users.
export {
  type AnyProtocol,
  type Call,
  checkResponse,
  type CollectionResult,
  named,
  type Protocol,
  receiveResponse,
  type RequestId,
  RequestIds,
  type Response,
  sendRequest,
  type ServerPid,
  type ServerRef,
  waitResponse,
} from "@maquis/sys";
export type { EnterLoopOptions, StatemClass, StatemSource } from "./internal/start.js";
