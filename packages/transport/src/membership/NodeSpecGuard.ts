/**
 * Validation of node specs that arrive off the wire, inside membership gossip.
 */
import type { ChannelOptions, NodeSpec } from "../NodeSpec.js";

const MAX_INCARNATION = 0xffffffff;

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** Whether `value` has no own keys outside `allowed`. */
const onlyKeys = (value: Record<string, unknown>, allowed: readonly string[]): boolean =>
  Object.keys(value).every((key) => allowed.includes(key));

const isIntegerIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;

const isCompression = (value: unknown): boolean => {
  if (value === undefined || typeof value === "boolean") return true;
  if (!isPlainObject(value) || !onlyKeys(value, ["level", "threshold"])) return false;
  return (
    (value.level === undefined || isIntegerIn(value.level, 1, 9)) &&
    (value.threshold === undefined || isIntegerIn(value.threshold, 0, Number.MAX_SAFE_INTEGER))
  );
};

/**
 * Whether `value` is a well-formed {@link ChannelOptions}: `parallelism` an integer from 1 to 1024,
 * `compression` a boolean or `{ level: 1–9, threshold: ≥ 0 }`, `monotonic` a boolean, each optional;
 * unknown fields are rejected.
 */
export const isChannelOptions = (value: unknown): value is ChannelOptions =>
  isPlainObject(value) &&
  onlyKeys(value, ["parallelism", "compression", "monotonic"]) &&
  (value.parallelism === undefined || isIntegerIn(value.parallelism, 1, 1024)) &&
  (value.monotonic === undefined || typeof value.monotonic === "boolean") &&
  isCompression(value.compression);

/**
 * Whether `value` is a well-formed {@link NodeSpec}: a non-empty name without whitespace (as
 * `Node.start` requires), an array of address strings (possibly empty: a browser node listens
 * nowhere), an incarnation in core's `creation` range (an integer from 1 to 2^32-1) and a record of
 * valid channel options.
 *
 * Use it on anything decoded off the wire before treating it as a spec. It is strict: unknown fields
 * are rejected, so nodes must agree on the spec format (the handshake's protocol version sees to it).
 */
export const isNodeSpec = (value: unknown): value is NodeSpec => {
  if (!isPlainObject(value) || !onlyKeys(value, ["name", "addresses", "incarnation", "channels"]))
    return false;
  const { name, addresses, incarnation, channels } = value;
  if (typeof name !== "string" || name.length === 0 || /\s/.test(name)) return false;
  if (!Array.isArray(addresses) || !addresses.every((address) => typeof address === "string")) return false;
  if (!isIntegerIn(incarnation, 1, MAX_INCARNATION)) return false;
  if (!isPlainObject(channels)) return false;
  return Object.values(channels).every(isChannelOptions);
};
