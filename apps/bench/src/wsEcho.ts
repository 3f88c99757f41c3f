/**
 * `node dist/wsEcho.js`, a child process of the bench (started by children.ts): a bare `ws` server on
 * ws://127.0.0.1:<free port>, permessage-deflate off, that echoes every message; the far end of
 * ws-ping-pong-p50. Prints `{"address": ...}` on one line when ready, and exits when its stdin closes.
 */
import { type WebSocket, WebSocketServer } from "ws";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
await new Promise<void>((resolve, reject) => {
  wss.once("listening", resolve);
  wss.once("error", reject);
});
wss.on("connection", (ws: WebSocket) => {
  ws.on("message", (data, isBinary) => ws.send(data, { binary: isBinary }));
});
process.stdin.on("end", () => {
  for (const client of wss.clients) client.terminate();
  wss.close(() => process.exit(0));
});
process.stdin.resume();
const { port } = wss.address() as { port: number };
process.stdout.write(`${JSON.stringify({ address: `ws://127.0.0.1:${port}` })}\n`);
