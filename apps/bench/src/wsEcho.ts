/**
 * A bare `ws` echo server on ws://127.0.0.1:<free port>, permessage-deflate off: the far end of
 * ws-ping-pong-p50. Node B's process (distPeer.js) runs it beside its Maquis node, so that the bare-ws
 * round trips and remote-call's calls travel between the same two OS processes.
 */
import { type WebSocket, WebSocketServer } from "ws";

/** Starts the echo server; resolves with its address and a function that closes it. */
export async function startWsEcho(): Promise<{ address: string; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  wss.on("connection", (ws: WebSocket) => {
    ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  const { port } = wss.address() as { port: number };
  const close = () =>
    new Promise<void>((resolve) => {
      for (const client of wss.clients) client.terminate();
      wss.close(() => resolve());
    });
  return { address: `ws://127.0.0.1:${port}`, close };
}
