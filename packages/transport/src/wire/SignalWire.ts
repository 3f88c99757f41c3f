/**
 * How a core `Signal` is laid out in a data frame, both ways. On the wire a signal is a msgpack array
 * `[tag, ...fields]` with a small-integer tag, and a registered name is the pair `[name, node]`: arrays
 * cost msgpackr far less than records (no key strings, no record definitions per frame), and this runs
 * for every signal. The decoder is a hand-written guard rather than an Effect schema for the same
 * reason (docs/wire-protocol.md, "Validation", gives the measurement); it returns a fresh signal
 * holding only the fields core reads.
 */
import { Pid, type RemoteName, Ref, type Signal } from "@maquis/core";
import { WireError } from "./WireError.js";

/** The tag of each signal kind, the first element of its wire array. */
export const SignalTag = {
  send: 0,
  link: 1,
  unlink: 2,
  exit: 3,
  monitor: 4,
  demonitor: 5,
  down: 6,
} as const;

type Destination = Pid | RemoteName | Ref;

const destinationToWire = (to: Destination): unknown =>
  to instanceof Pid || to instanceof Ref ? to : [to.name, to.node];

/**
 * The wire array of `signal`. A send's `channel` and `partitionKey` are left out: they chose this
 * node's connection and mean nothing to the peer.
 */
export const signalToWire = (signal: Signal): unknown[] => {
  switch (signal.kind) {
    case "send":
      return [SignalTag.send, destinationToWire(signal.to), signal.message];
    case "link":
      return [SignalTag.link, signal.from, signal.to];
    case "unlink":
      return [SignalTag.unlink, signal.from, signal.to];
    case "exit":
      return [SignalTag.exit, signal.from, signal.to, signal.reason, signal.link];
    case "monitor":
      return [SignalTag.monitor, signal.from, destinationToWire(signal.to), signal.ref];
    case "demonitor":
      return [SignalTag.demonitor, signal.from, destinationToWire(signal.to), signal.ref];
    case "down":
      return [SignalTag.down, signal.to, signal.ref, destinationToWire(signal.item), signal.reason];
  }
};

const invalid = (index: number, detail: string): WireError =>
  new WireError("malformed", `invalid signal at index ${index}: ${detail}`);

/** Fields after the tag, per tag. */
const ARITY = [2, 2, 2, 4, 3, 3, 4] as const;
const KIND = ["send", "link", "unlink", "exit", "monitor", "demonitor", "down"] as const;
const FIELDS = [
  ["to", "message"],
  ["from", "to"],
  ["from", "to"],
  ["from", "to", "reason", "link"],
  ["from", "to", "ref"],
  ["from", "to", "ref"],
  ["to", "ref", "item", "reason"],
] as const;

const pid = (value: unknown, index: number, field: string): Pid => {
  if (value instanceof Pid) return value;
  throw invalid(index, `${field} is not a pid`);
};

const ref = (value: unknown, index: number, field: string): Ref => {
  if (value instanceof Ref) return value;
  throw invalid(index, `${field} is not a ref`);
};

const pidOrName = (value: unknown, index: number, field: string): Pid | RemoteName => {
  if (value instanceof Pid) return value;
  if (
    Array.isArray(value) &&
    value.length === 2 &&
    typeof value[0] === "string" &&
    typeof value[1] === "string"
  ) {
    return { name: value[0], node: value[1] };
  }
  throw invalid(index, `${field} is neither a pid nor a [name, node] pair`);
};

/**
 * Checks that `value` (decoded off the wire, at position `index` of its data frame) is a signal's wire
 * array and returns the core `Signal` it stands for. Throws `WireError` (`malformed`) otherwise.
 *
 * Checked: the tag is one of the seven and the array has exactly that kind's fields; pids are `Pid`s
 * and refs are `Ref`s (the codec's extensions built them); names are `[string, string]`; `link` is a
 * boolean; a message is not `undefined` (core never sends one). Messages and reasons are otherwise any
 * value. Not checked here (the receiving port's job): that `from` pids belong to the sending node and
 * that destinations are on this node.
 */
export const validateSignal = (value: unknown, index: number): Signal => {
  if (!Array.isArray(value)) throw invalid(index, "not an array");
  const raw = value[0];
  if (typeof raw !== "number" || !(raw >= 0 && raw <= 6) || !Number.isInteger(raw)) {
    throw invalid(index, `unknown tag ${describe(raw)}`);
  }
  const tag = raw as (typeof SignalTag)[keyof typeof SignalTag];
  if (value.length !== ARITY[tag] + 1) {
    throw invalid(
      index,
      `${KIND[tag]} has ${value.length - 1} fields, expected ${ARITY[tag]} (${FIELDS[tag].join(", ")})`,
    );
  }
  switch (tag) {
    case SignalTag.send: {
      const to = value[1];
      if (value[2] === undefined) throw invalid(index, "the message is undefined");
      return {
        kind: "send",
        to: to instanceof Ref ? to : pidOrName(to, index, "to"),
        message: value[2],
      };
    }
    case SignalTag.link:
    case SignalTag.unlink:
      return { kind: KIND[tag], from: pid(value[1], index, "from"), to: pid(value[2], index, "to") };
    case SignalTag.exit: {
      const link = value[4];
      if (typeof link !== "boolean") throw invalid(index, "link is not a boolean");
      return {
        kind: "exit",
        from: pid(value[1], index, "from"),
        to: pid(value[2], index, "to"),
        reason: value[3],
        link,
      };
    }
    case SignalTag.monitor:
    case SignalTag.demonitor:
      return {
        kind: KIND[tag],
        from: pid(value[1], index, "from"),
        to: pidOrName(value[2], index, "to"),
        ref: ref(value[3], index, "ref"),
      };
    default:
      return {
        kind: "down",
        to: pid(value[1], index, "to"),
        ref: ref(value[2], index, "ref"),
        item: pidOrName(value[3], index, "item"),
        reason: value[4],
      };
  }
};

const describe = (tag: unknown): string =>
  typeof tag === "number"
    ? String(tag)
    : typeof tag === "string"
      ? JSON.stringify(tag.slice(0, 32))
      : typeof tag;
