/**
 * Typed protocols: a server's calls (each request with its reply type) and casts, carried by the
 * {@link ServerRef} that start returns, so `call` infers the reply for each request and a request the
 * server does not take fails to compile.
 *
 * @example
 * interface KvProtocol {
 *   calls: Call<{ op: "get"; key: string }, string | undefined> | Call<{ op: "put"; key: string; value: string }, "ok">;
 *   casts: { op: "clear" };
 * }
 */
import type { Destination, Pid } from "@maquis/core";

/** One call: its request type and the reply type it gets. */
export interface Call<Request, Reply> {
  readonly request: Request;
  readonly reply: Reply;
}

/** A server's protocol: the union of its {@link Call}s, and the union of the casts it takes. */
export interface Protocol {
  readonly calls: Call<unknown, unknown>;
  readonly casts: unknown;
}

/** Any protocol: what an untyped pid or name speaks. */
export interface AnyProtocol extends Protocol {
  readonly calls: Call<unknown, unknown>;
  readonly casts: unknown;
}

declare const protocol: unique symbol;

/**
 * A pid or name that speaks protocol `P` (a phantom type: at run time it is the pid or name itself).
 * A plain pid or name is accepted wherever a `ServerRef` is, with an untyped protocol.
 */
export type ServerRef<P extends Protocol = AnyProtocol> = Destination & { readonly [protocol]?: P };

/** The pid of a started server that speaks protocol `P`: a `Pid` (usable wherever one is) and a {@link ServerRef}. */
export type ServerPid<P extends Protocol = AnyProtocol> = Pid & { readonly [protocol]?: P };

/** Gives a name (or pid) its protocol type, e.g. `named<KvProtocol>("kv")`. */
export const named = <P extends Protocol>(ref: Destination): ServerRef<P> => ref as ServerRef<P>;

/** The requests `P` accepts in a call. */
export type CallRequest<P extends Protocol> = P["calls"]["request"];

/** The reply type of every call in `P` (what `handleCall` may reply). */
export type CallReply<P extends Protocol> = P["calls"]["reply"];

/** The casts `P` accepts. */
export type CastRequest<P extends Protocol> = P["casts"];

type ReplyOf<C, Q> = C extends Call<infer CQ, infer R> ? ([Q] extends [CQ] ? R : never) : never;

/**
 * The reply to request `Q` under protocol `P`; when `Q` is not one call's request (a union of
 * requests, say), the union of every reply.
 */
export type ReplyFor<P extends Protocol, Q> = [ReplyOf<P["calls"], Q>] extends [never]
  ? CallReply<P>
  : ReplyOf<P["calls"], Q>;

/** The protocol a {@link ServerRef} carries. */
export type ProtocolOf<R> = R extends { readonly [protocol]?: infer P }
  ? P extends Protocol
    ? P
    : AnyProtocol
  : AnyProtocol;
