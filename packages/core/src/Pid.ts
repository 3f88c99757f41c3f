/**
 * A process identifier: which node, which incarnation of that node, and which process on it.
 *
 * Pids are values. Two pids naming the same process are `equals`, `compare` to 0 and share a `key`.
 * Within one OS process a live local pid is always the same object (the codec returns the process's own
 * pid when decoding it), and remote pids are interned, so pids also work as `Map` keys in practice;
 * `key` is the portable choice when in doubt.
 *
 * `creation` is the node's incarnation: a node restarted under the same name gets a new creation, so a
 * pid from the old incarnation never aliases a process of the new one (Erlang's pid creation).
 */
export class Pid {
  /** Node name, e.g. `"alpha"` or `"a@127.0.0.1:4370"`. */
  readonly node: string;
  /** Process number on that node. */
  readonly id: number;
  /** Incremented when `id` wraps around, as in Erlang. */
  readonly serial: number;
  /** Incarnation of the node that created this pid. */
  readonly creation: number;
  /**
   * @internal The live local process this pid names, kept by the runtime so that a local send skips
   * the process-table lookup. Cleared when the process exits.
   */
  process: object | undefined = undefined;

  constructor(node: string, id: number, serial: number, creation: number) {
    this.node = node;
    this.id = id;
    this.serial = serial;
    this.creation = creation;
  }

  /** Prints as `<alpha.12.0>` in Node's console and REPL. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** A string unique to this pid (node, creation, id, serial); use it as a key in plain objects. */
  get key(): string {
    return `${this.node}/${this.creation}/${this.id}/${this.serial}`;
  }

  /** True if `other` names the same process. */
  equals(other: unknown): boolean {
    return (
      other === this ||
      (other instanceof Pid &&
        other.id === this.id &&
        other.serial === this.serial &&
        other.creation === this.creation &&
        other.node === this.node)
    );
  }

  /** Erlang's printed form with the node name in front: `<alpha.12.0>`. */
  toString(): string {
    return `<${this.node}.${this.id}.${this.serial}>`;
  }

  toJSON(): string {
    return this.toString();
  }

  /**
   * Total order on pids, like Erlang's term order: by node name, then creation, then serial, then id.
   * Returns a negative number, 0, or a positive number.
   */
  static compare(a: Pid, b: Pid): number {
    if (a.node !== b.node) return a.node < b.node ? -1 : 1;
    return a.creation - b.creation || a.serial - b.serial || a.id - b.id;
  }
}

/** Type guard for {@link Pid}. */
export const isPid = (value: unknown): value is Pid => value instanceof Pid;
