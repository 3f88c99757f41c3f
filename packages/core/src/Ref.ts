/**
 * A reference: a value unique within one incarnation of one node (Erlang's `make_ref()`).
 *
 * Refs tag monitors, timers and requests. Compare them with `equals`, or use `key` in maps; a ref decoded
 * off the wire is a new object equal to the original.
 */
export class Ref {
  /** The node that made the ref. */
  readonly node: string;
  /** That node's incarnation. */
  readonly creation: number;
  /** Counter value, unique per node incarnation. */
  readonly id: number;

  constructor(node: string, creation: number, id: number) {
    this.node = node;
    this.creation = creation;
    this.id = id;
  }

  /** A string unique to this ref. */
  get key(): string {
    return `${this.node}/${this.creation}/#${this.id}`;
  }

  /** True if `other` is the same reference. */
  equals(other: unknown): boolean {
    return (
      other === this ||
      (other instanceof Ref &&
        other.id === this.id &&
        other.creation === this.creation &&
        other.node === this.node)
    );
  }

  /** Prints as `#Ref<alpha.42>` in Node's console and REPL. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** `#Ref<alpha.42>` */
  toString(): string {
    return `#Ref<${this.node}.${this.id}>`;
  }

  toJSON(): string {
    return this.toString();
  }
}

/** Type guard for {@link Ref}. */
export const isRef = (value: unknown): value is Ref => value instanceof Ref;
