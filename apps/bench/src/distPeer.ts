/**
 * `node dist/distPeer.js SECRET`, a child process of the bench (started by children.ts): Maquis node
 * `b@127.0.0.1` on a WebSocket listener at ws://127.0.0.1:<free port>, with the `bulk` channel and an
 * RPC server for what the measures start there (distRemote.ts), and beside it the bare-ws echo server of
 * ws-ping-pong-p50 (wsEcho.ts). Prints `{"address": ..., "name": ..., "echo": ...}` on one line when
 * ready, and exits when its stdin closes (the bench closes it, or dies).
 */
import { Cluster } from "@maquis/transport";
import { webSocketMedium } from "@maquis/transport/websocket";
import { BULK, serveBench } from "./distRemote.js";
import { startWsEcho } from "./wsEcho.js";

const ready = (info: { address: string; name: string; echo: string }) =>
  process.stdout.write(`${JSON.stringify(info)}\n`);

/** Runs `stop` and exits once stdin ends. */
const exitWithStdin = (stop: () => Promise<void>) => {
  process.stdin.on("end", () => {
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
  process.stdin.resume();
};

const [secret] = process.argv.slice(2);
if (secret === undefined) throw new Error("usage: distPeer.js SECRET");
const { node, cluster } = await Cluster.start({
  name: "b@127.0.0.1",
  medium: webSocketMedium(),
  listen: "ws://127.0.0.1:0",
  secret,
  channels: { [BULK]: {} },
});
const echo = await startWsEcho();
exitWithStdin(async () => {
  await echo.close();
  await node.stop();
});
serveBench(node);
const address = cluster.spec.addresses[0];
if (address === undefined) throw new Error("node b: no listen address");
ready({ address, name: node.name, echo: echo.address });
