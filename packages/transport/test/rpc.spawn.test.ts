/**
 * Remote spawn on a fake network: the process runs on the target node with its arguments; `link` and
 * `monitor` are in place before its body runs (a body that fails at once reaches the caller with its
 * real reason, never `noproc`); links work both ways; and the failures (undef, notsup, noconnection,
 * badarg) are typed.
 */
import {
  DownMessage,
  ExitMessage,
  isDown,
  isExit,
  type Node,
  type Pid,
  type ProcessContext,
} from "@maquis/core";
import { describe, expect, it } from "vitest";
import { Rpc, RpcError, type RpcErrorKind } from "../src/rpc/index.js";
import { useCluster } from "./fixtures/fakeNet.js";

const cluster = useCluster();

const expectKind = (error: unknown, kind: RpcErrorKind): void => {
  expect(error).toBeInstanceOf(RpcError);
  expect((error as RpcError).kind).toBe(kind);
};

/** Nodes a, b and plain (no RPC server); b can spawn a few bodies. */
const setup = () => {
  const { net, nodes } = cluster("a", "b", "plain");
  const [a, b] = nodes as [Node, Node];
  Rpc.start(b, {
    spawnables: {
      /** Tells `to` where it runs, who it is, and what it was given. */
      report: (self: ProcessContext, to: Pid, ...rest: unknown[]) => {
        self.send(to, { node: self.node.name, pid: self.pid, rest });
      },
      /** Waits for "stop" (ends normally) or "crash" (throws). */
      sleeper: async (self: ProcessContext) => {
        const m = await self.receive((m) => m === "stop" || m === "crash");
        if (m === "crash") throw new Error("asked to crash");
      },
      /** Fails before doing anything else. */
      failFast: () => {
        throw new Error("instant");
      },
      /** Exits at once with the given reason. */
      exitWith: (self: ProcessContext, reason: string) => {
        self.exit(reason);
      },
      /** Reports the first message it receives. */
      firstMessage: async (self: ProcessContext, to: Pid) => {
        self.send(to, { first: await self.receive() });
      },
    },
  });
  return { net, a, b };
};

describe("Rpc.spawn", () => {
  it("runs the registered body on the remote node with its arguments", async () => {
    const { a, b } = setup();
    const inbox = a.inbox();
    const pid = await Rpc.spawn(inbox, "b", "report", [inbox.pid, "x", 2]);
    expect(pid.node).toBe("b");
    await a.idle();
    expect(await inbox.receive(undefined, 0)).toEqual({ node: "b", pid, rest: ["x", 2] });
    expect(b.isAlive(pid)).toBe(false); // it returned: normal exit
    // From a node (outside any process) too.
    const other = await Rpc.spawn(a, "b", "report", [inbox.pid]);
    await a.idle();
    expect(await inbox.receive(undefined, 0)).toMatchObject({ pid: other, node: "b" });
  });

  it("fails with undef, notsup, noconnection and badarg", async () => {
    const { net, a } = setup();
    const inbox = a.inbox();
    expectKind(await Rpc.spawn(inbox, "b", "missing").catch((e) => e), "undef");
    expectKind(await Rpc.spawn(inbox, "plain", "report", [inbox.pid]).catch((e) => e), "notsup");
    expectKind(await Rpc.spawn(inbox, "ghost", "report", [inbox.pid]).catch((e) => e), "noconnection");
    net.block("a", "b");
    expectKind(await Rpc.spawn(inbox, "b", "report", [inbox.pid]).catch((e) => e), "noconnection");
    net.unblock("a", "b");
    // Linking or monitoring needs a process: a node cannot be linked to.
    expectKind(await Rpc.spawn(a, "b", "sleeper", [], { link: true }).catch((e) => e), "badarg");
    expectKind(await Rpc.spawn(a, "b", "sleeper", [], { monitor: true }).catch((e) => e), "badarg");
    expectKind(await Rpc.spawn(inbox, "b", "report", [() => 0]).catch((e) => e), "badarg");
  });
});

describe("Rpc.spawn with link", () => {
  it("a remote crash reaches a trapping caller as an EXIT with the crash reason", async () => {
    const { a } = setup();
    const inbox = a.inbox();
    inbox.trapExit(true);
    const pid = await Rpc.spawnLink(inbox, "b", "sleeper");
    inbox.send(pid, "crash");
    await a.idle();
    const exit = await inbox.receive(isExit(pid), 0);
    expect(exit).toBeInstanceOf(ExitMessage);
    expect(exit?.reason).toMatchObject({ message: "asked to crash" });
  });

  it("is atomic: a body that fails at once still gives its reason, not noproc", async () => {
    const { a } = setup();
    const inbox = a.inbox();
    inbox.trapExit(true);
    const pid = await Rpc.spawn(inbox, "b", "failFast", [], { link: true });
    await a.idle();
    expect((await inbox.receive(isExit(pid), 0))?.reason).toMatchObject({ message: "instant" });
  });

  it("the caller's death kills the remote process", async () => {
    const { a, b } = setup();
    const caller = a.inbox();
    const pid = await Rpc.spawnLink(caller, "b", "sleeper");
    const watcher = a.inbox();
    const ref = watcher.monitor(pid);
    await a.idle();
    expect(b.isAlive(pid)).toBe(true);
    caller.close("caller gone");
    await a.idle();
    expect(b.isAlive(pid)).toBe(false);
    expect((await watcher.receive(isDown(ref), 0))?.reason).toBe("caller gone");
  });

  it("a normal end of the remote process does not kill a non-trapping caller", async () => {
    const { a } = setup();
    const caller = a.inbox();
    const pid = await Rpc.spawnLink(caller, "b", "sleeper");
    caller.send(pid, "stop");
    await a.idle();
    expect(a.isAlive(caller.pid)).toBe(true);
  });
});

describe("Rpc.spawn with monitor", () => {
  it("is atomic: a body that exits at once gives a DOWN with its reason, not noproc", async () => {
    const { a } = setup();
    const inbox = a.inbox();
    const [pid, ref] = await Rpc.spawn(inbox, "b", "exitWith", ["custom"], { monitor: true });
    await a.idle();
    const down = await inbox.receive(isDown(ref), 0);
    expect(down).toBeInstanceOf(DownMessage);
    expect(down?.item).toEqual(pid);
    expect(down?.reason).toBe("custom");
  });

  it("gives a normal DOWN when the body returns, and the start handshake never reaches user code", async () => {
    const { a } = setup();
    const inbox = a.inbox();
    const [pid, ref] = await Rpc.spawnMonitor(inbox, "b", "firstMessage", [inbox.pid]);
    inbox.send(pid, "hello");
    await a.idle();
    expect(await inbox.receive((m) => !(m instanceof DownMessage), 0)).toEqual({ first: "hello" });
    expect((await inbox.receive(isDown(ref), 0))?.reason).toBe("normal");
  });

  it("runs the body anyway if the caller dies before it could monitor", async () => {
    const { a } = setup();
    const observer = a.inbox();
    const caller = a.inbox();
    void Rpc.spawn(caller, "b", "report", [observer.pid, "orphan"], { monitor: true }).catch(() => {});
    caller.close(); // the request is on its way; the answer will find nobody
    await a.idle();
    expect(await observer.receive(undefined, 0)).toMatchObject({ node: "b", rest: ["orphan"] });
  });
});
