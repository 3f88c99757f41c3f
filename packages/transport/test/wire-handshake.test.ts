/**
 * The handshake: success both ways, wrong secrets, unexpected peers, version mismatches, replayed,
 * forged and reflected messages, out-of-turn and malformed frames, and timeouts on a virtual clock.
 * Runs over a minimal in-memory connection pair defined here.
 */
import { ConfigError, internPid, type Signal, VirtualClock } from "@maquis/core";
import { deflateSync } from "fflate";
import { describe, expect, it } from "vitest";
import { type CloseInfo, CloseCode, type Connection } from "../src/Connection.js";
import type { NodeSpec } from "../src/NodeSpec.js";
import {
  type ChallengeFrame,
  decodeFrame,
  encodeFrame,
  FLAG_COMPRESSED,
  type Frame,
  type HandshakeResult,
  type HandshakeOptions,
  type HelloFrame,
  handshake,
  MAC_LABEL,
  type MacTranscript,
  macInput,
  WIRE_VERSION,
  WireError,
  type WireErrorCode,
} from "../src/wire/index.js";

// ---- a minimal in-memory connection pair ----

/** One end of a {@link pair}. Frames and closes are delivered in order, each in its own microtask. */
class TestConnection implements Connection {
  readonly remoteAddress: string;
  readonly bufferedAmount = 0;
  open = true;
  onFrame: ((frame: Uint8Array) => void) | null = null;
  onClose: ((info: CloseInfo) => void) | null = null;
  /** Every frame this end sent. */
  readonly sent: Uint8Array[] = [];
  /** How this end's connection closed, once it has. */
  closed: CloseInfo | undefined;
  peer!: TestConnection;
  /** While true, deliveries to this end wait for `release()`, which delivers them all in one go. */
  holding = false;
  private readonly held: (() => void)[] = [];

  constructor(remoteAddress: string) {
    this.remoteAddress = remoteAddress;
  }

  send(frame: Uint8Array): void {
    if (!this.open) return;
    this.sent.push(frame);
    this.peer.enqueue(() => this.peer.onFrame?.(frame));
  }

  close(code: number = CloseCode.normal, reason = ""): void {
    if (!this.open) return;
    this.open = false;
    this.peer.open = false;
    this.enqueue(() => this.finish({ code, reason, local: true }));
    this.peer.enqueue(() => this.peer.finish({ code, reason, local: false }));
  }

  release(): void {
    this.holding = false;
    for (const deliver of this.held.splice(0)) deliver();
  }

  private finish(info: CloseInfo): void {
    this.closed = info;
    this.onClose?.(info);
  }

  private enqueue(deliver: () => void): void {
    if (this.holding) this.held.push(deliver);
    else queueMicrotask(deliver);
  }
}

const pair = (): [dialer: TestConnection, listener: TestConnection] => {
  const d = new TestConnection("memory://listener");
  const l = new TestConnection("memory://dialer");
  d.peer = l;
  l.peer = d;
  return [d, l];
};

/** Lets pending microtasks and WebCrypto callbacks run. */
const settle = async (rounds = 5) => {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 0));
};

/** The next frame `connection` receives, decoded (for hand-driven fake peers). */
const nextFrame = (connection: TestConnection): Promise<Frame> =>
  new Promise((resolve) => {
    connection.onFrame = (bytes) => {
      connection.onFrame = null;
      resolve(decodeFrame(bytes, { maxPayload: 1 << 16 }));
    };
  });

const outcome = async (promise: Promise<HandshakeResult>): Promise<HandshakeResult | WireError> => {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof WireError) return error;
    throw error;
  }
};

const expectWireError = (value: HandshakeResult | WireError, code: WireErrorCode): WireError => {
  expect(value).toBeInstanceOf(WireError);
  const error = value as WireError;
  expect(error._tag).toBe("WireError");
  expect(error.code, error.message).toBe(code);
  return error;
};

// ---- fixtures ----

const SECRET = "cluster secret: correct horse battery staple";

const specOf = (name: string, channels: NodeSpec["channels"] = { default: {} }): NodeSpec => ({
  name,
  addresses: [`memory://${name}`],
  incarnation: 7,
  channels,
});
const A = specOf("a@host", { default: {}, membership: {}, bulk: { parallelism: 2, compression: true } });
const B = specOf("b@host", { default: {}, membership: {} });

const dialerOptions = (over: Partial<HandshakeOptions> = {}): HandshakeOptions =>
  ({
    role: "dialer",
    self: A,
    expected: B.name,
    secret: SECRET,
    channel: "bulk",
    capabilities: ["batch", "x-trace"],
    ...over,
  }) as HandshakeOptions;

const listenerOptions = (over: Partial<HandshakeOptions> = {}): HandshakeOptions =>
  ({
    role: "listener",
    self: B,
    secret: SECRET,
    capabilities: ["x-trace", "zstd"],
    ...over,
  }) as HandshakeOptions;

/** Runs a real dialler against a real listener. */
const connect = (dialer: Partial<HandshakeOptions> = {}, listener: Partial<HandshakeOptions> = {}) => {
  const [d, l] = pair();
  const listening = outcome(handshake(l, listenerOptions(listener)));
  const dialling = outcome(handshake(d, dialerOptions(dialer)));
  return { d, l, dialling, listening };
};

const hmac = async (secret: string, input: Uint8Array): Promise<Uint8Array> => {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, input as Uint8Array<ArrayBuffer>));
};

const randomNonce = () => crypto.getRandomValues(new Uint8Array(32));

/** A fake dialler that knows the secret and drives the listener by hand. */
const fakeDialer = async (d: TestConnection, channel = "default") => {
  const dialerNonce = randomNonce();
  const challengeArrives = nextFrame(d);
  d.send(encodeFrame({ kind: "hello", version: WIRE_VERSION, name: A.name, channel, nonce: dialerNonce }));
  const challenge = (await challengeArrives) as ChallengeFrame;
  const transcript: MacTranscript = {
    role: "dialer",
    channel,
    dialer: A.name,
    listener: challenge.name,
    dialerNonce,
    listenerNonce: challenge.nonce,
  };
  return { challenge, transcript, dialerNonce };
};

// ---- tests ----

describe("success", () => {
  it("both ends learn the other's spec, the channel and the shared capabilities", async () => {
    const { d, l, dialling, listening } = connect();
    const dialer = (await dialling) as HandshakeResult;
    const listener = (await listening) as HandshakeResult;
    expect(dialer.peer).toEqual(B);
    expect(listener.peer).toEqual(A);
    expect(dialer.channel).toBe("bulk");
    expect(listener.channel).toBe("bulk");
    expect(dialer.capabilities).toEqual(["x-trace"]);
    expect(listener.capabilities).toEqual(["x-trace"]);
    expect(d.open && l.open).toBe(true);
    // hello, auth from the dialler; challenge, welcome from the listener.
    expect(d.sent.map((f) => decodeFrame(f, { maxPayload: 1 << 16 }).kind)).toEqual(["hello", "auth"]);
    expect(l.sent.map((f) => decodeFrame(f, { maxPayload: 1 << 16 }).kind)).toEqual(["challenge", "welcome"]);
  });

  it("works with a Uint8Array secret and without an expected name (dialling a seed)", async () => {
    const secret = new Uint8Array(32).fill(9);
    const { dialling, listening } = connect({ secret, expected: undefined }, { secret });
    expect(((await dialling) as HandshakeResult).peer.name).toBe(B.name);
    expect(((await listening) as HandshakeResult).peer.name).toBe(A.name);
  });

  it("the secret never crosses the wire", async () => {
    const { d, l, dialling, listening } = connect();
    await dialling;
    await listening;
    const needle = new TextEncoder().encode(SECRET);
    const contains = (hay: Uint8Array) =>
      hay.some((_, i) => needle.every((byte, j) => hay[i + j] === byte)) && hay.length >= needle.length;
    for (const frame of [...d.sent, ...l.sent]) expect(contains(frame)).toBe(false);
  });

  it("the MACs are HMAC-SHA256(secret, macInput(transcript)) as specified", async () => {
    const { d, l, dialling } = connect();
    await dialling;
    const hello = decodeFrame(d.sent[0]!, { maxPayload: 1 << 16 }) as HelloFrame;
    const challenge = decodeFrame(l.sent[0]!, { maxPayload: 1 << 16 }) as ChallengeFrame;
    const auth = decodeFrame(d.sent[1]!, { maxPayload: 1 << 16 });
    const transcript = {
      channel: "bulk",
      dialer: A.name,
      listener: B.name,
      dialerNonce: hello.nonce,
      listenerNonce: challenge.nonce,
    };
    expect(challenge.mac).toEqual(await hmac(SECRET, macInput({ role: "listener", ...transcript })));
    expect(auth.kind === "auth" && auth.mac).toEqual(
      await hmac(SECRET, macInput({ role: "dialer", ...transcript })),
    );
    expect(hello.nonce).not.toEqual(challenge.nonce);
  });

  it("macInput is the length-prefixed label, role, channel, names and nonces", () => {
    const transcript: MacTranscript = {
      role: "dialer",
      channel: "c",
      dialer: "dé",
      listener: "",
      dialerNonce: Uint8Array.of(1, 2),
      listenerNonce: Uint8Array.of(3),
    };
    const field = (bytes: number[]) => [0, 0, 0, bytes.length, ...bytes];
    const text = (s: string) => [...new TextEncoder().encode(s)];
    expect(MAC_LABEL).toBe("maquis-wire-v1");
    expect([...macInput(transcript)]).toEqual([
      ...field(text("maquis-wire-v1")),
      ...field(text("dialer")),
      ...field(text("c")),
      ...field([0x64, 0xc3, 0xa9]),
      ...field([]),
      ...field([1, 2]),
      ...field([3]),
    ]);
  });

  it("after attach, traffic flows both ways", async () => {
    const { d, l, dialling, listening } = connect();
    const dialer = (await dialling) as HandshakeResult;
    const listener = (await listening) as HandshakeResult;
    const atListener: Frame[] = [];
    const atDialer: Frame[] = [];
    const onClose = () => {};
    listener.attach({
      onFrame: (bytes) => atListener.push(decodeFrame(bytes, { maxPayload: 1 << 20 })),
      onClose,
    });
    dialer.attach({
      onFrame: (bytes) => atDialer.push(decodeFrame(bytes, { maxPayload: 1 << 20 })),
      onClose,
    });
    const signal: Signal = { kind: "send", to: internPid(B.name, 1, 0, 7), message: "hi" };
    d.send(encodeFrame({ kind: "data", signals: [signal] }));
    l.send(encodeFrame({ kind: "ping", id: 1, timestamp: 2 }));
    await settle();
    expect(atListener).toEqual([{ kind: "data", signals: [signal] }]);
    expect(atDialer).toEqual([{ kind: "ping", id: 1, timestamp: 2 }]);
  });

  it("traffic that arrives in the same burst as welcome is held and replayed, in order, by attach", async () => {
    const [d, l] = pair();
    const listening = handshake(l, listenerOptions());
    const dialling = handshake(d, dialerOptions());
    await listening;
    // The dialler has not seen welcome yet: hold its deliveries, queue traffic behind welcome, then
    // deliver welcome and the traffic synchronously, back to back (as a WebSocket library may).
    d.holding = true;
    await settle();
    for (let i = 0; i < 3; i++) l.send(encodeFrame({ kind: "ping", id: i, timestamp: 0 }));
    l.close(CloseCode.normal, "done");
    d.release();
    const dialer = await dialling;
    const got: unknown[] = [];
    dialer.attach({
      onFrame: (bytes) => got.push((decodeFrame(bytes, { maxPayload: 1 << 16 }) as { id: number }).id),
      onClose: (info) => got.push(info),
    });
    expect(got).toEqual([0, 1, 2, { code: CloseCode.normal, reason: "done", local: false }]);
    expect(() => dialer.attach({ onFrame: () => {}, onClose: () => {} })).toThrow(ConfigError);
  });
});

describe("authentication", () => {
  it("a wrong secret fails both ends with unauthenticated and closes the connection", async () => {
    const { d, l, dialling, listening } = connect({ secret: "not the cluster secret" });
    expectWireError(await dialling, "unauthenticated");
    expectWireError(await listening, "unauthenticated");
    await settle();
    expect(d.open || l.open).toBe(false);
    // The dialler found the listener's MAC wrong and closed with 4001 before sending its own.
    expect(d.closed).toEqual({ code: CloseCode.unauthenticated, reason: "unauthenticated", local: true });
    expect(l.closed).toEqual({ code: CloseCode.unauthenticated, reason: "unauthenticated", local: false });
    expect(d.sent).toHaveLength(1);
  });

  it("a listener with the wrong secret is caught by the dialler", async () => {
    const { d, dialling, listening } = connect({}, { secret: "another cluster" });
    expect(expectWireError(await dialling, "unauthenticated").message).toContain("failed the challenge");
    expectWireError(await listening, "unauthenticated");
    expect(d.sent.map((f) => decodeFrame(f, { maxPayload: 1 << 16 }).kind)).toEqual(["hello"]);
  });

  it("a dialler with the wrong secret is caught by the listener (forged auth)", async () => {
    const [d, l] = pair();
    const listening = outcome(handshake(l, listenerOptions()));
    const { transcript } = await fakeDialer(d);
    const forged = await hmac("a guess", macInput(transcript));
    d.send(encodeFrame({ kind: "auth", mac: forged, spec: A, capabilities: [] }));
    expect(expectWireError(await listening, "unauthenticated").message).toContain("failed the challenge");
    await settle();
    expect(l.closed).toMatchObject({ code: CloseCode.unauthenticated, local: true });
    expect(l.sent).toHaveLength(1); // the challenge only: no welcome
  });

  it("a random MAC is refused", async () => {
    const [d, l] = pair();
    const listening = outcome(handshake(l, listenerOptions()));
    await fakeDialer(d);
    d.send(encodeFrame({ kind: "auth", mac: randomNonce(), spec: A, capabilities: [] }));
    expectWireError(await listening, "unauthenticated");
  });

  it("the listener's own MAC reflected back as the dialler's is refused", async () => {
    const [d, l] = pair();
    const listening = outcome(handshake(l, listenerOptions()));
    const { challenge } = await fakeDialer(d);
    d.send(encodeFrame({ kind: "auth", mac: challenge.mac, spec: A, capabilities: [] }));
    expectWireError(await listening, "unauthenticated");
  });

  it("a correct MAC for another channel is refused (the MAC binds the channel)", async () => {
    const [d, l] = pair();
    const listening = outcome(handshake(l, listenerOptions()));
    const { transcript } = await fakeDialer(d, "default");
    const mac = await hmac(SECRET, macInput({ ...transcript, channel: "membership" }));
    d.send(encodeFrame({ kind: "auth", mac, spec: A, capabilities: [] }));
    expectWireError(await listening, "unauthenticated");
  });

  it("a fake dialler that knows the secret succeeds (the fake itself is sound)", async () => {
    const [d, l] = pair();
    const listening = outcome(handshake(l, listenerOptions()));
    const { transcript } = await fakeDialer(d);
    const welcome = nextFrame(d);
    d.send(
      encodeFrame({ kind: "auth", mac: await hmac(SECRET, macInput(transcript)), spec: A, capabilities: [] }),
    );
    expect(((await listening) as HandshakeResult).peer).toEqual(A);
    expect(await welcome).toEqual({ kind: "welcome", spec: B, capabilities: ["x-trace", "zstd"] });
  });

  it("a dialler whose spec names another node than its hello is refused", async () => {
    const [d, l] = pair();
    const listening = outcome(handshake(l, listenerOptions()));
    const { transcript } = await fakeDialer(d);
    const mac = await hmac(SECRET, macInput(transcript));
    d.send(encodeFrame({ kind: "auth", mac, spec: specOf("c@host"), capabilities: [] }));
    expect(expectWireError(await listening, "unauthenticated").message).toContain("c@host");
  });

  it("a listener whose welcome names another node than its challenge is refused", async () => {
    const [d, l] = pair();
    const dialling = outcome(handshake(d, dialerOptions({ channel: "default" })));
    const hello = (await nextFrame(l)) as HelloFrame;
    const listenerNonce = randomNonce();
    const transcript = {
      channel: "default",
      dialer: A.name,
      listener: B.name,
      dialerNonce: hello.nonce,
      listenerNonce,
    };
    const mac = await hmac(SECRET, macInput({ role: "listener", ...transcript }));
    const authArrives = nextFrame(l);
    l.send(
      encodeFrame({ kind: "challenge", version: WIRE_VERSION, name: B.name, nonce: listenerNonce, mac }),
    );
    await authArrives;
    l.send(encodeFrame({ kind: "welcome", spec: specOf("c@host"), capabilities: [] }));
    expect(expectWireError(await dialling, "unauthenticated").message).toContain("c@host");
  });
});

describe("unexpected peer", () => {
  it("the dialler refuses a listener that is not the node it expected", async () => {
    const { d, l, dialling, listening } = connect({ expected: "c@host" });
    const error = expectWireError(await dialling, "unauthenticated");
    expect(error.message).toContain("unexpected peer");
    expect(error.message).toContain(B.name);
    expect(error.message).toContain("c@host");
    expectWireError(await listening, "unauthenticated");
    await settle();
    expect(d.closed?.code).toBe(CloseCode.unauthenticated);
    expect(l.closed?.code).toBe(CloseCode.unauthenticated);
  });
});

describe("replay", () => {
  /** A complete honest handshake's frames, as an eavesdropper records them. */
  const record = async () => {
    const { d, l, dialling, listening } = connect({ channel: "default" });
    await dialling;
    await listening;
    return { hello: d.sent[0]!, auth: d.sent[1]!, challenge: l.sent[0]!, welcome: l.sent[1]! };
  };

  it("a recorded hello and auth replayed to the listener are refused (fresh listener nonce)", async () => {
    const recorded = await record();
    const [d, l] = pair();
    const listening = outcome(handshake(l, listenerOptions()));
    const challenge = nextFrame(d);
    d.send(recorded.hello);
    await challenge;
    d.send(recorded.auth);
    expectWireError(await listening, "unauthenticated");
    await settle();
    expect(l.closed?.code).toBe(CloseCode.unauthenticated);
  });

  it("a recorded challenge replayed to a dialler is refused (fresh dialler nonce)", async () => {
    const recorded = await record();
    const [d, l] = pair();
    const dialling = outcome(handshake(d, dialerOptions({ channel: "default" })));
    await nextFrame(l);
    l.send(recorded.challenge);
    expectWireError(await dialling, "unauthenticated");
    expect(d.sent).toHaveLength(1); // no auth was sent to the impostor
  });

  it("every handshake uses fresh nonces", async () => {
    const first = await record();
    const second = await record();
    const nonce = (bytes: Uint8Array) =>
      (decodeFrame(bytes, { maxPayload: 1 << 16 }) as { nonce: Uint8Array }).nonce;
    expect(nonce(first.hello)).not.toEqual(nonce(second.hello));
    expect(nonce(first.challenge)).not.toEqual(nonce(second.challenge));
  });
});

describe("versions", () => {
  it("a listener refuses a hello of another version and closes with CloseCode.version", async () => {
    const [d, l] = pair();
    const listening = outcome(handshake(l, listenerOptions()));
    d.send(
      encodeFrame({ kind: "hello", version: 2, name: A.name, channel: "default", nonce: randomNonce() }),
    );
    expectWireError(await listening, "version");
    await settle();
    expect(l.closed).toEqual({
      code: CloseCode.version,
      reason: `wire version ${WIRE_VERSION}`,
      local: true,
    });
  });

  it("a dialler refuses a challenge of another version", async () => {
    const [d, l] = pair();
    const dialling = outcome(handshake(d, dialerOptions()));
    await nextFrame(l);
    l.send(
      encodeFrame({ kind: "challenge", version: 2, name: B.name, nonce: randomNonce(), mac: randomNonce() }),
    );
    expectWireError(await dialling, "version");
    await settle();
    expect(d.closed?.code).toBe(CloseCode.version);
  });

  it("a dialler whose listener closes with CloseCode.version rejects with version", async () => {
    const [d, l] = pair();
    const dialling = outcome(handshake(d, dialerOptions()));
    await nextFrame(l);
    l.close(CloseCode.version, "wire version 2");
    expectWireError(await dialling, "version");
  });
});

describe("protocol violations", () => {
  const againstListener = async (send: (d: TestConnection) => void) => {
    const [d, l] = pair();
    const listening = outcome(handshake(l, listenerOptions()));
    send(d);
    const result = await listening;
    await settle();
    return { result, closed: l.closed };
  };

  it("a frame out of turn", async () => {
    const hello = () =>
      encodeFrame({
        kind: "hello",
        version: WIRE_VERSION,
        name: A.name,
        channel: "default",
        nonce: randomNonce(),
      });
    const { result, closed } = await againstListener((d) => {
      d.send(hello());
      d.send(hello());
    });
    expect(expectWireError(result, "protocol").message).toContain("out of turn");
    expect(closed?.code).toBe(CloseCode.malformed);
  });

  it("a frame of the wrong kind", async () => {
    const { result, closed } = await againstListener((d) =>
      d.send(encodeFrame({ kind: "data", signals: [] })),
    );
    expect(expectWireError(result, "protocol").message).toContain("expected a hello");
    expect(closed?.code).toBe(CloseCode.malformed);
  });

  it("malformed bytes", async () => {
    const { result, closed } = await againstListener((d) => d.send(Uint8Array.of(0, 0x92, 1)));
    expectWireError(result, "malformed");
    expect(closed).toEqual({ code: CloseCode.malformed, reason: "malformed", local: true });
  });

  it("a compressed handshake frame", async () => {
    const body = encodeFrame({
      kind: "hello",
      version: 1,
      name: A.name,
      channel: "default",
      nonce: randomNonce(),
    });
    const deflated = deflateSync(body.subarray(1));
    const frame = new Uint8Array(5 + deflated.length);
    frame[0] = FLAG_COMPRESSED;
    new DataView(frame.buffer).setUint32(1, body.length - 1);
    frame.set(deflated, 5);
    const { result } = await againstListener((d) => d.send(frame));
    expect(expectWireError(result, "malformed").message).toContain("compress");
  });

  it("a handshake frame over the handshake maxPayload", async () => {
    const big = encodeFrame({ kind: "bye", reason: "x".repeat(1000) });
    const [d, l] = pair();
    const listening = outcome(handshake(l, listenerOptions({ maxPayload: 512 })));
    d.send(big);
    expectWireError(await listening, "too_large");
    await settle();
    expect(l.closed?.code).toBe(CloseCode.tooLarge);
  });

  it("a bye during the handshake", async () => {
    const { result, closed } = await againstListener((d) =>
      d.send(encodeFrame({ kind: "bye", reason: "going away" })),
    );
    expect(expectWireError(result, "closed").message).toContain("going away");
    expect(closed?.code).toBe(CloseCode.normal);
  });

  it("the peer closing the connection", async () => {
    const { result } = await againstListener((d) => d.close(CloseCode.normal, "bye"));
    expectWireError(result, "closed");
  });

  it("the connection closed locally", async () => {
    const [d] = pair();
    const dialling = outcome(handshake(d, dialerOptions()));
    d.close();
    expect(expectWireError(await dialling, "closed").message).toContain("locally");
  });
});

describe("timeout", () => {
  it("a listener that never gets a hello gives up after timeoutMs", async () => {
    const clock = new VirtualClock();
    const [, l] = pair();
    let settled = false;
    const listening = outcome(handshake(l, listenerOptions({ clock, timeoutMs: 1000 }))).finally(() => {
      settled = true;
    });
    clock.advance(999);
    await settle();
    expect(settled).toBe(false);
    expect(l.open).toBe(true);
    clock.advance(1);
    expectWireError(await listening, "timeout");
    await settle();
    expect(l.closed).toEqual({ code: CloseCode.timeout, reason: "timeout", local: true });
    expect(clock.pending).toBe(0);
  });

  it("a dialler whose listener goes silent after the challenge gives up", async () => {
    const clock = new VirtualClock();
    const [d, l] = pair();
    const dialling = outcome(handshake(d, dialerOptions({ clock, timeoutMs: 5000, channel: "default" })));
    const hello = (await nextFrame(l)) as HelloFrame;
    const listenerNonce = randomNonce();
    const transcript = {
      channel: "default",
      dialer: A.name,
      listener: B.name,
      dialerNonce: hello.nonce,
      listenerNonce,
    };
    const mac = await hmac(SECRET, macInput({ role: "listener", ...transcript }));
    const authArrives = nextFrame(l);
    l.send(
      encodeFrame({ kind: "challenge", version: WIRE_VERSION, name: B.name, nonce: listenerNonce, mac }),
    );
    expect((await authArrives).kind).toBe("auth");
    clock.advance(4999);
    await settle();
    expect(d.open).toBe(true);
    clock.advance(1);
    expectWireError(await dialling, "timeout");
    await settle();
    expect(d.closed?.code).toBe(CloseCode.timeout);
    expect(l.closed).toEqual({ code: CloseCode.timeout, reason: "timeout", local: false });
  });

  it("the timer is cancelled when the handshake succeeds", async () => {
    const clock = new VirtualClock();
    const { dialling, listening } = connect({ clock }, { clock });
    await dialling;
    await listening;
    expect(clock.pending).toBe(0);
  });
});

describe("options", () => {
  const invalid: [string, Partial<HandshakeOptions>][] = [
    ["an empty secret", { secret: "" }],
    ["an empty Uint8Array secret", { secret: new Uint8Array(0) }],
    ["a spec without a name", { self: { ...A, name: "" } }],
    ["a spec with a bad incarnation", { self: { ...A, incarnation: -1 } }],
    ["an empty channel", { channel: "" } as Partial<HandshakeOptions>],
    ["a non-string capability", { capabilities: [1 as unknown as string] }],
    ["a zero timeout", { timeoutMs: 0 }],
    ["an unknown role", { role: "peer" } as unknown as Partial<HandshakeOptions>],
  ];
  for (const [what, over] of invalid) {
    it(`${what} is a ConfigError, and the connection is closed`, async () => {
      const [d] = pair();
      await expect(handshake(d, dialerOptions(over))).rejects.toBeInstanceOf(ConfigError);
      expect(d.open).toBe(false);
      expect(d.sent).toHaveLength(0);
    });
  }
});
