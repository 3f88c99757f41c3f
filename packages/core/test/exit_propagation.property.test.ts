/**
 * Exit propagation through random link graphs, checked against a reference model of OTP's rules
 * (the reference manual's "Receiving Exit Signals" table):
 *
 * - The crashed process dies with its reason; `exit(P, kill)` makes it `killed`, whether P traps or not.
 *   An exit/2 with another reason on a trapping P only becomes a message; `normal` from another process
 *   is ignored by a non-trapping P, but `exit(self(), normal)` kills it.
 * - A reason other than `normal` spreads along links, unchanged (so a `kill` from exit/1 spreads as
 *   `kill`), to every non-trapping process reachable through non-trapping processes.
 * - A trapping process never dies of it: it gets exactly one `{'EXIT', From, Reason}` per dead process
 *   it was linked to. `normal` spreads nowhere: only trapping neighbours of the crashed process hear it.
 *
 * The model is closed-form reachability, deliberately not a replay of the runtime's signal loop.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  DownMessage,
  ExitMessage,
  type ExitReason,
  type Inbox,
  Node,
  type Pid,
  type ProcessBody,
  type ProcessContext,
  type ProcessHandler,
  VirtualClock,
} from "../src/index.js";

type Action =
  | { readonly kind: "exit1"; readonly reason: ExitReason } // P calls exit(Reason)
  | { readonly kind: "throw" } // P crashes with an error
  | { readonly kind: "exit2"; readonly sender: "test" | "self"; readonly reason: ExitReason }; // exit(P, Reason)

interface Scenario {
  readonly n: number;
  readonly trap: readonly boolean[];
  /** How each process is written: an async body or a handler object (two message loops in core). */
  readonly handler: readonly boolean[];
  /** Undirected edges i < j. */
  readonly edges: ReadonlyArray<readonly [number, number]>;
  readonly origin: number;
  readonly action: Action;
}

/** Who sent an EXIT: a process of the graph, or the test process ("test"). */
type From = number | "test";

interface Outcome {
  /** Dead processes with their exit reasons, by index. */
  readonly dead: Map<number, ExitReason>;
  /** EXIT messages trapping processes got, sorted. */
  readonly exits: Array<{ by: number; from: From; reason: ExitReason }>;
}

const byIndex = (a: { by: number; from: From }, b: { by: number; from: From }): number =>
  a.by - b.by || String(a.from).localeCompare(String(b.from));

/** The reference model. `thrown` is the error a "throw" action raises (it is the exit reason). */
const predict = (s: Scenario, thrown: Error): Outcome => {
  const neighbours = Array.from({ length: s.n }, () => new Set<number>());
  for (const [a, b] of s.edges) {
    neighbours[a]!.add(b);
    neighbours[b]!.add(a);
  }
  const dead = new Map<number, ExitReason>();
  const exits: Outcome["exits"] = [];
  const o = s.origin;

  // The origin's own fate.
  let reason: ExitReason;
  const action = s.action;
  if (action.kind === "exit1") reason = action.reason;
  else if (action.kind === "throw") reason = thrown;
  else if (action.reason === "kill") reason = "killed";
  else if (s.trap[o]) {
    exits.push({ by: o, from: action.sender === "self" ? o : "test", reason: action.reason });
    return { dead, exits };
  } else if (action.reason === "normal" && action.sender === "test") return { dead, exits };
  else reason = action.reason;
  dead.set(o, reason);

  // Who else dies: for a non-normal reason, every non-trapping process reachable through non-trapping ones.
  if (reason !== "normal") {
    const stack = [o];
    while (stack.length > 0) {
      const p = stack.pop()!;
      for (const q of neighbours[p]!) {
        if (s.trap[q] || dead.has(q)) continue;
        dead.set(q, reason);
        stack.push(q);
      }
    }
  }

  // Every trapping survivor hears once from each dead process it was linked to.
  for (const d of dead.keys()) {
    for (const q of neighbours[d]!) if (s.trap[q] && !dead.has(q)) exits.push({ by: q, from: d, reason });
  }
  exits.sort(byIndex);
  return { dead, exits };
};

const scenarios: fc.Arbitrary<Scenario> = fc.integer({ min: 1, max: 9 }).chain((n) => {
  const pairs: Array<readonly [number, number]> = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
  return fc.record({
    n: fc.constant(n),
    trap: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    handler: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
    edges: fc.subarray(pairs),
    origin: fc.nat(n - 1),
    action: fc.oneof(
      fc
        .constantFrom<ExitReason>("normal", "kill", "shutdown", "boom", { shutdown: "detail" })
        .map((reason): Action => ({ kind: "exit1", reason })),
      fc.constant<Action>({ kind: "throw" }),
      fc
        .tuple(
          fc.constantFrom("test" as const, "self" as const),
          fc.constantFrom<ExitReason>("normal", "kill", "shutdown", "boom", ["deep", { reason: 1 }]),
        )
        .map(([sender, reason]): Action => ({ kind: "exit2", sender, reason })),
    ),
  });
});

// What a process of the graph is told by the test.
type Command =
  | { readonly cmd: "link"; readonly to: Pid[] }
  | { readonly cmd: "exit"; readonly reason: ExitReason }
  | { readonly cmd: "exit2"; readonly reason: ExitReason }
  | { readonly cmd: "throw"; readonly error: Error };

const isCommand = (m: unknown): m is Command => typeof m === "object" && m !== null && "cmd" in m;

interface Forwarded {
  readonly by: Pid;
  readonly exit: ExitMessage;
}
interface Ready {
  readonly ready: Pid;
}

/** What a process of the graph does with one message: forward a trapped EXIT, or obey a command. */
const handle = (self: ProcessContext, test: Pid, m: unknown): void => {
  if (m instanceof ExitMessage) self.send(test, { by: self.pid, exit: m } satisfies Forwarded);
  else if (isCommand(m)) {
    if (m.cmd === "link") {
      for (const pid of m.to) self.link(pid);
      self.send(test, { ready: self.pid } satisfies Ready);
    } else if (m.cmd === "exit") self.exit(m.reason);
    else if (m.cmd === "exit2") self.exit(self.pid, m.reason);
    else throw m.error;
  }
};

/** A process of the graph, as an async body. */
const memberBody =
  (test: Pid): ProcessBody =>
  async (self) => {
    for (;;) handle(self, test, await self.receive());
  };

/** The same process as a handler object. */
const memberHandler = (test: Pid): ProcessHandler => ({
  receive: (m, self) => handle(self, test, m),
});

/** Runs a scenario on a fresh node and reports what happened, in the model's terms. */
const run = async (s: Scenario, thrown: Error): Promise<Outcome> => {
  const node = Node.start({ name: "prop", clock: new VirtualClock() });
  try {
    const inbox: Inbox = node.inbox();
    const pids = s.trap.map((trapExit, i) =>
      inbox.spawn(s.handler[i] ? memberHandler(inbox.pid) : memberBody(inbox.pid), { trapExit }),
    );
    const indexOf = new Map(pids.map((p, i) => [p.key, i]));
    const fromIndex = (pid: Pid): From => (pid.equals(inbox.pid) ? "test" : indexOf.get(pid.key)!);

    // Each edge is linked once, from its lower end; links are both ways.
    for (const [i, pid] of pids.entries()) {
      const to = s.edges.filter(([a]) => a === i).map(([, b]) => pids[b]!);
      inbox.send(pid, { cmd: "link", to } satisfies Command);
    }
    for (let i = 0; i < s.n; i++)
      await inbox.receive((m) => typeof m === "object" && m !== null && "ready" in m);
    for (const [i, pid] of pids.entries()) {
      const expected = s.edges.filter(([a, b]) => a === i || b === i).map(([a, b]) => (a === i ? b : a));
      const actual = node.processInfo(pid)!.links.map((p) => indexOf.get(p.key)!);
      expect(actual.sort()).toStrictEqual(expected.sort());
    }
    const refs = new Map(pids.map((p, i) => [inbox.monitor(p).key, i]));

    const origin = pids[s.origin]!;
    const action = s.action;
    if (action.kind === "exit2" && action.sender === "test") inbox.exit(origin, action.reason);
    else if (action.kind === "exit2")
      inbox.send(origin, { cmd: "exit2", reason: action.reason } satisfies Command);
    else if (action.kind === "exit1")
      inbox.send(origin, { cmd: "exit", reason: action.reason } satisfies Command);
    else inbox.send(origin, { cmd: "throw", error: thrown } satisfies Command);
    await node.idle();

    const dead = new Map<number, ExitReason>();
    const exits: Outcome["exits"] = [];
    for (;;) {
      const m = await inbox.receive(undefined, 0);
      if (m === undefined) break;
      if (m instanceof DownMessage) {
        const i = refs.get(m.ref.key)!;
        expect(dead.has(i)).toBe(false); // one DOWN per monitor
        expect(m.item).toStrictEqual(pids[i]);
        dead.set(i, m.reason);
      } else {
        const { by, exit } = m as Forwarded;
        expect(exit).toBeInstanceOf(ExitMessage);
        exits.push({ by: indexOf.get(by.key)!, from: fromIndex(exit.from), reason: exit.reason });
      }
    }
    for (const [i, pid] of pids.entries()) expect(node.isAlive(pid)).toBe(!dead.has(i));
    exits.sort(byIndex);
    return { dead, exits };
  } finally {
    await node.stop();
  }
};

describe("exit propagation through link graphs", () => {
  it("kills exactly the processes OTP's rules predict, and traps exactly the predicted EXITs", async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (s) => {
        const thrown = new Error("crash");
        const expected = predict(s, thrown);
        const actual = await run(s, thrown);
        expect(new Map([...actual.dead].sort(([a], [b]) => a - b))).toStrictEqual(
          new Map([...expected.dead].sort(([a], [b]) => a - b)),
        );
        expect(actual.exits).toStrictEqual(expected.exits);
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  // The model itself, on hand-checked graphs, so that a wrong model cannot hide a wrong runtime.
  it("reference model: a chain stops at a trapping process", () => {
    const thrown = new Error("x");
    // 0 - 1 - 2(trap) - 3, crash 0 with boom: 0 and 1 die, 2 hears from 1, 3 lives.
    const s: Scenario = {
      n: 4,
      trap: [false, false, true, false],
      handler: [false, false, false, false],
      edges: [
        [0, 1],
        [1, 2],
        [2, 3],
      ],
      origin: 0,
      action: { kind: "exit1", reason: "boom" },
    };
    expect(predict(s, thrown)).toStrictEqual({
      dead: new Map([
        [0, "boom"],
        [1, "boom"],
      ]),
      exits: [{ by: 2, from: 1, reason: "boom" }],
    });
    // Normal: only the trapping neighbour hears; nobody else dies.
    expect(
      predict(
        {
          ...s,
          edges: [
            [0, 2],
            [0, 1],
          ],
          action: { kind: "exit1", reason: "normal" },
        },
        thrown,
      ),
    ).toStrictEqual({
      dead: new Map([[0, "normal"]]),
      exits: [{ by: 2, from: 0, reason: "normal" }],
    });
    // exit(P, kill) on a trapping origin: killed, and `killed` spreads.
    expect(
      predict({ ...s, origin: 2, action: { kind: "exit2", sender: "test", reason: "kill" } }, thrown),
    ).toStrictEqual({
      dead: new Map([
        [2, "killed"],
        [1, "killed"],
        [0, "killed"],
        [3, "killed"],
      ]),
      exits: [],
    });
    // exit(P, boom) on a trapping origin: only a message, from whoever sent it.
    expect(
      predict({ ...s, origin: 2, action: { kind: "exit2", sender: "test", reason: "boom" } }, thrown),
    ).toStrictEqual({
      dead: new Map(),
      exits: [{ by: 2, from: "test", reason: "boom" }],
    });
    expect(
      predict({ ...s, origin: 2, action: { kind: "exit2", sender: "self", reason: "normal" } }, thrown),
    ).toStrictEqual({
      dead: new Map(),
      exits: [{ by: 2, from: 2, reason: "normal" }],
    });
    // exit(self(), normal) kills a non-trapping process; normal spreads nowhere.
    expect(
      predict({ ...s, origin: 1, action: { kind: "exit2", sender: "self", reason: "normal" } }, thrown),
    ).toStrictEqual({
      dead: new Map([[1, "normal"]]),
      exits: [{ by: 2, from: 1, reason: "normal" }],
    });
    // exit(P, normal) from another process is ignored by a non-trapping P.
    expect(
      predict({ ...s, origin: 1, action: { kind: "exit2", sender: "test", reason: "normal" } }, thrown),
    ).toStrictEqual({
      dead: new Map(),
      exits: [],
    });
  });
});
