/**
 * `pnpm bench [--json FILE] [--only m1,m2] [--rounds N]`: every measure side by side in one run with the
 * Erlang/OTP reference (`erl +S 1:1`, skipped with a printed reason when erl is absent), a bare-Node
 * ceiling, or a peer JavaScript actor library, reported as ratios (> 1 means Maquis is better).
 */
import { createRequire } from "node:module";
import { ceilingLocalSend, ceilingPingPong } from "./ceiling.js";
import { runErlang } from "./erlang.js";
import { genEventNotify } from "./genevent.js";
import { genServerCall, genServerCast, genServerCastPaced, memoryIdleGenServer } from "./genserver.js";
import { genStatemEvents } from "./genstatem.js";
import { churn, localSend, localSendAsync, pingPong, spawnAndMemory } from "./maquis.js";
import { nactAsk, nactTell, xstateTell } from "./peers.js";
import { jsonPathFromArgs, median, meetsTarget, type ReportRow, report, type Target } from "./report.js";
import { supervisorRestart } from "./supervisor.js";

interface Measure {
  readonly name: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  /** The Erlang measure it is compared with. */
  readonly erlang?: string;
  /** The Maquis figure: its own run, or that of the named measure (computed once per bench run). */
  readonly run: (() => Promise<number>) | { readonly sameAs: string };
  readonly ceiling?: () => Promise<number>;
  /** A peer library on the same work: the row's baseline. */
  readonly peer?: { readonly name: string; readonly run: () => Promise<number> };
  readonly target?: Target;
}

// spawn and memory come from one run of 1M processes; cache that run per round.
let spawnRound: Promise<{ rate: number; bytes: number }> | undefined;
const spawnOnce = () => (spawnRound ??= spawnAndMemory());

const require = createRequire(import.meta.url);
const versioned = (pkg: string) =>
  `${pkg} ${(require(`${pkg}/package.json`) as { version: string }).version}`;

const measures: Measure[] = [
  {
    name: "local-send",
    unit: "msg/s",
    higherIsBetter: true,
    erlang: "local-send",
    run: () => localSend(),
    ceiling: () => ceilingLocalSend(),
  },
  {
    name: "local-send-async",
    unit: "msg/s",
    higherIsBetter: true,
    erlang: "local-send",
    run: () => localSendAsync(),
  },
  {
    name: "ping-pong",
    unit: "roundtrips/s",
    higherIsBetter: true,
    erlang: "ping-pong",
    run: () => pingPong(),
    ceiling: () => ceilingPingPong(),
  },
  {
    name: "spawn",
    unit: "proc/s",
    higherIsBetter: true,
    erlang: "spawn",
    run: async () => (await spawnOnce()).rate,
  },
  {
    name: "memory-idle-process",
    unit: "bytes",
    higherIsBetter: false,
    erlang: "memory-idle-process",
    run: async () => (await spawnOnce()).bytes,
  },
  { name: "churn", unit: "proc/s", higherIsBetter: true, erlang: "churn", run: () => churn() },
  {
    name: "gen-server-call-1",
    unit: "call/s",
    higherIsBetter: true,
    erlang: "gen-server-call-1",
    run: () => genServerCall(1),
    target: { ratio: 1.5 },
  },
  {
    name: "gen-server-call-100",
    unit: "call/s",
    higherIsBetter: true,
    erlang: "gen-server-call-100",
    run: () => genServerCall(100),
    target: { ratio: 2 },
  },
  {
    // The caster yields every 1000 casts, as Erlang's preempted caster does (the Erlang side never
    // holds 5M queued casts); the same pacing as local-send's sender. Judged against the target.
    name: "gen-server-cast",
    unit: "msg/s",
    higherIsBetter: true,
    erlang: "gen-server-cast",
    run: () => genServerCastPaced(),
    target: { ratio: 1.5 },
  },
  {
    // A plain loop: JavaScript cannot preempt it, so all 5M casts are queued before the server runs
    // (GC-bound). Reported for what a naive loop costs; the peers below run the same shape.
    name: "gen-server-cast-burst",
    unit: "msg/s",
    higherIsBetter: true,
    erlang: "gen-server-cast",
    run: () => genServerCast(),
  },
  {
    name: "memory-idle-gen-server",
    unit: "bytes",
    higherIsBetter: false,
    erlang: "memory-idle-gen-server",
    run: () => memoryIdleGenServer(),
    target: { max: 1024 },
  },
  {
    name: "supervisor-restart",
    unit: "cycles/s",
    higherIsBetter: true,
    erlang: "supervisor-restart",
    run: () => supervisorRestart(),
  },
  {
    // A 2-state machine with state enter calls; each cast changes state and the enter call sets a
    // state timeout. Casts in windows of 1000 closed by a call, on both sides: the figure is the
    // machine's (an unwindowed Erlang caster measures the machine's mailbox growth instead).
    name: "gen-statem-events",
    unit: "events/s",
    higherIsBetter: true,
    erlang: "gen-statem-events",
    run: () => genStatemEvents(),
    target: { ratio: 1.5 },
  },
  {
    // A manager with 10 counting handlers; notifies in windows of 1000 closed by a call to a
    // handler, on both sides, as gen-statem-events.
    name: "gen-event-notify",
    unit: "events/s",
    higherIsBetter: true,
    erlang: "gen-event-notify",
    run: () => genEventNotify(),
    target: { ratio: 1.5 },
  },
  // Peers: the Maquis figure of the equivalent measure, against the peer on the same work.
  {
    name: "peer-nact-tell",
    unit: "msg/s",
    higherIsBetter: true,
    run: { sameAs: "gen-server-cast-burst" },
    peer: { name: versioned("nact"), run: () => nactTell(1_000_000) },
    target: { ratio: 5 },
  },
  {
    name: "peer-nact-ask",
    unit: "call/s",
    higherIsBetter: true,
    run: { sameAs: "gen-server-call-1" },
    peer: { name: versioned("nact"), run: () => nactAsk(1_000_000) },
    target: { ratio: 5 },
  },
  {
    name: "peer-xstate-tell",
    unit: "msg/s",
    higherIsBetter: true,
    run: { sameAs: "gen-server-cast-burst" },
    peer: { name: versioned("xstate"), run: () => xstateTell(1_000_000) },
  },
];

const argv = process.argv.slice(2);
const option = (flag: string) => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = option("--only")?.split(",");
const rounds = Number(option("--rounds") ?? 3);
const selected = measures.filter((m) => only === undefined || only.includes(m.name));
const unknown = only?.filter((name) => !measures.some((m) => m.name === name)) ?? [];
if (unknown.length > 0) {
  console.error(
    `unknown measure(s): ${unknown.join(", ")}; known: ${measures.map((m) => m.name).join(", ")}`,
  );
  process.exit(2);
}

const rounded = async (run: () => Promise<number>, isSpawn: boolean): Promise<number> => {
  const values: number[] = [];
  await run(); // warm-up
  for (let r = 0; r < rounds; r++) {
    if (isSpawn) spawnRound = undefined;
    values.push(await run());
  }
  return median(values);
};

// Each measure's Maquis figure, computed once per bench run (peer rows reuse their Maquis measure's).
const figures = new Map<string, Promise<number>>();
const figureOf = (m: Measure): Promise<number> => {
  const { run } = m;
  if (typeof run !== "function") {
    const same = measures.find((x) => x.name === run.sameAs);
    if (same === undefined) throw new Error(`${m.name}: no measure ${run.sameAs}`);
    return figureOf(same);
  }
  let figure = figures.get(m.name);
  if (figure === undefined) {
    figure = rounded(run, m.name === "spawn" || m.name === "memory-idle-process");
    figures.set(m.name, figure);
  }
  return figure;
};

console.log(
  `Maquis benchmarks on Node ${process.version}, ${rounds} rounds each (median); ratio > 1: Maquis better.`,
);
const erlangNames = [...new Set(selected.flatMap((m) => (m.erlang === undefined ? [] : [m.erlang])))];
let erlang: Awaited<ReturnType<typeof runErlang>> = new Map();
if (erlangNames.length > 0) {
  console.log(`Erlang reference: ${erlangNames.join(", ")} ...`);
  erlang = await runErlang(erlangNames);
  if ("skipped" in erlang) console.log(`Erlang reference skipped: ${erlang.skipped}`);
}

const rows: ReportRow[] = [];
for (const m of selected) {
  process.stdout.write(`  ${m.name} ...\n`);
  const base = "skipped" in erlang || m.erlang === undefined ? undefined : erlang.get(m.erlang);
  const value = await figureOf(m);
  const row = (baseline: string, baselineValue: number) =>
    rows.push({
      measure: m.name,
      unit: m.unit,
      value,
      baseline,
      baselineValue,
      higherIsBetter: m.higherIsBetter,
      ...(m.target === undefined ? {} : { target: m.target }),
    });
  if (base !== undefined) row("erlang", base.value);
  if (m.ceiling !== undefined) row("node-ceiling", await rounded(m.ceiling, false));
  if (m.peer !== undefined) row(m.peer.name, await rounded(m.peer.run, false));
  if (base === undefined && m.ceiling === undefined && m.peer === undefined) row("none", value);
}
console.log("");
const lines = report(rows, jsonPathFromArgs(argv));
const missed = lines.filter((l) => !meetsTarget(l)).map((l) => `${l.measure} vs ${l.baseline}`);
if (lines.some((l) => l.target !== undefined)) {
  console.log(
    "Targets: gen-server-call-1 >= 1.5x Erlang, gen-server-call-100 >= 2x, gen-server-cast >= 1.5x, " +
      "memory-idle-gen-server <= 1024 B, gen-statem-events >= 1.5x, gen-event-notify >= 1.5x, >= 5x nact on tell and ask.",
  );
  console.log(
    missed.length === 0 ? "All targets in this table met." : `Targets missed: ${missed.join(", ")}.`,
  );
}
