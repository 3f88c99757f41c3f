/**
 * Requests: the monitor-plus-alias machinery under every call (erts aliases and `gen:call`).
 * Cases follow what OTP's gen_server_SUITE and the alias tests in erts' process_SUITE check about it:
 * replies, the caller's failure reasons, and no late reply after a timeout.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  BadArgError,
  CallError,
  DownMessage,
  type Inbox,
  isReply,
  type Node,
  type Pid,
  type ProcessContext,
  ReplyMessage,
  type ReplyTo,
  type VirtualClock,
} from "../src/index.js";
import { drain, useNodes } from "./support.js";

const startNode = useNodes("rq");
let node: Node;
let clock: VirtualClock;
let inbox: Inbox;

class Ask {
  readonly from: ReplyTo;
  readonly question: string;
  constructor(from: ReplyTo, question: string) {
    this.from = from;
    this.question = question;
  }
}

/** A server that answers `Ask`s, or holds on to them when asked to ("hold"). */
const server = (held: ReplyTo[] = []) => ({
  receive(message: unknown, self: ProcessContext) {
    if (!(message instanceof Ask)) return;
    if (message.question === "hold") held.push(message.from);
    else if (message.question === "die") self.exit("died");
    else self.reply(message.from, `answer to ${message.question}`);
  },
});

const rejection = async (promise: Promise<unknown>): Promise<CallError> => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CallError) return error;
    throw error;
  }
  throw new Error("expected the request to fail");
};

beforeEach(() => {
  ({ node, clock } = startNode());
  inbox = node.inbox();
});

describe("request", () => {
  it("resolves with the reply and leaves nothing in either mailbox or monitor table", async () => {
    const pid = node.spawn(server());
    const answer = await inbox.request(pid, (from) => new Ask(from, "q"), 5000);
    expect(answer).toBe("answer to q");
    expect(await drain(inbox)).toEqual([]);
    expect(node.processInfo(pid)?.monitoredBy).toEqual([]);
    expect(node.processInfo(inbox.pid)?.monitors).toEqual([]);
    // The deadline list's timer stays armed until its head's deadline, then finds nothing to expire.
    clock.advance(5000);
    expect(clock.pending).toBe(0);
    expect(await drain(inbox)).toEqual([]);
  });

  it("resolves a registered name before sending, and fails noproc for an unregistered one", async () => {
    node.spawn(server(), { name: "srv" });
    expect(await inbox.request("srv", (from) => new Ask(from, "q"))).toBe("answer to q");
    const error = await rejection(inbox.request("nobody", (from) => new Ask(from, "q")));
    expect(error.reason).toBe("noproc");
  });

  it("fails noproc for a dead pid", async () => {
    const pid = node.spawn(server());
    node.exit(pid, "kill");
    expect((await rejection(inbox.request(pid, (from) => new Ask(from, "q")))).reason).toBe("noproc");
  });

  it("fails with the server's exit reason if it dies before replying", async () => {
    const pid = node.spawn(server());
    const error = await rejection(inbox.request(pid, (from) => new Ask(from, "die")));
    expect(error.reason).toBe("died");
    expect(await drain(inbox)).toEqual([]);
  });

  it("fails calling_self", async () => {
    const error = await rejection(inbox.request(inbox.pid, () => "x"));
    expect(error.reason).toBe("calling_self");
    expect(await drain(inbox)).toEqual([]);
  });

  it("names the call site in the error", async () => {
    const site = { module: "GenServer", function: "call", args: ["nobody", "q"] };
    const error = await rejection(inbox.request("nobody", () => "q", 5000, site));
    expect(error.site).toEqual(site);
    expect(error.message).toContain("GenServer.call");
  });

  it("times out on the node clock, and a late reply is dropped (no message in the mailbox)", async () => {
    const held: ReplyTo[] = [];
    const pid = node.spawn(server(held));
    const pending = inbox.request(pid, (from) => new Ask(from, "hold"), 100);
    await node.idle();
    clock.advance(99);
    await node.idle();
    expect(held).toHaveLength(1);
    clock.advance(1);
    expect((await rejection(pending)).reason).toBe("timeout");
    node.reply(held[0]!, "too late");
    inbox.send(held[0]!.tag, "also too late");
    expect(await drain(inbox)).toEqual([]);
    expect(node.processInfo(pid)?.monitoredBy).toEqual([]);
  });

  it("expires requests sharing a timeout one by one, in order, while others complete", async () => {
    const held: ReplyTo[] = [];
    const pid = node.spawn(server(held));
    const first = inbox.request(pid, (from) => new Ask(from, "hold"), 50);
    clock.advance(10);
    const second = inbox.request(pid, (from) => new Ask(from, "hold"), 50);
    const third = inbox.request(pid, (from) => new Ask(from, "hold"), 50);
    await node.idle();
    node.reply(held[1]!, "second answered");
    expect(await second).toBe("second answered");
    clock.advance(40);
    expect((await rejection(first)).reason).toBe("timeout");
    let thirdDone = false;
    void third.catch(() => {
      thirdDone = true;
    });
    await node.idle();
    expect(thirdDone).toBe(false);
    clock.advance(10);
    expect((await rejection(third)).reason).toBe("timeout");
    expect(clock.pending).toBe(0);
  });

  it("works from plain code through the node (the system process is the caller)", async () => {
    let seen: Pid | undefined;
    const pid = node.spawn({
      receive(message: unknown, self: ProcessContext) {
        if (message instanceof Ask) {
          seen = message.from.pid;
          self.reply(message.from, "ok");
        }
      },
    });
    expect(await node.request(pid, (from) => new Ask(from, "q"), 1000)).toBe("ok");
    expect(seen?.id).toBe(0);
    expect(node.processes()).not.toContainEqual(seen);
  });

  it("retires the request's alias when the caller exits", async () => {
    const held: ReplyTo[] = [];
    const pid = node.spawn(server(held));
    const caller = node.spawn(async (self) => {
      await self.request(pid, (from) => new Ask(from, "hold"), 1000);
    });
    await node.idle();
    node.exit(caller, "kill");
    expect(node.processInfo(pid)?.monitoredBy).toEqual([]);
    node.reply(held[0]!, "nobody listens"); // must not throw or resurrect anything
    clock.advance(1000);
    expect(clock.pending).toBe(0);
  });

  it("a request whose message cannot be built throws and leaves nothing behind", async () => {
    const pid = node.spawn(server());
    const cannot = (): never => {
      throw new Error("cannot build");
    };
    expect(() => inbox.request(pid, cannot)).toThrow("cannot build");
    expect(() => inbox.sendRequest(pid, cannot)).toThrow("cannot build");
    // Neither request survives: the server's death settles no orphaned promise and sends no DOWN.
    node.exit(pid, "kill");
    expect(await drain(inbox)).toEqual([]);
    expect(node.processInfo(inbox.pid)?.monitors).toEqual([]);
  });

  it("rejects an invalid timeout synchronously", () => {
    expect(() => inbox.request("x", () => "q", -1)).toThrow(BadArgError);
  });
});

describe("sendRequest", () => {
  it("delivers the reply to the mailbox as a ReplyMessage", async () => {
    const pid = node.spawn(server());
    const ref = inbox.sendRequest(pid, (from) => new Ask(from, "q"));
    const reply = await inbox.receive(isReply(ref));
    expect(reply).toBeInstanceOf(ReplyMessage);
    expect(reply.value).toBe("answer to q");
    expect(await drain(inbox)).toEqual([]);
  });

  it("delivers a DOWN with the request's ref when the server dies", async () => {
    const pid = node.spawn(server());
    const ref = inbox.sendRequest(pid, (from) => new Ask(from, "die"));
    const [down] = await drain(inbox);
    expect(down).toBeInstanceOf(DownMessage);
    expect((down as DownMessage).ref).toBe(ref);
    expect((down as DownMessage).reason).toBe("died");
  });

  it("delivers a DOWN noproc for an unregistered name", async () => {
    const ref = inbox.sendRequest("nobody", () => "q");
    const [down] = await drain(inbox);
    expect(down).toMatchObject({ ref, reason: "noproc", item: { name: "nobody", node: node.name } });
  });

  it("abandonRequest drops the outstanding request and a reply already queued", async () => {
    const held: ReplyTo[] = [];
    const pid = node.spawn(server(held));
    const waiting = inbox.sendRequest(pid, (from) => new Ask(from, "hold"));
    const answered = inbox.sendRequest(pid, (from) => new Ask(from, "q"));
    await node.idle();
    expect(inbox.abandonRequest(waiting)).toBe(true);
    expect(inbox.abandonRequest(waiting)).toBe(false);
    node.reply(held[0]!, "late");
    expect(inbox.abandonRequest(answered)).toBe(false); // already answered, but its reply is removed
    expect(await drain(inbox)).toEqual([]);
  });
});

describe("aliases", () => {
  it("a message sent to an ended request's alias is dropped; a foreign node's alias is routed out", async () => {
    const pid = node.spawn(server());
    const ref = inbox.sendRequest(pid, (from) => new Ask(from, "q"));
    await inbox.receive(isReply(ref));
    inbox.send(ref, "after the fact");
    expect(await drain(inbox)).toEqual([]);
  });
});

describe("discard", () => {
  it("removes matching messages only, keeping the rest in order", async () => {
    for (const m of [1, "a", 2, "b", 3]) inbox.send(inbox.pid, m);
    expect(inbox.discard((m) => typeof m === "string")).toBe(2);
    expect(await drain(inbox)).toEqual([1, 2, 3]);
  });
});
