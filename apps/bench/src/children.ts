/**
 * The bench's child Node process: node B of the distribution measures (distPeer.js), which also runs
 * the bare-ws echo server. It prints one JSON line on stdout when it is ready and exits when its stdin
 * closes, so a child never outlives the bench: `stopChildren` closes their stdin (SIGKILL after 5 s), if
 * the bench dies anyway its end of the pipe closes with it, and on a plain `exit` (an uncaught error)
 * the bench SIGKILLs them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** What a child printed when it was ready. */
export interface ChildInfo {
  /** Where it listens (a `ws://` URL). */
  readonly address: string;
  /** Its node name. */
  readonly name: string;
  /** Its bare-ws echo server (a `ws://` URL). */
  readonly echo: string;
}

const live = new Set<ChildProcess>();
const killAll = () => {
  for (const child of live) child.kill("SIGKILL");
};
process.on("exit", killAll);

/** Starts `node dist/<name>.js ...args` and resolves with its ready line. */
export function startChild(name: "distPeer", ...args: string[]): Promise<ChildInfo> {
  const script = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  const child = spawn(process.execPath, [script, ...args], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  return new Promise((resolve, reject) => {
    let out = "";
    const onData = (chunk: string) => {
      out += chunk;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      child.stdout?.off("data", onData).resume(); // anything later is discarded
      child.off("exit", onExit);
      try {
        resolve(JSON.parse(out.slice(0, nl)) as ChildInfo);
      } catch {
        child.kill("SIGKILL");
        reject(new Error(`${name}: unexpected output ${JSON.stringify(out)}`));
      }
    };
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready: ${out}`));
    child.stdout?.setEncoding("utf8").on("data", onData);
    child.once("exit", onExit);
    child.once("error", reject);
  });
}

/** Closes every child's stdin and waits for it to exit (SIGKILL after 5 s). */
export async function stopChildren(): Promise<void> {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          child.stdin?.end();
        }),
    ),
  );
}
