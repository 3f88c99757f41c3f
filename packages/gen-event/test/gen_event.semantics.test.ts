/**
 * Over 400 lines on purpose: one reference point per test, grouped by the part of gen_event.erl each
 * pins down.
 *
 * What gen_event_SUITE relies on without a case of its own (§3 of the OTP semantics reference): dispatch
 * order, isolation of a failing handler, the exact terminate arguments and GenEventExit reasons, swap
 * argument passing, supervision both ways, the parent's EXIT, the throw rule, async callbacks, the
 * request-id API, notify's error rules and the sys hooks.
 */
import { BadArgError, CallError, type Pid, type ProcessContext } from "@maquis/core";
import { Exit, sys } from "@maquis/sys";
import { describe, expect, it } from "vitest";
import {
  addHandler,
  addSupHandler,
  call,
  checkResponse,
  deleteHandler,
  type EventResult,
  EventHandler,
  GenEvent,
  GenEventError,
  GenEventExit,
  type HandlerId,
  isGenEventExit,
  type ManagerStatus,
  notify,
  ok,
  receiveResponse,
  RequestIds,
  removeHandler,
  reply,
  sendRequest,
  swapHandler,
  syncNotify,
  waitResponse,
  whichHandlers,
} from "../src/index.js";
import { DummyVia } from "./DummyVia.js";
import { DummyH, genEventFailure, note, received, sleep } from "./fixtures.js";
import { drain, useNodes } from "./support.js";

const startNode = useNodes("ge3_");

type Entry = readonly unknown[];

/** A scripted handler: it writes what happens to it into `journal` and behaves as its args say. */
interface Script {
  readonly journal: Entry[];
  readonly tag: string;
  /** What handleEvent returns (default `ok(state)`); may throw. */
  readonly onEvent?: (event: unknown, state: Script) => unknown;
  /** What terminate returns (default `"<tag> done"`); may throw. */
  readonly onTerminate?: (arg: unknown) => unknown;
}

class Scripted extends EventHandler<unknown, Script, Script, unknown, unknown> {
  init(script: Script) {
    script.journal.push([script.tag, "init"]);
    return ok(script);
  }
  override handleEvent(event: unknown, s: Script) {
    s.journal.push([s.tag, "event", event]);
    return (s.onEvent?.(event, s) ?? ok(s)) as EventResult<Script>;
  }
  override handleInfo(info: unknown, s: Script) {
    s.journal.push([s.tag, "info", info]);
    return ok(s);
  }
  override handleCall(request: unknown, s: Script) {
    s.journal.push([s.tag, "call", request]);
    return reply(`${s.tag} answers ${String(request)}`, s);
  }
  override terminate(arg: unknown, s: Script) {
    s.journal.push([s.tag, "terminate", arg]);
    return s.onTerminate === undefined ? `${s.tag} done` : s.onTerminate(arg);
  }
}

/** A handler swapped in: its init records `[args, terminateResult]` and keeps the journal. */
class Successor extends EventHandler<unknown, Entry[], [{ journal: Entry[]; refuse?: unknown }, unknown]> {
  init([args, handedOn]: [{ journal: Entry[]; refuse?: unknown }, unknown]) {
    args.journal.push(["successor", "init", handedOn]);
    if (args.refuse !== undefined) return { error: args.refuse };
    return ok(args.journal);
  }
  override handleEvent(event: unknown, journal: Entry[]) {
    journal.push(["successor", "event", event]);
    return ok(journal);
  }
  override terminate(arg: unknown, journal: Entry[]) {
    journal.push(["successor", "terminate", arg]);
  }
}

const id = (tag: string): HandlerId => ({ handler: Scripted, id: tag });

/** Adds Scripted handlers `tags` in order (the last is the newest). */
const addScripted = async (
  caller: ProcessContext,
  manager: Pid,
  journal: Entry[],
  scripts: Partial<Script>[],
) => {
  for (const script of scripts) {
    const tag = script.tag!;
    await addHandler(caller, manager, id(tag) as never, { journal, ...script, tag } as never);
  }
};

describe("dispatch", () => {
  it("runs handlers newest first, and whichHandlers lists them so", async () => {
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    await addScripted(inbox, manager, journal, [{ tag: "a" }, { tag: "b" }, { tag: "c" }]);
    expect(await whichHandlers(inbox, manager)).toEqual([id("c"), id("b"), id("a")]);
    journal.length = 0;
    await syncNotify(inbox, manager, 1);
    inbox.send(manager, "info");
    await inbox.node.idle();
    expect(journal).toEqual([
      ["c", "event", 1],
      ["b", "event", 1],
      ["a", "event", 1],
      ["c", "info", "info"],
      ["b", "info", "info"],
      ["a", "info", "info"],
    ]);
  });

  it("a failing handler is removed and the others still get the event", async () => {
    const { inbox, logs } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    const boom = new Error("boom");
    await addScripted(inbox, manager, journal, [
      { tag: "a" },
      {
        tag: "b",
        onEvent: () => {
          throw boom;
        },
      },
      { tag: "c" },
    ]);
    journal.length = 0;
    await syncNotify(inbox, manager, 1);
    expect(journal).toEqual([
      ["c", "event", 1],
      ["b", "event", 1],
      ["b", "terminate", { error: { exit: boom } }],
      ["a", "event", 1],
    ]);
    expect(await whichHandlers(inbox, manager)).toEqual([id("c"), id("a")]);
    expect(logs).toMatchObject([
      {
        level: "error",
        kind: "gen_event_handler_crashed",
        data: { handler: id("b"), lastMessage: 1, reason: { exit: boom } },
      },
    ]);
    expect(inbox.node.isAlive(manager)).toBe(true);
  });

  it("a bad return value: terminate gets { error: value }, the supervisor the value itself", async () => {
    const { inbox, logs } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    await addSupHandler(
      inbox,
      manager,
      id("a") as never,
      { journal, tag: "a", onEvent: () => "nonsense" } as never,
    );
    journal.length = 0;
    notify(inbox, manager, 1);
    expect(await received(inbox, isGenEventExit())).toEqual(new GenEventExit(manager, id("a"), "nonsense"));
    expect(journal).toEqual([
      ["a", "event", 1],
      ["a", "terminate", { error: "nonsense" }],
    ]);
    expect(logs).toMatchObject([{ kind: "gen_event_handler_crashed", data: { reason: "nonsense" } }]);
  });

  it("a missing handleEvent removes the handler as an undef crash", async () => {
    class NoEvents extends EventHandler<unknown, Entry[], Entry[]> {
      init(journal: Entry[]) {
        return ok(journal);
      }
      override terminate(arg: unknown, journal: Entry[]) {
        journal.push(["terminate", arg]);
      }
    }
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    await addHandler(inbox, manager, NoEvents, journal);
    await syncNotify(inbox, manager, 1);
    expect(journal).toEqual([
      ["terminate", { error: { exit: expect.objectContaining({ callback: "handleEvent" }) } }],
    ]);
    expect(await whichHandlers(inbox, manager)).toEqual([]);
  });

  it("the throw rule: a thrown value is the result; a thrown Exit is a crash with its reason", async () => {
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    await addScripted(inbox, manager, journal, [
      {
        tag: "thrower",
        onEvent: (event, state) => {
          if (event === "keep") throw ok(state);
          if (event === "remove") throw removeHandler();
          throw new Exit({ shutdown: "bye" });
        },
      },
      {
        tag: "exiter",
        onEvent: () => {
          throw new Exit("quit");
        },
      },
    ]);
    await syncNotify(inbox, manager, "keep");
    expect(await whichHandlers(inbox, manager)).toEqual([id("thrower")]);
    expect(journal).toContainEqual(["exiter", "terminate", { error: { exit: "quit" } }]);
    await syncNotify(inbox, manager, "remove");
    expect(journal).toContainEqual(["thrower", "terminate", "remove_handler"]);
    expect(await whichHandlers(inbox, manager)).toEqual([]);
  });

  it("handlers of one class: several without an id are allowed, the newest is the one named", async () => {
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    await addHandler(inbox, manager, DummyH, [inbox.pid]);
    await addHandler(inbox, manager, { handler: DummyH, id: undefined }, [inbox.pid]); // the same as DummyH
    expect(await whichHandlers(inbox, manager)).toEqual([DummyH, DummyH]);
    expect(await deleteHandler(inbox, manager, DummyH, "return_hej")).toBe("return_hej");
    expect(await whichHandlers(inbox, manager)).toEqual([DummyH]);
  });

  it("notify never throws for a dead pid, a { name, node } or a via name; an unregistered name is badarg", async () => {
    const { node, inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    await GenEvent.stop(inbox, manager);
    expect(() => notify(inbox, manager, 1)).not.toThrow();
    expect(() => notify(node, { name: "nobody", node: node.name }, 1)).not.toThrow();
    expect(() => notify(inbox, { via: new DummyVia(node), name: "nobody" }, 1)).not.toThrow();
    expect(() => notify(inbox, "nobody", 1)).toThrow(BadArgError);
    const missing = await syncNotify(inbox, "nobody", 1).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(CallError);
    expect(missing).toMatchObject({ reason: "noproc", site: { module: "GenEvent", function: "syncNotify" } });
  });
});

describe("terminate arguments, swaps and GenEventExit reasons", () => {
  it("swap in a callback: terminate(args, state), then init([args2, result]), in the same place", async () => {
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    await addScripted(inbox, manager, journal, [
      { tag: "a" },
      {
        tag: "b",
        onEvent: (_event, state) => swapHandler("old args", { ...state, tag: "b'" }, Successor, { journal }),
        onTerminate: (arg) => ({ handedOn: arg }),
      },
      { tag: "c" },
    ]);
    journal.length = 0;
    await syncNotify(inbox, manager, "swap");
    expect(journal).toEqual([
      ["c", "event", "swap"],
      ["b", "event", "swap"],
      ["b'", "terminate", "old args"], // terminate sees the state the callback returned
      ["successor", "init", { handedOn: "old args" }],
      ["a", "event", "swap"], // the successor does not get the event that swapped it in
    ]);
    expect(await whichHandlers(inbox, manager)).toEqual([id("c"), Successor, id("a")]);
  });

  it("GenEvent.swapHandler: the new handler is the newest; a crashing terminate hands on { exit }", async () => {
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    const boom = new Error("terminate failed");
    await addScripted(inbox, manager, journal, [
      {
        tag: "a",
        onTerminate: () => {
          throw boom;
        },
      },
      { tag: "b" },
    ]);
    journal.length = 0;
    await GenEvent.swapHandler(inbox, manager, [id("a"), "args1"], [Successor, { journal }]);
    expect(journal).toEqual([
      ["a", "terminate", "args1"],
      ["successor", "init", { exit: boom }],
    ]);
    expect(await whichHandlers(inbox, manager)).toEqual([Successor, id("b")]);
    // a missing old handler: init gets "error"
    await GenEvent.swapHandler(
      inbox,
      manager,
      [id("zzz"), "args1"],
      [{ handler: Successor, id: 2 }, { journal }],
    );
    expect(journal.at(-1)).toEqual(["successor", "init", "error"]);
  });

  it("a swap whose new init fails: both are gone, each reported to the supervisor", async () => {
    const { inbox, logs } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    const script = {
      journal,
      tag: "a",
      onEvent: (_e: unknown, s: Script) => swapHandler("x", s, Successor, { journal, refuse: "no thanks" }),
    };
    await addSupHandler(inbox, manager, id("a") as never, script as never);
    notify(inbox, manager, "swap");
    expect(await drain(inbox)).toEqual([
      new GenEventExit(manager, id("a"), { swapped: Successor, supervisor: inbox.pid }),
      new GenEventExit(manager, Successor, { error: "no thanks" }),
    ]);
    expect(await whichHandlers(inbox, manager)).toEqual([]);
    expect(logs).toMatchObject([
      { kind: "gen_event_handler_crashed", data: { handler: Successor, reason: { error: "no thanks" } } },
    ]);
    // GenEvent.swapHandler with a refusing init: the error is returned, no GenEventExit for the new one
    await addSupHandler(inbox, manager, id("a") as never, { journal, tag: "a" } as never);
    const refused = await genEventFailure(
      GenEvent.swapHandler(inbox, manager, [id("a"), "x"], [Successor, { journal, refuse: "still no" }]),
    );
    expect(refused.reason).toEqual({ error: "still no" });
    expect(await drain(inbox)).toEqual([
      new GenEventExit(manager, id("a"), { swapped: Successor, supervisor: inbox.pid }),
    ]);
  });

  it("terminate gets the delete args, remove_handler, stop; deleteHandler resolves with its result", async () => {
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    await addScripted(inbox, manager, journal, [
      { tag: "a" },
      { tag: "b", onEvent: () => removeHandler() },
      { tag: "c" },
    ]);
    expect(await deleteHandler(inbox, manager, id("c"), { why: "asked" })).toBe("c done");
    await syncNotify(inbox, manager, 1);
    await GenEvent.stop(inbox, manager);
    expect(journal.filter((e) => e[1] === "terminate")).toEqual([
      ["c", "terminate", { why: "asked" }],
      ["b", "terminate", "remove_handler"],
      ["a", "terminate", "stop"],
    ]);
  });

  it("GenEventExit: normal on delete and remove, shutdown on stop, and a crash report only for failures", async () => {
    const { inbox, logs } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    for (const tag of ["a", "b", "c"]) {
      const script = { journal, tag, onEvent: tag === "b" ? () => removeHandler() : undefined };
      await addSupHandler(inbox, manager, id(tag) as never, script as never);
    }
    await deleteHandler(inbox, manager, id("c"));
    await syncNotify(inbox, manager, 1);
    await GenEvent.stop(inbox, manager, "shutdown");
    expect(await drain(inbox)).toEqual([
      new GenEventExit(manager, id("c"), "normal"),
      new GenEventExit(manager, id("b"), "normal"),
      new GenEventExit(manager, id("a"), "shutdown"),
    ]);
    expect(logs).toEqual([]);
  });
});

describe("supervision and the parent", () => {
  it("startMonitor gives the pid and a monitor; stop ends with a DOWN of its reason", async () => {
    const { inbox } = startNode();
    const [manager, ref] = await GenEvent.startMonitor(inbox);
    await addHandler(inbox, manager, DummyH, [inbox.pid]);
    await GenEvent.stop(inbox, manager, { shutdown: "done" });
    expect(await drain(inbox)).toEqual([expect.objectContaining({ ref, reason: { shutdown: "done" } })]);
  });

  it("a supervising process that exits: its handlers terminate({ stop: reason }), the others get the EXIT", async () => {
    const { node, inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    await addScripted(inbox, manager, journal, [{ tag: "a" }]);
    const supervisor = node.spawn(async (self) => {
      await addSupHandler(self, manager, id("sup") as never, { journal, tag: "sup" } as never);
      await self.receive((m) => m === "die");
      self.exit("boom");
    });
    await node.idle();
    expect(await whichHandlers(inbox, manager)).toEqual([id("sup"), id("a")]);
    journal.length = 0;
    node.send(supervisor, "die");
    await node.idle();
    expect(journal).toEqual([
      ["sup", "terminate", { stop: "boom" }],
      ["a", "info", expect.objectContaining({ kind: "EXIT", from: supervisor })],
    ]);
    expect(await whichHandlers(inbox, manager)).toEqual([id("a")]);
  });

  it("the parent's EXIT stops the manager: every terminate('stop'), then it exits with the reason", async () => {
    const { node, inbox } = startNode();
    inbox.trapExit(true);
    const journal: Entry[] = [];
    let manager: Pid | undefined;
    const parent = node.spawn(async (self) => {
      manager = await GenEvent.startLink(self);
      await addScripted(self, manager, journal, [{ tag: "a" }, { tag: "b" }]);
      await self.receive((m) => m === "die");
      self.exit("parent_died");
    });
    await node.idle();
    const ref = inbox.monitor(manager!);
    journal.length = 0;
    node.send(parent, "die");
    await node.idle();
    expect(journal).toEqual([
      ["b", "terminate", "stop"],
      ["a", "terminate", "stop"],
    ]);
    expect(await drain(inbox)).toEqual([expect.objectContaining({ ref, reason: "parent_died" })]);
  });

  it("stopping unlinks the supervisors, so a non-trapping supervisor survives an abnormal stop", async () => {
    const { node, inbox, logs } = startNode();
    const manager = await GenEvent.start(inbox);
    const supervisor = node.spawn(async (self) => {
      await addSupHandler(self, manager, DummyH, [self.pid]);
      await self.receive((m) => m === "never");
    });
    await node.idle();
    await GenEvent.stop(inbox, manager, "crashed");
    await node.idle();
    expect(node.isAlive(supervisor)).toBe(true);
    expect(logs).toMatchObject([{ kind: "crash_report", data: { reason: "crashed" } }]);
  });

  it("addSupHandler and swapSupHandler need a process caller", async () => {
    const { node, inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    const asProcess = node as unknown as ProcessContext;
    await expect(addSupHandler(asProcess, manager, DummyH, [inbox.pid])).rejects.toThrow(BadArgError);
    await expect(GenEvent.swapSupHandler(asProcess, manager, [DummyH, 1], [DummyH, 2])).rejects.toThrow(
      BadArgError,
    );
    expect(await whichHandlers(inbox, manager)).toEqual([]);
  });

  it("an EXIT from a linked process that supervises nothing only goes to handleInfo", async () => {
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    await addHandler(inbox, manager, DummyH, [inbox.pid]);
    inbox.exit(manager, "just_a_signal");
    expect(
      await received(inbox, note("dummy_h", { kind: "EXIT", from: inbox.pid, reason: "just_a_signal" })),
    ).toBeDefined();
    expect(await whichHandlers(inbox, manager)).toEqual([DummyH]);
  });
});

describe("async callbacks", () => {
  class Slow extends EventHandler<number, Entry[], Entry[], "get", number> {
    async init(journal: Entry[]) {
      await sleep(this.self, 10);
      journal.push(["init"]);
      return ok(journal);
    }
    override async handleEvent(ms: number, journal: Entry[]) {
      journal.push(["start", ms]);
      await sleep(this.self, ms);
      journal.push(["end", ms]);
      return ok(journal);
    }
    override async handleCall(_request: "get", journal: Entry[]) {
      await sleep(this.self, 5);
      return reply(journal.length, journal);
    }
    override async terminate(arg: unknown, journal: Entry[]) {
      await sleep(this.self, 5);
      journal.push(["terminate", arg]);
      return "slowly done";
    }
  }

  const advance = async (
    node: { idle(): Promise<void> },
    clock: { advance(ms: number): void },
    ms: number,
  ) => {
    for (let i = 0; i < ms; i++) {
      await node.idle();
      clock.advance(1);
    }
    await node.idle();
  };

  it("each handler, and each message, waits for the one before", async () => {
    const { node, clock, inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    const added = addHandler(inbox, manager, Slow, journal);
    await advance(node, clock, 10);
    await added;
    const second = addHandler(inbox, manager, { handler: Slow, id: 2 }, journal);
    await advance(node, clock, 10);
    await second;
    journal.length = 0;
    notify(inbox, manager, 20);
    const handlers = whichHandlers(inbox, manager);
    await advance(node, clock, 39);
    expect(journal).toEqual([
      ["start", 20],
      ["end", 20],
      ["start", 20],
    ]);
    await advance(node, clock, 1);
    expect(journal.at(-1)).toEqual(["end", 20]);
    expect(await handlers).toHaveLength(2);
    const answer = call(inbox, manager, Slow, "get");
    await advance(node, clock, 5);
    expect(await answer).toBe(4);
    const deleted = deleteHandler(inbox, manager, Slow, "bye");
    await advance(node, clock, 5);
    expect(await deleted).toBe("slowly done");
    expect(journal.at(-1)).toEqual(["terminate", "bye"]);
  });

  it("a manager killed during an async callback runs nothing more", async () => {
    const { node, clock, inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    const journal: Entry[] = [];
    for (const handler of [Slow, { handler: Slow, id: 2 }]) {
      const added = addHandler(inbox, manager, handler, journal);
      await advance(node, clock, 10);
      await added;
    }
    journal.length = 0;
    notify(inbox, manager, 10);
    notify(inbox, manager, 10);
    await node.idle();
    node.exit(manager, "kill");
    await advance(node, clock, 40);
    // The pending callback's own code finishes (JavaScript cannot stop it), but the manager hands the
    // event to no other handler and takes no other message.
    expect(journal).toEqual([
      ["start", 10],
      ["end", 10],
    ]);
  });
});

describe("requests", () => {
  it("sendRequest: replies, handler failures as { error: [GenEventError, manager] }, collections", async () => {
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    await addHandler(inbox, manager, DummyH, [inbox.pid]);
    const hej = sendRequest(inbox, manager, DummyH, "hejsan");
    expect(await waitResponse(inbox, hej)).toEqual({ reply: { ok: "hejhopp" } });
    const bad = sendRequest(inbox, manager, GenEventError as never, "hejsan");
    const failed = await receiveResponse(inbox, bad, 1000);
    expect(failed).toEqual({ error: [expect.any(GenEventError), manager] });
    expect((failed as unknown as { error: [GenEventError] }).error[0].reason).toBe("bad_module");

    let ids = new RequestIds<string>();
    ids = sendRequest(inbox, manager, DummyH, "hejsan", "first", ids);
    ids = sendRequest(inbox, manager, DummyH, "error_call", "second", ids);
    const first = await waitResponse(inbox, ids);
    const [firstResponse, firstLabel, rest] = first as [unknown, string, RequestIds<string>];
    expect([firstResponse, firstLabel, rest.size]).toEqual([{ reply: { ok: "hejhopp" } }, "first", 1]);
    await inbox.node.idle();
    const message = await inbox.receive((m) => !Array.isArray(m));
    const [secondResponse, secondLabel] = checkResponse(message, rest) as unknown as [
      { error: [GenEventError, Pid] },
      string,
    ];
    expect(secondLabel).toBe("second");
    expect(secondResponse).toEqual({ error: [expect.any(GenEventError), manager] });
    expect(secondResponse.error[0].reason).toEqual({ return: "faulty" });
    expect(checkResponse("unrelated", hej)).toBe("no_reply");
  });
});

describe("sys", () => {
  it("statistics, trace lines and the log speak of events, calls and requests", async () => {
    const { inbox, logs } = startNode();
    const manager = await GenEvent.start(inbox, { name: "events" });
    await addHandler(inbox, manager, DummyH, [inbox.pid]);
    await sys.statistics(inbox, manager, true);
    await sys.trace(inbox, manager, true);
    notify(inbox, manager, "hibernate");
    await GenEvent.call(inbox, manager, DummyH, "hejsan");
    inbox.send(manager, "wake");
    await whichHandlers(inbox, manager);
    expect(await sys.statistics(inbox, manager, "get")).toMatchObject({ messagesIn: 4, messagesOut: 0 });
    expect(logs.filter((e) => e.kind === "trace").map((e) => e.text)).toEqual([
      "*DBG* events got event hibernate",
      "*DBG* events(DummyH) got call hejsan",
      "*DBG* events got wake",
      '*DBG* events got {"op":"whichHandlers"}',
    ]);
  });

  it("changeCode runs every handler's codeChange, only while suspended", async () => {
    class Versioned extends EventHandler<unknown, string, string> {
      init(state: string) {
        return ok(state);
      }
      override codeChange(oldVsn: unknown, state: string, extra: unknown) {
        return `${state} from ${String(oldVsn)} with ${String(extra)}`;
      }
    }
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    await addHandler(inbox, manager, Versioned, "one");
    await addHandler(inbox, manager, { handler: Versioned, id: 2 }, "two");
    await expect(sys.changeCode(inbox, manager, "v1", "x")).rejects.toThrow();
    await sys.suspend(inbox, manager);
    await sys.changeCode(inbox, manager, "v1", "x");
    await sys.resume(inbox, manager);
    expect(await sys.getState(inbox, manager)).toEqual([
      { handler: Versioned, id: 2, state: "two from v1 with x" },
      { handler: Versioned, id: undefined, state: "one from v1 with x" },
    ]);
  });

  it("getStatus: a crashing formatStatus shows as a string; the supervisor is listed", async () => {
    class Secretive extends EventHandler<unknown, string, string> {
      init(state: string) {
        return ok(state);
      }
      override formatStatus(): unknown {
        throw new Error("no");
      }
    }
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    await addSupHandler(inbox, manager, Secretive, "secret");
    const { misc } = await sys.getStatus(inbox, manager);
    expect((misc as ManagerStatus).handlers).toEqual([
      { handler: Secretive, state: "Secretive.formatStatus crashed", supervisor: inbox.pid },
    ]);
  });

  it("replaceState ignores a result that names another handler", async () => {
    const { inbox } = startNode();
    const manager = await GenEvent.start(inbox);
    await addHandler(inbox, manager, DummyH, [inbox.pid]);
    const result = await sys.replaceState(inbox, manager, (h: { id: unknown }) => ({
      ...h,
      id: "other",
      state: 1,
    }));
    expect(result).toEqual([{ handler: DummyH, id: undefined, state: inbox.pid }]);
  });
});
