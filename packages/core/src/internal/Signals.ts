/**
 * Links, monitors and exit signals, as the Erlang reference manual's "Processes" chapter specifies.
 *
 * Local signals take effect synchronously, in the order they are sent: a message sent before an exit is
 * queued before the EXIT it causes. Exits cascade through a work list rather than recursion, so a link
 * chain of any length cannot overflow the stack.
 */
import type { DemonitorOptions, MonitorTarget } from "../Context.js";
import { BadArgError, NoProcError } from "../Errors.js";
import { DownMessage, ExitMessage, isRemoteName, NodeMessage, type RemoteName } from "../Messages.js";
import { Pid } from "../Pid.js";
import { describe, type ExitReason } from "../Reason.js";
import { Ref } from "../Ref.js";
import type { Signal } from "../Distribution.js";
import { EXITED, type Process, TRAP_EXIT } from "./Process.js";
import type { Runtime } from "./Runtime.js";

/** A monitor this process holds, keyed by its ref id (refs it made itself). */
export interface MonitorOut {
  readonly ref: Ref;
  readonly target: Pid | RemoteName;
  readonly item: Pid | RemoteName;
}

/** A monitor on this process held by `watcher`, keyed by `ref.key`. */
export interface MonitorIn {
  readonly ref: Ref;
  readonly watcher: Pid;
  readonly item: Pid | RemoteName;
}

/** Per-process link and monitor tables, allocated on first use. */
export class ProcessSignals {
  readonly links = new Map<string, Pid>();
  readonly monitors = new Map<number, MonitorOut>();
  readonly monitoredBy = new Map<string, MonitorIn>();
  /** Nodes this process watches with monitorNode, with a count per node as in Erlang. */
  nodeWatches: Map<string, number> | null = null;
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

  monitor(self: Process, target: MonitorTarget): Ref {
    // Erlang's badarg for an item that is not a pid, a name or `{Name, Node}` (monitor_SUITE:mon_e_1),
    // rather than a DOWN for a made-up remote name.
    if (!(target instanceof Pid) && !isMonitorName(target)) {
      throw new BadArgError(`invalid monitor target: ${describe(target)}`);
    }
    const rt = this.rt;
    const ref = rt.makeRef();
    let pid: Pid | undefined;
    let item: Pid | RemoteName;
    if (target instanceof Pid) {
      pid = target;
      item = target;
    } else {
      const name = typeof target === "string" ? target : target.name;
      const node = typeof target === "string" ? rt.name : target.node;
      item = { name, node };
      if (node !== rt.name) return this.monitorRemote(self, ref, item, item, node);
      pid = rt.whereis(name);
      if (pid === undefined) {
        self.deliver(new DownMessage(ref, item, "noproc"));
        return ref;
      }
    }
    if (!rt.isLocal(pid)) return this.monitorRemote(self, ref, pid, item, pid.node);
    const watched = rt.lookup(pid);
    if (watched === undefined) {
      self.deliver(new DownMessage(ref, item, "noproc"));
      return ref;
    }
    if (watched === self) return ref; // monitoring oneself: the DOWN could never be received
    tables(self).monitors.set(ref.id, { ref, target: pid, item });
    tables(watched).monitoredBy.set(ref.key, { ref, watcher: self.pid, item });
    return ref;
  }

  private monitorRemote(
    self: Process,
    ref: Ref,
    to: Pid | RemoteName,
    item: Pid | RemoteName,
    node: string,
  ): Ref {
    if (this.rt.sendRemote(node, { kind: "monitor", from: self.pid, to, ref })) {
      tables(self).monitors.set(ref.id, { ref, target: to, item });
      this.rt.watchRemote(self, node);
    } else {
      self.deliver(new DownMessage(ref, item, "noconnection"));
    }
    return ref;
  }

  demonitor(self: Process, ref: Ref, options?: DemonitorOptions): boolean {
    // Erlang's badarg (monitor_SUITE:demon_e_1, demonitor_flush): a non-ref or non-object options would
    // otherwise be a silent no-op that hides the caller's bug.
    if (!(ref instanceof Ref)) throw new BadArgError(`not a reference: ${describe(ref)}`);
    if (options !== undefined && (typeof options !== "object" || options === null)) {
      throw new BadArgError(`invalid demonitor options: ${describe(options)}`);
    }
    const rt = this.rt;
    const entry = ref.node === rt.name ? self.signals?.monitors.get(ref.id) : undefined;
    if (entry?.ref.equals(ref)) {
      self.signals!.monitors.delete(ref.id);
      const target = entry.target;
      const node = target instanceof Pid ? target.node : target.node;
      if (node === rt.name && target instanceof Pid) rt.lookup(target)?.signals?.monitoredBy.delete(ref.key);
      else rt.sendRemote(node, { kind: "demonitor", from: self.pid, to: target, ref });
    }
    const found = entry !== undefined;
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
        const target = m.target;
        if (target instanceof Pid && rt.isLocal(target))
          rt.lookup(target)?.signals?.monitoredBy.delete(m.ref.key);
        else if (target.node !== rt.name)
          rt.sendRemote(target.node, { kind: "demonitor", from: p.pid, to: target, ref: m.ref });
      }
      if (signals.nodeWatches !== null)
        for (const node of signals.nodeWatches.keys()) rt.unwatchNode(p, node);
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
    if (p === undefined || p.signals?.monitors.delete(ref.id) !== true) return;
    p.deliver(new DownMessage(ref, item, reason));
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
        tables(target).monitoredBy.set(signal.ref.key, { ref: signal.ref, watcher: signal.from, item });
        rt.watchRemote(target, fromNode);
        return;
      }
      case "demonitor": {
        const to = signal.to;
        const target = to instanceof Pid ? rt.lookup(to) : rt.lookupName(to.name);
        target?.signals?.monitoredBy.delete(signal.ref.key);
        return;
      }
      case "down": {
        const watcher = rt.lookup(signal.to);
        if (watcher === undefined || watcher.signals?.monitors.delete(signal.ref.id) !== true) return;
        watcher.deliver(new DownMessage(signal.ref, signal.item, signal.reason));
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
        p.deliver(new DownMessage(m.ref, m.item, reason));
      }
      for (const [key, m] of signals.monitoredBy)
        if (m.watcher.node === node) signals.monitoredBy.delete(key);
    }
    this.flush();
  }

  /** Delivers nodeup/nodedown to the processes watching `node`. */
  notifyNode(
    kind: "nodeup" | "nodedown",
    node: string,
    reason: ExitReason,
    watchers: Iterable<Process>,
  ): void {
    for (const p of watchers) {
      const count = p.signals?.nodeWatches?.get(node) ?? 0;
      for (let i = 0; i < count; i++) p.deliver(new NodeMessage(kind, node, reason));
    }
  }
}
