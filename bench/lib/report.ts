import { appendFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { join } from "node:path";

export interface BenchRow {
  label: string;
  [metric: string]: string | number;
}

export interface BenchResult {
  scenario: string;
  note: string;
  rows: BenchRow[];
  /** Headline figures, written at the top level of the JSON (messagesPerSecond, p99Ms, lost, baselineRatio, …). */
  summary?: Record<string, string | number | null>;
}

function commit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

/**
 * Writes bench/results/<scenario>.json and appends a dated table to BENCHMARKS.md — except for a
 * `--quick` run, a smoke run BENCHMARKS.md never keeps: its table is printed only.
 */
export function report(result: BenchResult, quick = false): void {
  const machine = `${cpus()[0]?.model.trim() ?? "cpu"} × ${cpus().length}, Node ${process.version}`;
  const when = new Date().toISOString();
  const dir = join(import.meta.dirname, "..", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, `${result.scenario}.json`),
    JSON.stringify(
      { node: process.version, cores: cpus().length, ...result.summary, ...result, date: when, machine, commit: commit() },
      null,
      2,
    ) + "\n",
  );

  const columns = [...new Set(result.rows.flatMap((r) => Object.keys(r)))];
  const lines = [
    "",
    `### ${result.scenario} — ${when.slice(0, 10)}, commit ${commit()}`,
    "",
    `${machine}. ${result.note}`,
    "",
    `| ${columns.join(" | ")} |`,
    `|${columns.map(() => "---").join("|")}|`,
    ...result.rows.map((r) => `| ${columns.map((c) => String(r[c] ?? "")).join(" | ")} |`),
    "",
  ];
  console.log(lines.join("\n"));
  if (quick) return;
  const file = join(import.meta.dirname, "..", "..", "BENCHMARKS.md");
  if (!existsSync(file)) writeFileSync(file, "# Benchmarks\n\nWritten by `npm run bench -- <scenario>`; newest runs at the bottom.\n");
  appendFileSync(file, lines.join("\n"));
}
