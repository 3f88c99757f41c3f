/**
 * Type tests: `call` infers each request's reply type from the protocol the machine's ServerPid
 * carries; in `handleEvent` mode the event, state and data are typed by the machine's parameters and
 * results are typed by state and data; misuse (a request or cast the protocol does not have, a state
 * or data of the wrong type in a result, init or enterLoop, a missing start argument, a node where a
 * process is needed) fails to compile. `tsc -b` checks the `@ts-expect-error` lines; the runtime part
 * makes sure the typed calls really return what their types say.
 */
import type { Pid, ProcessContext, Ref } from "@maquis/core";
import { type AnyProtocol, sys } from "@maquis/sys";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type Call,
  type CallEvent,
  type CastEvent,
  call,
  cast,
  type EnterEvent,
  GenStatem,
  genericTimeout,
  type InitResult,
  keepState,
  keepStateAndData,
  named,
  nextEvent,
  nextState,
  ok,
  type ProtocolOfStatem,
  reply,
  repeatState,
  type ServerPid,
  type StateAndData,
  type StatemDataOf,
  type StatemEvent,
  type StatemStateOf,
  type StateResult,
  stateTimeout,
  stop,
} from "../src/index.js";
import { useNodes } from "./support.js";

const startNode = useNodes("gsmt_");

type DoorState = "locked" | "open";

interface DoorData {
  readonly code: string;
  readonly opened: number;
}

type Unlock = { readonly op: "unlock"; readonly code: string };

interface DoorProtocol {
  readonly calls: Call<Unlock, "opened" | "wrong"> | Call<"state", DoorState> | Call<"opened", number>;
  readonly casts: "lock";
}

/** A typed machine in handleEvent mode: a code lock that opens on the right code and relocks. */
class Door extends GenStatem<DoorState, DoorData, string, DoorProtocol> {
  callbackMode() {
    return ["handleEvent", "stateEnter"] as const;
  }

  init(code: string): InitResult<DoorState, DoorData> {
    return ok("locked", { code, opened: 0 });
  }

  override handleEvent(
    event: StatemEvent<DoorProtocol, DoorState>,
    state: DoorState,
    data: DoorData,
  ): StateResult<DoorState, DoorData> {
    switch (event.type) {
      case "enter":
        return state === "open" ? keepStateAndData(stateTimeout(1000, "relock")) : keepStateAndData();
      case "call": {
        const request = event.content;
        if (request === "state") return keepStateAndData(reply(event.from, state));
        if (request === "opened") return keepStateAndData(reply(event.from, data.opened));
        if (request.code !== data.code) return keepStateAndData(reply(event.from, "wrong"));
        return nextState("open", { ...data, opened: data.opened + 1 }, reply(event.from, "opened"));
      }
      case "cast":
      case "stateTimeout":
        return nextState("locked", data);
      default:
        return keepStateAndData();
    }
  }
}

/** A machine whose init argument is optional, in stateFunctions mode with untyped protocol. */
class Counter extends GenStatem<"counting", number, number | undefined> {
  callbackMode() {
    return "stateFunctions" as const;
  }

  init(start: number | undefined): InitResult<"counting", number> {
    return ok("counting", start ?? 0);
  }

  counting(event: StatemEvent, n: number): StateResult<"counting", number> {
    if (event.type === "call") return keepState(n + 1, reply(event.from, n + 1));
    return keepStateAndData();
  }
}

describe("typed protocols", () => {
  it("call infers the reply type of each request from the machine's ServerPid", async () => {
    const { node, inbox } = startNode();
    const door = await Door.start(node, "1234");
    expectTypeOf(door).toEqualTypeOf<ServerPid<DoorProtocol>>();
    expectTypeOf<ProtocolOfStatem<Door>>().toEqualTypeOf<DoorProtocol>();

    const wrong = await call(node, door, { op: "unlock", code: "0000" });
    expectTypeOf(wrong).toEqualTypeOf<"opened" | "wrong">();
    const state = await call(inbox, door, "state");
    expectTypeOf(state).toEqualTypeOf<DoorState>();
    const opened = await Door.call(node, door, "opened");
    expectTypeOf(opened).toEqualTypeOf<number>();
    expect([wrong, state, opened]).toEqual(["wrong", "locked", 0]);
    expect(await GenStatem.call(node, door, { op: "unlock", code: "1234" })).toBe("opened");

    // a union of requests gives the union of every reply
    const either = Math.random() < 2 ? ("state" as const) : ("opened" as const);
    const some = await call(node, door, either);
    expectTypeOf(some).toEqualTypeOf<"opened" | "wrong" | DoorState | number>();
    expect(some).toBe("open");

    // casts are typed, and return nothing; the cast relocks
    expectTypeOf(cast(node, door, "lock")).toEqualTypeOf<void>();
    expect(await call(node, door, "state")).toBe("locked");

    // a name typed with named<P>() speaks P
    await Door.start(node, "42", { name: "door" });
    const byName = named<DoorProtocol>("door");
    const fromName = await call(node, byName, { op: "unlock", code: "42" });
    expectTypeOf(fromName).toEqualTypeOf<"opened" | "wrong">();
    expect(fromName).toBe("opened");

    // an untyped pid or name accepts any request and replies unknown
    const pid = door as unknown as Pid;
    expectTypeOf(call(node, pid, "state")).resolves.toBeUnknown();
    expectTypeOf(call(node, "door", { anything: true })).resolves.toBeUnknown();
    expect(await call(node, pid, "opened")).toBe(1);

    // start arguments: optional when the machine takes undefined, required otherwise
    const counter = await Counter.start(node);
    expectTypeOf(counter).toEqualTypeOf<ServerPid<AnyProtocol>>();
    expect(await call(node, counter, "next")).toBe(1);
    const [monitored, ref] = await Door.startMonitor(inbox, "7");
    expectTypeOf(monitored).toEqualTypeOf<ServerPid<DoorProtocol>>();
    expectTypeOf(ref).toEqualTypeOf<Ref>();
    const linked = await Counter.startLink(inbox, 10);
    expect(await call(inbox, linked, "next")).toBe(11);
    await GenStatem.stop(inbox, linked);
  });

  it("events, states and data are typed by the machine's parameters", async () => {
    type Event = StatemEvent<DoorProtocol, DoorState>;
    expectTypeOf<Extract<Event, { type: "call" }>>().toEqualTypeOf<CallEvent<Unlock | "state" | "opened">>();
    expectTypeOf<Extract<Event, { type: "cast" }>>().toEqualTypeOf<CastEvent<"lock">>();
    expectTypeOf<Extract<Event, { type: "enter" }>>().toEqualTypeOf<EnterEvent<DoorState>>();
    expectTypeOf<StatemStateOf<Door>>().toEqualTypeOf<DoorState>();
    expectTypeOf<StatemDataOf<Door>>().toEqualTypeOf<DoorData>();
    expectTypeOf<StatemStateOf<Counter>>().toEqualTypeOf<"counting">();
    expectTypeOf(nextState("open" as DoorState, { code: "1", opened: 0 })).toExtend<
      StateResult<DoorState, DoorData>
    >();
    expectTypeOf(keepStateAndData()).toExtend<StateResult<DoorState, DoorData>>();
    expectTypeOf(stop()).toExtend<StateResult<DoorState, DoorData>>();

    // sys.getState is typed by its caller; it really is { state, data }
    const { node, clock, inbox } = startNode();
    const door = await Door.start(node, "1234");
    expect(await call(node, door, { op: "unlock", code: "1234" })).toBe("opened");
    const both = await sys.getState<StateAndData<DoorState, DoorData>>(inbox, door);
    expectTypeOf(both.state).toEqualTypeOf<DoorState>();
    expect(both).toEqual({ state: "open", data: { code: "1234", opened: 1 } });
    // the state timeout set by the typed enter call relocks it
    clock.advance(1000);
    await node.idle();
    expect(await call(node, door, "state")).toBe("locked");
  });

  it("misuse fails to compile", () => {
    // Never run: each line is checked by tsc (`@ts-expect-error` fails the build if the line compiles).
    const misuse = async (self: ProcessContext) => {
      const { node, inbox } = startNode();
      const door = await Door.start(node, "1234");
      // @ts-expect-error: not a request of DoorProtocol
      await call(node, door, { op: "open" });
      // @ts-expect-error: a field of the wrong type
      await call(node, door, { op: "unlock", code: 1234 });
      // @ts-expect-error: a missing field
      await call(node, door, { op: "unlock" });
      // @ts-expect-error: a cast is not a call
      await call(node, door, "lock");
      // @ts-expect-error: a call is not a cast
      cast(node, door, "state");
      // @ts-expect-error: the reply of state is DoorState, not number
      const n: number = await call(node, door, "state");
      // @ts-expect-error: startLink and startMonitor need a process, not a node
      await Door.startLink(node, "1234");
      // @ts-expect-error: a node cannot hold a monitor
      await Door.startMonitor(node, "1234");
      // @ts-expect-error: the init argument of Door is required
      await Door.start(node);
      // @ts-expect-error: and it is a string
      await Door.start(inbox, 1234);
      // @ts-expect-error: the timeout is a number (or a clean/dirty timeout)
      await call(node, door, "state", "5000");
      // @ts-expect-error: enterLoop takes a state of the machine
      await Door.enterLoop(self, "ajar", { code: "1", opened: 0 });
      // @ts-expect-error: and its data
      await Door.enterLoop(self, "open", { code: 1, opened: 0 });
      // @ts-expect-error: generic timeout names are primitives (compared with ===)
      genericTimeout({ name: "t" }, 100);
      // @ts-expect-error: only queued event types can be inserted
      nextEvent("enter", undefined);
      return n;
    };

    // init must give a state and data of the machine
    class BadInit extends GenStatem<DoorState, DoorData> {
      callbackMode() {
        return "handleEvent" as const;
      }
      init(): InitResult<DoorState, DoorData> {
        // @ts-expect-error: "ajar" is not a DoorState
        return ok("ajar", { code: "1", opened: 0 });
      }
    }
    // results are typed by state and data
    class BadResults extends GenStatem<DoorState, DoorData> {
      callbackMode() {
        return "handleEvent" as const;
      }
      init(): InitResult<DoorState, DoorData> {
        return ok("locked", { code: "1", opened: 0 });
      }
      override handleEvent(
        event: StatemEvent<AnyProtocol, DoorState>,
        _state: DoorState,
        data: DoorData,
      ): StateResult<DoorState, DoorData> {
        // @ts-expect-error: "ajar" is not a DoorState
        if (event.type === "cast") return nextState("ajar", data);
        // @ts-expect-error: the data has the wrong shape
        if (event.type === "info") return keepState({ code: 1 });
        // @ts-expect-error: so does repeatState's
        if (event.type === "internal") return repeatState("data");
        return keepStateAndData();
      }
    }
    // handleEvent must take the machine's state type
    class WrongState extends GenStatem<DoorState, DoorData> {
      callbackMode() {
        return "handleEvent" as const;
      }
      init(): InitResult<DoorState, DoorData> {
        return ok("locked", { code: "1", opened: 0 });
      }
      // @ts-expect-error: the state is a DoorState, not a number
      override handleEvent(_event: StatemEvent, _state: number, _data: DoorData) {
        return keepStateAndData();
      }
    }
    // codeChange gives back a state and data of the machine
    class WrongUpgrade extends GenStatem<DoorState, DoorData> {
      callbackMode() {
        return "handleEvent" as const;
      }
      init(): InitResult<DoorState, DoorData> {
        return ok("locked", { code: "1", opened: 0 });
      }
      // @ts-expect-error: a codeChange that returns a state of another type
      override codeChange(_old: unknown, _state: DoorState, data: DoorData) {
        return { state: 3, data };
      }
    }
    expect([misuse, BadInit, BadResults, WrongState, WrongUpgrade].map((x) => typeof x)).toEqual([
      "function",
      "function",
      "function",
      "function",
      "function",
    ]);
  });
});
