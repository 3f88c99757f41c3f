/**
 * Regressions found by the multi-process demo: a restarted node rejoining while its peers back off, and
 * a join to a node this one is already connected to.
 */
import { NodeMessage, type Pid } from "@maquis/core";
import { describe, expect, it } from "vitest";
import { drain, settle, until, useCluster } from "./support.js";

const env = useCluster(3);

describe("rejoining", () => {
  it("a peer backing off after failed redials answers a restarted node at once, without waiting for its timer", async () => {
    const a = await env.start("a", { reconnect: { initialMs: 1000, maxMs: 60_000, jitter: 0 } });
    const b = await env.start("b", { node: { creation: 1 } });
    await b.cluster.syncJoin("memory://a");
    await until(() => a.cluster.isConnected("b"), "a sees b");
    await b.node.stop();
    await until(() => !a.cluster.isConnected("b"), "b down");
    // a's redials fail while b is gone: its backoff grows past anything the rest of the test waits for.
    for (let i = 0; i < 4; i++) {
      env.clock.advance(60_000);
      await settle();
    }

    const b2 = await env.start("b", { node: { creation: 2 } });
    const echo = a.node.spawn(
      async (self) => {
        for (;;) {
          const m = (await self.receive()) as { from: Pid };
          self.send(m.from, "pong");
        }
      },
      { name: "echo" },
    );
    void echo;
    await b2.cluster.syncJoin("memory://a"); // the virtual clock does not move from here on
    await until(() => a.cluster.isConnected("b"), "a dialled back");
    const inbox = b2.node.inbox();
    inbox.send({ name: "echo", node: "a" }, { from: inbox.pid });
    expect(await inbox.receive((m) => m === "pong")).toBe("pong");
  });

  it("joining a node already connected leaves the session alone: no nodedown on either side", async () => {
    const a = await env.start("a");
    const b = await env.start("b");
    await b.cluster.syncJoin("memory://a");
    await until(() => a.cluster.isConnected("b"), "a sees b");
    const watchA = a.node.inbox();
    const watchB = b.node.inbox();
    watchA.monitorNodes(true);
    watchB.monitorNodes(true);
    await b.cluster.join("memory://a");
    await a.cluster.join("memory://b");
    await settle(60);
    expect(a.cluster.isConnected("b") && b.cluster.isConnected("a")).toBe(true);
    expect((await drain(watchA)).filter((m) => m instanceof NodeMessage)).toEqual([]);
    expect((await drain(watchB)).filter((m) => m instanceof NodeMessage)).toEqual([]);
  });
});
