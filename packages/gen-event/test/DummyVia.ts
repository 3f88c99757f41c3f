/**
 * A port of OTP's `dummy_via` test registry: a `{via, dummy_via, Name}` registry whose table lives
 * with a registry process registered as `"dummy_via"`. Names are dropped when their process ends
 * (the registry process monitors them), `reset()` starts over with an empty table, and once the
 * registry process is dead every operation throws `BadArgError` (as calling a dead `dummy_via` does).
 */
import {
  BadArgError,
  isDown,
  type Node,
  type Pid,
  type ProcessContext,
  type ViaRegistry,
} from "@maquis/core";

export class DummyVia implements ViaRegistry {
  readonly node: Node;
  private names = new Map<string, Pid>();
  private registry: Pid;

  constructor(node: Node) {
    this.node = node;
    this.registry = this.spawnRegistry();
  }

  /** The registry process (Erlang's `whereis(dummy_via)`). */
  get pid(): Pid {
    return this.registry;
  }

  /** Erlang's `dummy_via:reset()`: a fresh registry process with an empty table. */
  reset(): Pid {
    if (this.node.isAlive(this.registry)) this.node.exit(this.registry, "kill");
    this.names = new Map();
    this.registry = this.spawnRegistry();
    return this.registry;
  }

  registerName(name: unknown, pid: Pid): boolean {
    this.check();
    const key = JSON.stringify(name);
    if (this.names.has(key) || !this.node.isAlive(pid)) return false;
    this.names.set(key, pid);
    this.node.send(this.registry, pid);
    return true;
  }

  unregisterName(name: unknown): void {
    this.check();
    this.names.delete(JSON.stringify(name));
  }

  whereisName(name: unknown): Pid | undefined {
    this.check();
    return this.names.get(JSON.stringify(name));
  }

  send(name: unknown, message: unknown): void {
    const pid = this.whereisName(name);
    if (pid === undefined) throw new BadArgError(`dummy_via: ${JSON.stringify(name)} is not registered`);
    this.node.send(pid, message);
  }

  private check(): void {
    if (!this.node.isAlive(this.registry)) throw new BadArgError("dummy_via is not running");
  }

  private spawnRegistry(): Pid {
    const registry = this;
    if (this.node.whereis("dummy_via") !== undefined) this.node.unregister("dummy_via");
    return this.node.spawn(
      {
        receive(message: unknown, self: ProcessContext) {
          if (isDown()(message)) {
            for (const [key, pid] of registry.names) if (pid.equals(message.item)) registry.names.delete(key);
          } else {
            self.monitor(message as Pid);
          }
        },
      },
      { name: "dummy_via" },
    );
  }
}
