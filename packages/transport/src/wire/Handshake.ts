/**
 * The handshake that opens every connection, as a small state machine both ends run:
 *
 * ```
 * dialler                                            listener
 *   hello     { version, name, channel, nonceD }  →
 *             ←  challenge { version, name, nonceL, macL }
 *   (checks the listener's name and macL)
 *   auth      { macD, spec, capabilities }         →
 *                                                    (checks macD and the spec's name)
 *             ←  welcome   { spec, capabilities }
 * ```
 *
 * `macL` and `macD` are HMAC-SHA256 under the cluster secret of transcripts binding the version, the
 * prover's role, the channel, both names and both nonces (`HandshakeMac.ts`); the secret itself never
 * crosses the wire. Any failure closes the connection with the matching `CloseCode` and rejects with
 * a `WireError`. Frames must alternate: a frame that arrives when it is not the peer's turn fails the
 * handshake (`protocol`). Handshake frames are never compressed and are limited to 64 KiB by default.
 */
import { type Clock, type ClockHandle, ConfigError, systemClock } from "@maquis/core";
import * as Schema from "effect/Schema";
import { type CloseInfo, CloseCode, type Connection } from "../Connection.js";
import type { NodeSpec } from "../NodeSpec.js";
import type { AuthFrame, ChallengeFrame, Frame, HelloFrame, WelcomeFrame } from "./Frame.js";
import { WIRE_VERSION } from "./Frame.js";
import { decodeFrame, encodeFrame } from "./FrameCodec.js";
import { type HandshakeRole, handshakeMac, type MacTranscript } from "./HandshakeMac.js";
import { constantTimeEqual, type HmacKey, importHmacKey, randomBytes, utf8 } from "./internal/Crypto.js";
import { HANDSHAKE_MAX_PAYLOAD, NONCE_BYTES } from "./Limits.js";
import { CapabilitiesSchema, ChannelNameSchema, NodeNameSchema, NodeSpecSchema } from "./Schemas.js";
import { closeCodeFor, WireError } from "./WireError.js";

/** How long a handshake may take when no `timeoutMs` is given. */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 5000;

/** Options both ends give. */
export interface HandshakeOptionsBase {
  /** This node's spec, presented to the peer once it has proved it knows the secret. */
  readonly self: NodeSpec;
  /** The cluster secret, shared by every node of the cluster (a string is taken as UTF-8). Never sent. */
  readonly secret: Uint8Array | string;
  /** Optional protocol features this node supports; the result lists those both sides support. */
  readonly capabilities?: readonly string[];
  /** Give up after this many milliseconds (`timeout`). Default {@link DEFAULT_HANDSHAKE_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** The clock the timeout runs on (core's `VirtualClock` in tests). Default: the system clock. */
  readonly clock?: Clock;
  /** The largest handshake frame accepted. Default `HANDSHAKE_MAX_PAYLOAD` (64 KiB). */
  readonly maxPayload?: number;
}

/** Options of the end that opened the connection. */
export interface DialerHandshakeOptions extends HandshakeOptionsBase {
  /** This end opened the connection. */
  readonly role: "dialer";
  /** The channel this connection is to carry. */
  readonly channel: string;
  /**
   * The name of the node the dialler means to reach; any other node fails the handshake
   * (`unauthenticated`, Partisan's `unexpected_peer`). Leave it out only when the name is not known
   * yet (dialling a seed address).
   */
  readonly expected?: string;
}

/** Options of the end that accepted the connection. The channel is the dialler's choice. */
export interface ListenerHandshakeOptions extends HandshakeOptionsBase {
  /** This end accepted the connection. */
  readonly role: "listener";
}

/** Options of {@link handshake}. */
export type HandshakeOptions = DialerHandshakeOptions | ListenerHandshakeOptions;

/** Where the connection's traffic goes once the handshake's owner takes it over. */
export interface ConnectionHandlers {
  /** Becomes the connection's `onFrame`. */
  readonly onFrame: (frame: Uint8Array) => void;
  /** Becomes the connection's `onClose`. */
  readonly onClose: (info: CloseInfo) => void;
}

/** A finished handshake: who the peer is, and the connection, ready to hand over. */
export interface HandshakeResult {
  /** The peer's spec; its name is the one it authenticated with. */
  readonly peer: NodeSpec;
  /** The channel this connection carries (chosen by the dialler). */
  readonly channel: string;
  /** The capabilities both sides listed, in this side's order. */
  readonly capabilities: readonly string[];
  /**
   * Takes the connection over: installs `handlers` as its `onFrame` and `onClose`, then replays, in
   * order, the frames (raw, undecoded) and the close that arrived since the handshake finished. Call
   * it once, as soon as the handshake resolves; until then such frames are held in memory.
   */
  attach(handlers: ConnectionHandlers): void;
}

interface Settings {
  readonly role: HandshakeRole;
  readonly self: NodeSpec;
  readonly secret: Uint8Array;
  readonly channel: string | undefined;
  readonly expected: string | undefined;
  readonly capabilities: readonly string[];
  readonly timeoutMs: number;
  readonly clock: Clock;
  readonly maxPayload: number;
}

const checked = <T>(schema: Schema.Decoder<T>, value: unknown, what: string): T => {
  try {
    return Schema.decodeUnknownSync(schema)(value);
  } catch (cause) {
    throw new ConfigError(`handshake: invalid ${what}: ${(cause as Error).message}`);
  }
};

const resolveSettings = (options: HandshakeOptions): Settings => {
  const role = options?.role;
  if (role !== "dialer" && role !== "listener") {
    throw new ConfigError(`handshake: role must be "dialer" or "listener", got ${String(role)}`);
  }
  const secret = typeof options.secret === "string" ? utf8(options.secret) : options.secret;
  if (!(secret instanceof Uint8Array) || secret.length === 0) {
    throw new ConfigError("handshake: secret must be a non-empty string or Uint8Array");
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
    throw new ConfigError(`handshake: timeoutMs must be a positive number, got ${timeoutMs}`);
  }
  const maxPayload = options.maxPayload ?? HANDSHAKE_MAX_PAYLOAD;
  if (!Number.isInteger(maxPayload) || maxPayload < 2) {
    throw new ConfigError(`handshake: maxPayload must be an integer of at least 2, got ${maxPayload}`);
  }
  return {
    role,
    // What the peer would refuse is refused here first, so a misconfigured node fails loudly at home.
    self: checked(NodeSpecSchema, options.self, "self spec"),
    secret,
    channel: role === "dialer" ? checked(ChannelNameSchema, options.channel, "channel") : undefined,
    expected:
      role === "dialer" && options.expected !== undefined
        ? checked(NodeNameSchema, options.expected, "expected node name")
        : undefined,
    capabilities: checked(CapabilitiesSchema, options.capabilities ?? [], "capabilities"),
    timeoutMs,
    clock: options.clock ?? systemClock,
    maxPayload,
  };
};

/** The error for a connection that closed before the handshake finished, from its close code. */
const closedError = (info: CloseInfo): WireError => {
  const how = info.local
    ? "the connection was closed locally during the handshake"
    : `the peer closed the connection during the handshake (${info.code}${info.reason ? ` ${info.reason}` : ""})`;
  switch (info.local ? undefined : info.code) {
    case CloseCode.unauthenticated:
      return new WireError("unauthenticated", `${how}: it refused this node's credentials`);
    case CloseCode.version:
      return new WireError("version", `${how}: it speaks another wire protocol version`);
    case CloseCode.tooLarge:
      return new WireError("too_large", `${how}: a frame was too large`);
    case CloseCode.malformed:
      return new WireError("protocol", `${how}: it found a frame malformed or out of turn`);
    case CloseCode.timeout:
      return new WireError("timeout", `${how}: it timed out`);
    default:
      return new WireError("closed", how);
  }
};

/** A short close reason (WebSocket allows 123 bytes) that reveals nothing the peer did not send. */
const closeReason = (error: unknown): string =>
  error instanceof WireError
    ? error.code === "version"
      ? `wire version ${WIRE_VERSION}`
      : error.code
    : "handshake failed";

/** One run of the state machine over one connection. */
class HandshakeRun {
  private readonly connection: Connection;
  private readonly settings: Settings;
  private readonly resolve: (result: HandshakeResult) => void;
  private readonly reject: (error: unknown) => void;
  private readonly key: Promise<HmacKey>;
  private readonly timer: ClockHandle;
  /** The frame kind expected next from the peer. */
  private awaiting: "hello" | "challenge" | "auth" | "welcome";
  /** Whether the peer may send now (false while this side works on its answer). */
  private peerTurn = true;
  private settled = false;
  private channel = "";
  private dialerName = "";
  private listenerName = "";
  private dialerNonce: Uint8Array = new Uint8Array(0);
  private listenerNonce: Uint8Array = new Uint8Array(0);

  constructor(
    connection: Connection,
    settings: Settings,
    resolve: (result: HandshakeResult) => void,
    reject: (error: unknown) => void,
  ) {
    this.connection = connection;
    this.settings = settings;
    this.resolve = resolve;
    this.reject = reject;
    connection.onFrame = (bytes) => this.receive(bytes);
    connection.onClose = (info) => this.fail(closedError(info));
    this.timer = settings.clock.schedule(settings.timeoutMs, () =>
      this.fail(new WireError("timeout", `handshake did not finish within ${settings.timeoutMs} ms`)),
    );
    this.key = (async () => importHmacKey(settings.secret))();
    this.key.catch((error: unknown) => this.fail(error));
    if (settings.role === "dialer") {
      this.awaiting = "challenge";
      this.channel = settings.channel!;
      this.dialerName = settings.self.name;
      this.dialerNonce = randomBytes(NONCE_BYTES);
      this.run(() =>
        this.send({
          kind: "hello",
          version: WIRE_VERSION,
          name: this.dialerName,
          channel: this.channel,
          nonce: this.dialerNonce,
        }),
      );
    } else {
      this.awaiting = "hello";
      this.listenerName = settings.self.name;
    }
  }

  private run(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.fail(error);
    }
  }

  private receive(bytes: Uint8Array): void {
    if (this.settled) return;
    if (!this.peerTurn) {
      this.fail(new WireError("protocol", `the peer sent a frame out of turn (awaiting ${this.awaiting})`));
      return;
    }
    let frame: Frame;
    try {
      frame = decodeFrame(bytes, { maxPayload: this.settings.maxPayload, allowCompressed: false });
    } catch (error) {
      this.fail(error);
      return;
    }
    this.peerTurn = false;
    if (frame.kind === "bye") {
      this.fail(new WireError("closed", `the peer said bye during the handshake: ${frame.reason}`));
    } else if (frame.kind !== this.awaiting) {
      this.fail(new WireError("protocol", `expected a ${this.awaiting} frame, got ${frame.kind}`));
    } else if (frame.kind === "welcome") {
      // Synchronous, so that traffic the listener sends right after `welcome` is already buffered for
      // `attach` rather than taken for an out-of-turn handshake frame.
      this.run(() => this.onWelcome(frame as WelcomeFrame));
    } else {
      const step =
        frame.kind === "hello"
          ? this.onHello(frame)
          : frame.kind === "challenge"
            ? this.onChallenge(frame)
            : this.onAuth(frame as AuthFrame);
      step.catch((error: unknown) => this.fail(error));
    }
  }

  private transcript(role: HandshakeRole): MacTranscript {
    return {
      role,
      channel: this.channel,
      dialer: this.dialerName,
      listener: this.listenerName,
      dialerNonce: this.dialerNonce,
      listenerNonce: this.listenerNonce,
    };
  }

  /** Listener: answer the dialler's hello with our nonce and proof. */
  private async onHello(hello: HelloFrame): Promise<void> {
    this.channel = hello.channel;
    this.dialerName = hello.name;
    this.dialerNonce = hello.nonce;
    this.listenerNonce = randomBytes(NONCE_BYTES);
    const mac = await handshakeMac(await this.key, this.transcript("listener"));
    if (this.settled) return;
    this.awaiting = "auth";
    this.send({
      kind: "challenge",
      version: WIRE_VERSION,
      name: this.listenerName,
      nonce: this.listenerNonce,
      mac,
    });
    this.peerTurn = true;
  }

  /** Dialler: check who answered and their proof, then prove ourselves and present our spec. */
  private async onChallenge(challenge: ChallengeFrame): Promise<void> {
    const expected = this.settings.expected;
    if (expected !== undefined && challenge.name !== expected) {
      throw new WireError(
        "unauthenticated",
        `unexpected peer: reached ${challenge.name}, expected ${expected}`,
      );
    }
    this.listenerName = challenge.name;
    this.listenerNonce = challenge.nonce;
    const key = await this.key;
    const proof = await handshakeMac(key, this.transcript("listener"));
    if (!constantTimeEqual(proof, challenge.mac)) {
      throw new WireError(
        "unauthenticated",
        `listener ${challenge.name} failed the challenge: wrong cluster secret, or a replayed or forged challenge`,
      );
    }
    const mac = await handshakeMac(key, this.transcript("dialer"));
    if (this.settled) return;
    this.awaiting = "welcome";
    this.send({ kind: "auth", mac, spec: this.settings.self, capabilities: this.settings.capabilities });
    this.peerTurn = true;
  }

  /** Listener: check the dialler's proof and spec, then welcome it. */
  private async onAuth(auth: AuthFrame): Promise<void> {
    const proof = await handshakeMac(await this.key, this.transcript("dialer"));
    if (!constantTimeEqual(proof, auth.mac)) {
      throw new WireError(
        "unauthenticated",
        `dialler ${this.dialerName} failed the challenge: wrong cluster secret, or a replayed or forged auth`,
      );
    }
    if (auth.spec.name !== this.dialerName) {
      throw new WireError(
        "unauthenticated",
        `dialler said hello as ${this.dialerName} but presented the spec of ${auth.spec.name}`,
      );
    }
    if (this.settled) return;
    this.send({ kind: "welcome", spec: this.settings.self, capabilities: this.settings.capabilities });
    this.succeed(auth.spec, auth.capabilities);
  }

  /** Dialler: the listener accepted us. */
  private onWelcome(welcome: WelcomeFrame): void {
    if (welcome.spec.name !== this.listenerName) {
      throw new WireError(
        "unauthenticated",
        `listener authenticated as ${this.listenerName} but presented the spec of ${welcome.spec.name}`,
      );
    }
    this.succeed(welcome.spec, welcome.capabilities);
  }

  private send(frame: Frame): void {
    if (!this.connection.open) throw new WireError("closed", "the connection closed during the handshake");
    this.connection.send(encodeFrame(frame));
  }

  private succeed(peer: NodeSpec, peerCapabilities: readonly string[]): void {
    this.settled = true;
    this.settings.clock.cancel(this.timer);
    const connection = this.connection;
    const held: Uint8Array[] = [];
    let heldClose: CloseInfo | undefined;
    let attached = false;
    connection.onFrame = (bytes) => held.push(bytes);
    connection.onClose = (info) => {
      heldClose = info;
    };
    this.resolve({
      peer,
      channel: this.channel,
      capabilities: this.settings.capabilities.filter((c) => peerCapabilities.includes(c)),
      attach(handlers) {
        if (attached) throw new ConfigError("handshake: attach was already called for this connection");
        attached = true;
        connection.onFrame = handlers.onFrame;
        connection.onClose = handlers.onClose;
        // Stop replaying if a handler closes the connection: a medium delivers no frame after close.
        for (let i = 0; i < held.length && (heldClose !== undefined || connection.open); i++) {
          handlers.onFrame(held[i]!);
        }
        held.length = 0;
        if (heldClose !== undefined) handlers.onClose(heldClose);
      },
    });
  }

  private fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.settings.clock.cancel(this.timer);
    const connection = this.connection;
    connection.onFrame = null;
    connection.onClose = null;
    if (connection.open) {
      connection.close(
        error instanceof WireError ? closeCodeFor(error) : CloseCode.normal,
        closeReason(error),
      );
    }
    this.reject(error);
  }
}

/**
 * Runs the handshake on a fresh `connection`, as its dialler or its listener. Call it right after
 * getting the connection: it installs its own `onFrame` and `onClose` at once.
 *
 * Resolves when both sides have proved knowledge of the cluster secret, the dialler has checked it
 * reached the node it expected, and the specs are exchanged; then call `attach` on the result to take
 * the connection over. Rejects with `WireError` (`unauthenticated`, `version`, `malformed`,
 * `protocol`, `too_large`, `timeout`, `closed`) after closing the connection with the matching close
 * code, or with core's `ConfigError` for invalid options (the connection is closed too).
 */
export const handshake = (connection: Connection, options: HandshakeOptions): Promise<HandshakeResult> =>
  new Promise<HandshakeResult>((resolve, reject) => {
    let settings: Settings;
    try {
      settings = resolveSettings(options);
    } catch (error) {
      connection.close(CloseCode.normal, "handshake failed");
      reject(error);
      return;
    }
    new HandshakeRun(connection, settings, resolve, reject);
  });
