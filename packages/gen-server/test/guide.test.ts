/** The key-value store from docs/gen-server.md, kept compiling and working. */
import type { ReplyTo } from "@maquis/core";
import { sys } from "@maquis/sys";
import { expect, expectTypeOf, it } from "vitest";
import { type Call, call, cast, GenServer, noreply, ok, reply } from "../src/index.js";
import { useNodes } from "./support.js";

interface KvProtocol {
  calls:
    | Call<{ op: "get"; key: string }, string | undefined>
    | Call<{ op: "put"; key: string; value: string }, "ok">;
  casts: { op: "clear" };
}

type State = Map<string, string>;

class KvStore extends GenServer<KvProtocol, State, Record<string, string> | undefined> {
  init(seed: Record<string, string> | undefined) {
    return ok(new Map(Object.entries(seed ?? {})));
  }

  override handleCall(request: KvProtocol["calls"]["request"], _from: ReplyTo, state: State) {
    switch (request.op) {
      case "get":
        return reply(state.get(request.key), state);
      case "put":
        return reply("ok" as const, new Map(state).set(request.key, request.value));
    }
  }

  override handleCast(_request: { op: "clear" }, _state: State) {
    return noreply(new Map<string, string>());
  }
}

const startNode = useNodes("guide");

it("the guide's key-value store", async () => {
  const { node } = startNode();
  const kv = await KvStore.start(node, { greeting: "hello" }, { name: "kv" });
  expect(await call(node, kv, { op: "put", key: "a", value: "1" })).toBe("ok");
  const a = await call(node, kv, { op: "get", key: "a" });
  expectTypeOf(a).toEqualTypeOf<string | undefined>();
  expect(a).toBe("1");
  expect(await call(node, kv, { op: "get", key: "greeting" })).toBe("hello");
  cast(node, kv, { op: "clear" });
  expect(await sys.getState<State>(node, kv)).toEqual(new Map());
  await sys.suspend(node, kv);
  await sys.replaceState(node, kv, (s: State) => new Map(s).set("patched", "yes"));
  await sys.resume(node, kv);
  expect(await call(node, kv, { op: "get", key: "patched" })).toBe("yes");
  await GenServer.stop(node, kv);
  expect(node.whereis("kv")).toBeUndefined();
});
