/**
 * The Maquis side of each measure, written as a user would write it, on the same work as the Erlang
 * reference (erlang/maquis_bench.erl) so the ratios compare like with like.
 */
import { Node, type Pid, type ProcessContext } from "@maquis/core";

const now = () => performance.now();
const rate = (n: number, t0: number) => n / ((now() - t0) / 1000);

/** Runs `body` on a fresh node and stops the node afterwards. */
const withNode = async <T>(body: (node: Node) => Promise<T>): Promise<T> => {
  const node = Node.start({ name: "bench" });
  try {
    return await body(node);
  } finally {
    await node.stop();
  }
};

/**
 * A sender that sends `n` messages to `to`, 1000 per turn: it yields by sending itself a tick, as an
 * Erlang sender would be preempted after its reductions.
 */
const sender = (to: Pid, n: number, make: (i: number) => unknown) => {
  let sent = 0;
  return {
    receive(_tick: unknown, self: ProcessContext) {
      const end = Math.min(n, sent + 1000);
      for (; sent < end; sent++) self.send(to, make(sent));
      if (sent < n) self.send(self.pid, "tick");
    },
  };
};

/**
 * Sends `n` `["msg", i]` messages from a sender process to the sink `spawnSink` starts; the sink calls
 * `done` after the last one. Resolves to msg/s from the first send.
 */
const sendToSink = (n: number, spawnSink: (node: Node, done: () => void) => Pid): Promise<number> =>
  withNode(
    (node) =>
      new Promise<number>((resolve) => {
        let t0 = 0;
        const sink = spawnSink(node, () => resolve(rate(n, t0)));
        const src = node.spawn(sender(sink, n, (i) => ["msg", i]));
        t0 = now();
        node.send(src, "tick");
      }),
  );

/** local-send: the receiver is a handler process. */
export const localSend = (n = 5_000_000): Promise<number> =>
  sendToSink(n, (node, done) => {
    let got = 0;
    return node.spawn({
      receive() {
        if (++got === n) done();
      },
    });
  });

/** local-send-async: the receiver is an async function using the tryReceive fast path. */
export const localSendAsync = (n = 5_000_000): Promise<number> =>
  sendToSink(n, (node, done) =>
    node.spawn(async (self) => {
      for (let got = 0; got < n; got++) {
        if (self.tryReceive() === undefined) await self.receive();
      }
      done();
    }),
  );

/** ping-pong: two handler processes bounce a message `n` times; round trips per second. */
export const pingPong = (n = 1_000_000): Promise<number> =>
  withNode(
    (node) =>
      new Promise<number>((resolve) => {
        const pong = node.spawn({
          receive(msg: { from: Pid; i: number }, self) {
            self.send(msg.from, msg.i);
          },
        });
        let t0 = 0;
        const ping = node.spawn({
          receive(i: number, self) {
            if (i === n) resolve(rate(n, t0));
            else self.send(pong, { from: self.pid, i: i + 1 });
          },
        });
        t0 = now();
        node.send(pong, { from: ping, i: 0 });
      }),
  );

const idle = { receive() {} };

/**
 * spawn: 1M idle handler processes kept alive (proc/s), and memory-idle-process: the V8 heap delta
 * per process after a full GC, registry entry included.
 */
export const spawnAndMemory = (n = 1_000_000): Promise<{ rate: number; bytes: number }> =>
  withNode(async (node) => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const before = process.memoryUsage().heapUsed;
    const t0 = now();
    for (let i = 0; i < n; i++) node.spawn(idle);
    const spawnRate = rate(n, t0);
    gc?.();
    const bytes = (process.memoryUsage().heapUsed - before) / n;
    return { rate: spawnRate, bytes };
  });

/**
 * churn: spawn a process, send it `{ go, from }`, it replies "done" and ends; pipelined in batches of
 * 100 as in the Erlang reference.
 */
export const churn = (n = 1_000_000, batch = 100): Promise<number> =>
  withNode(
    (node) =>
      new Promise<number>((resolve) => {
        const child = async (self: ProcessContext) => {
          const { from } = (await self.receive()) as { from: Pid };
          self.send(from, "done");
        };
        let done = 0;
        let t0 = 0;
        const startBatch = (self: ProcessContext) => {
          for (let i = 0; i < batch; i++) self.send(self.spawn(child), { from: self.pid });
        };
        const driver = node.spawn({
          receive(_msg: unknown, self) {
            if (++done % batch !== 0) return;
            if (done === n) resolve(rate(n, t0));
            else startBatch(self);
          },
          init(self) {
            t0 = now();
            startBatch(self);
          },
        });
        void driver;
      }),
  );
