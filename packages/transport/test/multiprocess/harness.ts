/**
 * Child Node processes for multiprocess.test.ts, each running one node (`child.ts`) on the built
 * packages. A child prints a ready line, answers JSON-line commands on stdin, and exits when stdin ends;
 * {@link killAll} SIGKILLs every child still running (run it in `afterAll`), and the test process does
 * too when it exits, so no child outlives a failing run.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url));

/** Node 24 strips types by default; older Node 22 lines need the flag. */
const NODE_ARGS = (process.features as { typescript?: unknown }).typescript
  ? []
  : ["--experimental-strip-types"];

/** How long a child may take to print its ready line or answer a command (a slow, shared machine). */
const CHILD_TIMEOUT_MS = 15_000;

/** What a child reported when it was ready. */
export interface Ready {
  readonly name: string;
  readonly creation: number;
  /** Where it listens: `ws://127.0.0.1:<port>`. */
  readonly address: string;
}

/** A command's failure as the child reported it. */
export interface ChildError {
  readonly name: string;
  readonly code: string | null;
  readonly message: string;
}

export type CommandResult = { ok: true; value: unknown } | { ok: false; error: ChildError };

export interface Child extends Ready {
  readonly process: ChildProcess;
  /** Its OS process id. */
  readonly pid: number;
  /** Everything it wrote to stderr (warnings), for failure messages. */
  readonly stderr: () => string;
  /** Resolves when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends a command on stdin and resolves with the child's answer. */
  command(cmd: string, args?: Record<string, unknown>): Promise<CommandResult>;
  /** `kill -9`: resolves once the process is gone. */
  kill9(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Ends stdin (the child stops its node and exits) and resolves with how it exited. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every child started, for failure reports. */
export const children: Child[] = [];

/** Every child not known to have exited, with the promise of its exit. */
const live = new Map<ChildProcess, Promise<unknown>>();

/** SIGKILLs every child still running and resolves once they have all exited. */
export const killAll = async (): Promise<void> => {
  const running = [...live];
  for (const [child] of running) child.kill("SIGKILL");
  await Promise.all(running.map(([, exited]) => exited));
};
process.once("exit", () => {
  for (const child of live.keys()) child.kill("SIGKILL");
});

/**
 * Starts a node `name` in a new OS process and resolves once it listens. `creation` fixes its
 * incarnation (default: random, as for a real restart).
 */
export const startChild = (name: string, secret: string, creation?: number): Promise<Child> => {
  const args = [CHILD, "--name", name, "--secret", secret];
  if (creation !== undefined) args.push("--creation", String(creation));
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  live.set(child, exited);
  // Writing to a child that died (kill -9) must not crash the test process.
  child.stdin!.on("error", () => {});
  const waiting = new Map<number, (result: CommandResult) => void>();
  let nextId = 1;
  return new Promise<Child>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`child ${name} not ready within ${CHILD_TIMEOUT_MS} ms; stderr:\n${stderr}`));
    }, CHILD_TIMEOUT_MS);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`child ${name} exited (${code ?? signal}) before it was ready; stderr:\n${stderr}`));
      for (const answer of waiting.values()) {
        answer({ ok: false, error: { name: "Exited", code: null, message: `child ${name} exited` } });
      }
      waiting.clear();
    });
    let buffered = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      buffered += chunk;
      for (let nl = buffered.indexOf("\n"); nl >= 0; nl = buffered.indexOf("\n")) {
        const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
        buffered = buffered.slice(nl + 1);
        if (line.ready === true) {
          clearTimeout(timer);
          const started = handle(line as unknown as Ready);
          children.push(started);
          resolve(started);
        } else {
          const { id, ...result } = line;
          const answer = waiting.get(id as number);
          waiting.delete(id as number);
          answer?.(result as unknown as CommandResult);
        }
      }
    });
  });

  function handle(ready: Ready): Child {
    return {
      name: ready.name,
      creation: ready.creation,
      address: ready.address,
      process: child,
      pid: child.pid!,
      stderr: () => stderr,
      exited,
      command: (cmd, args = {}) =>
        new Promise<CommandResult>((resolve, reject) => {
          const id = nextId++;
          const timer = setTimeout(() => {
            waiting.delete(id);
            reject(new Error(`child ${name}: no answer to ${cmd} within ${CHILD_TIMEOUT_MS} ms`));
          }, CHILD_TIMEOUT_MS);
          waiting.set(id, (result) => {
            clearTimeout(timer);
            resolve(result);
          });
          child.stdin!.write(`${JSON.stringify({ ...args, id, cmd })}\n`);
        }),
      kill9: () => {
        child.kill("SIGKILL");
        return exited;
      },
      stop: () => {
        child.stdin!.end();
        return exited;
      },
    };
  }
};
