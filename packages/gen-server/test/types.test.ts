/**
 * Type tests: `call` infers each request's reply type from the protocol its ServerRef carries, and
 * misuse (a request or cast the protocol does not have, a wrong reply, a missing start argument, a
 * node where a process is needed) fails to compile. `tsc -b` checks the `@ts-expect-error` lines; the
 * runtime part makes sure the typed calls really return what their types say.
 */
import type { Pid, ReplyTo } from "@maquis/core";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type AnyProtocol,
  type Call,
  type CallResult,
  call,
  cast,
  GenServer,
  type InitResult,
  type NoReplyResult,
  named,
  noreply,
  ok,
  type ProtocolOf,
  type ReplyFor,
  reply,
  type ServerPid,
} from "../src/index.js";
import { useNodes } from "./support.js";

const startNode = useNodes("gst_");

type Get = { readonly op: "get"; readonly key: string };
type Put = { readonly op: "put"; readonly key: string; readonly value: string };

interface KvProtocol {
  readonly calls: Call<Get, string | undefined> | Call<Put, "ok"> | Call<"size", number>;
  readonly casts: { readonly op: "clear" };
}

type Store = ReadonlyMap<string, string>;

class Kv extends GenServer<KvProtocol, Store, Store | undefined> {
  init(initial: Store | undefined): InitResult<Store> {
    return ok(initial ?? new Map());
  }

  override handleCall(
    request: Get | Put | "size",
    _from: ReplyTo,
    store: Store,
  ): CallResult<Store, string | undefined | "ok" | number> {
    if (request === "size") return reply(store.size, store);
    if (request.op === "get") return reply(store.get(request.key), store);
    return reply("ok", new Map([...store, [request.key, request.value]]));
  }

  override handleCast(_request: { readonly op: "clear" }, _store: Store): NoReplyResult<Store> {
    return noreply(new Map());
  }
}

/** A server whose init argument is required. */
class Needs extends GenServer<AnyProtocol, number, number> {
  init(n: number): InitResult<number> {
    return ok(n);
  }
}

describe("typed protocols", () => {
  it("call infers the reply type of each request from the ServerRef's protocol", async () => {
    const { node, inbox } = startNode();
    const kv = await Kv.start(node);
    expectTypeOf(kv).toEqualTypeOf<ServerPid<KvProtocol>>();
    expectTypeOf<ProtocolOf<typeof kv>>().toEqualTypeOf<KvProtocol>();

    const put = await call(node, kv, { op: "put", key: "a", value: "1" });
    expectTypeOf(put).toEqualTypeOf<"ok">();
    const got = await call(inbox, kv, { op: "get", key: "a" });
    expectTypeOf(got).toEqualTypeOf<string | undefined>();
    const size = await GenServer.call(node, kv, "size");
    expectTypeOf(size).toEqualTypeOf<number>();
    expect([put, got, size]).toEqual(["ok", "1", 1]);

    // a request held in a variable of a wider type still picks its call
    const key: string = "a";
    expectTypeOf(call(node, kv, { op: "get", key })).resolves.toEqualTypeOf<string | undefined>();

    // a union of requests gives the union of the replies
    const either = Math.random() < 2 ? ("size" as const) : ({ op: "get", key: "a" } as const);
    const some = await call(node, kv, either);
    expectTypeOf(some).toEqualTypeOf<string | undefined | "ok" | number>();
    expectTypeOf<ReplyFor<KvProtocol, "size">>().toEqualTypeOf<number>();

    // a name typed with named<P>() speaks P
    await Kv.start(node, new Map([["b", "2"]]), { name: "kv" });
    const byName = named<KvProtocol>("kv");
    const fromName = await call(node, byName, { op: "get", key: "b" });
    expectTypeOf(fromName).toEqualTypeOf<string | undefined>();
    expect(fromName).toBe("2");

    // casts are typed too, and return nothing
    expectTypeOf(cast(node, kv, { op: "clear" })).toEqualTypeOf<void>();
    expect(await call(node, kv, "size")).toBe(0);

    // an untyped pid or name accepts any request and replies unknown
    const pid = kv as unknown as Pid;
    expectTypeOf(call(node, pid, "size")).resolves.toBeUnknown();
    expectTypeOf(call(node, "kv", { anything: true })).resolves.toBeUnknown();
    expect(await call(node, pid, "size")).toBe(0);

    // start arguments: optional when the server takes undefined, required otherwise
    const needs = await Needs.start(node, 5);
    expectTypeOf(needs).toEqualTypeOf<ServerPid<AnyProtocol>>();
    const [monitored, ref] = await Kv.startMonitor(inbox);
    expectTypeOf(monitored).toEqualTypeOf<ServerPid<KvProtocol>>();
    expect(ref).toBeDefined();
  });

  it("misuse fails to compile", () => {
    // Never run: each line is checked by tsc (`@ts-expect-error` fails the build if the line compiles).
    const misuse = async () => {
      const { node, inbox } = startNode();
      const kv = await Kv.start(node);
      // @ts-expect-error: not a request of KvProtocol
      await call(node, kv, { op: "delete", key: "a" });
      // @ts-expect-error: a field of the wrong type
      await call(node, kv, { op: "put", key: "a", value: 1 });
      // @ts-expect-error: a missing field
      await call(node, kv, { op: "put", key: "a" });
      // @ts-expect-error: a cast is not a call
      await call(node, kv, { op: "clear" });
      // @ts-expect-error: a call is not a cast
      cast(node, kv, "size");
      // @ts-expect-error: the reply of get is string | undefined, not number
      const n: number = await call(node, kv, { op: "get", key: "a" });
      // @ts-expect-error: startLink and startMonitor need a process, not a node
      await Kv.startLink(node);
      // @ts-expect-error: a node cannot hold a monitor
      await Kv.startMonitor(node);
      // @ts-expect-error: the init argument of Needs is required
      await Needs.start(node);
      // @ts-expect-error: and it is a number
      await Needs.start(inbox, "five");
      // @ts-expect-error: the timeout is a number
      await call(node, kv, "size", "5000");
      return n;
    };

    // A handler must reply what the protocol says.
    class WrongReply extends GenServer<KvProtocol, Store> {
      init(): InitResult<Store> {
        return ok(new Map());
      }
      // @ts-expect-error: true is not a reply of KvProtocol (string, undefined, "ok" or a number)
      override handleCall(_request: "size", _from: ReplyTo, store: Store) {
        return reply(true, store);
      }
    }
    class WrongRequest extends GenServer<KvProtocol, Store> {
      init(): InitResult<Store> {
        return ok(new Map());
      }
      // @ts-expect-error: handleCast must take the protocol's casts
      override handleCast(_request: "reset", store: Store): NoReplyResult<Store> {
        return noreply(store);
      }
    }
    expect([typeof misuse, typeof WrongReply, typeof WrongRequest]).toEqual([
      "function",
      "function",
      "function",
    ]);
  });
});
