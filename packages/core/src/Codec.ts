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
 * | 0x50 `P` (80) | Pid | bytes: `nodeLength node id serial creation` |
 * | 0x52 `R` (82) | Ref | bytes: `nodeLength node creation id` |
 * | 0x45 `E` (69) | Error | `[name, message, stack, cause, ownFields]` |
 *
 * Pid and Ref payloads are raw bytes, not msgpack: the node name in UTF-8 after its byte length, and
 * every length and number as an unsigned LEB128 varint (7 bits a byte, low group first, shortest form,
 * at most 2^53 - 1). The others are a `fixext 1` marker followed by the msgpack array.
 *
 * Packages register the message classes of their protocols with {@link registerWireClass} so that they
 * keep their identity across nodes (`@maquis/sys`: 0x43 `C` GenCall, 0x44 `D` GenCast, 0x53 `S`
 * SystemMessage; `@maquis/gen-event`: 0x4e `N` Notify, 0x4f `O` SyncNotify).
 *
 * msgpackr's extension table is global to the module. The Pid and Ref codes belong to our classes; the
 * Error extension only changes the encoding for this codec's own packer, so other msgpackr users keep
 * the library's default Error encoding.
 *
 * Over 400 lines because pid and ref payloads, on the hot path of every remote signal, are written and
 * read by hand here, next to the extensions and the interning that use them.
 */
// "msgpackr/pack" and "msgpackr/unpack" are the pure-JS builds on every platform. The main entry, on
// Node, also installs msgpackr-extract's native string extractor, a C++ call per frame that contains a
// string: for the small frames of remote calls, decoding in JS took about 2 µs off a ~58 µs round trip
// (remote-call-p50 with both nodes on one vCPU, Node 24). Should something else in the process import "msgpackr",
// the extractor comes back for everyone (msgpackr's reader is one module): slower, still correct.
import { addExtension, Packr, RESERVE_START_SPACE } from "msgpackr/pack";
import * as unpackModule from "msgpackr/unpack";
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

/** msgpackr's stand-in for the never-used byte 0xc1 (not in "msgpackr/unpack"'s type declarations). */
const C1 = (unpackModule as unknown as { readonly C1: unknown }).C1;

/** Interned remote pids by node, creation and id; the serial is checked on every hit. */
const remotePids = new Map<string, Map<number, Map<number, WeakRef<Pid>>>>();
const collected = new FinalizationRegistry<{ node: string; creation: number; id: number }>(
  ({ node, creation, id }) => {
    const byCreation = remotePids.get(node);
    const byId = byCreation?.get(creation);
    if (byCreation === undefined || byId === undefined) return;
    if (byId.get(id)?.deref() === undefined) byId.delete(id);
    if (byId.size === 0) byCreation.delete(creation);
    if (byCreation.size === 0) remotePids.delete(node);
  },
);

// The last remote pids interned, held strongly: a peer's pid comes back frame after frame (a caller's,
// a monitor's), nothing else may hold it in between, and a hit costs no WeakRef or Map lookup.
const RECENT_PIDS = 256;
const recentPids: Array<Pid | undefined> = new Array(RECENT_PIDS);

const isString = (v: unknown): v is string => typeof v === "string";

/**
 * The canonical pid object for these fields: a live local process's own pid, or an interned one (equal
 * remote pids are usually the same object; the most recent are held, the others only weakly).
 */
export const internPid = (node: string, id: number, serial: number, creation: number): Pid => {
  const rt = localRuntimes.get(node);
  if (rt !== undefined && rt.creation === creation) {
    const p = rt.table.get(id);
    if (p !== undefined && p.pid.serial === serial) return p.pid;
  }
  const slot = (id ^ serial ^ creation) & (RECENT_PIDS - 1);
  const recent = recentPids[slot];
  if (
    recent !== undefined &&
    recent.id === id &&
    recent.creation === creation &&
    recent.serial === serial &&
    recent.node === node
  ) {
    return recent;
  }
  let byCreation = remotePids.get(node);
  let byId = byCreation?.get(creation);
  const known = byId?.get(id)?.deref();
  if (known !== undefined && known.serial === serial) return (recentPids[slot] = known);
  // A new pid, or the id reused with another serial: the latest one is interned from now on.
  const pid = new Pid(node, id, serial, creation);
  if (byId === undefined) {
    if (byCreation === undefined) remotePids.set(node, (byCreation = new Map()));
    byCreation.set(creation, (byId = new Map()));
  }
  byId.set(id, new WeakRef(pid));
  collected.register(pid, { node, creation, id });
  return (recentPids[slot] = pid);
};

type Allocate = (size: number) => { target: Uint8Array; position: number };

// Pid and Ref payloads (layout at the top): cheaper to write and read than a msgpack array, and the
// few node names a frame repeats decode from a cache instead of into a new string each time.

/** The web-standard UTF-8 codecs (every runtime core supports has them), typed here without DOM. */
const host = globalThis as unknown as {
  readonly TextEncoder: new () => { encode(text: string): Uint8Array };
  readonly TextDecoder: new (
    label: "utf-8",
    options: { fatal: boolean; ignoreBOM: boolean },
  ) => { decode(bytes: Uint8Array): string };
};
const utf8Encoder = new host.TextEncoder();
// fatal: invalid UTF-8 is a malformed payload, not U+FFFD; ignoreBOM: a leading U+FEFF is part of the name.
const utf8Decoder = new host.TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Names longer than this (in UTF-8 bytes) skip the caches, so that the caches stay small. */
const CACHED_NAME_BYTES = 128;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** UTF-8 of the node names this node writes: a handful of names, each in many pids. */
const nodeNameBytes = new Map<string, Uint8Array>();
const utf8Of = (node: string): Uint8Array => {
  let bytes = nodeNameBytes.get(node);
  if (bytes !== undefined) return bytes;
  // TextEncoder would turn a lone surrogate into U+FFFD: the name would come back different.
  if (!isString(node) || loneSurrogate.test(node))
    throw new TypeError("node name is not a well-formed string");
  bytes = utf8Encoder.encode(node);
  if (bytes.length <= CACHED_NAME_BYTES) {
    if (nodeNameBytes.size >= 64) nodeNameBytes.clear();
    nodeNameBytes.set(node, bytes);
  }
  return bytes;
};

/** Pid and ref fields are integers from 0 to 2^53 - 1, so that every one comes back exactly. */
const isField = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;

const varintSize = (n: number): number => {
  if (n < 0x80) return 1;
  if (n < 0x4000) return 2;
  if (n < 0x200000) return 3;
  let size = 4;
  for (let rest = Math.floor(n / 0x10000000); rest > 0; rest = Math.floor(rest / 0x80)) size++;
  return size;
};

const writeVarint = (target: Uint8Array, at: number, n: number): number => {
  while (n >= 0x80) {
    target[at++] = (n & 0x7f) | 0x80; // `&` keeps the low 7 bits exact for any safe integer
    n = n < 0x80000000 ? n >>> 7 : Math.floor(n / 0x80);
  }
  target[at++] = n;
  return at;
};

/** Writes the extension: header, node name, then `first`, `second` and (for pids) `third`. */
const packNodeFields = (
  allocate: Allocate,
  type: number,
  node: string,
  first: number,
  second: number,
  third?: number,
): void => {
  const name = utf8Of(node);
  const length = name.length;
  const size =
    varintSize(length) +
    length +
    varintSize(first) +
    varintSize(second) +
    (third === undefined ? 0 : varintSize(third));
  // msgpack wants the shortest header: fixext for 4, 8 or 16 bytes (payloads are never 1 or 2 bytes).
  const fixed = size === 4 ? 0xd6 : size === 8 ? 0xd7 : size === 16 ? 0xd8 : 0;
  const header = fixed !== 0 ? 2 : size < 0x100 ? 3 : size < 0x10000 ? 4 : 6;
  const { target, position } = allocate(header + size);
  let at = position;
  if (fixed !== 0) target[at++] = fixed;
  else if (size < 0x100) {
    target[at++] = 0xc7;
    target[at++] = size;
  } else if (size < 0x10000) {
    target[at++] = 0xc8;
    target[at++] = size >>> 8;
    target[at++] = size & 0xff;
  } else {
    target[at++] = 0xc9;
    target[at++] = size >>> 24;
    target[at++] = (size >>> 16) & 0xff;
    target[at++] = (size >>> 8) & 0xff;
    target[at++] = size & 0xff;
  }
  target[at++] = type;
  at = writeVarint(target, at, length);
  if (length <= 16) for (let i = 0; i < length; i++) target[at++] = name[i] as number;
  else {
    target.set(name, at);
    at += length;
  }
  at = writeVarint(target, at, first);
  at = writeVarint(target, at, second);
  if (third !== undefined) writeVarint(target, at, third);
};

// The payload being read and the read position: module state, so that reading a varint returns just
// the number. Reading a payload never re-enters msgpackr, so one payload is read at a time.
const noBytes = new Uint8Array(0);
let payload: Uint8Array = noBytes;
let at = 0;
let reading = "pid";

const malformed = (why: string, cause?: unknown): DecodeError => {
  payload = noBytes; // let go of the caller's buffer
  return new DecodeError(`malformed ${reading}: ${why}`, cause === undefined ? undefined : { cause });
};

const readVarint = (): number => {
  if (at >= payload.length) throw malformed("truncated");
  const first = payload[at++] as number;
  return first < 0x80 ? first : readLongVarint(first);
};

const readLongVarint = (first: number): number => {
  const bytes = payload;
  let value = first & 0x7f;
  // Int32 arithmetic for the first 4 groups (28 bits), float arithmetic above.
  for (let shift = 7; shift < 28; shift += 7) {
    if (at >= bytes.length) throw malformed("truncated");
    const byte = bytes[at++] as number;
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return byte === 0 ? overlong() : value;
  }
  let scale = 0x10000000;
  for (let groups = 5; groups <= 8; groups++) {
    if (at >= bytes.length) throw malformed("truncated");
    const byte = bytes[at++] as number;
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) {
      if (byte === 0) return overlong();
      if (value > Number.MAX_SAFE_INTEGER) break;
      return value;
    }
    scale *= 0x80;
  }
  // 8 groups (56 bits) hold every safe integer; a 9th could only make a larger number.
  throw malformed("number above 2^53 - 1");
};

// A zero last group means the number fits in fewer bytes: one number, one encoding.
const overlong = (): never => {
  throw malformed("overlong number");
};

/** Recently read node names by a hash of their bytes: a frame names the same few nodes many times. */
const nameCache: Array<{ readonly bytes: Uint8Array; readonly name: string } | undefined> = new Array(64);

const readNodeName = (): string => {
  const length = readVarint();
  const start = at;
  if (length > payload.length - start) throw malformed("truncated");
  at = start + length;
  if (length > CACHED_NAME_BYTES) return decodeUtf8(start, length);
  const source = payload;
  const end = at;
  let hash = length;
  for (let i = start; i < end; i++) hash = (Math.imul(hash, 31) + (source[i] as number)) | 0;
  const slot = hash & 63;
  const cached = nameCache[slot];
  if (cached !== undefined && cached.bytes.length === length) {
    const bytes = cached.bytes;
    let i = 0;
    while (i < length && bytes[i] === source[start + i]) i++;
    if (i === length) return cached.name;
  }
  const name = decodeUtf8(start, length);
  // A copy: the payload is a view of the caller's buffer, which it may reuse. (Not `payload.slice`:
  // on a Node Buffer that is another view.)
  nameCache[slot] = { bytes: Uint8Array.prototype.slice.call(payload, start, at), name };
  return name;
};

const decodeUtf8 = (start: number, length: number): string => {
  try {
    return utf8Decoder.decode(payload.subarray(start, start + length));
  } catch (cause) {
    throw malformed("node name is not UTF-8", cause);
  }
};

const startReading = (what: string, data: Uint8Array): void => {
  reading = what;
  payload = data;
  at = 0;
};

const endReading = (): void => {
  if (at !== payload.length) throw malformed("trailing bytes");
  payload = noBytes; // let go of the caller's buffer
};

let registered = false;
const registerExtensions = (): void => {
  if (registered) return;
  registered = true;
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
  addExtension({
    Class: Ref,
    type: ExtensionType.ref,
    pack(ref: Ref, allocate: Allocate) {
      const { node, creation, id } = ref;
      if (!isField(creation) || !isField(id)) {
        throw new TypeError(`ref fields must be integers from 0 to 2^53 - 1, got ${creation}, ${id}`);
      }
      packNodeFields(allocate, ExtensionType.ref, node, creation, id);
    },
    unpack(data: Uint8Array) {
      startReading("ref", data);
      const node = readNodeName();
      const creation = readVarint();
      const id = readVarint();
      endReading();
      return new Ref(node, creation, id);
    },
  } as unknown as Parameters<typeof addExtension>[0]);
  // msgpackr tries the classes of its extensions in turn, the latest registered first: pids first.
  addExtension({
    Class: Pid,
    type: ExtensionType.pid,
    pack(pid: Pid, allocate: Allocate) {
      const { node, id, serial, creation } = pid;
      if (!isField(id) || !isField(serial) || !isField(creation)) {
        throw new TypeError(
          `pid fields must be integers from 0 to 2^53 - 1, got ${id}, ${serial}, ${creation}`,
        );
      }
      packNodeFields(allocate, ExtensionType.pid, node, id, serial, creation);
    },
    unpack(data: Uint8Array) {
      startReading("pid", data);
      const node = readNodeName();
      const id = readVarint();
      const serial = readVarint();
      const creation = readVarint();
      endReading();
      return internPid(node, id, serial, creation);
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
 *
 * `headerBytes` (0 to 255, default 0) leaves that many bytes at the start of the result, before the
 * msgpack, for the caller to fill: a transport prepends its frame header without copying the message.
 * Their content is undefined until the caller writes them.
 */
export const encode = (value: unknown, headerBytes = 0): Uint8Array => {
  registerExtensions();
  if (!(headerBytes >= 0 && headerBytes <= 255 && Number.isInteger(headerBytes))) {
    throw new EncodeError(`headerBytes must be an integer from 0 to 255, got ${headerBytes}`);
  }
  try {
    return headerBytes === 0 ? packr.pack(value) : packr.pack(value, RESERVE_START_SPACE | headerBytes);
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
