/**
 * What a transport's host calls do to processes: `monitorNodes` subscriptions (Erlang's
 * `net_kernel:monitor_nodes/1`), the nodedown reason, and the channel options of a remote send. The
 * port here only records what it is given; the distribution tests cover real signal traffic.
 */
import { describe, expect, it } from "vitest";
import {
  type DistributionHost,
  isDown,
  isExit,
  Node,
  NodeMessage,
  Pid,
  type Signal,
  type Transport,
} from "../src/index.js";
import { drain, useNodes } from "./support.js";

const start = useNodes("mon");

/** A port that is connected to `peers` and records every signal it is asked to send. */
const recordingPort = (peers: string[]) => {
  const sent: Array<[string, Signal]> = [];
  let host: DistributionHost | undefined;
  const transport: Transport = (h) => {
    host = h;
    return {
      send: (node, signal) => {
        sent.push([node, signal]);
        return peers.includes(node);
      },
      nodes: () => [...peers],
      stop: () => {},
    };
  };
  return { sent, transport, host: () => host! };
};

describe("monitorNodes", () => {
  it("delivers nodeup and nodedown for every node, one message per subscription", async () => {
    const port = recordingPort(["b"]);
    const { node } = start({ transport: port.transport });
    const inbox = node.inbox();
    inbox.monitorNodes(true);
    inbox.monitorNodes(true);
    port.host().nodeUp("c");
    port.host().nodeDown("c", "connection_closed");
    expect(await drain(inbox)).toEqual([
      new NodeMessage("nodeup", "c"),
      new NodeMessage("nodeup", "c"),
      new NodeMessage("nodedown", "c", "connection_closed"),
      new NodeMessage("nodedown", "c", "connection_closed"),
    ]);
  });

  it("monitorNodes(false) removes every subscription", async () => {
    const port = recordingPort([]);
    const { node } = start({ transport: port.transport });
    const inbox = node.inbox();
    inbox.monitorNodes(true);
    inbox.monitorNodes(true);
    inbox.monitorNodes(false);
    port.host().nodeUp("c");
    expect(await drain(inbox)).toEqual([]);
  });

  it("an exited subscriber is forgotten", async () => {
    const port = recordingPort([]);
    const { node } = start({ transport: port.transport });
    const watcher = node.inbox();
    const other = node.inbox();
    watcher.monitorNodes(true);
    other.monitorNodes(true);
    watcher.close();
    port.host().nodeUp("c");
    expect(await drain(other)).toEqual([new NodeMessage("nodeup", "c")]);
  });

  it("nodedown reaches subscribers only for a node that was up, and nodeup only once per connection", async () => {
    const port = recordingPort([]);
    const { node } = start({ transport: port.transport });
    const inbox = node.inbox();
    inbox.monitorNodes(true);
    port.host().nodeDown("never-up", "connection_setup_failed");
    port.host().nodeUp("c");
    port.host().nodeUp("c");
    port.host().nodeDown("c");
    port.host().nodeDown("c");
    expect(await drain(inbox)).toEqual([
      new NodeMessage("nodeup", "c"),
      new NodeMessage("nodedown", "c", "noconnection"),
    ]);
  });
});

describe("nodeDown reasons", () => {
  it("links and monitors see noconnection; nodedown messages carry the transport's reason", async () => {
    const port = recordingPort(["b"]);
    const { node } = start({ transport: port.transport });
    const remote = new Pid("b", 1, 0, 1);
    const inbox = node.inbox({ trapExit: true });
    inbox.link(remote);
    const ref = inbox.monitor(remote);
    inbox.monitorNode("b", true);
    port.host().nodeDown("b", "net_tick_timeout");
    const messages = await drain(inbox);
    expect(messages.filter(isExit(remote)).map((m) => m.reason)).toEqual(["noconnection"]);
    expect(messages.filter(isDown(ref)).map((m) => m.reason)).toEqual(["noconnection"]);
    expect(messages.filter((m) => m instanceof NodeMessage)).toEqual([
      new NodeMessage("nodedown", "b", "net_tick_timeout"),
    ]);
  });

  it("calls after the node stopped are ignored", async () => {
    const port = recordingPort(["b"]);
    const node = Node.start({ name: "mon-stopped", transport: port.transport });
    await node.stop();
    expect(() => port.host().nodeUp("b")).not.toThrow();
    expect(() => port.host().nodeDown("b")).not.toThrow();
  });
});

describe("send options", () => {
  it("a remote send carries its channel and partition key to the port", async () => {
    const port = recordingPort(["b"]);
    const { node } = start({ transport: port.transport });
    const inbox = node.inbox();
    const remote = new Pid("b", 7, 0, 1);
    inbox.send(remote, "state", { channel: "game", partitionKey: 3 });
    node.send({ name: "srv", node: "b" }, "hi", { partitionKey: "room-1" });
    inbox.send(remote, "plain");
    expect(port.sent).toEqual([
      ["b", { kind: "send", to: remote, message: "state", channel: "game", partitionKey: 3 }],
      [
        "b",
        {
          kind: "send",
          to: { name: "srv", node: "b" },
          message: "hi",
          channel: undefined,
          partitionKey: "room-1",
        },
      ],
      ["b", { kind: "send", to: remote, message: "plain" }],
    ]);
  });

  it("options are ignored for local destinations", async () => {
    const { node } = start();
    const inbox = node.inbox({ name: "local" });
    node.send(inbox.pid, 1, { channel: "x" });
    node.send("local", 2, { partitionKey: 1 });
    node.send({ name: "local", node: node.name }, 3, { channel: "x" });
    expect(await drain(inbox)).toEqual([1, 2, 3]);
    expect(() => node.send("nobody", 4, { channel: "x" })).toThrow(/no process is registered/);
  });
});
