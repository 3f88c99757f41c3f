import type { ReplyTo } from "@maquis/core";

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
