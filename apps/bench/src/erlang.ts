// Runs the Erlang/OTP reference measures (../erlang/*.erl), local and distributed, and parses their
// JSON lines.
import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readdir, rm } from "node:fs/promises";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface ErlangResult {
  value: number;
  min: number;
  max: number;
  unit: string;
}

export interface RunErlangOptions {
  /** 1 (default) runs `+S 1:1`, the fair reference for single-threaded Node; "default" lets the VM pick. */
  schedulers?: 1 | "default";
  /** Kill the VM after this long. Default 10 minutes (a full run takes about 1 minute). */
  timeoutMs?: number;
}

// Same relative path from src/ and from the compiled dist/.
const ERLANG_DIR = fileURLToPath(new URL("../erlang/", import.meta.url));

async function which(cmd: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    const path = join(dir, cmd);
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {
      // not in this PATH entry
    }
  }
  return undefined;
}

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} timed out after ${timeoutMs} ms\n${stdout}${stderr}`));
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Compiles every module in ../erlang into a fresh temp directory (removed by the caller). */
async function compileAll(erlc: string): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), "maquis-bench-erl-"));
  const sources = (await readdir(ERLANG_DIR))
    .filter((f) => f.endsWith(".erl"))
    .map((f) => join(ERLANG_DIR, f));
  const compiled = await run(erlc, ["-o", out, ...sources], out, 120_000);
  if (compiled.code !== 0) {
    await rm(out, { recursive: true, force: true });
    throw new Error(`erlc failed (${compiled.code}):\n${compiled.stdout}${compiled.stderr}`);
  }
  return out;
}

/**
 * Compiles and runs the named Erlang measures (all of them if `measures` is empty).
 * Throws if a measure reports an error, is missing from the output, or the VM fails.
 */
export async function runErlang(
  measures: string[],
  opts: RunErlangOptions = {},
): Promise<Map<string, ErlangResult> | { skipped: string }> {
  const erl = await which("erl");
  const erlc = await which("erlc");
  if (erl === undefined || erlc === undefined) {
    return { skipped: "erl not found; apt-get install -y erlang-base" };
  }
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const out = await compileAll(erlc);
  try {
    const schedulers = (opts.schedulers ?? 1) === 1 ? ["+S", "1:1"] : [];
    // +P: the spawn measure keeps 1M processes alive; the default limit is 262144.
    const args = ["-noshell", ...schedulers, "+P", "2000000", "-pa", out];
    // cwd = temp dir, so an erl_crash.dump lands there rather than in the repo.
    const vm = await run(erl, [...args, "-run", "maquis_bench", "main", ...measures], out, timeoutMs);
    if (vm.code !== 0) {
      throw new Error(`erl exited with ${vm.code}:\n${vm.stdout}${vm.stderr}`);
    }
    return parseLines(vm.stdout, measures);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

/** A free TCP port on 127.0.0.1 (free when asked; the caller binds it right away). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`, or rejects after `timeoutMs`. */
async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(false));
    });
    if (up) return;
    if (Date.now() > deadline) throw new Error(`epmd did not listen on port ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Runs the named distributed-Erlang measures (erlang/maquis_bench_dist.erl): node A is this VM, node B
 * a peer VM it starts, both `+S 1:1` on 127.0.0.1. Both register with a private epmd on a free port
 * (`ERL_EPMD_PORT`), started here and killed at the end, so no epmd is left behind and none already
 * running is touched; B halts when its connection to A goes, and A is killed on timeout.
 */
export async function runErlangDist(
  measures: string[],
  opts: Pick<RunErlangOptions, "timeoutMs"> = {},
): Promise<Map<string, ErlangResult> | { skipped: string }> {
  const erl = await which("erl");
  const erlc = await which("erlc");
  const epmd = await which("epmd");
  if (erl === undefined || erlc === undefined) {
    return { skipped: "erl not found; apt-get install -y erlang-base" };
  }
  if (epmd === undefined) return { skipped: "epmd not found (it comes with erlang-base)" };
  const timeoutMs = opts.timeoutMs ?? 600_000;
  const out = await compileAll(erlc);
  const port = await freePort();
  const daemon = spawn(epmd, ["-port", String(port)], { cwd: out, stdio: "ignore" });
  const killDaemon = () => daemon.kill("SIGKILL");
  process.once("exit", killDaemon);
  try {
    const failed = new Promise<never>((_, reject) => {
      daemon.once("error", (err) => reject(new Error(`epmd failed to start: ${err.message}`)));
      daemon.once("exit", (code) => reject(new Error(`epmd exited (${code}) on port ${port}`)));
    });
    failed.catch(() => {}); // after the race, only the VM's own errors matter
    await Promise.race([waitForPort(port, 10_000), failed]);
    const env = { ...process.env, ERL_EPMD_PORT: String(port) };
    const cookie = `maquis_bench_${process.pid}`;
    const args = ["-noshell", "+S", "1:1", "-name", "a@127.0.0.1", "-setcookie", cookie, "-pa", out];
    const vm = await run(
      erl,
      [...args, "-run", "maquis_bench_dist", "main", ...measures],
      out,
      timeoutMs,
      env,
    );
    if (vm.code !== 0) {
      throw new Error(`erl exited with ${vm.code}:\n${vm.stdout}${vm.stderr}`);
    }
    return parseLines(vm.stdout, measures);
  } finally {
    killDaemon();
    process.removeListener("exit", killDaemon);
    await rm(out, { recursive: true, force: true });
  }
}

function parseLines(stdout: string, measures: string[]): Map<string, ErlangResult> {
  const results = new Map<string, ErlangResult>();
  const errors: string[] = [];
  for (const line of stdout.split("\n")) {
    // Anything else on stdout (e.g. a stray log line) is not ours.
    if (!line.startsWith('{"measure"')) continue;
    const r = JSON.parse(line) as { measure: string; error?: string } & ErlangResult;
    if (r.error !== undefined) errors.push(`${r.measure}: ${r.error}`);
    else results.set(r.measure, { value: r.value, min: r.min, max: r.max, unit: r.unit });
  }
  for (const m of measures) {
    if (m !== "all" && !results.has(m) && !errors.some((e) => e.startsWith(`${m}:`))) {
      errors.push(`${m}: no result`);
    }
  }
  if (errors.length > 0) throw new Error(`Erlang measures failed:\n${errors.join("\n")}`);
  return results;
}
