/**
 * Remote spawn (Erlang's `spawn/4`, `spawn_link/4`, `spawn_monitor/4` on another node): the target
 * node's RPC server spawns a registered spawnable there, and the link or monitor is in place before
 * any user code runs.
 *
 * How each option is made atomic without a core primitive for it:
 * - `link`: the new process links to the caller as its first action, before it answers with its pid.
 *   The link signal and the answer cross the same connection in order, so the caller is linked by the
 *   time it learns the pid.
 * - `monitor`: a monitor can only be made by the caller, once it knows the pid. So the new process
 *   waits after answering; the caller monitors it, then sends it "go" (behind the monitor signal on the
 *   same connection), and only then does user code run. The DOWN therefore carries the real exit
 *   reason, never `noproc`. The price is half a round trip before user code starts.
 */
import type { Pid, ProcessContext, Ref } from "@maquis/core";
import { checkRequest, failureOf, isProcessCaller, type RpcCaller, serverAt } from "./Client.js";
import { fromThrown, RpcError } from "./Errors.js";
import { type GoMessage, parseOutcome, type SpawnRequest } from "./Protocol.js";

/** Options of `Rpc.spawn`. */
export interface RpcSpawnOptions {
  /** Link the new process to the caller atomically (Erlang's `spawn_link`). Needs a process caller. */
  readonly link?: boolean;
  /** Monitor the new process atomically (Erlang's `spawn_monitor`). Needs a process caller. */
  readonly monitor?: boolean;
}

/** The spawn itself; returns the pid and, with `monitor`, the monitor's ref. */
const spawnRemote = async (
  caller: RpcCaller,
  node: string,
  name: string,
  args: readonly unknown[],
  link: boolean,
  monitor: boolean,
): Promise<[Pid, Ref | undefined]> => {
  checkRequest(caller, "spawn", node, name, args);
  if ((link || monitor) && !isProcessCaller(caller)) {
    throw new RpcError("badarg", "spawn", node, name, "link and monitor need a process as the caller");
  }
  let tag: Ref | undefined;
  let answer: unknown;
  try {
    // No timeout, as Erlang's spawn/4: the server answers at once, and a lost connection or a dead
    // server ends the wait through the request's monitor.
    answer = await caller.request(serverAt(node), (replyTo): SpawnRequest => {
      tag = replyTo.tag;
      return { op: "spawn", replyTo, fn: name, args, link, monitor };
    });
  } catch (thrown) {
    throw fromThrown(thrown, "spawn", node, name);
  }
  const outcome = parseOutcome(answer);
  if (outcome?.t !== "spawned") throw failureOf(outcome, "spawn", node, name);
  if (!monitor) return [outcome.pid, undefined];
  const self = caller as ProcessContext;
  const ref = self.monitor(outcome.pid);
  self.send(outcome.pid, { op: "go", tag: tag! } satisfies GoMessage);
  return [outcome.pid, ref];
};

/**
 * Spawns the spawnable registered as `name` on `node` with `args`; see `Rpc.spawn`. With
 * `{ monitor: true }` it resolves to `[pid, monitorRef]`, otherwise to the pid.
 */
export function spawn(
  caller: ProcessContext,
  node: string,
  name: string,
  args: readonly unknown[],
  options: RpcSpawnOptions & { readonly monitor: true },
): Promise<[Pid, Ref]>;
export function spawn(
  caller: RpcCaller,
  node: string,
  name: string,
  args?: readonly unknown[],
  options?: RpcSpawnOptions & { readonly monitor?: false },
): Promise<Pid>;
export function spawn(
  caller: RpcCaller,
  node: string,
  name: string,
  args?: readonly unknown[],
  options?: RpcSpawnOptions,
): Promise<Pid | [Pid, Ref]>;
export async function spawn(
  caller: RpcCaller,
  node: string,
  name: string,
  args: readonly unknown[] = [],
  options: RpcSpawnOptions = {},
): Promise<Pid | [Pid, Ref]> {
  const monitor = options.monitor === true;
  const [pid, ref] = await spawnRemote(caller, node, name, args, options.link === true, monitor);
  return monitor ? [pid, ref!] : pid;
}

/** `spawn` with `{ link: true }` (Erlang's `spawn_link/4`); see `Rpc.spawnLink`. */
export const spawnLink = async (
  self: ProcessContext,
  node: string,
  name: string,
  args: readonly unknown[] = [],
): Promise<Pid> => (await spawnRemote(self, node, name, args, true, false))[0];

/** `spawn` with `{ monitor: true }` (Erlang's `spawn_monitor/4`); see `Rpc.spawnMonitor`. */
export const spawnMonitor = async (
  self: ProcessContext,
  node: string,
  name: string,
  args: readonly unknown[] = [],
): Promise<[Pid, Ref]> => {
  const [pid, ref] = await spawnRemote(self, node, name, args, false, true);
  return [pid, ref!];
};
