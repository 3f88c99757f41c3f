/**
 * `pnpm bench [--json FILE] [--only m1,m2] [--rounds N]`: every measure side by side in one run with the
 * Erlang/OTP reference (`erl +S 1:1`, skipped with a printed reason when erl is absent), a bare-Node
 * ceiling, or a peer JavaScript actor library, reported as ratios (> 1 means Maquis is better).
 * The distribution measures run between this process and a child Node process over WebSocket, against
 * two distributed Erlang VMs on 127.0.0.1 (see distribution.ts and erlang/README.md).
 *
 * Over 400 lines because it is the table of every measure with its baseline and target; the measures
 * themselves live in their own files.
 */
import { createRequire } from "node:module";
import { ceilingLocalSend, ceilingPingPong } from "./ceiling.js";
import {
  channelIsolation,
  ONE_KIB,
  remoteCall100,
  remoteCallLatency,
  remoteSend,
  SMALL,
  stopDistribution,
} from "./distribution.js";
import { type ErlangResult, runErlang, runErlangDist } from "./erlang.js";
import { genEventNotify } from "./genevent.js";
import { genServerCall, genServerCast, genServerCastPaced, memoryIdleGenServer } from "./genserver.js";
import { genStatemEvents } from "./genstatem.js";
import { churn, localSend, localSendAsync, pingPong, spawnAndMemory } from "./maquis.js";
import { nactAsk, nactTell, xstateTell } from "./peers.js";
import { jsonPathFromArgs, median, meetsTarget, type ReportRow, report, type Target } from "./report.js";
import { supervisorRestart } from "./supervisor.js";

/**
 * Work that gives several figures per round (the p50 and p99 of one set of calls, or a quiet and a busy
 * p50 measured back to back): one warm-up and `rounds` rounds per bench run, a median per key.
 */
interface Round {
  readonly run: () => Promise<Readonly<Record<string, number>>>;
}

/** A figure: its own run, that of the named measure, or one key of a {@link Round}. */
type Figure =
  | (() => Promise<number>)
  | { readonly sameAs: string }
  | { readonly round: Round; readonly key: string };

interface Measure {
  readonly name: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  /** The Erlang measure it is compared with. */
  readonly erlang?: string;
  /** The Erlang measure is a distributed one (erlang/maquis_bench_dist.erl, two VMs). */
  readonly distributed?: boolean;
  /** The Maquis figure (computed once per bench run). */
  readonly run: Figure;
  readonly ceiling?: () => Promise<number>;
  /** Another baseline: a peer library on the same work, or a reference figure from this run. */
  readonly peer?: { readonly name: string; readonly run: Figure };
  readonly target?: Target;
  /** The row the target is judged on; default every row. */
  readonly targetOn?: "erlang" | "node-ceiling" | "peer";
}

// spawn and memory come from one run of 1M processes; cache that run per round.
let spawnRound: Promise<{ rate: number; bytes: number }> | undefined;
const spawnOnce = () => (spawnRound ??= spawnAndMemory());

const require = createRequire(import.meta.url);
const versioned = (pkg: string) =>
  `${pkg} ${(require(`${pkg}/package.json`) as { version: string }).version}`;

const remoteCallRound: Round = { run: remoteCallLatency };
const isolationRound: Round = { run: channelIsolation };

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
  // Distribution: node A is this process, node B a child Node process, over WebSocket on 127.0.0.1;
  // the Erlang side is two distributed VMs (+S 1:1 each) on 127.0.0.1. See distribution.ts.
  {
    // A sender on A, a counter on B that acks every 1000; at most 20,000 unacknowledged, on both sides.
    name: "remote-send-small",
    unit: "msg/s",
    higherIsBetter: true,
    erlang: "remote-send-small",
    distributed: true,
    run: () => remoteSend(SMALL),
    target: { ratio: 2 },
  },
  {
    // As remote-send-small with a 1 KiB binary in each message; acks every 100, 2000 unacknowledged.
    name: "remote-send-1k",
    unit: "msg/s",
    higherIsBetter: true,
    erlang: "remote-send-1k",
    distributed: true,
    run: () => remoteSend(ONE_KIB),
    target: { ratio: 1.5 },
  },
  {
    // Bare ws between node A's and node B's processes (no Maquis; the echo server runs beside node B):
    // the floor of a remote call over the same pair of processes, timed in remote-call's rounds,
    // interleaved with its calls. Against Erlang's raw `!` ping-pong between two VMs.
    name: "ws-ping-pong-p50",
    unit: "µs",
    higherIsBetter: false,
    erlang: "remote-ping-pong-p50",
    distributed: true,
    run: { round: remoteCallRound, key: "ws" },
  },
  {
    // Sequential calls from one client on A to a server on B. Target: at most 1.5x the bare-ws round
    // trip, timed in the same rounds (interleaved blocks of 500).
    name: "remote-call-p50",
    unit: "µs",
    higherIsBetter: false,
    erlang: "remote-call-p50",
    distributed: true,
    run: { round: remoteCallRound, key: "p50" },
    peer: { name: "ws-ping-pong-p50", run: { sameAs: "ws-ping-pong-p50" } },
    target: { ratio: 1 / 1.5 },
    targetOn: "peer",
  },
  {
    name: "remote-call-p99",
    unit: "µs",
    higherIsBetter: false,
    erlang: "remote-call-p99",
    distributed: true,
    run: { round: remoteCallRound, key: "p99" },
  },
  {
    name: "remote-call-100",
    unit: "call/s",
    higherIsBetter: true,
    erlang: "remote-call-100",
    distributed: true,
    run: () => remoteCall100(),
    target: { ratio: 2 },
  },
  {
    // Call p50 on the default channel while the bulk channel carries 1 MiB messages back to back. Target:
    // at most 1.5x the quiet p50 (same round). Erlang, with one connection, shows head-of-line blocking.
    name: "channel-isolation",
    unit: "µs",
    higherIsBetter: false,
    erlang: "channel-isolation-busy-p50",
    distributed: true,
    run: { round: isolationRound, key: "busy" },
    peer: { name: "maquis, no bulk traffic", run: { round: isolationRound, key: "quiet" } },
    target: { ratio: 1 / 1.5 },
    targetOn: "peer",
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

// Rounds that give several figures: run once per bench run, a median per key.
const roundMedians = new Map<Round, Promise<Map<string, number>>>();
const roundFigure = (round: Round, key: string): Promise<number> => {
  let medians = roundMedians.get(round);
  if (medians === undefined) {
    medians = (async () => {
      await round.run(); // warm-up
      const values = new Map<string, number[]>();
      for (let r = 0; r < rounds; r++) {
        for (const [k, v] of Object.entries(await round.run())) values.set(k, [...(values.get(k) ?? []), v]);
      }
      return new Map([...values].map(([k, vs]) => [k, median(vs)]));
    })();
    roundMedians.set(round, medians);
  }
  return medians.then((m) => {
    const v = m.get(key);
    if (v === undefined) throw new Error(`no figure ${key} in its round`);
    return v;
  });
};

// Each measure's Maquis figure, computed once per bench run (peer rows reuse their Maquis measure's).
const figures = new Map<string, Promise<number>>();
const figureOf = (m: Measure): Promise<number> => figure(m.run, m.name);
const figure = (run: Figure, cacheKey: string): Promise<number> => {
  if ("sameAs" in run) {
    const same = measures.find((x) => x.name === run.sameAs);
    if (same === undefined) throw new Error(`${cacheKey}: no measure ${run.sameAs}`);
    return figureOf(same);
  }
  if ("round" in run) return roundFigure(run.round, run.key);
  let value = figures.get(cacheKey);
  if (value === undefined) {
    value = rounded(run, cacheKey === "spawn" || cacheKey === "memory-idle-process");
    figures.set(cacheKey, value);
  }
  return value;
};

console.log(
  `Maquis benchmarks on Node ${process.version}, ${rounds} rounds each (median); ratio > 1: Maquis better.`,
);
const erlangNamesOf = (distributed: boolean) => [
  ...new Set(
    selected.flatMap((m) =>
      m.erlang === undefined || (m.distributed ?? false) !== distributed ? [] : [m.erlang],
    ),
  ),
];
// Erlang's quiet call p50 next to its busy one (channel-isolation), for the note under the table.
const ISOLATION_QUIET = "channel-isolation-quiet-p50";
const erlang = new Map<string, ErlangResult>();
for (const [names, runner] of [
  [erlangNamesOf(false), runErlang],
  [erlangNamesOf(true), runErlangDist],
] as const) {
  if (names.length === 0) continue;
  const wanted = names.includes("channel-isolation-busy-p50") ? [...names, ISOLATION_QUIET] : names;
  console.log(`Erlang reference: ${names.join(", ")} ...`);
  const results = await runner(wanted);
  if ("skipped" in results) {
    console.log(`Erlang reference skipped: ${results.skipped}`);
  } else for (const [k, v] of results) erlang.set(k, v);
}

const rows: ReportRow[] = [];
/** Computes a measure and adds its rows: one per baseline (Erlang, the ceiling, a peer). */
async function measureRows(m: Measure): Promise<void> {
  const base = m.erlang === undefined ? undefined : erlang.get(m.erlang);
  const value = await figureOf(m);
  const row = (baseline: string, baselineValue: number, kind: Measure["targetOn"]) =>
    rows.push({
      measure: m.name,
      unit: m.unit,
      value,
      baseline,
      baselineValue,
      higherIsBetter: m.higherIsBetter,
      // A row against nothing ("none": no baseline ran) is not judged.
      ...(m.target === undefined || kind === undefined || (m.targetOn !== undefined && m.targetOn !== kind)
        ? {}
        : { target: m.target }),
    });
  if (base !== undefined) row("erlang", base.value, "erlang");
  if (m.ceiling !== undefined) row("node-ceiling", await rounded(m.ceiling, false), "node-ceiling");
  if (m.peer !== undefined) row(m.peer.name, await figure(m.peer.run, `${m.name}/${m.peer.name}`), "peer");
  if (base === undefined && m.ceiling === undefined && m.peer === undefined) row("none", value, undefined);
}

// A measure that throws is reported and skipped; the others still run (and the exit code is 1).
const failures: string[] = [];
try {
  for (const m of selected) {
    process.stdout.write(`  ${m.name} ...\n`);
    try {
      await measureRows(m);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      console.log(`  ${m.name} failed: ${reason}`);
      failures.push(`${m.name}: ${reason}`);
    }
  }
} finally {
  await stopDistribution();
}

console.log("");
const lines = report(rows, jsonPathFromArgs(argv));
const quietErlang = erlang.get(ISOLATION_QUIET);
const busyErlang = erlang.get("channel-isolation-busy-p50");
if (
  quietErlang !== undefined &&
  busyErlang !== undefined &&
  selected.some((m) => m.name === "channel-isolation")
) {
  const [quiet, busy] = [quietErlang.value, busyErlang.value];
  console.log(
    `channel-isolation, Erlang (one connection per node pair): call p50 ${quiet.toFixed(1)} µs quiet, ` +
      `${busy.toFixed(1)} µs under 1 MiB transfers (${(busy / quiet).toFixed(2)}x).`,
  );
}
const missed = lines.filter((l) => !meetsTarget(l)).map((l) => `${l.measure} vs ${l.baseline}`);
if (lines.some((l) => l.target !== undefined)) {
  console.log(
    "Targets: gen-server-call-1 >= 1.5x Erlang, gen-server-call-100 >= 2x, gen-server-cast >= 1.5x, " +
      "memory-idle-gen-server <= 1024 B, gen-statem-events >= 1.5x, gen-event-notify >= 1.5x, " +
      ">= 5x nact on tell and ask, " +
      "remote-send-small >= 2x, remote-send-1k >= 1.5x, " +
      "remote-call-p50 <= 1.5x the bare-ws round trip (ratio >= 0.67x), remote-call-100 >= 2x, " +
      "channel-isolation busy p50 <= 1.5x quiet (ratio >= 0.67x).",
  );
  console.log(
    missed.length === 0 ? "All targets in this table met." : `Targets missed: ${missed.join(", ")}.`,
  );
}
if (failures.length > 0) {
  console.log(`Measures that failed:\n  ${failures.join("\n  ")}`);
  process.exitCode = 1;
}
