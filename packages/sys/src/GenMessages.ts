import { Pid, Ref, registerWireClass, type ReplyTo } from "@maquis/core";

/** A call (Erlang's `{'$gen_call', From, Request}`). */
export class GenCall<Q = unknown> {
  readonly from: ReplyTo;
  readonly request: Q;
  constructor(from: ReplyTo, request: Q) {
    this.from = from;
    this.request = request;
  }
}

/** A cast (Erlang's `{'$gen_cast', Request}`). */
export class GenCast<Q = unknown> {
  readonly request: Q;
  constructor(request: Q) {
    this.request = request;
  }
}

/**
 * A `ReplyTo` rebuilt from the two fields it crosses the wire as (`from.pid, from.tag`, spread into
 * the message's field array: arrays cost the codec far less than a record), each checked.
 */
export const replyToFromWire = (pid: unknown, tag: unknown): ReplyTo => {
  if (!(pid instanceof Pid) || !(tag instanceof Ref)) throw new TypeError("from is not a pid and a ref");
  return { pid, tag };
};

// Calls and casts to a server on another node must arrive as themselves, or the server would take
// them for plain info messages.
registerWireClass({
  type: 0x43,
  Class: GenCall,
  write: (call: GenCall) => [call.from.pid, call.from.tag, call.request],
  read: ([pid, tag, request]) => new GenCall(replyToFromWire(pid, tag), request),
});
registerWireClass({
  type: 0x44,
  Class: GenCast,
  write: (cast: GenCast) => [cast.request],
  read: ([request]) => new GenCast(request),
});
