import { type Clock, systemClock } from "./Clock.js";
import type {
  Destination,
  ProcessBody,
  ProcessContext,
  ProcessHandler,
  SendOptions,
  SpawnOptions,
} from "./Context.js";
import type { Transport } from "./Distribution.js";
import { type CallSite, ConfigError } from "./Errors.js";
import type { ReplyTo } from "./Messages.js";
import { processInfo, type ProcessInfo } from "./internal/Info.js";
import { Runtime } from "./internal/Runtime.js";
import { runQueueLength, whenIdle } from "./internal/Scheduler.js";
import type { Pid } from "./Pid.js";
import type { ExitReason } from "./Reason.js";
import type { Ref } from "./Ref.js";

/** Options of {@link Node.start}. */
export interface NodeOptions {
  /** The node's name, unique in its cluster (default `"nonode@nohost"`, as in Erlang). */
  readonly name?: string;
  /** Time source for timers and receive timeouts; tests pass a `VirtualClock`. */
  readonly clock?: Clock;
  /** The node's incarnation (default: random). Set it only to reproduce a scenario exactly. */
  readonly creation?: number;
  /** How the node reaches other nodes (from `@maquis/transport`). Without one the node is alone. */
  readonly transport?: Transport;
}

/**
 * A process mailbox driven from plain async code: a test, an HTTP handler, a script's main. It has a
 * pid, so processes can reply to it, link to it and monitor it; `close()` ends it.
 */
export interface Inbox extends ProcessContext {
  /** Ends the inbox as a process exiting with `reason` (default `"normal"`). */
  close(reason?: ExitReason): void;
}

/**
 * A node: a runtime that owns processes, names and timers. Many nodes can live in one OS process (tests
 * and simulations rely on it); with a transport they form a cluster.
 *
 * @example
 * const node = Node.start({ name: "alpha" });
 * const echo = node.spawn(async (self) => {
 *   const { from, text } = await self.receive<{ from: Pid; text: string }>();
 *   self.send(from, text);
 * });
 * const inbox = node.inbox();
 * inbox.send(echo, { from: inbox.pid, text: "hi" });
 * console.log(await inbox.receive()); // "hi"
 * await node.stop();
 */
export class Node {
  readonly #rt: Runtime;

  private constructor(name: string, creation: number, clock: Clock) {
    this.#rt = new Runtime(this, name, creation, clock);
  }

  /** Starts a node. Throws `ConfigError` for invalid options. */
  static start(options: NodeOptions = {}): Node {
    const name = options.name ?? "nonode@nohost";
    if (typeof name !== "string" || name.length === 0 || /\s/.test(name)) {
      throw new ConfigError(`invalid node name: ${JSON.stringify(name)}`);
    }
    const creation = options.creation ?? randomCreation();
    if (!Number.isInteger(creation) || creation <= 0 || creation > 0xffffffff) {
      throw new ConfigError(`invalid creation: ${creation} (an integer from 1 to 2^32-1)`);
    }
    const node = new Node(name, creation, options.clock ?? systemClock);
    if (options.transport !== undefined) node.#rt.port = options.transport(node.#rt);
    return node;
  }

  /** The node's name. */
  get name(): string {
    return this.#rt.name;
  }

  /** The node's incarnation; pids and refs carry it. */
  get creation(): number {
    return this.#rt.creation;
  }

  /** The node's clock. */
  get clock(): Clock {
    return this.#rt.clock;
  }

  /** True once `stop()` has been called. */
  get stopped(): boolean {
    return this.#rt.stopped;
  }

  /**
   * Spawns a process from an async function (`async (self) => …`) or a handler object
   * (`{ init?, receive }`). Returns at once; the process starts on the scheduler.
   */
  spawn(code: ProcessBody | ProcessHandler, options?: SpawnOptions): Pid {
    return this.#rt.spawn(code, options).pid;
  }

  /** A new {@link Inbox}: a process whose receive loop is your own async code. */
  inbox(options?: SpawnOptions): Inbox {
    return this.#rt.spawn(null, options, true) as unknown as Inbox;
  }

  /** Sends from outside any process; same rules as `ProcessContext.send`. */
  send(to: Destination, message: unknown, options?: SendOptions): void {
    this.#rt.send(to, message, options);
  }

  /** Sends an exit signal from outside any process (Erlang's `exit/2` from the shell). */
  exit(pid: Pid, reason: ExitReason): void {
    this.#rt.exitSignal(this.#rt.systemPid, pid, reason);
  }

  /** Registers `pid` under `name`; throws `BadArgError` if the name or the pid is taken. */
  register(name: string, pid: Pid): void {
    this.#rt.register(name, pid);
  }

  /** Removes a registration; throws `BadArgError` if none. */
  unregister(name: string): void {
    this.#rt.unregister(name);
  }

  /** The pid registered under `name`, if any. */
  whereis(name: string): Pid | undefined {
    return this.#rt.whereis(name);
  }

  /** Every registered name. */
  registered(): string[] {
    return this.#rt.registered();
  }

  /** Sends `message` to `to` after `delayMs`. */
  sendAfter(delayMs: number, to: Pid | string, message: unknown): Ref {
    return this.#rt.timers.start(delayMs, to, message, false);
  }

  /** Cancels a timer: milliseconds left, or `false` if it already fired or is unknown. */
  cancelTimer(ref: Ref): number | false {
    return this.#rt.timers.cancel(ref);
  }

  /** Milliseconds left on a timer, or `false`. */
  readTimer(ref: Ref): number | false {
    return this.#rt.timers.read(ref);
  }

  /** A new reference. */
  makeRef(): Ref {
    return this.#rt.makeRef();
  }

  /** True if `pid` is a live process of this node. */
  /**
   * {@link ProcessContext.request} for code outside any process (an HTTP handler, a test): the request
   * is made on behalf of the node's system process, so the server sees a `replyTo.pid` of
   * `<node.0.0>`.
   */
  request<R = unknown>(
    to: Destination,
    build: (replyTo: ReplyTo) => unknown,
    timeoutMs = Number.POSITIVE_INFINITY,
    site?: CallSite,
  ): Promise<R> {
    return this.#rt.request(this.#rt.system, to, build, timeoutMs, site);
  }

  /** Sends `value` to whoever is waiting on `to` (Erlang's `gen:reply`). Never throws. */
  reply(to: ReplyTo, value: unknown): void {
    this.#rt.system.reply(to, value);
  }

  /** True while the process `pid` names is alive on this node (Erlang's `is_process_alive/1`). */
  isAlive(pid: Pid): boolean {
    return this.#rt.lookup(pid) !== undefined;
  }

  /** The pids of all live processes, in spawn order. */
  processes(): Pid[] {
    const pids: Pid[] = [];
    for (const p of this.#rt.table.values()) if (p.pid.id !== 0) pids.push(p.pid);
    return pids;
  }

  /** A snapshot of a live process's state, or `undefined` if it is not alive. */
  processInfo(pid: Pid): ProcessInfo | undefined {
    const p = this.#rt.lookup(pid);
    return p === undefined ? undefined : processInfo(p);
  }

  /** The nodes this node is connected to. */
  nodes(): string[] {
    return this.#rt.port?.nodes() ?? [];
  }

  /** Pending timers (for leak checks in tests). */
  get timerCount(): number {
    return this.#rt.timers.size;
  }

  /**
   * Resolves once every runnable process (on every node in this realm) has run and is waiting.
   * A synchronisation point for tests: it waits for work, never for time.
   */
  idle(): Promise<void> {
    return whenIdle();
  }

  /** Processes waiting in the shared run queue. */
  static runQueueLength(): number {
    return runQueueLength();
  }

  /** Ends every process with reason `shutdown`, cancels every timer and closes the transport. */
  stop(): Promise<void> {
    return this.#rt.stop();
  }

  toString(): string {
    return `Node<${this.name}>`;
  }
}

const randomCreation = (): number => {
  const word = new Uint32Array(1);
  do crypto.getRandomValues(word);
  while (word[0] === 0);
  return word[0]!;
};
