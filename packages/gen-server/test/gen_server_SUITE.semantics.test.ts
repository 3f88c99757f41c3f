/**
 * gen_server semantics that gen_server_SUITE relies on without a case of its own (the reference's §1
 * and §8, "what ports most often get wrong"): async callbacks, the reply after terminate, when
 * terminate runs, and the throw rule.
 */
import { type ExitReason, isDown, isExit, type ProcessContext, type ReplyTo } from "@maquis/core";
import { sys } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import {
  type Call,
  type CallResult,
  call,
  cast,
  GenServer,
  type InitResult,
  type NoReplyResult,
  noreply,
  ok,
  reply,
  stop,
  stopAndReply,
} from "../src/index.js";
import { DummyVia } from "./fixtures/DummyVia.js";
import { advance, callFailure, pidOf, received, sleep, startFailure } from "./fixtures/helpers.js";
import { drain, useNodes } from "./support.js";

const startNode = useNodes("gs3_");

/** Records what it does in `trace`; init and every callback first wait `delay` ms of virtual time. */
class SlowServer extends GenServer<
  { calls: Call<string, string>; casts: string },
  number,
  { trace: string[]; delay: number }
> {
  trace: string[] = [];
  delay = 0;

  async init(args: { trace: string[]; delay: number }): Promise<InitResult<number>> {
    this.trace = args.trace;
    this.delay = args.delay;
    await sleep(this.self, this.delay);
    this.trace.push("init");
    return ok(0);
  }

  override async handleCall(request: string, _from: ReplyTo, n: number): Promise<CallResult<number, string>> {
    this.trace.push(`call ${request} start`);
    await sleep(this.self, this.delay);
    this.trace.push(`call ${request} end`);
    return reply(`${request}:${n}`, n + 1);
  }

  override async handleCast(request: string, n: number): Promise<NoReplyResult<number>> {
    this.trace.push(`cast ${request} start`);
    await sleep(this.self, this.delay);
    this.trace.push(`cast ${request} end`);
    return noreply(n + 1);
  }
}

/** Tells `watcher` (a pid) when terminate runs and with what; `trap` makes it trap exits. */
interface WatchedArgs {
  readonly watcher: ProcessContext["pid"];
  readonly trap?: boolean;
  readonly asyncTerminate?: boolean;
}

class Watched extends GenServer<{ calls: Call<"stop", string>; casts: never }, WatchedArgs, WatchedArgs> {
  init(args: WatchedArgs): InitResult<WatchedArgs> {
    if (args.trap === true) this.self.trapExit(true);
    return ok(args);
  }

  override handleCall(_request: "stop", _from: ReplyTo, args: WatchedArgs): CallResult<WatchedArgs, string> {
    return stopAndReply("normal", "stopped", args);
  }

  override handleInfo(message: unknown, args: WatchedArgs): NoReplyResult<WatchedArgs> {
    this.self.send(args.watcher, ["info", message]);
    return noreply(args);
  }

  override terminate(reason: ExitReason, args: WatchedArgs): void | Promise<void> {
    if (args.asyncTerminate !== true) {
      this.self.send(args.watcher, ["terminate", reason]);
      return;
    }
    return sleep(this.self, 10).then(() => this.self.send(args.watcher, ["terminate", reason]));
  }
}

describe("gen_server semantics", () => {
  it("async callbacks: one message at a time, system messages included", async () => {
    const { node, clock, inbox } = startNode();
    const trace: string[] = [];
    const starting = SlowServer.start(inbox, { trace, delay: 10 });
    await advance(node, clock, 10);
    const pid = await starting;
    cast(inbox, pid, "a");
    cast(inbox, pid, "b");
    const replied = call(inbox, pid, "c");
    const state = sys.getState(inbox, pid);
    await advance(node, clock, 10);
    expect(trace).toEqual(["init", "cast a start", "cast a end", "cast b start"]);
    await advance(node, clock, 20);
    expect(await replied).toBe("c:2");
    expect(await state).toBe(3); // served after the call that was queued before it
    expect(trace).toEqual([
      "init",
      "cast a start",
      "cast a end",
      "cast b start",
      "cast b end",
      "call c start",
      "call c end",
    ]);
  });

  it("call: timeout 1 against a 30 ms async handler, and no late reply afterwards", async () => {
    const { node, clock, inbox } = startNode();
    const starting = SlowServer.start(inbox, { trace: [], delay: 30 });
    await advance(node, clock, 30);
    const pid = await starting;
    const failure = callFailure(call(inbox, pid, "late", 1));
    await advance(node, clock, 1);
    expect((await failure).reason).toBe("timeout");
    await advance(node, clock, 100); // the handler answers at 30 ms: dropped
    expect(await drain(inbox)).toEqual([]);
    const next = call(inbox, pid, "next");
    await advance(node, clock, 30);
    expect(await next).toBe("next:1");
  });

  it("a process killed during an async callback runs nothing of the server afterwards", async () => {
    const { node, clock, inbox, logs } = startNode();
    const seen: unknown[] = [];
    class Sleepy extends GenServer<{ calls: Call<"nap", string>; casts: never }, string> {
      init(): Promise<InitResult<string>> {
        return sleep(this.self, 1000).then(() => ok("awake", { continue: "after init" }));
      }
      override handleCall(): Promise<CallResult<string, string>> {
        return sleep(this.self, 1000).then(() => reply("rested", "rested", { continue: "after call" }));
      }
      override handleContinue(value: unknown, state: string): NoReplyResult<string> {
        seen.push(value);
        return noreply(state);
      }
      override terminate(): void {
        seen.push("terminate");
      }
    }
    // start's {timeout, 100} kills the child in init
    const failed = startFailure(Sleepy.start(inbox, undefined, { timeout: 100 }));
    await advance(node, clock, 100);
    expect((await failed).reason).toBe("timeout");
    await advance(node, clock, 1000);

    // a kill while handle_call runs
    const starting = Sleepy.start(inbox);
    await advance(node, clock, 1000);
    const pid = pidOf(await starting);
    expect(seen).toEqual(["after init"]);
    const napping = callFailure(call(inbox, pid, "nap"));
    await node.idle();
    node.exit(pid, "kill");
    expect((await napping).reason).toBe("killed");
    await advance(node, clock, 1000);
    expect(seen).toEqual(["after init"]);
    expect(logs).toEqual([]);
    expect(await drain(inbox)).toEqual([]);
  });

  it("{stop, Reason, Reply, S}: terminate runs before the reply is sent (async terminate too)", async () => {
    for (const asyncTerminate of [false, true]) {
      const { node, clock, inbox } = startNode();
      const pid = await Watched.start(inbox, { watcher: inbox.pid, asyncTerminate });
      const order: string[] = [];
      const replied = call(inbox, pid, "stop").then((value) => {
        order.push(`reply ${value}`);
        // terminate's note is already in the mailbox when the reply resolves the call
        return inbox.receive(undefined, 0);
      });
      await advance(node, clock, 10);
      expect(await replied).toEqual(["terminate", "normal"]);
      expect(order).toEqual(["reply stopped"]);
      expect(node.isAlive(pidOf(pid))).toBe(false);
    }
  });

  it("terminate runs on the parent's EXIT only when trapping exits, and never on kill", async () => {
    const { node, inbox } = startNode();

    // trapping: the parent's shutdown runs terminate with its reason
    const parent1 = node.inbox();
    const trapping = pidOf(await Watched.startLink(parent1, { watcher: inbox.pid, trap: true }));
    parent1.close("shutdown");
    await node.idle();
    expect(node.isAlive(trapping)).toBe(false);
    expect(await drain(inbox)).toEqual([["terminate", "shutdown"]]);

    // not trapping: the exit signal kills it outright
    const parent2 = node.inbox();
    const plain = pidOf(await Watched.startLink(parent2, { watcher: inbox.pid }));
    const ref2 = inbox.monitor(plain);
    parent2.close("shutdown");
    expect(await received(inbox, isDown(ref2))).toMatchObject({ reason: "shutdown" });
    expect(await drain(inbox)).toEqual([]);

    // an EXIT from another linked process is an info message, not a stop
    const other = node.inbox();
    const watched = pidOf(await Watched.start(inbox, { watcher: inbox.pid, trap: true }));
    other.link(watched);
    other.close("bye");
    await node.idle();
    expect(node.isAlive(watched)).toBe(true);
    expect(await drain(inbox)).toMatchObject([["info", { kind: "EXIT", from: other.pid, reason: "bye" }]]);

    // kill never runs terminate, trapping or not
    const ref3 = inbox.monitor(watched);
    node.exit(watched, "kill");
    expect(await received(inbox, isDown(ref3))).toMatchObject({ reason: "killed" });
    expect(await drain(inbox)).toEqual([]);
  });

  it("stop with a custom reason: terminate gets it, and so does the linked parent's EXIT", async () => {
    const { inbox } = startNode();
    inbox.trapExit(true);
    const pid = pidOf(await Watched.startLink(inbox, { watcher: inbox.pid }));
    inbox.send(pid, "hello");
    expect(await received(inbox, (m) => Array.isArray(m))).toEqual(["info", "hello"]);
    await GenServer.stop(inbox, pid, "custom");
    expect(await drain(inbox)).toMatchObject([
      ["terminate", "custom"],
      { kind: "EXIT", from: pid, reason: "custom" },
    ]);
  });

  it("an undefined reply is a reply: call resolves with undefined (a void call), stopAndReply too", async () => {
    const { node, inbox, logs } = startNode();
    class Voids extends GenServer<{ calls: Call<"reset" | "quit", undefined>; casts: never }, WatchedArgs> {
      init(): InitResult<WatchedArgs> {
        return ok({ watcher: inbox.pid });
      }
      override handleCall(request: "reset" | "quit", _from: ReplyTo, args: WatchedArgs) {
        return request === "reset" ? reply(undefined, args) : stopAndReply("normal", undefined, args);
      }
      override terminate(reason: ExitReason, args: WatchedArgs): void {
        this.self.send(args.watcher, ["terminate", reason]);
      }
    }
    const pid = pidOf(await Voids.start(inbox));
    expect(await call(inbox, pid, "reset")).toBeUndefined();
    expect(node.isAlive(pid)).toBe(true);
    expect(await call(inbox, pid, "quit")).toBeUndefined();
    expect(node.isAlive(pid)).toBe(false);
    expect(await drain(inbox)).toEqual([["terminate", "normal"]]);
    expect(logs.filter((e) => e.pid.equals(pid))).toEqual([]);
  });

  describe("the throw rule: a thrown non-Error is the callback's return value", () => {
    class Thrower extends GenServer<
      { calls: Call<"get" | "throw_reply" | "throw_junk", unknown>; casts: "throw_noreply" },
      number,
      "throw_ok" | "async_throw_ok" | "throw_stop"
    > {
      init(
        mode: "throw_ok" | "async_throw_ok" | "throw_stop",
      ): InitResult<number> | Promise<InitResult<number>> {
        if (mode === "async_throw_ok") return Promise.reject(ok(2));
        throw mode === "throw_ok" ? ok(1) : stop("thrown_stop");
      }

      override handleCall(request: "get" | "throw_reply" | "throw_junk", _from: ReplyTo, n: number) {
        if (request === "throw_reply") throw reply("thrown", n + 10);
        if (request === "throw_junk") throw "junk";
        return reply(n, n);
      }

      override async handleCast(_request: "throw_noreply", n: number): Promise<NoReplyResult<number>> {
        throw noreply(n + 100);
      }

      override terminate(): void {
        throw "ignored";
      }
    }

    it("from init (sync and async), handle_call, handle_cast and terminate", async () => {
      const { inbox } = startNode();
      inbox.trapExit(true);
      const pid = pidOf(await Thrower.startLink(inbox, "throw_ok"));
      expect(await call(inbox, pid, "get")).toBe(1);
      expect(await call(inbox, pid, "throw_reply")).toBe("thrown");
      expect(await call(inbox, pid, "get")).toBe(11);
      cast(inbox, pid, "throw_noreply");
      expect(await call(inbox, pid, "get")).toBe(111);
      // a thrown value that is no result is a bad return value, as in Erlang
      expect((await callFailure(call(inbox, pid, "throw_junk"))).reason).toEqual({ badReturnValue: "junk" });
      // terminate threw "ignored": a return value, so the exit reason stays
      expect(await received(inbox, isExit(pid))).toMatchObject({ reason: { badReturnValue: "junk" } });

      expect(await call(inbox, await Thrower.start(inbox, "async_throw_ok"), "get")).toBe(2);
      expect((await startFailure(Thrower.start(inbox, "throw_stop"))).reason).toBe("thrown_stop");

      const stopped = pidOf(await Thrower.start(inbox, "throw_ok"));
      await GenServer.stop(inbox, stopped, "asked"); // terminate's throw does not turn into the reason
      expect(await drain(inbox)).toEqual([]);
    });
  });

  // BUG (packages/sys/src/Start.ts, startProcess: only a string name is looked up before the spawn):
  // gen:start checks `where(Name)` for every kind of name, so a taken via name fails start_monitor
  // without a process ever existing; here a child is spawned, fails its registration and its DOWN
  // (reason normal) is left in the caller's mailbox.
  it("start_monitor with a taken via name leaves no DOWN", async () => {
    const { node, inbox } = startNode();
    const via = new DummyVia(node);
    const name = { via, name: "taken" };
    const pid = await Watched.start(inbox, { watcher: inbox.pid }, { name });
    const failure = await startFailure(Watched.startMonitor(inbox, { watcher: inbox.pid }, { name }));
    expect(failure.reason).toEqual({ alreadyStarted: pid });
    expect(await drain(inbox)).toEqual([]);
  });

  // BUG (packages/core/src/internal/Process.ts, runSlice, line ~124): runSlice does not check BUSY, so
  // a handler scheduled during the synchronous part of an async init (here: init sends itself a
  // message before its first await) has `receive` called while init is pending. For a gen-server,
  // handleInfo runs before init has returned, with the state still undefined.
  it("async init: a message the server sent itself waits for init", async () => {
    const { node, clock } = startNode();
    const seen: unknown[] = [];
    class EarlyBird extends GenServer<{ calls: never; casts: never }, string> {
      init(): Promise<InitResult<string>> {
        this.self.send(this.self.pid, "hello");
        return sleep(this.self, 10).then(() => ok("ready"));
      }
      override handleInfo(message: unknown, state: string): NoReplyResult<string> {
        seen.push([message, state]);
        return noreply(state);
      }
    }
    const starting = EarlyBird.start(node);
    await advance(node, clock, 10);
    await starting;
    await node.idle();
    expect(seen).toEqual([["hello", "ready"]]);
  });
});
