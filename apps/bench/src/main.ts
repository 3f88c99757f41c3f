/**
 * `pnpm bench [--json FILE] [--only m1,m2] [--rounds N]`: every measure side by side in one run with the
 * Erlang/OTP reference (`erl +S 1:1`, skipped with a printed reason when erl is absent) and a bare-Node
 * ceiling, reported as ratios (> 1 means Maquis is better).
 */
import { ceilingLocalSend, ceilingPingPong } from "./ceiling.js";
import { runErlang } from "./erlang.js";
import { churn, localSend, localSendAsync, pingPong, spawnAndMemory } from "./maquis.js";
import { jsonPathFromArgs, median, type ReportRow, report } from "./report.js";

interface Measure {
  readonly name: string;
  readonly unit: string;
  readonly higherIsBetter: boolean;
  /** The Erlang measure it is compared with. */
  readonly erlang: string;
  readonly run: () => Promise<number>;
  readonly ceiling?: () => Promise<number>;
}

// spawn and memory come from one run of 1M processes; cache that run per round.
let spawnRound: Promise<{ rate: number; bytes: number }> | undefined;
const spawnOnce = () => (spawnRound ??= spawnAndMemory());

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
];

const argv = process.argv.slice(2);
const option = (flag: string) => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = option("--only")?.split(",");
const rounds = Number(option("--rounds") ?? 3);
const selected = measures.filter((m) => only === undefined || only.includes(m.name));

const rounded = async (run: () => Promise<number>, isSpawn: boolean): Promise<number> => {
  const values: number[] = [];
  await run(); // warm-up
  for (let r = 0; r < rounds; r++) {
    if (isSpawn) spawnRound = undefined;
    values.push(await run());
  }
  return median(values);
};

console.log(
  `Maquis benchmarks on Node ${process.version}, ${rounds} rounds each (median); ratio > 1: Maquis better.`,
);
const erlangNames = [...new Set(selected.map((m) => m.erlang))];
console.log(`Erlang reference: ${erlangNames.join(", ")} ...`);
const erlang = await runErlang(erlangNames);
if ("skipped" in erlang) console.log(`Erlang reference skipped: ${erlang.skipped}`);

const rows: ReportRow[] = [];
for (const m of selected) {
  process.stdout.write(`  ${m.name} ...\n`);
  const value = await rounded(m.run, m.name === "spawn" || m.name === "memory-idle-process");
  const row = (baseline: string, baselineValue: number) =>
    rows.push({
      measure: m.name,
      unit: m.unit,
      value,
      baseline,
      baselineValue,
      higherIsBetter: m.higherIsBetter,
    });
  const base = "skipped" in erlang ? undefined : erlang.get(m.erlang);
  if (base !== undefined) row("erlang", base.value);
  if (m.ceiling !== undefined) row("node-ceiling", await rounded(m.ceiling, false));
  if (base === undefined && m.ceiling === undefined) row("none", value);
}
console.log("");
report(rows, jsonPathFromArgs(argv));
