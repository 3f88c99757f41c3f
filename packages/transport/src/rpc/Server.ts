/**
 * The RPC server: one process per node, registered as {@link RPC_SERVER_NAME}, that runs registered
 * functions and spawnables for other nodes (Erlang's `rex`, and the remote half of `erpc` and
 * `spawn_request`).
 *
 * The server never runs user code itself. Each call gets a fresh worker process (so a slow call never
 * delays another, as with `erpc`), each spawn a fresh process; the server only checks requests, looks
 * names up and watches workers, all synchronously, so nothing a peer sends can block or crash it.
 */
import {
  BadArgError,
  DownMessage,
  describe,
  type Node,
  type Pid,
  type ProcessContext,
  type ProcessHandler,
  type ReplyTo,
} from "@maquis/core";
import {
  type CallRequest,
  type CastRequest,
  isGoFor,
  isName,
  type Outcome,
  parseRequest,
  RPC_SERVER_NAME,
  type SpawnRequest,
} from "./Protocol.js";

/**
 * A function other nodes may call: any arguments in, any value (or promise) out. Arguments and result
 * cross the wire through core's codec, so they must be encodable (no functions, no class instances
 * beyond those the codec knows).
 */
export type RpcFunction = (...args: never[]) => unknown;

/**
 * A process body other nodes may spawn: it gets the new process's `self`, then the spawn's arguments.
 * The process ends when it returns (reason `normal`) or throws (reason: the error).
 */
export type RpcSpawnable = (self: ProcessContext, ...args: never[]) => void | PromiseLike<void>;

/** Something the server wants known; none of these stop it. */
export type RpcLogEvent =
  /** A message that is not a valid request was dropped (answered `badarg` when it had a `replyTo`). */
  | { readonly kind: "dropped"; readonly why: string; readonly message: unknown }
  /** A cast named a function that is not registered (a call or spawn answers `undef` instead). */
  | { readonly kind: "undef"; readonly fn: string }
  /** A cast's function threw; nobody waits for a cast, so this is the only trace. */
  | { readonly kind: "cast_failed"; readonly fn: string; readonly error: unknown }
  /** An answer could not be sent, not even in its degraded form; the caller will time out. */
  | { readonly kind: "reply_failed"; readonly fn: string; readonly error: unknown }
  /** A bug or a hostile local message (a throwing getter): caught so that the server keeps serving. */
  | { readonly kind: "internal"; readonly error: unknown };

/** Receives the server's {@link RpcLogEvent}s. Must not throw (what it throws is ignored). */
export type RpcLogger = (event: RpcLogEvent) => void;

/** Options of `Rpc.start`. */
export interface RpcServerOptions {
  /** Functions other nodes may call or cast, by name. */
  readonly functions?: Readonly<Record<string, RpcFunction>>;
  /** Process bodies other nodes may spawn, by name. */
  readonly spawnables?: Readonly<Record<string, RpcSpawnable>>;
  /** Where log events go; default `console.warn`. Tests pass a collector. */
  readonly log?: RpcLogger;
}

const defaultLog: RpcLogger = (event) => {
  const { kind, ...rest } = event;
  console.warn(`maquis rpc: ${kind}`, describe(rest));
};

/** Servers by node, so that `Rpc.register(node, …)` finds the registry of a running server. */
const servers = new WeakMap<Node, RpcServer>();

/** Calls a registered function with arguments that came off the wire. */
const apply = (fn: RpcFunction, args: readonly unknown[]): unknown =>
  (fn as (...a: readonly unknown[]) => unknown)(...args);

/** An error stripped to what always encodes: name, message and stack. */
const plainError = (thrown: unknown): Error => {
  if (!(thrown instanceof Error)) return new Error(describe(thrown));
  const error = new Error(thrown.message);
  error.name = thrown.name;
  if (thrown.stack !== undefined) error.stack = thrown.stack;
  return error;
};

/**
 * The answer to send when `outcome` itself could not be (its value does not encode): the same kind
 * with the payload reduced to strings and plain errors, so the caller learns why instead of timing out.
 */
const degrade = (outcome: Outcome, failure: unknown): Outcome => {
  switch (outcome.t) {
    case "ok": {
      const error = plainError(failure);
      error.message = `the result cannot be sent: ${error.message}`;
      return { t: "error", error };
    }
    case "error":
      return { t: "error", error: plainError(outcome.error) };
    case "exit":
      return { t: "exit", reason: describe(outcome.reason) };
    default:
      return { t: "badarg", detail: describe(failure) };
  }
};

/**
 * The body of a remotely spawned process: sets up what the caller asked for, answers with its pid, then
 * runs the spawnable.
 */
const runSpawned = async (self: ProcessContext, body: RpcSpawnable, request: SpawnRequest): Promise<void> => {
  const { replyTo } = request;
  // Core has no "spawn linked to a remote pid", so the new process links as its very first action,
  // before it answers. The link signal and the answer go to the caller's node over the same
  // connection, in order: by the time the caller learns the pid it is already linked (spawn_link's
  // atomicity), and a process that crashes at once gives the caller its real reason, not noproc.
  if (request.link) self.link(replyTo.pid);
  self.reply(replyTo, { t: "spawned", pid: self.pid } satisfies Outcome);
  if (request.monitor) {
    // The caller's monitor can only be set up once it knows the pid, so hold user code until the
    // caller says "go" (sent after its monitor, hence arriving after it). If the caller dies first,
    // run anyway: as in Erlang, a spawned process does not depend on its parent unless linked.
    const isGo = isGoFor(replyTo.tag);
    const watch = self.monitor(replyTo.pid);
    await self.receive((m) => isGo(m) || (m instanceof DownMessage && m.ref.equals(watch)));
    self.demonitor(watch, { flush: true });
  }
  await (body as (self: ProcessContext, ...args: readonly unknown[]) => unknown)(self, ...request.args);
};

/**
 * A node's RPC server: the registry of what other nodes may call and spawn here, and the process that
 * serves them. Start one per node with `Rpc.start(node, …)` (or implicitly with `Rpc.register`).
 *
 * Gotchas: registered code runs with the full rights of this node, for any connected peer; register
 * only what you would expose as an API, and validate arguments inside the function (they come off the
 * wire). Names live in a `Map`, so `"constructor"` or `"__proto__"` never resolve to anything by
 * accident.
 */
export class RpcServer {
  /** The node this server runs on. */
  readonly node: Node;
  /** The server process, registered as {@link RPC_SERVER_NAME}. */
  readonly pid: Pid;
  readonly #functions = new Map<string, RpcFunction>();
  readonly #spawnables = new Map<string, RpcSpawnable>();
  /** Calls in flight: the server's monitor on each worker, to who waits for its answer. */
  readonly #inflight = new Map<string, { readonly replyTo: ReplyTo; readonly fn: string }>();
  readonly #log: RpcLogger;

  private constructor(node: Node, options: RpcServerOptions) {
    this.node = node;
    this.#log = options.log ?? defaultLog;
    for (const [name, fn] of Object.entries(options.functions ?? {})) this.register(name, fn);
    for (const [name, fn] of Object.entries(options.spawnables ?? {})) this.registerSpawnable(name, fn);
    const handler: ProcessHandler = { receive: (message, self) => this.#handle(message, self) };
    this.pid = node.spawn(handler, { name: RPC_SERVER_NAME });
  }

  /**
   * Starts the RPC server on `node`. Throws `BadArgError` if one is already running there (or the name
   * {@link RPC_SERVER_NAME} is taken), or for an invalid name or non-function in `options`.
   */
  static start(node: Node, options: RpcServerOptions = {}): RpcServer {
    if (node.whereis(RPC_SERVER_NAME) !== undefined) {
      throw new BadArgError(
        `${RPC_SERVER_NAME} is already registered on ${node.name}: an RPC server runs there`,
      );
    }
    const server = new RpcServer(node, options);
    servers.set(node, server);
    return server;
  }

  /** The running server of `node`, if any. */
  static of(node: Node): RpcServer | undefined {
    const server = servers.get(node);
    return server?.running === true ? server : undefined;
  }

  /** True while the server process is alive. */
  get running(): boolean {
    return this.node.isAlive(this.pid);
  }

  /** Calls currently running in worker processes (for tests and introspection). */
  get inflight(): number {
    return this.#inflight.size;
  }

  /**
   * Lets other nodes call or cast `fn` as `name`; replaces an earlier registration of that name (as
   * loading new code would). Throws `BadArgError` for an empty or overlong name or a non-function.
   */
  register(name: string, fn: RpcFunction): this {
    if (!isName(name)) throw new BadArgError(`invalid RPC function name: ${describe(name)}`);
    if (typeof fn !== "function") throw new BadArgError(`RPC function ${name} is not a function`);
    this.#functions.set(name, fn);
    return this;
  }

  /** Lets other nodes spawn `body` as `name`; same rules as {@link register}. */
  registerSpawnable(name: string, body: RpcSpawnable): this {
    if (!isName(name)) throw new BadArgError(`invalid RPC spawnable name: ${describe(name)}`);
    if (typeof body !== "function") throw new BadArgError(`RPC spawnable ${name} is not a function`);
    this.#spawnables.set(name, body);
    return this;
  }

  /** Withdraws a function; later calls get `undef` (calls already running finish). Returns whether it was registered. */
  unregister(name: string): boolean {
    return this.#functions.delete(name);
  }

  /** Withdraws a spawnable; returns whether it was registered. */
  unregisterSpawnable(name: string): boolean {
    return this.#spawnables.delete(name);
  }

  /** The registered function names. */
  functions(): string[] {
    return [...this.#functions.keys()];
  }

  /** The registered spawnable names. */
  spawnables(): string[] {
    return [...this.#spawnables.keys()];
  }

  /**
   * Stops the server (reason `shutdown`). Workers already running still answer their callers; calls
   * waiting on the server itself fail with kind `"exit"`, later ones with `"notsup"`.
   */
  stop(): void {
    if (servers.get(this.node) === this) servers.delete(this.node);
    if (this.running) this.node.exit(this.pid, "shutdown");
    this.#inflight.clear();
  }

  #emit(event: RpcLogEvent): void {
    try {
      this.#log(event);
    } catch {
      // A logger must not be able to take the server down.
    }
  }

  #handle(message: unknown, self: ProcessContext): void {
    try {
      if (message instanceof DownMessage) {
        // Only the runtime makes DownMessage instances: the codec never rebuilds one off the wire.
        this.#workerDown(message, self);
        return;
      }
      const parsed = parseRequest(message);
      if (!parsed.ok) {
        this.#emit({ kind: "dropped", why: parsed.why, message });
        if (parsed.replyTo !== undefined) {
          this.#answer(self, parsed.replyTo, "", { t: "badarg", detail: parsed.why });
        }
        return;
      }
      const request = parsed.request;
      if (request.op === "call") this.#call(request, self);
      else if (request.op === "cast") this.#cast(request, self);
      else this.#spawn(request, self);
    } catch (error) {
      this.#emit({ kind: "internal", error });
    }
  }

  #call(request: CallRequest, self: ProcessContext): void {
    const fn = this.#functions.get(request.fn);
    if (fn === undefined) {
      this.#answer(self, request.replyTo, request.fn, { t: "undef" });
      return;
    }
    // Monitored so that a worker killed before answering still gets its caller an `exit` answer.
    const [, watch] = self.spawnMonitor((worker) => this.#runCall(worker, fn, request));
    this.#inflight.set(watch.key, { replyTo: request.replyTo, fn: request.fn });
  }

  async #runCall(worker: ProcessContext, fn: RpcFunction, request: CallRequest): Promise<void> {
    let outcome: Outcome;
    try {
      // `await` makes an async function's answer its resolved value (or its rejection an error).
      outcome = { t: "ok", value: await apply(fn, request.args) };
    } catch (error) {
      outcome = { t: "error", error };
    }
    // Killed while the function ran: the server has answered `exit` from the DOWN already.
    if (!worker.node.isAlive(worker.pid)) return;
    this.#answer(worker, request.replyTo, request.fn, outcome);
  }

  #workerDown(down: DownMessage, self: ProcessContext): void {
    const waiting = this.#inflight.get(down.ref.key);
    if (waiting === undefined) return;
    this.#inflight.delete(down.ref.key);
    // A normal exit follows the worker's own answer. Any other reason means it never answered; if it
    // did answer first, this second answer finds the request ended and is dropped by the runtime.
    if (down.reason !== "normal")
      this.#answer(self, waiting.replyTo, waiting.fn, { t: "exit", reason: down.reason });
  }

  #cast(request: CastRequest, self: ProcessContext): void {
    const fn = this.#functions.get(request.fn);
    if (fn === undefined) {
      this.#emit({ kind: "undef", fn: request.fn });
      return;
    }
    self.spawn(async () => {
      try {
        await apply(fn, request.args);
      } catch (error) {
        this.#emit({ kind: "cast_failed", fn: request.fn, error });
      }
    });
  }

  #spawn(request: SpawnRequest, self: ProcessContext): void {
    const body = this.#spawnables.get(request.fn);
    if (body === undefined) {
      this.#answer(self, request.replyTo, request.fn, { t: "undef" });
      return;
    }
    self.spawn((child) => runSpawned(child, body, request));
  }

  /** Answers a request from `from` (the server or a worker), degrading what cannot be encoded. */
  #answer(from: ProcessContext, replyTo: ReplyTo, fn: string, outcome: Outcome): void {
    let failure: unknown;
    try {
      from.reply(replyTo, outcome);
      return;
    } catch (error) {
      // A transport that encodes on send throws EncodeError here for a result it cannot carry.
      failure = error;
    }
    try {
      from.reply(replyTo, degrade(outcome, failure));
    } catch (error) {
      this.#emit({ kind: "reply_failed", fn, error });
    }
  }
}
