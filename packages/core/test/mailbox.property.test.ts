/**
 * Properties of the mailbox: the ring buffer against a plain-array model, and per-sender ordering under
 * selective receive at the process level.
 */
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { Mailbox } from "../src/internal/Mailbox.js";
import { Node, VirtualClock } from "../src/index.js";

interface Item {
  readonly seq: number;
  readonly tag: number;
}

/** A predicate over items, shown in counterexamples. */
type Pattern =
  | { readonly kind: "tag"; readonly tag: number }
  | { readonly kind: "seqBelow"; readonly seq: number };

const matches = (pattern: Pattern) => (m: unknown) => {
  const item = m as Item;
  return pattern.kind === "tag" ? item.tag === pattern.tag : item.seq < pattern.seq;
};

type Op =
  | { readonly op: "push"; readonly tag: number }
  | { readonly op: "shift" }
  | { readonly op: "take"; readonly pattern: Pattern }
  | { readonly op: "removeAll"; readonly pattern: Pattern };

const pattern: fc.Arbitrary<Pattern> = fc.oneof(
  fc.record({ kind: fc.constant("tag" as const), tag: fc.integer({ min: 0, max: 4 }) }),
  fc.record({ kind: fc.constant("seqBelow" as const), seq: fc.integer({ min: 0, max: 200 }) }),
);

const op: fc.Arbitrary<Op> = fc.oneof(
  // Pushes dominate so that the buffer grows and wraps.
  {
    weight: 6,
    arbitrary: fc.record({ op: fc.constant("push" as const), tag: fc.integer({ min: 0, max: 4 }) }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant("shift" as const) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant("take" as const), pattern }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant("removeAll" as const), pattern }) },
);

describe("Mailbox", () => {
  it("push/shift/take/removeAll behave like an array with findIndex and splice", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.array(op, { maxLength: 300 }), (log2capacity, ops) => {
        const mailbox = new Mailbox(2 ** log2capacity);
        const model: Item[] = [];
        let seq = 0;
        for (const o of ops) {
          switch (o.op) {
            case "push": {
              const item = { seq: seq++, tag: o.tag };
              mailbox.push(item);
              model.push(item);
              break;
            }
            case "shift":
              expect(mailbox.shift()).toBe(model.shift());
              break;
            case "take": {
              const match = matches(o.pattern);
              const at = model.findIndex(match);
              expect(mailbox.take(match)).toBe(at === -1 ? undefined : model.splice(at, 1)[0]);
              break;
            }
            case "removeAll": {
              const match = matches(o.pattern);
              const kept = model.filter((m) => !match(m));
              expect(mailbox.removeAll(match)).toBe(model.length - kept.length);
              model.splice(0, model.length, ...kept);
              break;
            }
          }
          expect(mailbox.size).toBe(model.length);
        }
        expect(mailbox.toArray()).toEqual(model);
        // Draining what is left returns it oldest first, then nothing.
        for (const item of model) expect(mailbox.shift()).toBe(item);
        expect(mailbox.shift()).toBeUndefined();
        expect(mailbox.size).toBe(0);
      }),
      { seed: 42, numRuns: 500 },
    );
  });

  it("take on an empty mailbox, or with no match, returns undefined and changes nothing", () => {
    const mailbox = new Mailbox(1);
    expect(mailbox.take(() => true)).toBeUndefined();
    expect(mailbox.shift()).toBeUndefined();
    mailbox.push("a");
    mailbox.push("b");
    expect(mailbox.take(() => false)).toBeUndefined();
    expect(mailbox.toArray()).toEqual(["a", "b"]);
  });
});

describe("selective receive in processes", () => {
  const nodes: Node[] = [];
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.stop();
  });

  interface Msg {
    readonly from: number;
    readonly i: number;
  }

  /** A step of the receiver: take the oldest message from one sender, or the oldest message of all. */
  type Take = { readonly from: number } | { readonly any: true };

  it("messages from several senders taken by random selective receives keep per-sender order", async () => {
    const senders = 4;
    await fc.assert(
      fc.asyncProperty(
        // How many messages each sender sends, and how often it lets the others run between sends.
        fc.array(
          fc.record({ count: fc.integer({ min: 0, max: 25 }), yieldEvery: fc.integer({ min: 1, max: 4 }) }),
          {
            minLength: senders,
            maxLength: senders,
          },
        ),
        fc.array(
          fc.oneof(
            fc.record({ from: fc.integer({ min: 0, max: senders - 1 }) }),
            fc.record({ any: fc.constant(true as const) }),
          ),
          { maxLength: 120 },
        ),
        fc.nat(),
        async (plan, takes: Take[], early) => {
          const node = Node.start({ name: `prop${nodes.length}`, clock: new VirtualClock() });
          nodes.push(node);
          const inbox = node.inbox();
          const isMsg = (m: unknown): m is Msg => typeof m === "object" && m !== null && "from" in m;
          const fromSender = (from: number) => (m: unknown) => isMsg(m) && m.from === from;
          const total = plan.reduce((n, s) => n + s.count, 0);
          const busy = plan.flatMap((s, from) => (s.count > 0 ? [from] : []));
          const received: Msg[] = [];
          const receiver = node.spawn(async (self) => {
            // While the senders run: wait for one sender's first message, skipping the others' as they arrive.
            if (busy.length > 0) received.push(await self.receive(fromSender(busy[early % busy.length]!)));
            await self.receive((m) => m === "go");
            // Then the scripted selective takes on the full mailbox (those with nothing to take are skipped).
            for (const take of takes) {
              const m = await self.receive("any" in take ? isMsg : fromSender(take.from), 0);
              if (m !== undefined) received.push(m as Msg);
            }
            while (received.length < total) received.push(await self.receive(isMsg));
            self.send(inbox.pid, "done");
          });
          plan.forEach(({ count, yieldEvery }, from) => {
            node.spawn(async (self) => {
              for (let i = 0; i < count; i++) {
                self.send(receiver, { from, i });
                if (i % yieldEvery === 0) await Promise.resolve();
              }
            });
          });
          await node.idle();
          node.send(receiver, "go");
          await node.idle();
          expect(await inbox.receive(undefined, 0)).toBe("done");
          for (let from = 0; from < senders; from++) {
            const seen = received.filter((m) => m.from === from).map((m) => m.i);
            expect(seen).toEqual(Array.from({ length: plan[from]!.count }, (_, i) => i));
          }
          await node.stop();
        },
      ),
      { seed: 42, numRuns: 100 },
    );
  });
});
