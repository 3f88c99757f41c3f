import type { ReplyTo } from "@maquis/core";
import { CallError } from "@maquis/core";
import { sys } from "@maquis/sys";
import { describe, expect, expectTypeOf, it } from "vitest";
import { type Call, call, cast, GenServer, noreply, ok, reply } from "../src/index.js";
import { drain, rejectionOf, useNodes } from "./support.js";

const startNode = useNodes("smoke");

interface CounterProtocol {
  calls: Call<{ op: "get" }, number> | Call<{ op: "name" }, string>;
  casts: { op: "inc"; by: number };
}

class Counter extends GenServer<CounterProtocol, number, number | undefined> {
  init(start: number | undefined) {
    return ok(start ?? 0);
  }
  override handleCall(request: { op: "get" } | { op: "name" }, _from: ReplyTo, n: number) {
    return request.op === "get" ? reply(n, n) : reply("counter", n);
  }
  override handleCast(request: { op: "inc"; by: number }, n: number) {
    return noreply(n + request.by);
  }
}

describe("GenServer smoke", () => {
  it("starts, serves calls and casts, and reports its state through sys", async () => {
    const { node, inbox } = startNode();
    const counter = await Counter.start(node, 5);
    cast(node, counter, { op: "inc", by: 2 });
    const n = await call(node, counter, { op: "get" });
    expectTypeOf(n).toEqualTypeOf<number>();
    const name = await call(inbox, counter, { op: "name" });
    expectTypeOf(name).toEqualTypeOf<string>();
    expect(n).toBe(7);
    expect(name).toBe("counter");
    expect(await sys.getState(node, counter)).toBe(7);
    // @ts-expect-error: not a request of this protocol
    await rejectionOf(call(node, counter, { op: "nope" }, 10)).catch(() => {});
    await GenServer.stop(node, counter);
    expect(node.isAlive(counter as never)).toBe(false);
    const error = await rejectionOf(call(node, counter, { op: "get" }));
    expect(error).toBeInstanceOf(CallError);
    expect((error as CallError).reason).toBe("noproc");
    expect(await drain(inbox)).toEqual([]);
  });
});

describe("enterLoop", () => {
  class Echo extends GenServer<{ calls: Call<string, string>; casts: never }, string> {
    init(): never {
      throw new Error("enterLoop skips init");
    }
    override handleCall(request: string, _from: ReplyTo, state: string) {
      return reply(`${state}:${request}`, state);
    }
  }

  it("turns a process started by sys into the server, with the given state and name", async () => {
    const { node } = startNode();
    const { startProcess } = await import("@maquis/sys");
    const started = await startProcess(node, "start", { name: "echo" }, "test:echo", (starter) => ({
      async init(self) {
        starter.ack(self);
        await Echo.enterLoop(self, "st", { name: "echo" });
      },
      receive() {},
    }));
    expect(await call(node, "echo", "hi")).toBe("st:hi");
    expect(await sys.getState(node, started.pid)).toBe("st");
  });

  it("exits process_was_not_started_by_proc_lib / process_not_registered", async () => {
    const { node, inbox } = startNode();
    const [plain] = inbox.spawnMonitor(async (self) => {
      await Echo.enterLoop(self, "st");
    });
    const { startProcess } = await import("@maquis/sys");
    const started = await startProcess(node, "startMonitor" as never, {}, "test", (starter) => ({
      async init(self) {
        starter.ack(self);
        await Echo.enterLoop(self, "st", { name: "not-mine" });
      },
      receive() {},
    })).catch(() => undefined);
    expect(started).toBeUndefined(); // a node cannot hold a monitor
    const byInbox = await startProcess(inbox, "startMonitor", {}, "test", (starter) => ({
      async init(self) {
        starter.ack(self);
        await Echo.enterLoop(self, "st", { name: "not-mine" });
      },
      receive() {},
    }));
    const downs = await drain(inbox);
    expect(downs).toMatchObject([
      { item: plain, reason: "process_was_not_started_by_proc_lib" },
      { ref: byInbox.monitor, reason: "process_not_registered" },
    ]);
  });
});

describe("timeouts and system messages", () => {
  it("a plain timeout starts over after a system message, as OTP's loop re-enters receive…after", async () => {
    const { node, clock, inbox } = startNode();
    class Sleepy extends GenServer<{ calls: never; casts: never }, string> {
      init() {
        return ok("waiting", 1000);
      }
      override handleInfo(message: unknown, _state: string) {
        inbox.send(inbox.pid, ["info", message]);
        return noreply("fired");
      }
    }
    const pid = await Sleepy.start(node);
    clock.advance(600);
    expect(await sys.getState(node, pid)).toBe("waiting");
    clock.advance(600); // 1200 ms since init, but only 600 since the system message
    expect(await sys.getState(node, pid)).toBe("waiting");
    clock.advance(999);
    await node.idle();
    expect(await drain(inbox)).toEqual([]);
    clock.advance(1);
    expect(await inbox.receive()).toEqual(["info", "timeout"]);
  });
});
