import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { BenchClient, SetupCommand, StepCommand, ToParent } from "../load-generator.ts";
import { mergeSteps, type MergedStep, type StepResult } from "./open-loop.ts";

/** BENCH_CLIENT: how generators drive nimbus devices (bench/lib/lean-client.ts by default, or the SDK). */
export const benchClient: BenchClient = parseBenchClient(process.env.BENCH_CLIENT);

function parseBenchClient(v: string | undefined): BenchClient {
  if (v === undefined || v === "" || v === "lean") return "lean";
  if (v === "sdk") return "sdk";
  throw new Error(`BENCH_CLIENT=${v}: expected "lean" or "sdk"`);
}

/** How the report names the devices: "lean clients (the SDK's frames)" or "SDK clients". */
export function clientsDescription(n: number): string {
  return benchClient === "sdk" ? `${n} SDK clients` : `${n} lean clients sending the SDK's frames`;
}

/** One load-generator process (bench/load-generator.ts), driven over IPC. */
export class Generator {
  private readonly child: ChildProcess;
  private readonly waiters: ((m: ToParent) => void)[] = [];
  private readonly exited: Promise<void>;

  constructor(readonly index: number) {
    // Through bash so the open-files limit can be raised to the hard limit for thousands of sockets;
    // `exec` keeps the IPC channel's fd.
    const entry = join(import.meta.dirname, "..", "load-generator.ts");
    // BENCH_GENERATOR_CPU_PROF=<dir>: a CPU profile of each generator, written when it exits.
    const prof = process.env.BENCH_GENERATOR_CPU_PROF ? `--cpu-prof --cpu-prof-dir="${process.env.BENCH_GENERATOR_CPU_PROF}"` : "";
    this.child = spawn(
      "bash",
      ["-c", `ulimit -n $(ulimit -Hn); exec "${process.execPath}" ${prof} --conditions=source --import tsx "${entry}"`],
      {
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      },
    );
    this.child.on("message", (m: ToParent) => {
      if (m.t === "fatal") {
        console.error(`generator ${index}: ${m.error}`);
        process.exitCode = 1;
      }
      this.waiters.shift()?.(m);
    });
    this.exited = new Promise((resolve) => this.child.once("exit", () => resolve()));
  }

  get pid(): number {
    return this.child.pid!;
  }

  private ask<T extends ToParent["t"]>(msg: object, expect: T): Promise<Extract<ToParent, { t: T }>> {
    return new Promise((resolve, reject) => {
      this.waiters.push((m) =>
        m.t === expect ? resolve(m as Extract<ToParent, { t: T }>) : reject(new Error(`generator ${this.index}: ${JSON.stringify(m)}`)),
      );
      this.child.send(msg);
    });
  }

  setup(c: Omit<SetupCommand, "client">): Promise<Extract<ToParent, { t: "ready" }>> {
    return this.ask({ t: "setup", client: benchClient, ...c }, "ready");
  }

  async step(s: StepCommand): Promise<StepResult> {
    return (await this.ask({ t: "step", ...s }, "stepDone")).result;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    this.child.send({ t: "close" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Runs one step on every generator at once, each with its share of the rate; merges the results. */
export async function stepAll(gens: Generator[], s: StepCommand): Promise<MergedStep> {
  const parts = await Promise.all(gens.map((g) => g.step({ ...s, rate: s.rate / gens.length })));
  return mergeSteps(s.rate, s.durationMs, parts);
}

/** Splits a list of accounts (in pairs) across generators, pairs kept together. */
export function splitPairs<T>(accounts: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  for (let p = 0; p < accounts.length / 2; p++) out[p % parts]!.push(accounts[2 * p]!, accounts[2 * p + 1]!);
  return out;
}
