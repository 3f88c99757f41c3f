/**
 * The check every signal of a data frame passes before it reaches core: a hand-written guard rather
 * than an Effect schema because it runs per signal on the hot path (docs/wire-protocol.md,
 * "Validation", gives the measurement). It returns a fresh signal holding only the fields core reads,
 * so nothing else a peer put in the record travels further.
 */
import { Pid, type RemoteName, Ref, type Signal } from "@maquis/core";
import { WireError } from "./WireError.js";

type Fields = Record<string, unknown>;

const isRecord = (value: unknown): value is Fields => typeof value === "object" && value !== null;

/** A `{ name, node }` pair, rebuilt from its two fields; `undefined` for anything else. */
const remoteName = (value: unknown): RemoteName | undefined =>
  isRecord(value) && typeof value.name === "string" && typeof value.node === "string"
    ? { name: value.name, node: value.node }
    : undefined;

const invalid = (index: number, detail: string): WireError =>
  new WireError("malformed", `invalid signal at index ${index}: ${detail}`);

const pid = (fields: Fields, key: string, index: number): Pid => {
  const value = fields[key];
  if (value instanceof Pid) return value;
  throw invalid(index, `"${key}" is not a pid`);
};

const ref = (fields: Fields, key: string, index: number): Ref => {
  const value = fields[key];
  if (value instanceof Ref) return value;
  throw invalid(index, `"${key}" is not a ref`);
};

const pidOrName = (fields: Fields, key: string, index: number): Pid | RemoteName => {
  const value = fields[key];
  if (value instanceof Pid) return value;
  const name = value instanceof Ref ? undefined : remoteName(value);
  if (name !== undefined) return name;
  throw invalid(index, `"${key}" is neither a pid nor a { name, node } pair`);
};

const pidNameOrRef = (fields: Fields, key: string, index: number): Pid | RemoteName | Ref => {
  const value = fields[key];
  return value instanceof Ref ? value : pidOrName(fields, key, index);
};

/**
 * Checks that `value` (decoded off the wire, at position `index` of its data frame) is a core
 * `Signal` and returns a copy holding exactly its fields. Throws `WireError` (`malformed`) otherwise.
 *
 * Checked: `kind` is one of the seven; pids are `Pid`s and refs are `Ref`s (the codec's extensions
 * built them); names are `{ name: string, node: string }`; `link` is a boolean; a message is not
 * `undefined` (core never sends one). Messages and reasons are otherwise any value. Not checked here (the receiving port's job): that `from` pids belong to the
 * sending node and that destinations are on this node.
 */
export const validateSignal = (value: unknown, index: number): Signal => {
  if (!isRecord(value)) throw invalid(index, "not an object");
  switch (value.kind) {
    case "send":
      if (value.message === undefined) throw invalid(index, `"message" is missing`);
      return { kind: "send", to: pidNameOrRef(value, "to", index), message: value.message };
    case "link":
      return { kind: "link", from: pid(value, "from", index), to: pid(value, "to", index) };
    case "unlink":
      return { kind: "unlink", from: pid(value, "from", index), to: pid(value, "to", index) };
    case "exit": {
      const link = value.link;
      if (typeof link !== "boolean") throw invalid(index, `"link" is not a boolean`);
      return {
        kind: "exit",
        from: pid(value, "from", index),
        to: pid(value, "to", index),
        reason: value.reason,
        link,
      };
    }
    case "monitor":
      return {
        kind: "monitor",
        from: pid(value, "from", index),
        to: pidOrName(value, "to", index),
        ref: ref(value, "ref", index),
      };
    case "demonitor":
      return {
        kind: "demonitor",
        from: pid(value, "from", index),
        to: pidOrName(value, "to", index),
        ref: ref(value, "ref", index),
      };
    case "down":
      return {
        kind: "down",
        to: pid(value, "to", index),
        ref: ref(value, "ref", index),
        item: pidOrName(value, "item", index),
        reason: value.reason,
      };
    default:
      throw invalid(index, `unknown kind ${describeKind(value.kind)}`);
  }
};

const describeKind = (kind: unknown): string =>
  typeof kind === "string" ? JSON.stringify(kind.slice(0, 32)) : typeof kind;
