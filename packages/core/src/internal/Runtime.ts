/**
 * The runtime behind a Node: the process table, sends, names, requests and the distribution port.
 * Over 400 lines because it is the one place every Node operation lands.
 */
import type { Clock } from "../Clock.js";
import type {
  DemonitorOptions,
  Destination,
  MonitorTarget,
  ProcessBody,
  ProcessHandler,
  SendOptions,
  SpawnOptions,
  ViaName,
} from "../Context.js";
import type { DistributionHost, DistributionPort, Signal } from "../Distribution.js";
import { BadArgError } from "../Errors.js";
import { isRemoteName, NodeMessage, type RemoteName, type ReplyTo } from "../Messages.js";
import type { Node } from "../Node.js";
import { Pid } from "../Pid.js";
import { describe, type ExitReason } from "../Reason.js";
import { Ref } from "../Ref.js";
import { Process, PULL, STARTED, TRAP_EXIT } from "./Process.js";
import { runNow, schedule } from "./Scheduler.js";
import { ProcessSignals, SignalRouter } from "./Signals.js";
import { Timers } from "./Timers.js";
import { Deadlines, Request } from "./Requests.js";
import type { CallSite } from "../Errors.js";

// Erlang wraps pid numbers at 2^28 and counts wraps in the serial; we wrap at 2^31.
const MAX_ID = 0x7fffffff;

/** Live runtimes by node name, so the codec can hand back a live process's own pid object. */
export const localRuntimes = new Map<string, Runtime>();

const allNodeSubscriptions = (p: Process): number => p.signals?.allNodes ?? 0;

/**
 * The implementation behind a {@link Node}: the process table, names, refs and the distribution port.
 * Kept apart from the public class so that internals never appear in the published types.
 */
export class Runtime implements DistributionHost {
  readonly name: string;
  readonly creation: number;
  readonly clock: Clock;
  readonly node: Node;
  readonly table = new Map<number, Process>();
  readonly timers: Timers;
  readonly router: SignalRouter;
  /** Active aliases (outstanding requests) by ref id. */
  readonly aliases = new Map<number, Request>();
  readonly deadlines: Deadlines;
  /** Stands for code outside any process (the `from` of exit signals sent by `node.exit`). */
  readonly systemPid: Pid;
  port: DistributionPort | null = null;
  stopped = false;
  private readonly names = new Map<string, Process>();
  /** Processes with links or monitors across a node connection, by remote node. */
  private readonly remote = new Map<string, Set<Process>>();
  private readonly nodeWatchers = new Map<string, Set<Process>>();
  /** Processes that called `monitorNodes(true)`. */
  private readonly allNodeWatchers = new Set<Process>();
  /** Nodes reported up by the port and not down since. */
  private readonly upNodes = new Set<string>();
  private nextId = 1;
  private serial = 0;
  private refs = 0;

  constructor(node: Node, name: string, creation: number, clock: Clock) {
    this.node = node;
    this.name = name;
    this.creation = creation;
    this.clock = clock;
    this.systemPid = new Pid(name, 0, 0, creation);
    this.timers = new Timers(this);
    this.router = new SignalRouter(this);
    this.deadlines = new Deadlines(this);
    localRuntimes.set(name, this);
  }

  private systemProcess: Process | null = null;

  /**
   * The process that stands for code outside any process (`node.request`, `node.exit`): pid id 0,
   * never listed, drops whatever is sent to it.
   */
  get system(): Process {
    if (this.systemProcess !== null) return this.systemProcess;
    const p = new Process(this, this.systemPid, { receive() {} }, STARTED | TRAP_EXIT);
    this.systemPid.process = p;
    this.table.set(0, p);
    return (this.systemProcess = p);
  }

  // ---- identity ----

  isLocal(pid: Pid): boolean {
    return pid.node === this.name;
  }

  /** The live local process `pid` names, if any (a pid of an older incarnation names none). */
  lookup(pid: Pid): Process | undefined {
    if (pid.node !== this.name || pid.creation !== this.creation) return undefined;
    const p = this.table.get(pid.id);
    return p !== undefined && p.pid.serial === pid.serial ? p : undefined;
  }

  lookupName(name: string): Process | undefined {
    return this.names.get(name);
  }

  makeRef(): Ref {
    return new Ref(this.name, this.creation, ++this.refs);
  }

  // ---- processes ----

  spawn(code: ProcessBody | ProcessHandler | null, options?: SpawnOptions, pull = false): Process {
    if (this.stopped) throw new BadArgError(`node ${this.name} is stopped`);
    if (code !== null && typeof code !== "function" && typeof code?.receive !== "function") {
      throw new BadArgError("spawn needs an async function or a handler with a receive method");
    }
    let id = this.nextId;
    while (this.table.has(id)) id = id === MAX_ID ? 1 : id + 1;
    this.nextId = id === MAX_ID ? 1 : id + 1;
    if (id === MAX_ID) this.serial++;
    const pid = new Pid(this.name, id, this.serial, this.creation);
    let flags = options?.trapExit === true ? TRAP_EXIT : 0;
    const eager = code === null || (typeof code !== "function" && code.init === undefined);
    if (eager) flags |= STARTED;
    if (pull) flags |= PULL;
    const p = new Process(this, pid, code, flags);
    pid.process = p;
    this.table.set(id, p);
    if (options?.name !== undefined) {
      try {
        this.register(options.name, pid);
      } catch (error) {
        this.table.delete(id);
        pid.process = undefined;
        throw error;
      }
    }
    if (!eager) schedule(p);
    return p;
  }

  /** Removes an exited process from the table, the name registry and the indexes. */
  forget(p: Process): void {
    p.pid.process = undefined;
    this.table.delete(p.pid.id);
    if (p.name !== undefined && this.names.get(p.name) === p) this.names.delete(p.name);
    if (p.timers !== null) this.timers.dropAll(p.timers);
    if (p.signals !== null) for (const set of this.remote.values()) set.delete(p);
  }

  exitProcess(p: Process, reason: ExitReason): void {
    this.router.exitProcess(p, reason);
  }

  exitSignal(from: Pid, to: Pid, reason: ExitReason): void {
    this.router.exitSignal(from, to, reason);
  }

  addLocalLink(a: Process, b: Process): void {
    this.router.addLocalLink(a, b);
  }

  link(self: Process, pid: Pid): void {
    this.router.link(self, pid);
  }

  unlink(self: Process, pid: Pid): void {
    this.router.unlink(self, pid);
  }

  monitor(self: Process, target: MonitorTarget): Ref {
    return this.router.monitor(self, target);
  }

  demonitor(self: Process, ref: Ref, options?: DemonitorOptions): boolean {
    return this.router.demonitor(self, ref, options);
  }

  // ---- sending ----

  send(to: Destination, message: unknown, options?: SendOptions): void {
    if (message === undefined) throw new BadArgError("cannot send undefined");
    if (options !== undefined) this.sendWithOptions(to, message, options);
    else if (to instanceof Pid) this.sendQuietly(to, message);
    else if (typeof to === "string") this.sendToName(to, message);
    else if (to instanceof Ref) this.sendToAlias(to, message);
    else if (typeof to === "object" && to !== null && "via" in to) to.via.send(to.name, message);
    else if (!isRemoteName(to)) throw new BadArgError(`invalid destination: ${describe(to)}`);
    // `{ name, node }` never fails, even for a local name that is not registered (Erlang's `{Name, Node} ! Msg`).
    else if (to.node === this.name) this.names.get(to.name)?.deliver(message);
    else this.sendRemote(to.node, { kind: "send", to, message });
  }

  /** A send with channel options: only a remote pid or `{ name, node }` uses them. */
  private sendWithOptions(to: Destination, message: unknown, options: SendOptions): void {
    // As in `send`, a via name is resolved locally even if it also carries a `node`.
    const remote = to instanceof Pid || (isRemoteName(to) && !("via" in to));
    const node = remote ? (to as Pid | RemoteName).node : this.name;
    if (node === this.name) {
      this.send(to, message);
      return;
    }
    const { channel, partitionKey } = options;
    this.sendRemote(node, { kind: "send", to: to as Pid | RemoteName, message, channel, partitionKey });
  }

  /** Sends to a pid; never throws. */
  sendQuietly(to: Pid, message: unknown): void {
    if (to.node === this.name) ((to.process as Process | undefined) ?? this.lookup(to))?.deliver(message);
    else this.sendRemote(to.node, { kind: "send", to, message });
  }

  /** A message to an alias: settles the request it belongs to, or is dropped if that request ended. */
  sendToAlias(alias: Ref, message: unknown): void {
    // A reply may be `undefined` (a call whose reply type is void): it settles a promise or is wrapped
    // in a ReplyMessage, so it never stands for "no message" in a mailbox.
    if (alias.node !== this.name) {
      this.sendRemote(alias.node, { kind: "send", to: alias, message });
      return;
    }
    const request = this.aliases.get(alias.id);
    if (request !== undefined && request.ref.creation === alias.creation) request.reply(message);
  }

  // ---- requests ----

  /**
   * Opens a request from `owner` to `to`: monitors the server under a fresh ref that is also the
   * reply alias, then sends `build(replyTo)` (nothing if it returns undefined). Resolves the server's
   * pid first, as `gen:call` does, so an unregistered name fails with noproc without sending.
   */
  openRequest(
    owner: Process,
    to: Destination,
    build: (replyTo: ReplyTo) => unknown,
    request: Request,
  ): boolean {
    let target: Pid | RemoteName | undefined;
    if (to instanceof Pid) target = to;
    else if (typeof to === "string") target = this.whereis(to);
    else if (to instanceof Ref) throw new BadArgError(`cannot make a request to an alias: ${to}`);
    else if (typeof to === "object" && to !== null && "via" in to) target = to.via.whereisName(to.name);
    else if (isRemoteName(to)) target = to.node === this.name ? this.whereis(to.name) : to;
    else throw new BadArgError(`invalid destination: ${describe(to)}`);
    if (target === undefined) {
      const name = typeof to === "string" ? to : describe((to as RemoteName | ViaName).name);
      request.down({ name, node: this.name }, "noproc");
      return false;
    }
    if (target instanceof Pid && target.equals(owner.pid)) {
      request.down(target, "calling_self");
      return false;
    }
    this.aliases.set(request.ref.id, request);
    this.router.monitor(owner, target, request);
    if (request.done) return false;
    try {
      const message = build({ pid: owner.pid, tag: request.ref });
      if (message !== undefined) {
        owner.messagesOut++;
        if (target instanceof Pid) this.sendQuietly(target, message);
        else this.sendRemote(target.node, { kind: "send", to: target, message });
      }
    } catch (error) {
      // `build` threw, or a transport refused the message (EncodeError): no request is left behind.
      request.abandon();
      throw error;
    }
    return true;
  }

  request<R>(
    owner: Process,
    to: Destination,
    build: (replyTo: ReplyTo) => unknown,
    timeoutMs: number,
    site: CallSite | undefined,
  ): Promise<R> {
    if (!(timeoutMs >= 0)) throw new BadArgError(`invalid timeout: ${timeoutMs}`);
    const request = new Request(owner, this.makeRef());
    request.site = site;
    const promise = new Promise<R>((resolve, reject) => {
      request.resolve = resolve as (value: unknown) => void;
      request.reject = reject;
    });
    if (this.openRequest(owner, to, build, request) && timeoutMs !== Number.POSITIVE_INFINITY) {
      this.deadlines.add(request, timeoutMs);
    }
    return promise;
  }

  sendRequest(owner: Process, to: Destination, build: (replyTo: ReplyTo) => unknown): Ref {
    const request = new Request(owner, this.makeRef());
    this.openRequest(owner, to, build, request);
    return request.ref;
  }

  /** Ends a `sendRequest`: no reply or DOWN arrives for it afterwards. Returns false if it had ended. */
  abandonRequest(owner: Process, ref: Ref): boolean {
    const request = ref.node === this.name ? this.aliases.get(ref.id) : undefined;
    return request !== undefined && request.owner === owner && request.ref.equals(ref) && request.abandon();
  }

  private sendToName(name: string, message: unknown): void {
    const p = this.names.get(name);
    if (p === undefined) throw new BadArgError(`no process is registered as ${JSON.stringify(name)}`);
    p.deliver(message);
  }

  // ---- names ----

  register(name: string, pid: Pid): void {
    if (typeof name !== "string" || name === "" || name === "undefined") {
      throw new BadArgError(`invalid name: ${String(name)}`);
    }
    const p = this.lookup(pid);
    if (p === undefined) throw new BadArgError(`cannot register ${name}: ${pid} is not a live local process`);
    if (this.names.has(name)) throw new BadArgError(`name already registered: ${name}`);
    if (p.name !== undefined) throw new BadArgError(`${pid} is already registered as ${p.name}`);
    this.names.set(name, p);
    p.name = name;
  }

  unregister(name: string): void {
    const p = this.names.get(name);
    if (p === undefined) throw new BadArgError(`not registered: ${name}`);
    this.names.delete(name);
    p.name = undefined;
  }

  whereis(name: string): Pid | undefined {
    return this.names.get(name)?.pid;
  }

  registered(): string[] {
    return [...this.names.keys()];
  }

  // ---- distribution ----

  sendRemote(node: string, signal: Signal): boolean {
    return this.port?.send(node, signal) === true;
  }

  watchRemote(p: Process, node: string): void {
    let set = this.remote.get(node);
    if (set === undefined) this.remote.set(node, (set = new Set()));
    set.add(p);
  }

  monitorNode(p: Process, node: string, on: boolean): void {
    if (!on) {
      p.signals?.nodeWatches?.delete(node);
      this.nodeWatchers.get(node)?.delete(p);
      return;
    }
    if (node === this.name) return;
    if (this.port === null || !this.port.nodes().includes(node)) {
      p.deliver(new NodeMessage("nodedown", node, "noconnection"));
      return;
    }
    const watches = ((p.signals ??= new ProcessSignals()).nodeWatches ??= new Map());
    watches.set(node, (watches.get(node) ?? 0) + 1);
    let set = this.nodeWatchers.get(node);
    if (set === undefined) this.nodeWatchers.set(node, (set = new Set()));
    set.add(p);
  }

  unwatchNode(p: Process, node: string): void {
    this.nodeWatchers.get(node)?.delete(p);
  }

  monitorNodes(p: Process, on: boolean): void {
    const signals = (p.signals ??= new ProcessSignals());
    if (!on) {
      signals.allNodes = 0;
      this.allNodeWatchers.delete(p);
      return;
    }
    signals.allNodes++;
    this.allNodeWatchers.add(p);
  }

  unwatchAllNodes(p: Process): void {
    this.allNodeWatchers.delete(p);
  }

  deliver(fromNode: string, signal: Signal): void {
    if (!this.stopped) this.router.deliverRemote(fromNode, signal);
  }

  runPending(): void {
    runNow();
  }

  nodeUp(node: string): void {
    if (this.stopped || this.upNodes.has(node)) return;
    this.upNodes.add(node);
    this.router.notifyNode("nodeup", node, undefined, this.allNodeWatchers, allNodeSubscriptions);
  }

  nodeDown(node: string, reason: ExitReason = "noconnection"): void {
    if (this.stopped) return;
    const affected = this.remote.get(node);
    this.remote.delete(node);
    // Links and monitors always see `noconnection` (as in Erlang); the reason goes to nodedown messages.
    this.router.nodeDown(node, "noconnection", affected ?? []);
    // monitorNodes subscribers hear of a node going down only if they heard it come up.
    if (this.upNodes.delete(node)) {
      this.router.notifyNode("nodedown", node, reason, this.allNodeWatchers, allNodeSubscriptions);
    }
    const watchers = this.nodeWatchers.get(node);
    if (watchers === undefined) return;
    this.nodeWatchers.delete(node);
    this.router.notifyNode("nodedown", node, reason, watchers, (p) => p.signals?.nodeWatches?.get(node) ?? 0);
    for (const p of watchers) p.signals?.nodeWatches?.delete(node);
  }

  // ---- lifecycle ----

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const p of [...this.table.values()]) this.router.exitProcess(p, "shutdown");
    this.timers.clear();
    this.deadlines.clear();
    const port = this.port;
    this.port = null;
    if (localRuntimes.get(this.name) === this) localRuntimes.delete(this.name);
    await port?.stop();
  }
}
