import type { Node } from "./Node.js";
import type { Pid } from "./Pid.js";
import type { ExitReason } from "./Reason.js";
import type { Ref } from "./Ref.js";
import type { RemoteName, ReplyTo } from "./Messages.js";
import type { CallSite } from "./Errors.js";

/**
 * A registry that a name can live in, Erlang's `{via, Module, Name}`: plug in a distributed or
 * application-specific registry. `send` throws a `BadArgError` when the name is not registered.
 */
export interface ViaRegistry {
  registerName(name: unknown, pid: Pid): boolean;
  unregisterName(name: unknown): void;
  whereisName(name: unknown): Pid | undefined;
  send(name: unknown, message: unknown): void;
}

/** A name in a {@link ViaRegistry}. */
export interface ViaName {
  readonly via: ViaRegistry;
  readonly name: unknown;
}

/**
 * Where a message can go: a pid, a locally registered name, `{ name, node }`, `{ via, name }`, or an
 * alias (the `tag` of a {@link ReplyTo}; a message to an alias whose request has ended is dropped).
 */
export type Destination = Pid | string | RemoteName | ViaName | Ref;

/** What a monitor can watch: a pid, a local registered name, or `{ name, node }`. */
export type MonitorTarget = Pid | string | RemoteName;

/** A selective-receive pattern: returns true for the messages it wants. */
export type Matcher<T = unknown> = ((message: unknown) => message is T) | ((message: unknown) => boolean);

/** Options of `demonitor`. */
export interface DemonitorOptions {
  /** Also remove a DOWN message for this monitor already in the mailbox. */
  readonly flush?: boolean;
  /** Return whether the monitor was still active (instead of always `true`). */
  readonly info?: boolean;
}

/** A process written as an async function: it runs until it returns (reason `normal`) or throws. */
export type ProcessBody = (self: ProcessContext) => void | PromiseLike<void>;

/**
 * A process written as callbacks: `receive` is called once per message, in order, never concurrently
 * (a returned promise is awaited before the next message). The fast path the behaviours use.
 */
export interface ProcessHandler<M = unknown> {
  /** Runs once, before the first message. */
  init?(self: ProcessContext): void | PromiseLike<void>;
  /** Handles one message. Throwing exits the process with that error. */
  receive(message: M, self: ProcessContext): void | PromiseLike<void>;
  /**
   * When set, only messages it accepts are handed to `receive`; the others stay queued, in order, until
   * it is cleared (a behaviour sets it while suspended so that only system messages are served). Read
   * before each message, so `receive` may set or clear it.
   */
  select?: Matcher;
}

/** Options of `spawn`. */
export interface SpawnOptions {
  /** Register the new process under this name (atomically with the spawn). */
  readonly name?: string;
  /** Start with `trapExit` on. */
  readonly trapExit?: boolean;
}

/**
 * Per-message options for a send to another node (Partisan's forward options). Ignored for local
 * destinations.
 */
export interface SendOptions {
  /**
   * The named channel to send on (a channel the transport was configured with); default `"default"`.
   * A peer without the channel gets the message on the default one. Order holds per channel: a
   * message on one channel may overtake one sent earlier on another.
   */
  readonly channel?: string | undefined;
  /**
   * Picks the connection among a channel's parallel ones (`key mod parallelism`; strings are hashed),
   * so messages with one key stay in order. Without it, a message follows its receiver's connection.
   */
  readonly partitionKey?: number | string | undefined;
}

/**
 * The API of a running process, handed to its body or handler as `self`.
 *
 * Everything here acts *as* this process: sends are from it, links and monitors are its own. After the
 * process has exited, every method throws `ProcessExitedError`.
 */
export interface ProcessContext {
  /** This process's pid. */
  readonly pid: Pid;
  /** The node the process runs on. */
  readonly node: Node;

  /**
   * Sends `message` (any value but `undefined`). Sends to a pid never fail, even if the process is
   * dead or its node unreachable (the message is dropped); sending to an unregistered local name
   * throws `BadArgError`, as in Erlang. `options` pick the channel and connection of a remote send.
   */
  send(to: Destination, message: unknown, options?: SendOptions): void;

  /**
   * Waits for the oldest message `match` accepts (any message without a matcher). Messages it skips
   * stay in the mailbox, in order. With `timeoutMs` the promise resolves to `undefined` when nothing
   * matches in time; `0` only looks at what is already queued.
   *
   * Gotcha: each `await` costs a microtask. In a hot loop, try {@link tryReceive} first and await
   * `receive` only when it returns `undefined`.
   */
  receive<T = unknown>(match?: Matcher<T>): Promise<T>;
  receive<T = unknown>(match: Matcher<T> | undefined, timeoutMs: number): Promise<T | undefined>;

  /**
   * The oldest queued message `match` accepts, removed from the mailbox, or `undefined` without
   * waiting. After a budget of consecutive messages it returns `undefined` once so that other
   * processes get a turn: await {@link receive} then.
   */
  tryReceive<T = unknown>(match?: Matcher<T>): T | undefined;

  /** Spawns a process on this node. */
  spawn(body: ProcessBody | ProcessHandler, options?: SpawnOptions): Pid;
  /** Spawns and links atomically. */
  spawnLink(body: ProcessBody | ProcessHandler, options?: SpawnOptions): Pid;
  /** Spawns and monitors atomically; returns the pid and the monitor ref. */
  spawnMonitor(body: ProcessBody | ProcessHandler, options?: SpawnOptions): [Pid, Ref];

  /**
   * Links to `pid` (idempotent; linking to self does nothing). If `pid` does not exist: when trapping
   * exits an `EXIT` with reason `noproc` arrives, otherwise this throws `NoProcError`. A pid on an
   * unreachable node gives reason `noconnection` the same way.
   */
  link(pid: Pid): void;
  /** Removes the link, if any. No exit signal from that link arrives after this returns. */
  unlink(pid: Pid): void;

  /**
   * Monitors a process; a `DownMessage` with the returned ref arrives when it ends. Monitoring a dead
   * process or an unregistered name gives an immediate DOWN with reason `noproc`. Each call makes a new
   * monitor.
   */
  monitor(target: MonitorTarget): Ref;
  /** Removes a monitor; see {@link DemonitorOptions}. Returns `true`, or with `info` whether it was active. */
  demonitor(ref: Ref, options?: DemonitorOptions): boolean;

  /** Turns exit-signal trapping on or off; returns the previous setting. */
  trapExit(on: boolean): boolean;

  /** Ends this process with `reason` (Erlang's `exit/1`). Never returns. */
  exit(reason: ExitReason): never;
  /**
   * Sends an exit signal to `pid` (Erlang's `exit/2`). `"kill"` cannot be trapped and the target dies
   * `"killed"`; `"normal"` is ignored by a non-trapping target other than the caller itself.
   */
  exit(pid: Pid, reason: ExitReason): void;

  /** Registers this process's pid, or another local pid, under `name`. Throws `BadArgError` if taken. */
  register(name: string, pid?: Pid): void;
  /** Removes a registration. Throws `BadArgError` if the name is not registered. */
  unregister(name: string): void;
  /** The pid registered under `name` on this node, if any. */
  whereis(name: string): Pid | undefined;

  /** Sends `message` to `to` after `delayMs`; returns the timer's ref. Cancelled if the target pid exits. */
  sendAfter(delayMs: number, to: Pid | string, message: unknown): Ref;
  /** Like `sendAfter`, but delivers a `TimeoutMessage` carrying the timer ref. */
  startTimer(delayMs: number, to: Pid | string, message: unknown): Ref;
  /** Cancels a timer: the milliseconds it had left, or `false` if it had fired or was unknown. */
  cancelTimer(ref: Ref): number | false;
  /** The milliseconds a timer has left, or `false`. */
  readTimer(ref: Ref): number | false;

  /** A new reference, unique on this node incarnation. */
  makeRef(): Ref;

  /**
   * Makes a request and waits for its reply: Erlang's `gen:call` machinery, which every behaviour's
   * `call` uses.
   *
   * Resolves the server (a name must be registered: otherwise `noproc`), monitors it under a fresh ref
   * that is also the reply alias, sends `build(replyTo)` and resolves with the first message anyone
   * sends to `replyTo.tag` (see {@link ProcessContext.reply}). Rejects with a `CallError` whose reason is
   * `"timeout"`, `"noproc"`, `"noconnection"`, `"calling_self"`, or the server's exit reason.
   *
   * Gotcha: the reply settles the promise directly and never enters the mailbox, so a reply that comes
   * after the timeout is dropped instead of polluting the mailbox (Erlang deactivates the alias).
   *
   * @param timeoutMs default `Infinity`; behaviours pass their own default (5000 for gen-server).
   * @param site names the operation in the error (`{ module: "GenServer", function: "call", args }`).
   */
  request<R = unknown>(
    to: Destination,
    build: (replyTo: ReplyTo) => unknown,
    timeoutMs?: number,
    site?: CallSite,
  ): Promise<R>;

  /**
   * Starts a request whose outcome arrives in the mailbox: a `ReplyMessage` with the returned ref, or a
   * `DownMessage` with that ref if the server died first (Erlang's `send_request`). Receive it with
   * `receive(isReply(ref))`, or match messages yourself; `abandonRequest(ref)` stops waiting.
   */
  sendRequest(to: Destination, build: (replyTo: ReplyTo) => unknown): Ref;

  /**
   * Stops waiting for a `sendRequest`: its reply or DOWN is never delivered, and one already queued is
   * removed. Returns whether the request was still outstanding.
   */
  abandonRequest(ref: Ref): boolean;

  /**
   * Sends `value` to whoever is waiting on `to` (Erlang's `gen:reply`). `undefined` is a valid reply
   * (unlike a message), and a reply to a request that has ended is dropped. Throws only
   * `ProcessExitedError`, once this process has exited, as every `self` method does.
   */
  reply(to: ReplyTo, value: unknown): void;

  /**
   * Removes every queued message that `match` accepts and returns how many (as `demonitor`'s flush
   * does for DOWN messages). Used to consume a message a protocol has made obsolete, such as the EXIT
   * of a child whose start already failed.
   */
  discard(match: Matcher): number;
  /**
   * Subscribes (or not) to a `nodedown` message for `node` (Erlang's `monitor_node/2`): each `true`
   * adds one subscription, `false` removes them all. An unreachable node gives `nodedown` at once.
   */
  monitorNode(node: string, on: boolean): void;
  /**
   * Subscribes (or not) to `nodeup` and `nodedown` messages for every node (Erlang's
   * `net_kernel:monitor_nodes/1`): each `true` adds a subscription (one message per subscription),
   * `false` removes them all. `nodedown` carries the reason the connection went down.
   */
  monitorNodes(on: boolean): void;
}
