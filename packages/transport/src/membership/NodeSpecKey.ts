/**
 * Identity and order of node specs inside membership: when two specs are the same element of the
 * OR-set, and which of several specs of one node name a strategy connects to.
 */
import type { NodeSpec } from "../NodeSpec.js";

// Specs are immutable by contract, so their keys can be cached per object.
const keys = new WeakMap<NodeSpec, string>();

/** Plain data with object keys sorted and `undefined` fields dropped, so equal data gives equal JSON. */
const canonical = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[key];
      if (field !== undefined) out[key] = canonical(field);
    }
    return out;
  }
  return value;
};

/**
 * The canonical identity of a spec: equal for specs with the same name, incarnation, addresses (in
 * order) and channel options (in any key order), different otherwise. Two specs of one node that differ
 * in anything (an earlier life, other addresses, other channels) are different elements of membership.
 *
 * Use it to compare specs (`===` compares objects) and as a map key. The spec must not be mutated
 * afterwards: keys are cached per object.
 */
export const nodeSpecKey = (spec: NodeSpec): string => {
  let key = keys.get(spec);
  if (key === undefined) {
    key = JSON.stringify([spec.name, spec.incarnation, spec.addresses, canonical(spec.channels)]);
    keys.set(spec, key);
  }
  return key;
};

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A total order on specs, the same on every node: by name, then incarnation, then address list
 * (element by element, a prefix first), then the rest of the spec. Sorting with it gives a deterministic
 * list; among specs of one name, the greatest is the one strategies prefer.
 *
 * Gotcha: core draws a node's incarnation (`creation`) at random, so a higher incarnation is not
 * necessarily a later life. The order only makes every node pick the same spec while several coexist;
 * the stale ones are removed by their owner (a node prunes every other spec of its own name as soon as
 * it hears of one) or by the manager through `prune`. Give nodes increasing incarnations (a persisted
 * counter, or the start time in seconds) and the preferred spec is also the newest life.
 */
export const compareNodeSpecs = (a: NodeSpec, b: NodeSpec): number => {
  const byName = compareStrings(a.name, b.name);
  if (byName !== 0) return byName;
  if (a.incarnation !== b.incarnation) return a.incarnation < b.incarnation ? -1 : 1;
  const shorter = Math.min(a.addresses.length, b.addresses.length);
  for (let i = 0; i < shorter; i++) {
    const byAddress = compareStrings(a.addresses[i]!, b.addresses[i]!);
    if (byAddress !== 0) return byAddress;
  }
  if (a.addresses.length !== b.addresses.length) return a.addresses.length - b.addresses.length;
  return compareStrings(nodeSpecKey(a), nodeSpecKey(b));
};
