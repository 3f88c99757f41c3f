/**
 * The bare-ws round trip between two Node processes on 127.0.0.1 (ws-ping-pong-p50): the floor under any
 * remote call over WebSocket. The client is this process (node A's); the echo server runs in node B's
 * process (wsEcho.ts, started by distPeer.js), so the round trips and remote-call's calls travel between
 * the same two OS processes. Both sides use `ws` with permessage-deflate off; the client sends one
 * pre-encoded small binary frame at a time and waits for its echo. No codec, no framing of ours, no
 * processes: transport only.
 *
 * distribution.ts times these round trips interleaved with remote-call's calls, in the same rounds, so
 * that the target "remote-call-p50 at most 1.5x the ws round trip" compares the two under the same load.
 * Why the same pair of processes matters: on this 2-vCPU VM a loopback round trip costs about 26 µs
 * when both ends run on one vCPU and about 80 µs when they run on two (measured with `taskset`), and
 * the kernel places each pair of processes as it likes. With the echo in a third process, the ws pair
 * and the call pair were often placed differently, and the ratio measured placement, not Maquis.
 * The Erlang row beside ws-ping-pong-p50 is a raw `!` ping-pong between two distributed VMs.
 */
import { WebSocket } from "ws";

/** A small frame: 48 bytes, the size of a small message envelope in msgpack. */
const FRAME = new Uint8Array(48).fill(7);

/** Nearest-rank percentile of sorted values (as maquis_bench_dist.erl). */
export const percentile = (sorted: Float64Array, q: number): number =>
  sorted[Math.max(0, Math.min(sorted.length, Math.ceil(q * sorted.length)) - 1)] as number;

/** A bare-ws client connected to the echo server (started on first use). */
export interface WsPing {
  /** One round trip, in µs. */
  roundTrip(): Promise<number>;
  close(): void;
}

/** Connects a fresh client to the echo server at `address`. */
export async function openWsPing(address: string): Promise<WsPing> {
  const ws = new WebSocket(address, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let waiting: { resolve: () => void; reject: (err: Error) => void } | undefined;
  ws.on("message", () => waiting?.resolve());
  ws.on("close", () => waiting?.reject(new Error("the ws echo connection closed")));
  return {
    async roundTrip() {
      const t0 = performance.now();
      const back = new Promise<void>((resolve, reject) => (waiting = { resolve, reject }));
      ws.send(FRAME);
      await back;
      return (performance.now() - t0) * 1000;
    },
    close: () => ws.terminate(),
  };
}
