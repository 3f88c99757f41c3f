/**
 * The worked example of docs/supervisor.md, and the convenience API around it (worker,
 * supervisorChild, startSupervisor, Supervisor.start/stop). Not part of supervisor_SUITE.
 */
import { isPid, type Pid, type ReplyTo } from "@maquis/core";
import { type AnyProtocol, type Call, call, GenServer, noreply, ok, reply } from "@maquis/gen-server";
import type { StartError } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import {
  countChildren,
  getChildspec,
  startChild,
  startSupervisor,
  startSupervisorLink,
  Supervisor,
  supervisorChild,
  whichChildren,
  worker,
} from "../src/index.js";
import { checkExitReason, drain, rejectionOf, useNodes } from "./support.js";

const startNode = useNodes("guide");

// ---- the guide's example ----

interface KvProtocol {
  calls:
    | Call<{ op: "get"; key: string }, string | undefined>
    | Call<{ op: "put"; key: string; value: string }, "ok">;
  casts: never;
}

class KvStore extends GenServer<KvProtocol, Map<string, string>> {
  init() {
    return ok(new Map<string, string>());
  }
  override handleCall(
    req: { op: "get"; key: string } | { op: "put"; key: string; value: string },
    _from: ReplyTo,
    map: Map<string, string>,
  ) {
    if (req.op === "get") return reply(map.get(req.key), map);
    map.set(req.key, req.value);
    return reply("ok" as const, map);
  }
}

class Session extends GenServer<AnyProtocol, { user: string }, string> {
  init(user: string) {
    return ok({ user });
  }
  override handleCall(_req: unknown, _from: ReplyTo, state: { user: string }) {
    return reply(state.user, state);
  }
  override handleInfo(_message: unknown, state: { user: string }) {
    return noreply(state);
  }
}

class Sessions extends Supervisor {
  init() {
    return {
      flags: { strategy: "simple_one_for_one", intensity: 10, period: 60 },
      children: [worker(Session, "anonymous", { id: "session", restart: "temporary" })],
    } as const;
  }
}

class App extends Supervisor {
  init() {
    return {
      flags: { strategy: "rest_for_one", intensity: 3, period: 10 },
      children: [
        worker(KvStore, undefined, { id: "kv", start: { name: "kv" } }),
        supervisorChild(Sessions, undefined, { id: "sessions", start: { name: "sessions" } }),
      ],
    } as const;
  }
}

describe("guide", () => {
  it("the worked example", async () => {
    const { node } = startNode();
    const app = await App.start(node);
    await call(node, "kv", { op: "put", key: "greeting", value: "hello" });
    const { pid: alice } = await startChild(node, "sessions", ["alice"]);
    expect(await call(node, alice!, "whoami")).toBe("alice");
    expect((await whichChildren(node, app)).map((c) => c.id)).toEqual(["sessions", "kv"]);

    // The store crashes: rest_for_one restarts it and everything started after it.
    node.exit(node.whereis("kv")!, "kill");
    await node.idle();
    expect(await call(node, "kv", { op: "get", key: "greeting" })).toBeUndefined(); // a fresh store
    expect(node.isAlive(alice!)).toBe(false);
    expect(await countChildren(node, "sessions")).toEqual({
      specs: 1,
      active: 0,
      supervisors: 0,
      workers: 0,
    });

    await Supervisor.stop(node, app);
    expect(node.whereis("kv")).toBeUndefined();
    expect(node.whereis("sessions")).toBeUndefined();
  });
});

describe("convenience API", () => {
  it("worker and supervisorChild fill in type, shutdown and modules", async () => {
    const t = startNode();
    const sup = await startSupervisorLink(t.inbox, {
      children: [
        worker(KvStore, undefined),
        supervisorChild({ flags: {}, children: [] }, { id: "inner" }),
        supervisorChild(Sessions, undefined, { shutdown: 5000 }),
      ],
    });
    const kv = await getChildspec(t.inbox, sup, "KvStore");
    expect(kv).toMatchObject({
      id: "KvStore",
      type: "worker",
      shutdown: 5000,
      restart: "permanent",
      modules: [KvStore],
    });
    const inner = await getChildspec(t.inbox, sup, "inner");
    expect(inner).toMatchObject({ type: "supervisor", shutdown: "infinity", modules: [] });
    expect(await getChildspec(t.inbox, sup, "Sessions")).toMatchObject({
      type: "supervisor",
      shutdown: 5000,
      modules: [Sessions],
    });
    expect(await countChildren(t.inbox, sup)).toEqual({ specs: 3, active: 3, supervisors: 2, workers: 1 });
  });

  it("startSupervisor takes a definition or a function returning one, and ignore", async () => {
    const t = startNode();
    const sup = await startSupervisor(t.node, () => ({
      children: [worker(KvStore, undefined, { id: "kv" })],
    }));
    expect(isPid(sup)).toBe(true);
    expect((await whichChildren(t.node, sup)).map((c) => c.id)).toEqual(["kv"]);
    const error = await rejectionOf(startSupervisor(t.node, "ignore"));
    expect((error as StartError).ignored).toBe(true);
    await Supervisor.stop(t.node, sup);
    expect(t.node.isAlive(sup)).toBe(false);
  });

  it("startLink links the supervisor to its parent; stop runs the children's shutdown", async () => {
    const t = startNode();
    const sup = await App.startLink(t.inbox);
    const kv: Pid = t.node.whereis("kv")!;
    const ref = t.inbox.monitor(kv);
    await Supervisor.stop(t.inbox, sup, "shutdown");
    const down = await t.inbox.receive((m) => (m as { ref?: unknown }).ref === ref);
    expect((down as { reason: unknown }).reason).toBe("shutdown");
    await checkExitReason(t, sup, "shutdown");
    expect(await drain(t.inbox)).toEqual([]);
  });
});
