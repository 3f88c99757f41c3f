/**
 * Links, monitors and exit signals, as the Erlang reference manual's "Processes" chapter specifies.
 *
 * Local signals take effect synchronously, in the order they are sent: a message sent before an exit is
 * queued before the EXIT it causes. Exits cascade through a work list rather than recursion, so a link
 * chain of any length cannot overflow the stack.
 *
 * Over 400 lines because local and remote signals, and node loss, share the same link and monitor tables.
 */
import type { DemonitorOptions, MonitorTarget } from "../Context.js";
import { BadArgError, NoProcError } from "../Errors.js";
import { DownMessage, ExitMessage, isRemoteName, NodeMessage, type RemoteName } from "../Messages.js";
import { Pid } from "../Pid.js";
import { describe, type ExitReason } from "../Reason.js";
import { Ref } from "../Ref.js";
import type { Signal } from "../Distribution.js";
import { EXITED, type Process, TRAP_EXIT } from "./Process.js";
import type { Request } from "./Requests.js";
import { RefTable } from "./RefTable.js";
import type { Runtime } from "./Runtime.js";

/** A monitor this process holds, keyed by its ref id (refs it made itself). */
export interface MonitorOut {
  readonly ref: Ref;
  readonly target: Pid | RemoteName;
  readonly item: Pid | RemoteName;
  /** Set when the monitor belongs to a request: its DOWN goes to the request, not the mailbox. */
  readonly request: Request | undefined;
}

/** A monitor on this process held by `watcher`. */
export interface MonitorIn {
  readonly ref: Ref;
  readonly watcher: Pid;
  readonly item: Pid | RemoteName;
}

/** Per-process link and monitor tables, allocated on first use. */
export class ProcessSignals {
  readonly links = new Map<string, Pid>();
  readonly monitors = new Map<number, MonitorOut>();
  readonly monitoredBy = new RefTable<MonitorIn>();
  /** Nodes this process watches with monitorNode, with a count per node as in Erlang. */
  nodeWatches: Map<string, number> | null = null;
  /** Subscriptions made with monitorNodes(true). */
  allNodes = 0;
}

/** A local name or a `{ name, node }` pair, the non-pid monitor targets. */
const isMonitorName = (target: unknown): boolean =>
  (typeof target === "string" && target.length > 0) || (isRemoteName(target) && !Array.isArray(target));

const tables = (p: Process): ProcessSignals => (p.signals ??= new ProcessSignals());

/** An exit signal waiting to be applied. */
interface PendingExit {
  readonly to: Process;
  readonly from: Pid;
  readonly reason: ExitReason;
  readonly link: boolean;
}

export class SignalRouter {
  private readonly rt: Runtime;
  private readonly pending: PendingExit[] = [];
  private flushing = false;

  constructor(rt: Runtime) {
    this.rt = rt;
  }

  // ---- links ----

  link(self: Process, pid: Pid): void {
    if (pid.equals(self.pid)) return;
    const rt = this.rt;
    if (rt.isLocal(pid)) {
      const other = rt.lookup(pid);
      if (other === undefined) {
        if (self.flags & TRAP_EXIT) self.deliver(new ExitMessage(pid, "noproc"));
        else throw new NoProcError(pid);
        return;
      }
      this.addLocalLink(self, other);
      return;
    }
    if (tables(self).links.has(pid.key)) return;
    if (rt.sendRemote(pid.node, { kind: "link", from: self.pid, to: pid })) {
      tables(self).links.set(pid.key, pid);
      rt.watchRemote(self, pid.node);
    } else {
      this.queueExit(self, pid, "noconnection", true);
      this.flush();
    }
  }

  addLocalLink(a: Process, b: Process): void {
    tables(a).links.set(b.pid.key, b.pid);
    tables(b).links.set(a.pid.key, a.pid);
  }

  unlink(self: Process, pid: Pid): void {
    const links = self.signals?.links;
    if (links === undefined || !links.delete(pid.key)) return;
    const rt = this.rt;
    if (rt.isLocal(pid)) rt.lookup(pid)?.signals?.links.delete(self.pid.key);
    else rt.sendRemote(pid.node, { kind: "unlink", from: self.pid, to: pid });
  }

  // ---- monitors ----

  monitor(self: Process, target: MonitorTarget, request?: Request): Ref {
    // Erlang's badarg for an item that is not a pid, a name or `{Name, Node}` (monitor_SUITE:mon_e_1),
    // rather than a DOWN for a made-up remote name.
    if (!(target instanceof Pid) && !isMonitorName(target)) {
      throw new BadArgError(`invalid monitor target: ${describe(target)}`);
    }
    const rt = this.rt;
    const ref = request?.ref ?? rt.makeRef();
    let pid: Pid | undefined;
    let item: Pid | RemoteName;
    if (target instanceof Pid) {
      pid = target;
      item = target;
    } else {
      const name = typeof target === "string" ? target : target.name;
      const node = typeof target === "string" ? rt.name : target.node;
      item = { name, node };
      if (node !== rt.name) return this.monitorRemote(self, ref, item, item, node, request);
      pid = rt.whereis(name);
      if (pid === undefined) {
        this.notifyDown(self, request, ref, item, "noproc");
        return ref;
      }
    }
    if (!rt.isLocal(pid)) return this.monitorRemote(self, ref, pid, item, pid.node, request);
    const watched = rt.lookup(pid);
    if (watched === undefined) {
      this.notifyDown(self, request, ref, item, "noproc");
      return ref;
    }
    if (watched === self) return ref; // monitoring oneself: the DOWN could never be received
    if (request !== undefined) {
      request.watch(watched);
      return ref;
    }
    tables(self).monitors.set(ref.id, { ref, target: pid, item, request });
    tables(watched).monitoredBy.set({ ref, watcher: self.pid, item });
    return ref;
  }

  private monitorRemote(
    self: Process,
    ref: Ref,
    to: Pid | RemoteName,
    item: Pid | RemoteName,
    node: string,
    request: Request | undefined,
  ): Ref {
    if (this.rt.sendRemote(node, { kind: "monitor", from: self.pid, to, ref })) {
      tables(self).monitors.set(ref.id, { ref, target: to, item, request });
      this.rt.watchRemote(self, node);
    } else {
      this.notifyDown(self, request, ref, item, "noconnection");
    }
    return ref;
  }

  /** A DOWN for a monitor `p` holds: to its request if it has one, else to the mailbox. */
  private notifyDown(
    p: Process,
    request: Request | undefined,
    ref: Ref,
    item: Pid | RemoteName,
    reason: ExitReason,
  ): void {
    if (request === undefined) p.deliver(new DownMessage(ref, item, reason));
    else request.down(item, reason);
  }

  /** Removes a monitor `self` holds without a trace (a request ended). */
  dropMonitor(self: Process, ref: Ref): void {
    const entry = self.signals?.monitors.get(ref.id);
    if (entry === undefined) return;
    self.signals!.monitors.delete(ref.id);
    const target = entry.target;
    if (target instanceof Pid && target.node === this.rt.name)
      this.rt.lookup(target)?.signals?.monitoredBy.delete(ref);
    else this.rt.sendRemote(target.node, { kind: "demonitor", from: self.pid, to: target, ref });
  }

  demonitor(self: Process, ref: Ref, options?: DemonitorOptions): boolean {
    // Erlang's badarg (monitor_SUITE:demon_e_1, demonitor_flush): a non-ref or non-object options would
    // otherwise be a silent no-op that hides the caller's bug.
    if (!(ref instanceof Ref)) throw new BadArgError(`not a reference: ${describe(ref)}`);
    if (options !== undefined && (typeof options !== "object" || options === null)) {
      throw new BadArgError(`invalid demonitor options: ${describe(options)}`);
    }
    const entry = ref.node === this.rt.name ? self.signals?.monitors.get(ref.id) : undefined;
    const found = entry?.ref.equals(ref) === true;
    if (found) {
      if (entry!.request === undefined) this.dropMonitor(self, ref);
      else entry!.request.abandon();
    }
    if (options?.flush === true && self.mailbox !== null) {
      self.mailbox.removeAll((m) => m instanceof DownMessage && m.ref.equals(ref));
    }
    return options?.info === true ? found : true;
  }

  // ---- exits ----

  /** Erlang's exit/2: an exit signal from `from` (any pid, local or not) to `to`. */
  exitSignal(from: Pid, to: Pid, reason: ExitReason): void {
    const rt = this.rt;
    if (!rt.isLocal(to)) {
      rt.sendRemote(to.node, { kind: "exit", from, to, reason, link: false });
      return;
    }
    const target = rt.lookup(to);
    if (target === undefined) return;
    this.queueExit(target, from, reason, false);
    this.flush();
  }

  /** Ends `p` with `reason`: releases its name and timers, then signals its links and monitors. */
  exitProcess(p: Process, reason: ExitReason): void {
    if (p.flags & EXITED) return;
    p.flags |= EXITED;
    p.reason = reason;
    const rt = this.rt;
    // A pending receive is dropped, never settled: the body of a killed process just stops.
    if (p.waiter !== null) {
      if (p.waiter.timer !== undefined) rt.clock.cancel(p.waiter.timer);
      p.waiter = null;
    }
    p.mailbox = null;
    rt.forget(p);
    let watcher = p.watchers;
    p.watchers = null;
    while (watcher !== null) {
      const next = watcher.watchNext;
      watcher.watched = watcher.watchPrev = watcher.watchNext = null;
      watcher.down(p.pid, reason);
      watcher = next;
    }
    const signals = p.signals;
    if (signals !== null) {
      for (const pid of signals.links.values()) {
        if (rt.isLocal(pid)) {
          const linked = rt.lookup(pid);
          if (linked !== undefined) {
            linked.signals?.links.delete(p.pid.key);
            this.queueExit(linked, p.pid, reason, true);
          }
        } else {
          rt.sendRemote(pid.node, { kind: "exit", from: p.pid, to: pid, reason, link: true });
        }
      }
      for (const m of signals.monitoredBy.values()) this.down(m.watcher, m.ref, m.item, reason);
      for (const m of signals.monitors.values()) {
        m.request?.retire();
        const target = m.target;
        if (target instanceof Pid && rt.isLocal(target))
          rt.lookup(target)?.signals?.monitoredBy.delete(m.ref);
        else if (target.node !== rt.name)
          rt.sendRemote(target.node, { kind: "demonitor", from: p.pid, to: target, ref: m.ref });
      }
      if (signals.nodeWatches !== null)
        for (const node of signals.nodeWatches.keys()) rt.unwatchNode(p, node);
      if (signals.allNodes > 0) rt.unwatchAllNodes(p);
      p.signals = null;
    }
    this.flush();
  }

  private down(watcher: Pid, ref: Ref, item: Pid | RemoteName, reason: ExitReason): void {
    const rt = this.rt;
    if (!rt.isLocal(watcher)) {
      rt.sendRemote(watcher.node, { kind: "down", to: watcher, ref, item, reason });
      return;
    }
    const p = rt.lookup(watcher);
    const entry = p?.signals?.monitors.get(ref.id);
    if (entry === undefined) return;
    p!.signals!.monitors.delete(ref.id);
    this.notifyDown(p!, entry.request, ref, item, reason);
  }

  private queueExit(to: Process, from: Pid, reason: ExitReason, link: boolean): void {
    this.pending.push({ to, from, reason, link });
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      for (let i = 0; i < this.pending.length; i++) this.apply(this.pending[i]!);
    } finally {
      this.pending.length = 0;
      this.flushing = false;
    }
  }

  /** The receiving side of an exit signal (the table in the reference manual, "Receiving Exit Signals"). */
  private apply({ to, from, reason, link }: PendingExit): void {
    if (to.flags & EXITED) return;
    if (!link && reason === "kill") this.exitProcess(to, "killed");
    else if (to.flags & TRAP_EXIT) to.deliver(new ExitMessage(from, reason));
    else if (reason !== "normal") this.exitProcess(to, reason);
    else if (!link && from.equals(to.pid)) this.exitProcess(to, "normal");
  }

  // ---- signals from other nodes ----

  deliverRemote(fromNode: string, signal: Signal): void {
    const rt = this.rt;
    switch (signal.kind) {
      case "send": {
        const to = signal.to;
        if (to instanceof Pid) rt.lookup(to)?.deliver(signal.message);
        else if (to instanceof Ref) rt.sendToAlias(to, signal.message);
        else rt.lookupName(to.name)?.deliver(signal.message);
        return;
      }
      case "link": {
        const target = rt.lookup(signal.to);
        if (target === undefined) {
          rt.sendRemote(fromNode, {
            kind: "exit",
            from: signal.to,
            to: signal.from,
            reason: "noproc",
            link: true,
          });
          return;
        }
        tables(target).links.set(signal.from.key, signal.from);
        rt.watchRemote(target, fromNode);
        return;
      }
      case "unlink":
        rt.lookup(signal.to)?.signals?.links.delete(signal.from.key);
        return;
      case "exit": {
        const target = rt.lookup(signal.to);
        if (target === undefined) return;
        if (signal.link && target.signals?.links.delete(signal.from.key) !== true) return;
        this.queueExit(target, signal.from, signal.reason, signal.link);
        this.flush();
        return;
      }
      case "monitor": {
        const to = signal.to;
        const target = to instanceof Pid ? rt.lookup(to) : rt.lookupName(to.name);
        const item = to;
        if (target === undefined) {
          rt.sendRemote(fromNode, { kind: "down", to: signal.from, ref: signal.ref, item, reason: "noproc" });
          return;
        }
        tables(target).monitoredBy.set({ ref: signal.ref, watcher: signal.from, item });
        rt.watchRemote(target, fromNode);
        return;
      }
      case "demonitor": {
        const to = signal.to;
        const target = to instanceof Pid ? rt.lookup(to) : rt.lookupName(to.name);
        target?.signals?.monitoredBy.delete(signal.ref);
        return;
      }
      case "down": {
        const watcher = rt.lookup(signal.to);
        const entry = watcher?.signals?.monitors.get(signal.ref.id);
        if (entry === undefined || !entry.ref.equals(signal.ref)) return;
        watcher!.signals!.monitors.delete(signal.ref.id);
        this.notifyDown(watcher!, entry.request, signal.ref, signal.item, signal.reason);
        return;
      }
    }
  }

  /** The connection to `node` is lost: everything across it fires with `reason` (`noconnection`). */
  nodeDown(node: string, reason: ExitReason, affected: Iterable<Process>): void {
    for (const p of affected) {
      const signals = p.signals;
      if (signals === null || p.flags & EXITED) continue;
      for (const [key, pid] of signals.links) {
        if (pid.node !== node) continue;
        signals.links.delete(key);
        this.queueExit(p, pid, reason, true);
      }
      for (const [id, m] of signals.monitors) {
        if (m.target.node !== node) continue;
        signals.monitors.delete(id);
        this.notifyDown(p, m.request, m.ref, m.item, reason);
      }
      signals.monitoredBy.deleteWhere((m) => m.watcher.node === node);
    }
    this.flush();
  }

  /**
   * Delivers nodeup/nodedown to `watchers`, one message per subscription each holds (`subscriptions`:
   * per node for monitorNode, for every node with monitorNodes).
   */
  notifyNode(
    kind: "nodeup" | "nodedown",
    node: string,
    reason: ExitReason,
    watchers: Iterable<Process>,
    subscriptions: (p: Process) => number,
  ): void {
    for (const p of watchers) {
      const count = subscriptions(p);
      for (let i = 0; i < count; i++) p.deliver(new NodeMessage(kind, node, reason));
    }
  }
}
