/**
 * The wire codec: msgpack (via msgpackr) with extensions for pids, refs and errors.
 *
 * Round-trips any message made of JSON-like values, `undefined`, `bigint` (any size), `Uint8Array`
 * (and Node `Buffer`, decoded as `Uint8Array`), `Date`, `Map`, `Set`, `RegExp`, typed arrays, `Error`
 * (name, message, stack, cause and own fields), {@link Pid} and {@link Ref}, nested anywhere.
 *
 * Extension type codes (msgpack ext types; msgpackr reserves 101-127 and uses some low codes for `moreTypes`):
 * | code | type | payload |
 * |---|---|---|
 * | 0x50 `P` (80) | Pid | `[node, id, serial, creation]` |
 * | 0x52 `R` (82) | Ref | `[node, creation, id]` |
 * | 0x45 `E` (69) | Error | `[name, message, stack, cause, ownFields]` |
 *
 * Packages register the message classes of their protocols with {@link registerWireClass} so that they
 * keep their identity across nodes (`@maquis/sys`: 0x43 `C` GenCall, 0x44 `D` GenCast, 0x53 `S`
 * SystemMessage; `@maquis/gen-event`: 0x4e `N` Notify, 0x4f `O` SyncNotify).
 *
 * msgpackr's extension table is global to the module. The Pid and Ref codes belong to our classes; the
 * Error extension only changes the encoding for this codec's own packer, so other msgpackr users keep
 * the library's default Error encoding.
 */
import { addExtension, C1, Packr } from "msgpackr";
import { DecodeError, EncodeError } from "./Errors.js";
import { localRuntimes } from "./internal/Runtime.js";
import { Pid } from "./Pid.js";
import { Ref } from "./Ref.js";

/** msgpack extension type codes used by Maquis. */
export const ExtensionType = { pid: 0x50, ref: 0x52, error: 0x45 } as const;

const MARK = Symbol.for("maquis.codec");

// Records (msgpackr's default) carry plain objects, so msgpack maps are free to mean `Map`; records are
// also the faster layout for the batched frames a transport sends (shared/reference performance-anchors §2d).
const packr = new Packr({
  moreTypes: true,
  useBigIntExtension: true,
  // msgpackr writes numbers as int32 or float64 and only bigints as int64, so int64 always means bigint
  // ("auto" would turn 5n into 5).
  int64AsType: "bigint",
  // msgpackr would write a function as nil; reject it, as `encode` promises.
  writeFunction: () => {
    throw new TypeError("cannot encode a function");
  },
}) as Packr & { [MARK]?: boolean };
packr[MARK] = true;

/** Remote pids are interned so that equal pids are usually the same object (usable as Map keys). */
const remotePids = new Map<string, WeakRef<Pid>>();
const collected = new FinalizationRegistry<string>((key) => {
  if (remotePids.get(key)?.deref() === undefined) remotePids.delete(key);
});

const isString = (v: unknown): v is string => typeof v === "string";
const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** The canonical pid object for these fields: a live local process's own pid, or an interned one. */
export const internPid = (node: string, id: number, serial: number, creation: number): Pid => {
  const rt = localRuntimes.get(node);
  if (rt !== undefined && rt.creation === creation) {
    const p = rt.table.get(id);
    if (p !== undefined && p.pid.serial === serial) return p.pid;
  }
  const key = `${node}/${creation}/${id}/${serial}`;
  const known = remotePids.get(key)?.deref();
  if (known !== undefined) return known;
  const pid = new Pid(node, id, serial, creation);
  remotePids.set(key, new WeakRef(pid));
  collected.register(pid, key);
  return pid;
};

type Allocate = (size: number) => { target: Uint8Array; position: number };

let registered = false;
const registerExtensions = (): void => {
  if (registered) return;
  registered = true;
  addExtension({
    Class: Pid,
    type: ExtensionType.pid,
    write: (pid: Pid) => [pid.node, pid.id, pid.serial, pid.creation],
    read: (data: unknown) => {
      if (!Array.isArray(data) || data.length !== 4) throw new DecodeError("malformed pid");
      const [node, id, serial, creation] = data;
      if (!isString(node) || !isCount(id) || !isCount(serial) || !isCount(creation)) {
        throw new DecodeError("malformed pid");
      }
      return internPid(node, id, serial, creation);
    },
  });
  addExtension({
    Class: Ref,
    type: ExtensionType.ref,
    write: (ref: Ref) => [ref.node, ref.creation, ref.id],
    read: (data: unknown) => {
      if (!Array.isArray(data) || data.length !== 3) throw new DecodeError("malformed ref");
      const [node, creation, id] = data;
      if (!isString(node) || !isCount(creation) || !isCount(id)) throw new DecodeError("malformed ref");
      return new Ref(node, creation, id);
    },
  });
  addExtension({
    Class: Error,
    type: ExtensionType.error,
    pack(
      this: { [MARK]?: boolean; moreTypes?: boolean },
      error: Error,
      allocate: Allocate,
      pack: (v: unknown) => void,
    ) {
      const ours = this[MARK] === true;
      if (ours || this.moreTypes) {
        const { target, position } = allocate(3);
        target[position] = 0xd4; // fixext 1: a marker whose value follows as the next msgpack item
        target[position + 1] = ours ? ExtensionType.error : 0x65;
        target[position + 2] = 0;
      } else {
        allocate(0);
      }
      if (!ours) return pack([error.name, error.message, error.cause]);
      const own: Record<string, unknown> = {};
      for (const key of Object.keys(error))
        if (key !== "cause") own[key] = (error as unknown as Record<string, unknown>)[key];
      pack([error.name, error.message, error.stack, error.cause, own]);
    },
    read: (data: unknown) => {
      if (!Array.isArray(data) || data.length !== 5) throw new DecodeError("malformed error");
      const [name, message, stack, cause, own] = data;
      if (!isString(name) || !isString(message)) throw new DecodeError("malformed error");
      const error = cause === undefined ? new Error(message) : new Error(message, { cause });
      error.name = name;
      if (isString(stack)) error.stack = stack;
      if (own !== null && typeof own === "object") Object.assign(error, own);
      return error;
    },
  } as unknown as Parameters<typeof addExtension>[0]);
};

/** How instances of a class cross the wire: see {@link registerWireClass}. */
export interface WireClass<T extends object> {
  /** The msgpack extension type code: unique, from 0x40 to 0x5f (0x45, 0x50 and 0x52 are core's). */
  readonly type: number;
  /** The class; any constructor signature. */
  readonly Class: abstract new (
    ...args: never[]
  ) => T;
  /** The instance's fields, as an array of encodable values. */
  readonly write: (value: T) => unknown[];
  /**
   * Rebuilds an instance from decoded fields. They come off the network: check every one and throw
   * (any error; it becomes a `DecodeError`) if they are not what `write` produces.
   */
  readonly read: (fields: readonly unknown[]) => T;
}

const wireTypes = new Map<number, unknown>();

/**
 * Makes instances of `Class` cross the wire as themselves: encoded as `write` says, rebuilt with `read`
 * on the receiving node, so that `instanceof` holds there (a plain class instance would arrive as a
 * plain object). For protocol messages that receivers recognise by class, such as a behaviour's call
 * and cast envelopes.
 *
 * Gotchas: register at module load, on every node (the same code on both sides); a type code may be
 * registered once (again for the same class is a no-op); subclasses are encoded as the class.
 */
export const registerWireClass = <T extends object>(wire: WireClass<T>): void => {
  const { type, Class } = wire;
  if (
    !Number.isInteger(type) ||
    type < 0x40 ||
    type > 0x5f ||
    type === 0x45 ||
    type === 0x50 ||
    type === 0x52
  ) {
    throw new EncodeError(`wire class type must be an unused code from 0x40 to 0x5f, got ${type}`);
  }
  const known = wireTypes.get(type);
  if (known === Class) return;
  if (known !== undefined)
    throw new EncodeError(`wire class type 0x${type.toString(16)} is already registered`);
  wireTypes.set(type, Class);
  addExtension({
    Class: Class as unknown as new () => T,
    type,
    write: (value: T) => wire.write(value),
    read: (data: unknown) => {
      if (!Array.isArray(data)) throw new DecodeError(`malformed ${Class.name}`);
      try {
        return wire.read(data);
      } catch (cause) {
        throw new DecodeError(`malformed ${Class.name}: ${(cause as Error)?.message ?? cause}`, { cause });
      }
    },
  });
};

/**
 * Encodes a message. Throws `EncodeError` for values msgpack cannot carry (functions and symbols are
 * rejected rather than silently dropped).
 */
export const encode = (value: unknown): Uint8Array => {
  registerExtensions();
  try {
    return packr.pack(value);
  } catch (cause) {
    throw new EncodeError(`cannot encode message: ${(cause as Error)?.message ?? cause}`, { cause });
  }
};

/**
 * Decodes bytes made by {@link encode}. Throws `DecodeError` for anything else (truncated, trailing
 * bytes, unknown extension, malformed pid/ref/error); it never returns a partial value.
 */
export const decode = (bytes: Uint8Array): unknown => {
  registerExtensions();
  try {
    const value = packr.unpack(bytes);
    // 0xc1 is msgpack's "never used" byte; msgpackr returns a sentinel for it instead of failing.
    if (value === C1) throw new DecodeError("cannot decode message: reserved byte 0xc1");
    return value;
  } catch (cause) {
    if (cause instanceof DecodeError) throw cause;
    throw new DecodeError(`cannot decode message: ${(cause as Error)?.message ?? cause}`, { cause });
  }
};
