/**
 * The examples of docs/gen-statem.md, kept compiling and working (same code as the guide). Over 400
 * lines on purpose: one test per guide section, each with the section's classes as the guide shows them.
 */
import { StartError, startProcess, sys } from "@maquis/sys";
import { describe, expect, expectTypeOf, it } from "vitest";
import {
  type Call,
  call,
  cast,
  changeCallbackModule,
  eventTimeout,
  GenStatem,
  genericTimeout,
  type InitResult,
  initError,
  keepState,
  keepStateAndData,
  nextEvent,
  nextState,
  ok,
  postpone,
  reply,
  type StateAndData,
  type StatemEvent,
  type StateResult,
  stateTimeout,
  stop,
  stopAndReply,
} from "../src/index.js";
import { rejectionOf, useNodes } from "./support.js";

const startNode = useNodes("guide");

// ---- The door lock, in "stateFunctions" mode ----

interface DoorProtocol {
  calls: Call<"state", DoorState> | Call<"stop", "bye">;
  casts: { button: string };
}

type DoorState = "locked" | "open";

interface Door {
  readonly code: string;
  /** The digits entered so far. */
  readonly entered: string;
}

type DoorEvent = StatemEvent<DoorProtocol, DoorState>;

class DoorLock extends GenStatem<DoorState, Door, string, DoorProtocol> {
  callbackMode() {
    return ["stateFunctions", "stateEnter"] as const;
  }

  init(code: string): InitResult<DoorState, Door> {
    return ok("locked", { code, entered: "" });
  }

  locked(event: DoorEvent, door: Door): StateResult<DoorState, Door> {
    switch (event.type) {
      case "enter":
        return keepState({ ...door, entered: "" });
      case "cast": {
        const entered = door.entered + event.content.button;
        if (entered === door.code) {
          return nextState("open", door, genericTimeout("code", "cancel"));
        }
        if (entered.length >= door.code.length) {
          return keepState({ ...door, entered: "" }, genericTimeout("code", "cancel")); // wrong code
        }
        return keepState({ ...door, entered }, genericTimeout("code", 5_000));
      }
      case "genericTimeout": // no button for 5 s: start over
        return keepState({ ...door, entered: "" });
      default:
        return this.common(event, "locked");
    }
  }

  open(event: DoorEvent, door: Door): StateResult<DoorState, Door> {
    switch (event.type) {
      case "enter":
        return keepStateAndData(stateTimeout(10_000, "lock"));
      case "stateTimeout":
        return nextState("locked", door);
      case "cast": // a button pressed while the door is open counts once it has locked again
        return keepStateAndData(postpone());
      default:
        return this.common(event, "open");
    }
  }

  /** Events handled the same way in every state. */
  private common(event: DoorEvent, state: DoorState): StateResult<DoorState, Door> {
    if (event.type !== "call") return keepStateAndData(); // ignore stray messages
    switch (event.content) {
      case "state":
        return keepStateAndData(reply(event.from, state));
      case "stop":
        return stopAndReply("normal", reply(event.from, "bye"));
    }
  }
}

it("the guide's door lock", async () => {
  const { node, clock } = startNode();
  const door = await DoorLock.start(node, "1234", { name: "door" });

  cast(node, door, { button: "1" });
  cast(node, door, { button: "2" });
  const state = await call(node, door, "state");
  expectTypeOf(state).toEqualTypeOf<DoorState>();
  expect(state).toBe("locked");
  expect(await sys.getState(node, door)).toEqual({ state: "locked", data: { code: "1234", entered: "12" } });
  cast(node, door, { button: "3" });
  cast(node, door, { button: "4" });
  expect(await call(node, door, "state")).toBe("open");
  cast(node, door, { button: "9" }); // postponed: the door is open
  await node.idle();
  expect((await sys.getStatus(node, door)).misc).toMatchObject({
    state: "open",
    postponed: [{ type: "cast", content: { button: "9" } }],
    timeouts: [["stateTimeout", "lock"]],
  });

  clock.advance(10_000); // the state timeout locks it; then the postponed "9" is replayed
  await node.idle();
  expect(await sys.getState(node, door)).toEqual({ state: "locked", data: { code: "1234", entered: "9" } });
  expect((await sys.getStatus(node, door)).misc).toMatchObject({
    timeouts: [[{ genericTimeout: "code" }, undefined]],
  });

  clock.advance(5_000); // no button for 5 s: the code timeout clears the "9"
  await node.idle();
  expect(await sys.getState(node, door)).toEqual({ state: "locked", data: { code: "1234", entered: "" } });

  expect(await call(node, door, "stop")).toBe("bye");
  await node.idle();
  expect(node.whereis("door")).toBeUndefined();
});

it("the guide's sys calls", async () => {
  const { node } = startNode();
  const door = await DoorLock.start(node, "1234");
  cast(node, door, { button: "9" });
  expect(await sys.getState(node, door)).toEqual({ state: "locked", data: { code: "1234", entered: "9" } });
  await sys.suspend(node, door);
  await sys.replaceState(node, door, (s: StateAndData<DoorState, Door>) => ({
    ...s,
    data: { ...s.data, entered: "" },
  }));
  await sys.resume(node, door);
  expect(await sys.getState(node, door)).toEqual({ state: "locked", data: { code: "1234", entered: "" } });
});

// ---- The same lock in "handleEvent" mode, with a complex state ----

/** Locked after `failures` wrong codes in a row (3 blocks the keypad for a minute), or open. */
type LockoutState = readonly ["locked", failures: number] | readonly ["open"];

interface LockoutProtocol {
  calls: Call<"state", LockoutState>;
  casts: { button: string };
}

class LockoutDoor extends GenStatem<LockoutState, Door, string, LockoutProtocol> {
  callbackMode() {
    return ["handleEvent", "stateEnter"] as const;
  }

  init(code: string): InitResult<LockoutState, Door> {
    return ok(["locked", 0], { code, entered: "" });
  }

  override handleEvent(
    event: StatemEvent<LockoutProtocol, LockoutState>,
    state: LockoutState,
    door: Door,
  ): StateResult<LockoutState, Door> {
    if (event.type === "call") return keepStateAndData(reply(event.from, state));
    if (state[0] === "open") {
      switch (event.type) {
        case "enter":
          return keepStateAndData(stateTimeout(10_000, "lock"));
        case "stateTimeout":
          return nextState(["locked", 0], door);
        case "cast":
          return keepStateAndData(postpone());
        default:
          return keepStateAndData();
      }
    }
    const failures = state[1];
    switch (event.type) {
      case "enter": // every change of `failures` is a state change, so this runs each time
        return keepState({ ...door, entered: "" }, failures >= 3 ? stateTimeout(60_000, "unblock") : []);
      case "stateTimeout": // blocked for a minute: unblock
        return nextState(["locked", 0], door);
      case "cast": {
        if (failures >= 3) return keepStateAndData(postpone()); // blocked: retried once unblocked
        const entered = door.entered + event.content.button;
        if (entered === door.code) return nextState(["open"], door);
        if (entered.length >= door.code.length) return nextState(["locked", failures + 1], door);
        return keepState({ ...door, entered }, eventTimeout(5_000, "clear"));
      }
      case "timeout": // no event at all for 5 s
        return keepState({ ...door, entered: "" });
      default:
        return keepStateAndData();
    }
  }
}

it("the guide's lock with a lockout, in handleEvent mode", async () => {
  const { node, clock } = startNode();
  const door = await LockoutDoor.start(node, "42");
  const press = (buttons: string) => {
    for (const button of buttons) cast(node, door, { button });
  };

  press("4");
  await node.idle();
  clock.advance(5_000); // the event timeout clears "4"
  await node.idle();
  press("2");
  expect(await call(node, door, "state")).toEqual(["locked", 0]); // "2" alone is not the code

  press("0"); // "20": wrong (the call above cancelled the event timeout, the data kept "2")
  press("11");
  press("99"); // three wrong codes
  expect(await call(node, door, "state")).toEqual(["locked", 3]);
  press("42"); // blocked: postponed
  expect(await sys.getState(node, door)).toEqual({ state: ["locked", 3], data: { code: "42", entered: "" } });

  clock.advance(60_000); // unblocked: ["locked", 0] is a real state change, so "4", "2" are replayed
  await node.idle();
  expect(await call(node, door, "state")).toEqual(["open"]);

  clock.advance(10_000);
  await node.idle();
  expect(await call(node, door, "state")).toEqual(["locked", 0]);
  await GenStatem.stop(node, door);
});

// ---- Inserted events ----

class Parser extends GenStatem<"idle", string[]> {
  callbackMode() {
    return "handleEvent" as const;
  }
  init(): InitResult<"idle", string[]> {
    return ok("idle", []);
  }
  override handleEvent(event: StatemEvent, _state: "idle", words: string[]): StateResult<"idle", string[]> {
    switch (event.type) {
      case "cast": // one line in, one internal event per word, handled before any other message
        return keepStateAndData(
          String(event.content)
            .split(" ")
            .map((word) => nextEvent("internal", word)),
        );
      case "internal":
        return keepState([...words, String(event.content)]);
      case "call":
        return keepStateAndData(reply(event.from, words));
      default:
        return keepStateAndData();
    }
  }
}

it("the guide's inserted events", async () => {
  const { node } = startNode();
  const parser = await Parser.start(node);
  cast(node, parser, "a b c");
  expect(await call(node, parser, "words")).toEqual(["a", "b", "c"]);
});

// ---- Init failures ----

class Picky extends GenStatem<"on", number, number> {
  callbackMode() {
    return "handleEvent" as const;
  }
  init(n: number): InitResult<"on", number> {
    if (n < 0) return initError({ negative: n }); // start fails; the process exits normally
    if (n === 0) return stop("zero"); // start fails; the process exits with "zero"
    if (n > 100) throw new Error("too big"); // a crash: reported, start fails with the error
    return ok("on", n);
  }
  override handleEvent(): StateResult<"on", number> {
    return keepStateAndData();
  }
}

it("the guide's init failures", async () => {
  const { node } = startNode();
  const negative = (await rejectionOf(Picky.start(node, -1))) as StartError;
  expect(negative).toBeInstanceOf(StartError);
  expect(negative.reason).toEqual({ negative: -1 });
  expect(((await rejectionOf(Picky.start(node, 0))) as StartError).reason).toBe("zero");
  const big = (await rejectionOf(Picky.start(node, 101))) as StartError;
  expect(big.reason).toBeInstanceOf(Error);
  expect(await Picky.start(node, 1)).toBeDefined();
});

// ---- Changing the callback module ----

/** A machine that starts in setup mode and hands itself over to a DoorLock once configured. */
class Setup extends GenStatem<DoorState, Door> {
  callbackMode() {
    return "stateFunctions" as const;
  }
  init(): InitResult<DoorState, Door> {
    return ok("locked", { code: "", entered: "" });
  }
  locked(event: StatemEvent, door: Door): StateResult<DoorState, Door> {
    if (event.type === "cast") {
      // From here on, DoorLock's state functions (and its callbackMode: enter calls on) run the machine.
      return keepState({ ...door, code: String(event.content) }, changeCallbackModule(new DoorLock()));
    }
    return keepStateAndData();
  }
}

it("the guide's callback module change", async () => {
  const { node } = startNode();
  const m = await Setup.start(node);
  cast(node, m, "77");
  for (const button of "77") cast(node, m, { button });
  expect(await call(node, m, "state")).toBe("open");
});

// ---- enterLoop ----

it("the guide's enterLoop", async () => {
  const { node } = startNode();
  const started = await startProcess(node, "start", { name: "door" }, "door:custom", (starter) => ({
    async init(self) {
      // Any setup of your own here, then acknowledge the start and become the machine.
      starter.ack(self);
      await DoorLock.enterLoop(self, "locked", { code: "1234", entered: "" }, { name: "door" });
    },
    receive() {},
  }));
  expect(await call(node, "door", "state")).toBe("locked");
  expect(await sys.getState(node, started.pid)).toEqual({
    state: "locked",
    data: { code: "1234", entered: "" },
  });
});

// ---- Async callbacks ----

interface Store {
  save(value: string): Promise<void>;
}

class Recorder extends GenStatem<"ready", Store, Store> {
  callbackMode() {
    return "handleEvent" as const;
  }
  init(store: Store): InitResult<"ready", Store> {
    return ok("ready", store);
  }
  override async handleEvent(event: StatemEvent, _state: "ready", store: Store) {
    if (event.type === "cast") await store.save(String(event.content)); // the next event waits
    if (event.type === "call") return keepStateAndData(reply(event.from, "saved"));
    return keepStateAndData();
  }
}

it("the guide's async callback", async () => {
  const { node } = startNode();
  const saved: string[] = [];
  const store: Store = {
    save: async (value) => {
      await Promise.resolve();
      saved.push(value);
    },
  };
  const recorder = await Recorder.start(node, store);
  cast(node, recorder, "a");
  cast(node, recorder, "b");
  expect(await call(node, recorder, "sync")).toBe("saved");
  expect(saved).toEqual(["a", "b"]);
});

describe("calls", () => {
  it("wait forever by default; a timeout rejects with CallError", async () => {
    const { node, clock } = startNode();
    const door = await DoorLock.start(node, "1");
    await sys.suspend(node, door);
    const pending = rejectionOf(call(node, door, "state", 1_000));
    clock.advance(1_000);
    expect(await pending).toMatchObject({ reason: "timeout" });
    await sys.resume(node, door);
    await GenStatem.stop(node, door);
  });
});

// ---- The README's example ----

interface LightProtocol {
  calls: Call<"state", Light>;
  casts: "push";
}

type Light = "off" | "on";

/** A push button light that switches itself off after a minute. */
class Staircase extends GenStatem<Light, number, undefined, LightProtocol> {
  callbackMode() {
    return "stateFunctions" as const;
  }
  init(): InitResult<Light, number> {
    return ok("off", 0);
  }
  off(event: StatemEvent<LightProtocol, Light>, pushes: number): StateResult<Light, number> {
    if (event.type === "cast") return nextState("on", pushes + 1, stateTimeout(60_000));
    if (event.type === "call") return keepStateAndData(reply(event.from, "off"));
    return keepStateAndData();
  }
  on(event: StatemEvent<LightProtocol, Light>, pushes: number): StateResult<Light, number> {
    if (event.type === "stateTimeout") return nextState("off", pushes);
    if (event.type === "cast") return nextState("on", pushes + 1, stateTimeout(60_000)); // restart
    if (event.type === "call") return keepStateAndData(reply(event.from, "on"));
    return keepStateAndData();
  }
}

it("the README's staircase light", async () => {
  const { node, clock } = startNode();
  const light = await Staircase.start(node);
  cast(node, light, "push");
  const state = await call(node, light, "state");
  expectTypeOf(state).toEqualTypeOf<Light>();
  expect(state).toBe("on");
  clock.advance(59_000);
  cast(node, light, "push"); // restarts the minute
  await node.idle();
  clock.advance(59_000);
  await node.idle();
  expect(await call(node, light, "state")).toBe("on");
  clock.advance(1_000);
  await node.idle();
  expect(await call(node, light, "state")).toBe("off");
  expect(await sys.getState(node, light)).toEqual({ state: "off", data: 2 });
});
