/**
 * Which of a channel's parallel connections carries a signal. Everything for one receiver takes one
 * connection, so the order of signals between two processes holds (Erlang's guarantee), whatever the
 * parallelism; a `partitionKey` overrides that so one key's messages stay in order (Partisan's
 * affinitised scheduling).
 */
import { Pid, type RemoteName, Ref, type Signal } from "@maquis/core";
import { DEFAULT_CHANNEL } from "../NodeSpec.js";

/** FNV-1a over a string: cheap, stable across nodes and runs. */
const hashString = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
};

/** The connection index for a partition key: `key mod n` for non-negative integers, a hash otherwise. */
export const slotOfKey = (key: number | string, n: number): number => {
  if (n === 1) return 0;
  if (typeof key === "number" && Number.isInteger(key) && key >= 0) return key % n;
  return hashString(String(key)) % n;
};

/** The connection index for a signal without a partition key: fixed per receiver. */
export const slotOfDestination = (to: Pid | RemoteName | Ref, n: number): number => {
  if (n === 1) return 0;
  if (to instanceof Pid) return (to.id ^ Math.imul(to.serial, 31)) % n;
  if (to instanceof Ref) return to.id % n;
  return hashString(to.name) % n;
};

/** The channel a signal asks for: sends may name one, everything else travels on the default channel. */
export const channelOf = (signal: Signal): string =>
  signal.kind === "send" && signal.channel !== undefined ? signal.channel : DEFAULT_CHANNEL;

/** The connection index among `n` for `signal`. */
export const slotOf = (signal: Signal, n: number): number => {
  if (n === 1) return 0;
  if (signal.kind === "send" && signal.partitionKey !== undefined) return slotOfKey(signal.partitionKey, n);
  return slotOfDestination(signal.to, n);
};
