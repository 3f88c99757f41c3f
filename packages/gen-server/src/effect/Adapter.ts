/**
 * How Effect callbacks run on the one gen-server engine: an {@link EffectGenServer} is wrapped in an
 * ordinary `GenServer` whose callbacks run the returned Effects, synchronously when they complete
 * synchronously, else as a promise the engine awaits (as it awaits any async callback).
 */
import type { ExitReason, ProcessContext, ReplyTo } from "@maquis/core";
import { Exit as ExitError } from "@maquis/sys";
import * as Cause from "effect/Cause";
import * as Effect from "effect/Effect";
import type * as Exit from "effect/Exit";
import { GenServer, type ProtocolOfServer, type StatusInfo } from "../GenServer.js";
import type { GenServerClass } from "../internal/start.js";
import type { Protocol } from "@maquis/sys";
import type { EffectGenServer } from "./EffectGenServer.js";

/** Marks `EffectGenServer.prototype` (set there), so the start functions can tell the two kinds apart. */
export const EffectServerTypeId: unique symbol = Symbol.for("@maquis/gen-server/EffectGenServer");

/** Any Effect server, whatever its protocol, state and arguments. */
export type AnyEffectServer = EffectGenServer<Protocol, unknown, unknown>;

/** The init argument type of an {@link EffectGenServer} subclass. */
export type EffectArgsOf<T> = T extends EffectGenServer<Protocol, unknown, infer A> ? A : never;

/** The state type of an {@link EffectGenServer} subclass. */
export type EffectStateOf<T> = T extends EffectGenServer<Protocol, infer S, unknown> ? S : never;

/** The `GenServer` an Effect server runs as: same protocol, state and init arguments. */
export type GenServerOf<T> = GenServer<ProtocolOfServer<T>, EffectStateOf<T>, EffectArgsOf<T>>;

/**
 * The `GenServer` class {@link toGenServer} makes of an Effect server class: instantiable with no
 * arguments, with the Promise API's statics (`start`, `startLink`, `startMonitor`, `call`, `cast`,
 * `reply`, `stop`).
 */
export type GenServerClassOf<T> = GenServerClass<GenServerOf<T>> &
  Pick<typeof GenServer, "start" | "startLink" | "startMonitor" | "call" | "cast" | "reply" | "stop">;

/** Whether `source` (a class or an instance) is an Effect server. */
export const isEffectServer = (source: unknown): boolean => {
  const target = typeof source === "function" ? (source as { prototype?: unknown }).prototype : source;
  return typeof target === "object" && target !== null && EffectServerTypeId in target;
};

/** What a failed callback Effect throws into the engine: the failure (or defect) itself if it is an `Error`, else an `Exit` carrying it, so that the server stops with it as the reason either way. */
const thrownOf = (cause: Cause.Cause<unknown>): Error => {
  const squashed = Cause.squash(cause);
  return squashed instanceof Error ? squashed : new ExitError(squashed);
};

const settledValue = <A>(exit: Exit.Exit<A, unknown>): A => {
  if (exit._tag === "Success") return exit.value;
  throw thrownOf(exit.cause);
};

/**
 * Runs a callback's Effect: its value at once if it completes synchronously (no promise, no extra
 * turn), else a promise of it. A failure or defect is thrown (or rejected), so the engine treats it as
 * a crash with that reason.
 */
export const runCallback = <A>(effect: Effect.Effect<A, unknown>): A | Promise<A> => {
  const fiber = Effect.runFork(effect);
  const exit = fiber.pollUnsafe();
  if (exit !== undefined) return settledValue(exit);
  return new Promise<A>((resolve, reject) => {
    fiber.addObserver((exit) => {
      if (exit._tag === "Success") resolve(exit.value);
      else reject(thrownOf(exit.cause));
    });
  });
};

// The callbacks of an Effect server, seen loosely (the class's own signatures are for its users).
interface EffectCallbacks {
  self: ProcessContext;
  init(args: unknown): Effect.Effect<unknown, unknown>;
  handleCall?(request: unknown, from: ReplyTo, state: unknown): Effect.Effect<unknown, unknown>;
  handleCast?(request: unknown, state: unknown): Effect.Effect<unknown, unknown>;
  handleInfo?(message: unknown, state: unknown): Effect.Effect<unknown, unknown>;
  handleContinue?(value: unknown, state: unknown): Effect.Effect<unknown, unknown>;
  terminate?(reason: ExitReason, state: unknown): Effect.Effect<unknown, unknown>;
  codeChange?(oldVsn: unknown, state: unknown, extra: unknown): unknown;
  formatStatus?(status: StatusInfo<unknown>): unknown;
}

/**
 * The engine-facing side of an Effect server. Only the callbacks the Effect server defines are
 * defined here, because the engine treats a missing one specially (a missing handleInfo drops the
 * message, a missing terminate is skipped, a missing handleCall crashes as `undef`).
 */
abstract class EffectServerAdapter extends GenServer<Protocol, unknown, unknown> {
  readonly #impl: EffectCallbacks;

  constructor(impl: EffectCallbacks) {
    super();
    this.#impl = impl;
    // Each wrapper calls the method on the instance, so `this` inside it is the Effect server.
    if (impl.handleCall !== undefined) {
      this.handleCall = (request, from, state) =>
        runCallback(impl.handleCall!(request, from, state)) as never;
    }
    if (impl.handleCast !== undefined) {
      this.handleCast = (request, state) => runCallback(impl.handleCast!(request, state)) as never;
    }
    if (impl.handleInfo !== undefined) {
      this.handleInfo = (message, state) => runCallback(impl.handleInfo!(message, state)) as never;
    }
    if (impl.handleContinue !== undefined) {
      this.handleContinue = (value, state) => runCallback(impl.handleContinue!(value, state)) as never;
    }
    if (impl.terminate !== undefined) {
      this.terminate = (reason, state) => runCallback(impl.terminate!(reason, state)) as never;
    }
    if (impl.codeChange !== undefined) {
      this.codeChange = (oldVsn, state, extra) => impl.codeChange!(oldVsn, state, extra);
    }
    if (impl.formatStatus !== undefined) {
      this.formatStatus = (status) => impl.formatStatus!(status);
    }
  }

  init(args: unknown): ReturnType<GenServer<Protocol, unknown, unknown>["init"]> {
    // The engine has set `self` on this adapter by now; the Effect server's callbacks use their own.
    this.#impl.self = this.self;
    return runCallback(this.#impl.init(args)) as never;
  }
}

const adapters = new WeakMap<object, new (impl?: EffectCallbacks) => EffectServerAdapter>();

/** The adapter class for an Effect server class: one per class, named after it (crash reports show the name). */
const adapterFor = (
  Impl: new () => AnyEffectServer,
): (new (
  impl?: EffectCallbacks,
) => EffectServerAdapter) => {
  let Adapter = adapters.get(Impl);
  if (Adapter === undefined) {
    Adapter = class extends EffectServerAdapter {
      constructor(impl?: EffectCallbacks) {
        super(impl ?? (new Impl() as unknown as EffectCallbacks));
      }
    };
    Object.defineProperty(Adapter, "name", { value: Impl.name });
    adapters.set(Impl, Adapter);
  }
  return Adapter;
};

/**
 * An Effect server as an ordinary `GenServer`, for code that takes one: a supervisor's child spec, a
 * Promise-API start (`toGenServer(Counter).startLink(self)` rejects with `StartError`, as any
 * `GenServer` start does). It runs on the same engine; nothing is copied.
 *
 * - Given a class: a `GenServer` class (one per Effect class, so `toGenServer(C) === toGenServer(C)`),
 *   each start of which makes a new instance of the Effect class.
 * - Given an instance (a server that needs constructor arguments): a `GenServer` instance around it,
 *   for one start.
 *
 * The Effect API's start functions accept Effect servers directly; use this only to cross into the
 * Promise API.
 */
export function toGenServer<T extends AnyEffectServer>(source: GenServerClass<T>): GenServerClassOf<T>;
export function toGenServer<T extends AnyEffectServer>(source: T): GenServerOf<T>;
export function toGenServer(source: GenServerClass<AnyEffectServer> | AnyEffectServer): unknown {
  if (typeof source === "function") return adapterFor(source);
  const Adapter = adapterFor(source.constructor as new () => AnyEffectServer);
  return new Adapter(source as unknown as EffectCallbacks);
}
