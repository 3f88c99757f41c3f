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

/** A `ReplyTo` decoded off the wire: checked field by field and rebuilt. */
export const replyToFromWire = (value: unknown): ReplyTo => {
  const { pid, tag } = (value ?? {}) as { pid?: unknown; tag?: unknown };
  if (!(pid instanceof Pid) || !(tag instanceof Ref)) throw new TypeError("from is not { pid, tag }");
  return { pid, tag };
};

// Calls and casts to a server on another node must arrive as themselves, or the server would take
// them for plain info messages.
registerWireClass({
  type: 0x43,
  Class: GenCall,
  write: (call: GenCall) => [call.from, call.request],
  read: ([from, request]) => new GenCall(replyToFromWire(from), request),
});
registerWireClass({
  type: 0x44,
  Class: GenCast,
  write: (cast: GenCast) => [cast.request],
  read: ([request]) => new GenCast(request),
});
