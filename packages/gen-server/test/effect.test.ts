/**
 * The Effect API (`@maquis/gen-server/effect`): Effects with typed errors and Effect-callback servers.
 * Over 400 lines on purpose: one file for the whole subpath, grouped by client, errors, callbacks and bridges.
 */
import { CallError, DownMessage, type ExitReason, isDown, type Pid, type ReplyTo } from "@maquis/core";
import { Exit, StartError, sys } from "@maquis/sys";
import * as Data from "effect/Data";
import * as Effect from "effect/Effect";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type Call,
  call as callPromise,
  GenServer,
  ignore,
  noreply,
  ok,
  reply,
  type ServerPid,
  type ServerRef,
  stop,
} from "../src/index.js";
import {
  AlreadyStarted,
  type CallFailure,
  CallingSelf,
  CallTimeout,
  call,
  cast,
  EffectGenServer,
  fromCallError,
  fromStartError,
  NoConnection,
  NoProc,
  ServerExited,
  StartFailed,
  type StartFailure,
  StartIgnored,
  start,
  startLink,
  startMonitor,
  toGenServer,
} from "../src/effect/index.js";
import { drain, rejectionOf, useNodes } from "./support.js";

const startNode = useNodes("effect");

/** Runs an Effect that must fail, and gives its (typed) error. */
const failureOf = <E>(effect: Effect.Effect<unknown, E>): Promise<E> =>
  Effect.runPromise(Effect.flip(effect));

interface CounterProtocol {
  calls:
    | Call<{ op: "get" }, number>
    | Call<{ op: "name" }, string>
    | Call<{ op: "crash"; with: unknown }, never>;
  casts: { op: "inc"; by: number };
}

class Boom extends Data.TaggedError("Boom")<{ readonly detail: string }> {}

/** A counter written with Effect callbacks. */
class Counter extends EffectGenServer<CounterProtocol, number, number | undefined> {
  terminated: ExitReason[] = [];

  init(start: number | undefined) {
    return Effect.succeed(ok(start ?? 0));
  }

  override handleCall(request: CounterProtocol["calls"]["request"], _from: ReplyTo, n: number) {
    switch (request.op) {
      case "get":
        return Effect.succeed(reply(n, n));
      case "name":
        return Effect.succeed(reply("counter", n));
      case "crash":
        return Effect.fail(request.with);
    }
  }

  override handleCast(request: { op: "inc"; by: number }, n: number) {
    return Effect.succeed(noreply(n + request.by));
  }
}

/** The same counter as a Promise-API server. */
class PromiseCounter extends GenServer<CounterProtocol, number, number | undefined> {
  init(start: number | undefined) {
    return ok(start ?? 0);
  }
  override handleCall(request: CounterProtocol["calls"]["request"], _from: ReplyTo, n: number) {
    return request.op === "get" ? reply(n, n) : reply("counter", n);
  }
  override handleCast(request: { op: "inc"; by: number }, n: number) {
    return noreply(n + request.by);
  }
}

interface SilentProtocol {
  calls: Call<"hang", never> | Call<{ stop: ExitReason }, never>;
  casts: never;
}

/** Never answers "hang"; stops with the given reason on `{ stop }`. */
class Silent extends EffectGenServer<SilentProtocol, null> {
  init() {
    return Effect.succeed(ok(null));
  }
  override handleCall(request: SilentProtocol["calls"]["request"], _from: ReplyTo, state: null) {
    return Effect.succeed(request === "hang" ? noreply(state) : stop(request.stop, state));
  }
}

describe("Effect API: clients", () => {
  it("starts, calls, casts and stops an Effect server, with the reply type from the protocol", async () => {
    const { node, inbox } = startNode();
    const program = Effect.gen(function* () {
      const counter = yield* Counter.start(node, 5);
      expectTypeOf(counter).toEqualTypeOf<ServerPid<CounterProtocol>>();
      yield* cast(node, counter, { op: "inc", by: 2 });
      const n = yield* call(node, counter, { op: "get" });
      expectTypeOf(n).toEqualTypeOf<number>();
      const name = yield* call(inbox, counter, { op: "name" });
      expectTypeOf(name).toEqualTypeOf<string>();
      // @ts-expect-error: not a request of this protocol
      call(node, counter, { op: "nope" });
      yield* EffectGenServer.stop(node, counter);
      return { counter, n, name };
    });
    const { counter, n, name } = await Effect.runPromise(program);
    expect(n).toBe(7);
    expect(name).toBe("counter");
    expect(node.isAlive(counter as Pid)).toBe(false);
    expect(await drain(inbox)).toEqual([]);
  });

  it("starts and calls a Promise-API GenServer, and the Promise API calls an Effect server", async () => {
    const { node } = startNode();
    const promiseCounter = await Effect.runPromise(start(node, PromiseCounter, 1));
    expectTypeOf(promiseCounter).toEqualTypeOf<ServerPid<CounterProtocol>>();
    expect(await Effect.runPromise(call(node, promiseCounter, { op: "get" }))).toBe(1);
    const effectCounter = await Effect.runPromise(start(node, Counter, 3));
    expect(await callPromise(node, effectCounter, { op: "get" })).toBe(3);
    expect(await sys.getState(node, effectCounter)).toBe(3);
  });

  it("rejects mistakes at compile time", () => {
    const { node, inbox } = startNode();
    // @ts-expect-error: Counter takes a number
    Counter.start(node, "five");
    // @ts-expect-error: Counter takes a number
    start(node, Counter, "five");
    // @ts-expect-error: PromiseCounter takes a number
    start(node, PromiseCounter, "five");
    // @ts-expect-error: a link needs a process, not a node
    Counter.startLink(node);
    expectTypeOf(Counter.startLink(inbox)).toEqualTypeOf<
      Effect.Effect<ServerPid<CounterProtocol>, StartFailure>
    >();
    expectTypeOf(cast(node, "x", 1)).toEqualTypeOf<Effect.Effect<void>>();
    // Callbacks take no services: an Effect that needs one does not fit.
    class NeedsService extends EffectGenServer<{ calls: never; casts: never }, null> {
      // @ts-expect-error: R must be never
      init() {
        return Effect.succeed(ok(null)) as Effect.Effect<
          ReturnType<typeof ok<null>>,
          never,
          { readonly db: 1 }
        >;
      }
    }
    expect(NeedsService).toBeTypeOf("function");
  });

  it("is lazy: nothing is sent until the Effect runs, and each run sends again", async () => {
    const { node } = startNode();
    const counter = await Effect.runPromise(Counter.start(node));
    const inc = cast(node, counter, { op: "inc", by: 1 });
    expect(await Effect.runPromise(call(node, counter, { op: "get" }))).toBe(0);
    await Effect.runPromise(Effect.repeat(inc, { times: 2 }));
    expect(await Effect.runPromise(call(node, counter, { op: "get" }))).toBe(3);
  });

  it("a call times out on the node's clock: CallTimeout, caught with catchTag", async () => {
    const { node, clock } = startNode();
    const server = await Effect.runPromise(Silent.start(node));
    let settled = false;
    const outcome = Effect.runPromise(
      call(node, server, "hang", 100).pipe(
        Effect.catchTag("CallTimeout", (e) => Effect.succeed({ caught: e })),
      ),
    ).finally(() => (settled = true));
    await node.idle();
    clock.advance(99);
    await node.idle();
    expect(settled).toBe(false);
    clock.advance(1);
    const { caught } = (await outcome) as { caught: CallTimeout };
    expect(caught).toBeInstanceOf(CallTimeout);
    expect(caught).toMatchObject({ _tag: "CallTimeout", reason: "timeout", server, timeout: 100 });
    expect(caught).toBeInstanceOf(Error);
    expect(caught.message).toMatch(/timed out after 100 ms/);
  });

  it("a call to no process: NoProc, caught with catchTag; a cast to it does not fail", async () => {
    const { node } = startNode();
    const counter = await Effect.runPromise(Counter.start(node));
    await Effect.runPromise(EffectGenServer.stop(node, counter));
    const error = await failureOf(call(node, counter, { op: "get" }));
    expectTypeOf(error).toEqualTypeOf<CallFailure>();
    expect(error).toBeInstanceOf(NoProc);
    expect(error.reason).toBe("noproc");
    const recovered = await Effect.runPromise(
      call(node, counter, { op: "get" }).pipe(Effect.catchTag("NoProc", () => Effect.succeed(-1))),
    );
    expect(recovered).toBe(-1);
    await Effect.runPromise(cast(node, counter, { op: "inc", by: 1 }));
    await Effect.runPromise(cast(node, "nobody-here", { op: "inc", by: 1 } as never));
    // Stopping a server that is gone fails with NoProc too.
    expect(await failureOf(EffectGenServer.stop(node, counter))).toBeInstanceOf(NoProc);
  });

  it("the server exits before replying: ServerExited with its exit reason", async () => {
    const { node } = startNode();
    const server = await Effect.runPromise(Silent.start(node));
    const reason = await Effect.runPromise(
      call(node, server, { stop: { shutdown: "bye" } }).pipe(
        Effect.catchTag("ServerExited", (e) => Effect.succeed(e.reason)),
      ),
    );
    expect(reason).toEqual({ shutdown: "bye" });
  });

  it("a process calling itself: CallingSelf, caught with catchTag inside an Effect callback", async () => {
    const { node } = startNode();
    interface SelfProtocol {
      calls: Call<"self", string>;
      casts: never;
    }
    class SelfCaller extends EffectGenServer<SelfProtocol, null> {
      init() {
        return Effect.succeed(ok(null));
      }
      override handleCall(_request: "self", _from: ReplyTo, state: null) {
        return call(this.self, this.self.pid as ServerRef<SelfProtocol>, "self").pipe(
          Effect.catchTag("CallingSelf", (e) => Effect.succeed(`${e._tag}:${e.reason}`)),
          Effect.map((answer) => reply(answer, state)),
        );
      }
    }
    const server = await Effect.runPromise(SelfCaller.start(node));
    expect(await Effect.runPromise(call(node, server, "self"))).toBe("CallingSelf:calling_self");
  });

  it("stop: terminate runs as an Effect; a crash in it gives ServerExited with the actual reason", async () => {
    const { node } = startNode();
    const seen: ExitReason[] = [];
    class Cleaner extends EffectGenServer<{ calls: never; casts: never }, string, string> {
      init(mode: string) {
        return Effect.succeed(ok(mode));
      }
      override terminate(reason: ExitReason, mode: string) {
        return Effect.sync(() => void seen.push(reason)).pipe(
          Effect.andThen(mode === "crash" ? Effect.fail(new Boom({ detail: "in terminate" })) : Effect.void),
        );
      }
    }
    const calm = await Effect.runPromise(Cleaner.start(node, "calm"));
    await Effect.runPromise(EffectGenServer.stop(node, calm, "shutdown"));
    expect(seen).toEqual(["shutdown"]);
    const crashy = await Effect.runPromise(Cleaner.start(node, "crash"));
    const error = await failureOf(EffectGenServer.stop(node, crashy));
    expect(error).toBeInstanceOf(ServerExited);
    expect((error as ServerExited).reason).toBeInstanceOf(Boom);
    expect(seen).toEqual(["shutdown", "normal"]);
  });

  it("startLink and startMonitor as Effects", async () => {
    const { node, inbox } = startNode();
    const linked = await Effect.runPromise(startLink(inbox, Counter, 1));
    expect(node.processInfo(linked as Pid)?.links).toContainEqual(inbox.pid);
    const [monitored, ref] = await Effect.runPromise(Counter.startMonitor(inbox));
    await Effect.runPromise(EffectGenServer.stop(inbox, monitored, "shutdown"));
    const down = await inbox.receive(isDown(ref), 0);
    expect(down).toBeInstanceOf(DownMessage);
    expect((down as DownMessage).reason).toBe("shutdown");
    await Effect.runPromise(EffectGenServer.stop(inbox, linked));
    const [promiseServer, ref2] = await Effect.runPromise(startMonitor(inbox, PromiseCounter, 2));
    expectTypeOf(promiseServer).toEqualTypeOf<ServerPid<CounterProtocol>>();
    node.exit(promiseServer as Pid, "kill");
    expect(await inbox.receive(isDown(ref2), 0)).toMatchObject({ reason: "killed" });
  });
});

describe("Effect API: start failures", () => {
  class Picky extends EffectGenServer<{ calls: never; casts: never }, null, string> {
    init(mode: string) {
      switch (mode) {
        case "fail":
          return Effect.fail(new Boom({ detail: "init" }));
        case "stop":
          return Effect.succeed(stop("no thanks"));
        case "ignore":
          return Effect.succeed(ignore());
        default:
          return Effect.succeed(ok(null));
      }
    }
  }

  it("init fails: StartFailed with the failure as reason, caught with catchTag", async () => {
    const { node, logs } = startNode();
    const error = await failureOf(Picky.start(node, "fail"));
    expectTypeOf(error).toEqualTypeOf<StartFailure>();
    expect(error).toBeInstanceOf(StartFailed);
    expect((error as StartFailed).reason).toBeInstanceOf(Boom);
    expect(((error as StartFailed).reason as Boom).detail).toBe("init");
    expect(logs.map((l) => l.kind)).toContain("crash_report");
    const reason = await Effect.runPromise(
      Picky.start(node, "stop").pipe(
        Effect.map(() => "started"),
        Effect.catchTag("StartFailed", (e) => Effect.succeed(e.reason)),
      ),
    );
    expect(reason).toBe("no thanks");
  });

  it("init returns ignore: StartIgnored, caught with catchTag", async () => {
    const { node } = startNode();
    const outcome = await Effect.runPromise(
      Picky.start(node, "ignore").pipe(
        Effect.map(() => "started"),
        Effect.catchTag("StartIgnored", (e) => Effect.succeed(e.reason)),
      ),
    );
    expect(outcome).toBe("ignore");
  });

  it("the name is taken: AlreadyStarted with the holder's pid, caught with catchTag", async () => {
    const { node } = startNode();
    const first = await Effect.runPromise(Picky.start(node, "ok", { name: "picky" }));
    const holder = await Effect.runPromise(
      Picky.start(node, "ok", { name: "picky" }).pipe(
        Effect.map(() => undefined),
        Effect.catchTag("AlreadyStarted", (e) => Effect.succeed(e.pid)),
      ),
    );
    expect(holder).toBe(first);
    // A Promise-API server under a taken name fails the same way.
    expect(await failureOf(start(node, PromiseCounter, 0, { name: "picky" }))).toBeInstanceOf(AlreadyStarted);
  });

  it("a start timeout: StartFailed with reason timeout", async () => {
    const { node, clock } = startNode();
    class Slow extends EffectGenServer<{ calls: never; casts: never }, null> {
      init() {
        return Effect.never;
      }
    }
    const outcome = failureOf(Slow.start(node, undefined, { timeout: 50 }));
    await node.idle();
    clock.advance(50);
    const error = await outcome;
    expect(error).toBeInstanceOf(StartFailed);
    expect(error.reason).toBe("timeout");
  });
});

describe("Effect API: Effect callbacks", () => {
  it("a failing Effect crashes the server, and the reason reaches the caller", async () => {
    const { node, logs } = startNode();
    const counter = await Effect.runPromise(Counter.start(node));
    const boom = new Boom({ detail: "handleCall" });
    const error = await failureOf(call(node, counter, { op: "crash", with: boom }));
    expect(error).toBeInstanceOf(ServerExited);
    expect((error as ServerExited).reason).toBe(boom);
    expect(node.isAlive(counter as Pid)).toBe(false);
    expect(logs.find((l) => l.kind === "gen_server_terminate")?.data).toMatchObject({
      module: "Counter",
      reason: boom,
      lastMessage: { op: "crash", with: boom },
    });
  });

  it("a non-Error failure is the exit reason as it is; failing with Exit stops with its reason", async () => {
    const { node } = startNode();
    const a = await Effect.runPromise(Counter.start(node));
    const reason = await Effect.runPromise(
      call(node, a, { op: "crash", with: "overloaded" }).pipe(
        Effect.catchTag("ServerExited", (e) => Effect.succeed(e.reason)),
      ),
    );
    expect(reason).toBe("overloaded");
    const b = await Effect.runPromise(Counter.start(node));
    const shutdown = await failureOf(call(node, b, { op: "crash", with: new Exit({ shutdown: "done" }) }));
    expect(shutdown).toMatchObject({ _tag: "ServerExited", reason: { shutdown: "done" } });
  });

  it("a defect (a throw inside Effect.sync) crashes the server with the thrown error", async () => {
    const { node } = startNode();
    const error = new Error("bug");
    class Buggy extends EffectGenServer<{ calls: Call<"go", never>; casts: never }, null> {
      init() {
        return Effect.succeed(ok(null));
      }
      override handleCall() {
        return Effect.sync(() => {
          throw error;
        });
      }
    }
    const server = await Effect.runPromise(Buggy.start(node));
    expect(await failureOf(call(node, server, "go"))).toMatchObject({ _tag: "ServerExited", reason: error });
  });

  it("asynchronous callbacks: an Effect callback calls another server, and messages wait for it", async () => {
    const { node } = startNode();
    interface FrontProtocol {
      calls: Call<"double", number>;
      casts: never;
    }
    class Front extends EffectGenServer<
      FrontProtocol,
      ServerRef<CounterProtocol>,
      ServerRef<CounterProtocol>
    > {
      init(backend: ServerRef<CounterProtocol>) {
        return Effect.succeed(ok(backend));
      }
      override handleCall(_request: "double", _from: ReplyTo, backend: ServerRef<CounterProtocol>) {
        return Effect.gen({ self: this }, function* () {
          const n = yield* call(this.self, backend, { op: "get" });
          yield* cast(this.self, backend, { op: "inc", by: n });
          const doubled = yield* call(this.self, backend, { op: "get" });
          return reply(doubled, backend);
        });
      }
    }
    const backend = await Effect.runPromise(Counter.start(node, 3));
    const front = await Effect.runPromise(Front.start(node, backend));
    const [first, second] = await Effect.runPromise(
      Effect.all([call(node, front, "double"), call(node, front, "double")], { concurrency: "unbounded" }),
    );
    // One message at a time: the second call ran after the first one's Effect completed.
    expect([first, second]).toEqual([6, 12]);
  });

  it("handleInfo, handleContinue and timeouts run as Effects; noreply then reply later", async () => {
    const { node, clock } = startNode();
    interface LaterProtocol {
      calls: Call<"later", string> | Call<"log", string[]>;
      casts: never;
    }
    interface State {
      readonly log: string[];
      readonly waiting: ReplyTo | undefined;
    }
    class Later extends EffectGenServer<LaterProtocol, State> {
      init() {
        return Effect.succeed(ok<State>({ log: [] as string[], waiting: undefined }, { continue: "boot" }));
      }
      override handleContinue(value: unknown, state: State) {
        return Effect.succeed(noreply({ ...state, log: [...state.log, `continue:${String(value)}`] }));
      }
      override handleCall(request: "later" | "log", from: ReplyTo, state: State) {
        if (request === "log") return Effect.succeed(reply(state.log, state));
        // Answer after 10 ms of silence (the timeout arrives as an info).
        return Effect.succeed(noreply({ ...state, waiting: from }, 10));
      }
      override handleInfo(message: unknown, state: State) {
        return Effect.gen({ self: this }, function* () {
          if (state.waiting !== undefined) yield* EffectGenServer.reply(this.self, state.waiting, "done");
          return noreply({ log: [...state.log, `info:${String(message)}`], waiting: undefined });
        });
      }
    }
    const server = await Effect.runPromise(Later.start(node));
    const answer = Effect.runPromise(call(node, server, "later"));
    await node.idle();
    clock.advance(10);
    expect(await answer).toBe("done");
    expect(await Effect.runPromise(call(node, server, "log"))).toEqual(["continue:boot", "info:timeout"]);
  });

  it("an Effect server instance (constructor arguments) starts through either API", async () => {
    const { node } = startNode();
    class Greeter extends EffectGenServer<{ calls: Call<"hi", string>; casts: never }, null> {
      readonly #greeting: string;
      constructor(greeting: string) {
        super();
        this.#greeting = greeting;
      }
      init() {
        return Effect.succeed(ok(null));
      }
      override handleCall(_request: "hi", _from: ReplyTo, state: null) {
        return Effect.succeed(reply(this.#greeting, state));
      }
    }
    const viaEffect = await Effect.runPromise(start(node, new Greeter("hello")));
    expect(await Effect.runPromise(call(node, viaEffect, "hi"))).toBe("hello");
    const adapted = toGenServer(new Greeter("hej"));
    expect(adapted).toBeInstanceOf(GenServer);
    expect(adapted.constructor.name).toBe("Greeter");
    const viaAdapter = await Effect.runPromise(start(node, adapted));
    expect(await callPromise(node, viaAdapter, "hi")).toBe("hej");
  });
});

describe("Effect API: bridges to the Promise API", () => {
  it("a callback whose Effect completes synchronously returns its result synchronously to the engine", async () => {
    const { node, inbox } = startNode();
    const adapted = new (toGenServer(Counter))();
    const from = { pid: inbox.pid } as unknown as ReplyTo;
    expect(adapted.handleCall!({ op: "get" }, from, 1)).toEqual(reply(1, 1));
    // An asynchronous one gives a promise, which the engine awaits.
    class Deferred extends EffectGenServer<{ calls: Call<"x", number>; casts: never }, number> {
      init() {
        return Effect.succeed(ok(0));
      }
      override handleCall(_request: "x", _from: ReplyTo, n: number) {
        return Effect.promise(() => Promise.resolve(reply(n, n)));
      }
    }
    const pending = new (toGenServer(Deferred))().handleCall!("x", from, 2);
    expect(pending).toBeInstanceOf(Promise);
    expect(await pending).toEqual(reply(2, 2));
    const server = await Effect.runPromise(Deferred.start(node));
    expect(await Effect.runPromise(call(node, server, "x"))).toBe(0);
  });

  it("toGenServer: an Effect server as a GenServer class, started and called with the Promise API", async () => {
    const { node } = startNode();
    const AsGenServer = toGenServer(Counter);
    expect(toGenServer(Counter)).toBe(AsGenServer);
    expect(AsGenServer.name).toBe("Counter");
    const counter = await AsGenServer.start(node, 4);
    expectTypeOf(counter).toEqualTypeOf<ServerPid<CounterProtocol>>();
    GenServer.cast(node, counter, { op: "inc", by: 1 });
    expect(await callPromise(node, counter, { op: "get" })).toBe(5);
    await GenServer.stop(node, counter);
    class Failing extends EffectGenServer<{ calls: never; casts: never }, null> {
      init() {
        return Effect.fail("nope");
      }
    }
    const error = await rejectionOf(toGenServer(Failing).start(node));
    expect(error).toBeInstanceOf(StartError);
    expect((error as StartError).reason).toBe("nope");
  });

  it("fromCallError and fromStartError map the Promise API's errors by reason", () => {
    const server = "srv";
    expect(fromCallError(new CallError("timeout"), server, 7)).toEqual(
      new CallTimeout({ server, timeout: 7 }),
    );
    expect(fromCallError(new CallError("noproc"), server, 7)).toBeInstanceOf(NoProc);
    expect(fromCallError(new CallError("noconnection"), server, 7)).toBeInstanceOf(NoConnection);
    expect(fromCallError(new CallError("calling_self"), server, 7)).toBeInstanceOf(CallingSelf);
    expect(fromCallError(new CallError("killed"), server, 7)).toMatchObject({
      _tag: "ServerExited",
      reason: "killed",
      server,
    });
    expect(fromCallError(new Error("other"), server, 7)).toBeUndefined();
    expect(fromStartError(new StartError("ignore"))).toBeInstanceOf(StartIgnored);
    expect(fromStartError(new StartError({ alreadyStarted: undefined }))).toBeInstanceOf(AlreadyStarted);
    expect(fromStartError(new StartError("timeout"))).toMatchObject({
      _tag: "StartFailed",
      reason: "timeout",
    });
    expect(fromStartError(new CallError("timeout"))).toBeUndefined();
  });

  it("a failure that is not a call failure is a defect, not a typed error", async () => {
    const { node, inbox } = startNode();
    // startLink needs a process: from a node it is a bad argument (a defect).
    const exit = await Effect.runPromiseExit(startLink(node as never, Counter));
    expect(exit._tag).toBe("Failure");
    expect(await drain(inbox)).toEqual([]);
  });
});
