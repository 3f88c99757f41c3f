/** The demo's key-value store: a GenServer with a typed protocol, and a way to make it crash. */
import type { ReplyTo } from "@maquis/core";
import { notify } from "@maquis/gen-event";
import { type Call, GenServer, named, ok, reply } from "@maquis/gen-server";
import { kvEvents } from "./events.js";

export interface KvProtocol {
  calls:
    | Call<{ op: "get"; key: string }, string | undefined>
    | Call<{ op: "put"; key: string; value: string }, "ok">
    | Call<{ op: "keys" }, string[]>;
  casts: { op: "crash" };
}

export type KvState = ReadonlyMap<string, string>;

/**
 * Holds string keys and values; starts from a seed, so a restart comes back with the seed only. Every
 * write is reported to the `kv_events` manager.
 */
export class KvStore extends GenServer<KvProtocol, KvState, Record<string, string>> {
  init(seed: Record<string, string>) {
    return ok<KvState>(new Map(Object.entries(seed)));
  }

  override handleCall(request: KvProtocol["calls"]["request"], _from: ReplyTo, state: KvState) {
    switch (request.op) {
      case "get":
        return reply(state.get(request.key), state);
      case "put":
        notify(this.self, kvEvents, request);
        return reply("ok" as const, new Map(state).set(request.key, request.value));
      case "keys":
        return reply([...state.keys()], state);
    }
  }

  override handleCast(_request: { op: "crash" }, _state: KvState): never {
    throw new Error("injected crash");
  }
}

/** The store's registered name, typed with its protocol. */
export const kv = named<KvProtocol>("kv");
