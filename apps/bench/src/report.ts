// Ratio table for Maquis vs a baseline (Erlang reference or bare-Node ceiling).
import { writeFileSync } from "node:fs";

export interface ReportRow {
  measure: string;
  unit: string;
  value: number;
  baseline: string;
  baselineValue: number;
  /** true for rates (msg/s), false for costs (bytes, µs). */
  higherIsBetter: boolean;
  /** A goal to show beside the row (table only; not written to the JSON lines). */
  target?: Target;
}

/**
 * A goal: the ratio at least `ratio`, or the Maquis value at most `max` (in the row's unit). For a cost
 * judged against a reference ("at most 1.5x the baseline"), `ratio` is the inverse (1 / 1.5).
 */
export type Target = { readonly ratio: number } | { readonly max: number };

export interface ReportLine {
  measure: string;
  unit: string;
  value: number;
  baseline: string;
  baselineValue: number;
  ratio: number;
  target?: Target;
}

export function median(numbers: readonly number[]): number {
  if (numbers.length === 0) return Number.NaN;
  const s = [...numbers].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** > 1 means Maquis is better, whichever way the unit points. */
export function ratio(row: ReportRow): number {
  return row.higherIsBetter ? row.value / row.baselineValue : row.baselineValue / row.value;
}

/** `--json FILE` from a command line, if present. */
export function jsonPathFromArgs(argv: readonly string[]): string | undefined {
  const i = argv.indexOf("--json");
  return i >= 0 ? argv[i + 1] : undefined;
}

function fmt(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/** Whether `line` meets its target (true when it has none). */
export function meetsTarget(line: ReportLine): boolean {
  const t = line.target;
  if (t === undefined) return true;
  return "ratio" in t ? line.ratio >= t.ratio : line.value <= t.max;
}

function formatTarget(line: ReportLine): string {
  const t = line.target;
  if (t === undefined) return "";
  const goal = "ratio" in t ? `ratio >= ${Number(t.ratio.toFixed(2))}x` : `<= ${fmt(t.max)} ${line.unit}`;
  return `${goal} ${meetsTarget(line) ? "met" : "MISSED"}`;
}

export function formatTable(lines: readonly ReportLine[]): string {
  const header = ["measure", "unit", "maquis", "baseline", "baseline value", "ratio", "target"];
  const cells = lines.map((l) => [
    l.measure,
    l.unit,
    fmt(l.value),
    l.baseline,
    fmt(l.baselineValue),
    `${l.ratio.toFixed(2)}x`,
    formatTarget(l),
  ]);
  if (!lines.some((l) => l.target !== undefined)) {
    header.pop();
    for (const r of cells) r.pop();
  }
  const widths = header.map((h, c) => Math.max(h.length, ...cells.map((r) => (r[c] as string).length)));
  // Text columns left-aligned, numbers right-aligned.
  const numeric = [false, false, true, false, true, true, false];
  const row = (r: readonly string[]) =>
    r
      .map((v, c) => (numeric[c] ? v.padStart(widths[c] as number) : v.padEnd(widths[c] as number)))
      .join("  ")
      .trimEnd();
  const rule = widths.map((w) => "-".repeat(w)).join("  ");
  return [row(header), rule, ...cells.map(row)].join("\n");
}

/** Prints the table; with `jsonPath`, also writes one JSON line per measure there. */
export function report(rows: readonly ReportRow[], jsonPath?: string): ReportLine[] {
  const lines = rows.map(
    (r): ReportLine => ({
      measure: r.measure,
      unit: r.unit,
      value: r.value,
      baseline: r.baseline,
      baselineValue: r.baselineValue,
      ratio: ratio(r),
      ...(r.target === undefined ? {} : { target: r.target }),
    }),
  );
  console.log(formatTable(lines));
  if (jsonPath !== undefined) {
    const json = (l: ReportLine) => {
      const { measure, unit, value, baseline, baselineValue, ratio } = l;
      return `${JSON.stringify({ measure, unit, value, baseline, baselineValue, ratio })}\n`;
    };
    writeFileSync(jsonPath, lines.map(json).join(""));
  }
  return lines;
}
