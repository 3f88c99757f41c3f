/**
 * Validation of flags and child specs, in OTP's order and with OTP's error reasons (OTP's
 * `check_flags/1`, `check_childspec/2`, `check_startspec/2`). Reasons are returned, not thrown.
 */
import type { ChildSpec, Shutdown } from "../ChildSpec.js";
import type { AutoShutdown, Strategy } from "../Flags.js";
import { type Child, type Children, emptyChildren } from "./State.js";

/** A validation failure: the reason OTP would give. */
export class Invalid {
  readonly reason: unknown;
  constructor(reason: unknown) {
    this.reason = reason;
  }
}

const STRATEGIES: readonly unknown[] = ["one_for_one", "one_for_all", "rest_for_one", "simple_one_for_one"];
const AUTO_SHUTDOWNS: readonly unknown[] = ["never", "any_significant", "all_significant"];
const RESTARTS: readonly unknown[] = ["permanent", "transient", "temporary"];
const TYPES: readonly unknown[] = ["worker", "supervisor"];

export interface CheckedFlags {
  readonly strategy: Strategy;
  readonly intensity: number;
  readonly period: number;
  readonly autoShutdown: AutoShutdown;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Validates flags (missing keys take OTP's defaults). */
export const checkFlags = (flags: unknown): CheckedFlags | Invalid => {
  if (flags === undefined) flags = {};
  if (!isRecord(flags)) return new Invalid({ invalidType: flags });
  const strategy = flags.strategy ?? "one_for_one";
  const intensity = flags.intensity ?? 1;
  const period = flags.period ?? 5;
  const autoShutdown = flags.autoShutdown ?? "never";
  if (!STRATEGIES.includes(strategy)) return new Invalid({ invalidStrategy: strategy });
  if (!(Number.isInteger(intensity) && (intensity as number) >= 0))
    return new Invalid({ invalidIntensity: intensity });
  if (!(Number.isInteger(period) && (period as number) > 0)) return new Invalid({ invalidPeriod: period });
  if (!AUTO_SHUTDOWNS.includes(autoShutdown)) return new Invalid({ invalidAutoShutdown: autoShutdown });
  if (strategy === "simple_one_for_one" && autoShutdown !== "never") {
    return new Invalid({ badCombination: { strategy, autoShutdown } });
  }
  return {
    strategy: strategy as Strategy,
    intensity: intensity as number,
    period: period as number,
    autoShutdown: autoShutdown as AutoShutdown,
  };
};

const isModule = (m: unknown): boolean => typeof m === "string" || typeof m === "function";

const validShutdown = (shutdown: unknown): shutdown is Shutdown =>
  shutdown === "brutal_kill" ||
  shutdown === "infinity" ||
  (Number.isInteger(shutdown) && (shutdown as number) >= 0);

/**
 * Validates one child spec against the supervisor's `autoShutdown` (`undefined` skips the
 * significant/auto-shutdown combination check, as `check_childspecs/1` does) and fills in defaults.
 */
export const checkChildSpec = (spec: unknown, autoShutdown: AutoShutdown | undefined): Child | Invalid => {
  if (!isRecord(spec)) return new Invalid({ invalidChildSpec: spec });
  if (!("id" in spec)) return new Invalid("missing_id");
  if (!("start" in spec)) return new Invalid("missing_start");
  const start = spec.start;
  if (typeof start !== "function") return new Invalid({ invalidStart: start });
  const restart = spec.restart ?? "permanent";
  if (!RESTARTS.includes(restart)) return new Invalid({ invalidRestartType: restart });
  const significant = spec.significant ?? false;
  if (significant === true && autoShutdown === "never") {
    return new Invalid({ badCombination: { autoShutdown: "never", significant: true } });
  }
  if (significant === true && restart === "permanent") {
    return new Invalid({ badCombination: { restart: "permanent", significant: true } });
  }
  if (typeof significant !== "boolean") return new Invalid({ invalidSignificant: significant });
  const type = spec.type ?? "worker";
  if (!TYPES.includes(type)) return new Invalid({ invalidChildType: type });
  const shutdown = spec.shutdown ?? (type === "worker" ? 5000 : "infinity");
  if (!validShutdown(shutdown)) return new Invalid({ invalidShutdown: shutdown });
  const modules = spec.modules ?? [];
  if (modules !== "dynamic") {
    if (!Array.isArray(modules)) return new Invalid({ invalidModules: modules });
    const bad = modules.findIndex((m) => !isModule(m));
    if (bad >= 0) return new Invalid({ invalidModule: modules[bad] });
  }
  return {
    pid: undefined,
    id: spec.id,
    start: start as ChildSpec["start"],
    restart: restart as Child["restart"],
    significant,
    shutdown,
    type: type as Child["type"],
    modules: modules as Child["modules"],
  };
};

/** Validates a list of specs (duplicate ids are an error); the result is in start order. */
export const checkStartSpec = (
  specs: unknown,
  autoShutdown: AutoShutdown | undefined,
): Children | Invalid => {
  const children = emptyChildren();
  for (const spec of specs as readonly unknown[]) {
    const child = checkChildSpec(spec, autoShutdown);
    if (child instanceof Invalid) return child;
    if (children.db.has(child.id)) return new Invalid({ duplicateChildName: child.id });
    children.ids.push(child.id);
    children.db.set(child.id, child);
  }
  return children;
};
