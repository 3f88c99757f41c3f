/** The options of a {@link Cluster}, their defaults, and their validation. */
import { type Clock, ConfigError, systemClock } from "@maquis/core";
import type { Medium } from "../Connection.js";
import type { MembershipStrategy } from "../membership/MembershipStrategy.js";
import { FullMesh } from "../membership/FullMesh.js";
import { type ChannelOptions, DEFAULT_CHANNEL, MEMBERSHIP_CHANNEL } from "../NodeSpec.js";
import { DEFAULT_MAX_PAYLOAD, MAX_PARALLELISM } from "../wire/Limits.js";

/** Keep-alive: how a silent connection is probed and when it is given up (Partisan's connection ping). */
export interface KeepAliveOptions {
  /** Ping a connection that has received nothing for this long (ms). Default 15 000. */
  readonly idleMs?: number;
  /** Wait this long for a pong before pinging again and counting a miss (ms). Default 5 000. */
  readonly timeoutMs?: number;
  /** Close the connection (reason `net_tick_timeout`) after this many unanswered pings. Default 3. */
  readonly maxMisses?: number;
}

/** Reconnection to members after a connection is lost: exponential backoff with jitter. */
export interface ReconnectOptions {
  /** The first delay (ms). Default 100. */
  readonly initialMs?: number;
  /** The largest delay (ms). Default 10 000. */
  readonly maxMs?: number;
  /** Each delay is multiplied by a random factor in `[1 - jitter, 1]`. Default 0.5. */
  readonly jitter?: number;
}

/** Where a cluster reports what it cannot raise to a caller (a peer's bad frame, a failed reconnect). */
export interface ClusterLogger {
  warn(message: string, details?: Record<string, unknown>): void;
  info?(message: string, details?: Record<string, unknown>): void;
}

/** Options of {@link Cluster}. */
export interface ClusterOptions {
  /** How connections are made: `webSocketMedium()` (from `@maquis/transport/websocket`) or a `MemoryNetwork` medium. */
  readonly medium: Medium;
  /** The cluster secret every node shares (a string is taken as UTF-8). Never sent over the wire. */
  readonly secret: string | Uint8Array;
  /**
   * Addresses to listen on (e.g. `"ws://127.0.0.1:4370"`, port 0 for any). They are advertised in this
   * node's spec unless `advertise` says otherwise. Without any, the node only dials (a browser client).
   */
  readonly listen?: string | readonly string[];
  /** The addresses other nodes should dial, when they differ from `listen` (behind NAT, proxies). */
  readonly advertise?: readonly string[];
  /**
   * Named channels besides `default` and the reserved `membership` channel. Both ends should declare a
   * channel; a message for a channel the peer lacks travels on `default`.
   */
  readonly channels?: Readonly<Record<string, ChannelOptions>>;
  /** Options of the `default` channel (parallelism, compression). */
  readonly defaultChannel?: ChannelOptions;
  /** The topology. Default {@link FullMesh}. */
  readonly strategy?: MembershipStrategy;
  /** How often the strategy's `periodic` runs (ms). Default 10 000. */
  readonly periodicMs?: number;
  /**
   * The addresses of a node that is not a member yet, for sending to it (Erlang's auto-connect).
   * Default: none, so only members and nodes that connected to this one are reachable.
   */
  readonly resolve?: (node: string) => readonly string[] | undefined;
  readonly keepAlive?: KeepAliveOptions;
  readonly reconnect?: ReconnectOptions;
  /** The largest frame accepted or sent, in bytes. Default 8 MiB. */
  readonly maxPayload?: number;
  /** Hold frames back while a connection's `bufferedAmount` is above this many bytes. Default 4 MiB. */
  readonly highWaterMark?: number;
  /**
   * The most a connection may hold (bytes queued in the socket plus frames held back). Past it the
   * connection is closed (reason `overloaded`) and links and monitors across it fire with
   * `noconnection`, instead of the node running out of memory. Default 64 MiB.
   */
  readonly maxBufferedBytes?: number;
  /** How long a handshake may take (ms). Default 5 000. */
  readonly handshakeTimeoutMs?: number;
  /** The clock of timers (keep-alive, reconnect, periodic). Default: the system clock. */
  readonly clock?: Clock;
  /** Random numbers in [0, 1) for jitter. Default `Math.random`; pass a seeded one for reproducible tests. */
  readonly random?: () => number;
  /** Default: warnings to `console.warn`. */
  readonly logger?: ClusterLogger;
}

/** The options with every default applied. */
export interface Settings {
  readonly medium: Medium;
  readonly secret: string | Uint8Array;
  readonly listen: readonly string[];
  readonly advertise: readonly string[] | undefined;
  readonly channels: Readonly<Record<string, ChannelOptions>>;
  readonly strategy: MembershipStrategy;
  readonly periodicMs: number;
  readonly resolve: (node: string) => readonly string[] | undefined;
  readonly idleMs: number;
  readonly pingTimeoutMs: number;
  readonly maxMisses: number;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  readonly jitter: number;
  readonly maxPayload: number;
  readonly highWaterMark: number;
  readonly maxBufferedBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly clock: Clock;
  readonly random: () => number;
  readonly logger: ClusterLogger;
}

const consoleLogger: ClusterLogger = {
  warn: (message, details) => console.warn(`[maquis/transport] ${message}`, details ?? ""),
};

const positive = (value: number | undefined, fallback: number, what: string): number => {
  const v = value ?? fallback;
  if (typeof v !== "number" || !(v > 0) || !Number.isFinite(v)) {
    throw new ConfigError(`Cluster: ${what} must be a positive number, got ${String(value)}`);
  }
  return v;
};

const checkChannel = (name: string, options: ChannelOptions): ChannelOptions => {
  const p = options.parallelism ?? 1;
  if (!Number.isInteger(p) || p < 1 || p > MAX_PARALLELISM) {
    throw new ConfigError(
      `Cluster: channel ${name}: parallelism must be an integer from 1 to ${MAX_PARALLELISM}`,
    );
  }
  return { ...options, parallelism: p };
};

const channelsOf = (options: ClusterOptions): Record<string, ChannelOptions> => {
  const channels: Record<string, ChannelOptions> = {};
  for (const [name, channel] of Object.entries(options.channels ?? {})) {
    if (name === DEFAULT_CHANNEL || name === MEMBERSHIP_CHANNEL) {
      throw new ConfigError(
        `Cluster: channel name ${JSON.stringify(name)} is reserved; use defaultChannel for the default one`,
      );
    }
    if (name === "") throw new ConfigError("Cluster: a channel name must not be empty");
    channels[name] = checkChannel(name, channel);
  }
  channels[DEFAULT_CHANNEL] = checkChannel(DEFAULT_CHANNEL, options.defaultChannel ?? {});
  // Gossip is small and rare: one connection, never shed.
  channels[MEMBERSHIP_CHANNEL] = { parallelism: 1 };
  return channels;
};

/** Applies the defaults and checks every option; throws core's `ConfigError`. */
export const resolveSettings = (options: ClusterOptions): Settings => {
  if (options === null || typeof options !== "object") throw new ConfigError("Cluster: options are required");
  const { medium, secret } = options;
  if (medium === undefined || typeof medium.connect !== "function" || typeof medium.listen !== "function") {
    throw new ConfigError("Cluster: medium must be a Medium (listen and connect)");
  }
  if (
    !(typeof secret === "string" && secret.length > 0) &&
    !(secret instanceof Uint8Array && secret.length > 0)
  ) {
    throw new ConfigError("Cluster: secret must be a non-empty string or Uint8Array");
  }
  const listen =
    options.listen === undefined
      ? []
      : typeof options.listen === "string"
        ? [options.listen]
        : [...options.listen];
  const jitter = options.reconnect?.jitter ?? 0.5;
  if (!(jitter >= 0 && jitter <= 1))
    throw new ConfigError(`Cluster: reconnect.jitter must be in [0, 1], got ${jitter}`);
  const maxMisses = options.keepAlive?.maxMisses ?? 3;
  if (!Number.isInteger(maxMisses) || maxMisses < 1) {
    throw new ConfigError(`Cluster: keepAlive.maxMisses must be a positive integer, got ${maxMisses}`);
  }
  return {
    medium,
    secret,
    listen,
    advertise: options.advertise,
    channels: channelsOf(options),
    strategy: (options.strategy ?? FullMesh) as MembershipStrategy,
    periodicMs: positive(options.periodicMs, 10_000, "periodicMs"),
    resolve: options.resolve ?? (() => undefined),
    idleMs: positive(options.keepAlive?.idleMs, 15_000, "keepAlive.idleMs"),
    pingTimeoutMs: positive(options.keepAlive?.timeoutMs, 5_000, "keepAlive.timeoutMs"),
    maxMisses,
    reconnectInitialMs: positive(options.reconnect?.initialMs, 100, "reconnect.initialMs"),
    reconnectMaxMs: positive(options.reconnect?.maxMs, 10_000, "reconnect.maxMs"),
    jitter,
    maxPayload: positive(options.maxPayload, DEFAULT_MAX_PAYLOAD, "maxPayload"),
    highWaterMark: positive(options.highWaterMark, 4 * 1024 * 1024, "highWaterMark"),
    maxBufferedBytes: positive(options.maxBufferedBytes, 64 * 1024 * 1024, "maxBufferedBytes"),
    handshakeTimeoutMs: positive(options.handshakeTimeoutMs, 5_000, "handshakeTimeoutMs"),
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    logger: options.logger ?? consoleLogger,
  };
};
