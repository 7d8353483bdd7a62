import { spawn } from "node:child_process";
import { join } from "node:path";
import {
  createAccounts,
  readCpuMs,
  startNodeUnderTest,
  type Account,
  type NodeUnderTest,
  type NodeUnderTestOptions,
} from "../lib/node-under-test.ts";
import { clientsDescription, Generator, splitPairs, stepAll } from "../lib/generators.ts";
import type { MergedStep } from "../lib/open-loop.ts";
import type { BenchResult, BenchRow } from "../lib/report.ts";
import type { ProbeFigures, StepProbe } from "../lib/cluster-probe.ts";

/** Load-generator processes; more than one only helps when a generator is the bottleneck (see its cpu column). */
export const generatorCount = Math.max(1, Number(process.env.BENCH_GENERATORS ?? 1));

export interface Ladder {
  rates: number[];
  durationMs: number;
  drainMs: number;
}

/** BENCH_RATES=<r1,r2,…> replaces the ladder's rates (msgs/s), to look closely at one region. */
export function p2pLadder(quick: boolean): Ladder {
  const ladder = quick
    ? { rates: [500, 1000, 2000, 4000, 8000], durationMs: 2000, drainMs: 3000 }
    : { rates: [500, 1000, 2000, 4000, 5000, 6000, 7000, 8000, 10_000, 12_000, 16_000, 24_000, 32_000], durationMs: 10_000, drainMs: 5000 };
  const rates = process.env.BENCH_RATES?.split(",").map(Number);
  if (rates?.length && rates.every((r) => Number.isFinite(r) && r > 0)) ladder.rates = rates;
  return ladder;
}

/** A step holds when p99 send→deliver is at most 100 ms and nothing was lost, refused, duplicated or reordered. */
export function held(s: MergedStep): boolean {
  return (
    s.deliver.p99Ms <= 100 && s.lost === 0 && s.errors === 0 && s.duplicated === 0 && s.outOfOrder === 0 && s.delivered === s.scheduled
  );
}

/** Steps up the ladder until a step does not hold; returns every step run. */
export interface LadderStep extends MergedStep {
  /** CPU the server process(es) used during the step (send phase and drain), in cores. */
  serverCpu: number;
  /** Of that, their main threads' (the event loops; the rest is the SQLite writer thread, GC and libuv threads). */
  serverMainCpu: number;
  /** The probe's figures (per-process CPU, round trips per message), when the scenario has one. */
  probe?: ProbeFigures;
}

/** A process under load: its CPU is reported per step, and a node is CPU-profiled per step under BENCH_CPU_PROF. */
export interface LoadedServer {
  pid: number;
  profileStart?(): Promise<void>;
  profileStop?(name: string): Promise<void>;
}

/** Steps up the ladder until a step does not hold; returns every step run. */
export async function climb(
  label: string,
  gens: Generator[],
  ladder: Ladder,
  servers: LoadedServer[],
  probe?: StepProbe,
): Promise<LadderStep[]> {
  const serverPids = servers.map((s) => s.pid);
  // Warm-up, not recorded: JIT, connection pools, first-message paths.
  // Every stream sends at least once, and it waits (up to 30 s) until all of it arrived, so
  // activations (actors, conversations, store) are not charged to the first step.
  const warm = await stepAll(gens, { step: 0, rate: ladder.rates[0]! / 2, durationMs: Math.min(2000, ladder.durationMs), drainMs: 30_000 });
  console.error(`${label} warm-up: delivered ${warm.delivered}/${warm.scheduled}, deliver p99 ${warm.deliver.p99Ms} ms`);
  const steps: LadderStep[] = [];
  const cpu = (mainThreadOnly: boolean) => serverPids.reduce((a, pid) => a + readCpuMs(pid, mainThreadOnly), 0);
  const cores = (ms: number, elapsedMs: number) => Math.round((ms / elapsedMs) * 100) / 100;
  for (const [k, rate] of ladder.rates.entries()) {
    const c0 = cpu(false);
    const m0 = cpu(true);
    const t0 = performance.now();
    await probe?.begin();
    await Promise.all(servers.map((srv) => srv.profileStart?.()));
    const merged = await stepAll(gens, { step: k + 1, rate, durationMs: ladder.durationMs, drainMs: ladder.drainMs });
    await Promise.all(servers.map((srv, i) => srv.profileStop?.(`${label}-${rate}-node${i}.cpuprofile`)));
    const elapsed = performance.now() - t0;
    const s: LadderStep = { ...merged, serverCpu: cores(cpu(false) - c0, elapsed), serverMainCpu: cores(cpu(true) - m0, elapsed) };
    if (probe) s.probe = await probe.end(elapsed, merged.delivered);
    steps.push(s);
    console.error(
      `${label} ${rate}/s: deliver p50 ${s.deliver.p50Ms} p99 ${s.deliver.p99Ms} max ${s.deliver.maxMs} ms; ack p99 ${s.ack.p99Ms} ms; ` +
        `delivered ${s.delivered}/${s.scheduled}, lost ${s.lost}, errors ${s.errors} ${JSON.stringify(s.errorCodes)}, dup ${s.duplicated}, ooo ${s.outOfOrder} (seq ${s.seqOutOfOrder}); generator cpu ${s.cpu}, server cpu ${s.serverCpu} (main thread ${s.serverMainCpu})`,
    );
    if (s.probe) console.error(`${label} ${rate}/s breakdown: ${JSON.stringify(s.probe)}`);
    if (!held(s)) break;
  }
  return steps;
}

export function stepRow(label: string, s: LadderStep): BenchRow {
  return {
    label,
    "msgs/s offered": s.rate,
    "delivered/s": s.deliveredPerSecond,
    "ack p50 ms": s.ack.p50Ms,
    "ack p99 ms": s.ack.p99Ms,
    "deliver p50 ms": s.deliver.p50Ms,
    "deliver p95 ms": s.deliver.p95Ms,
    "deliver p99 ms": s.deliver.p99Ms,
    "deliver max ms": s.deliver.maxMs,
    lost: s.lost,
    errors: s.errors
      ? `${s.errors} ${Object.entries(s.errorCodes)
          .map(([c, v]) => `${c}:${v}`)
          .join(" ")}`
      : 0,
    dup: s.duplicated,
    "out of order": s.outOfOrder,
    "seq out of order": s.seqOutOfOrder,
    "generator cpu": s.cpu,
    "server cpu": s.serverCpu,
    "server main thread cpu": s.serverMainCpu,
    held: held(s) ? "yes" : "no",
    ...s.probe,
  };
}

export function highestHeld(steps: MergedStep[]): MergedStep | undefined {
  return steps.filter(held).at(-1);
}

/** The results JSON's headline figures of the highest step held: its rate, latencies, and what went wrong (nothing, by definition of held). */
export function heldSummary(best: MergedStep | undefined): Record<string, number | null> {
  return {
    messagesPerSecond: best?.rate ?? 0,
    p50Ms: best?.deliver.p50Ms ?? null,
    p95Ms: best?.deliver.p95Ms ?? null,
    p99Ms: best?.deliver.p99Ms ?? null,
    maxMs: best?.deliver.maxMs ?? null,
    ackP50Ms: best?.ack.p50Ms ?? null,
    ackP95Ms: best?.ack.p95Ms ?? null,
    ackP99Ms: best?.ack.p99Ms ?? null,
    ackMaxMs: best?.ack.maxMs ?? null,
    lost: best?.lost ?? null,
    duplicated: best?.duplicated ?? null,
    outOfOrder: best?.outOfOrder ?? null,
  };
}

/** Starts bench/baseline-relay.ts; resolves with its ws:// URL and a stop function. */
export async function startRelay(): Promise<{ url: string; pid: number; stop(): void }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "..", "baseline-relay.ts"), "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      const m = /listening (\d+)/.exec(d.toString());
      if (m) resolve(Number(m[1]));
    });
    child.once("exit", (code) => reject(new Error(`baseline relay exited with ${code}`)));
  });
  return { url: `ws://127.0.0.1:${port}`, pid: child.pid!, stop: () => child.kill("SIGTERM") };
}

/** The baseline: the same generators and ladder against a bare `ws` relay. */
export async function runBaselineLadder(pairs: number, ladder: Ladder): Promise<LadderStep[]> {
  const relay = await startRelay();
  const ids: Account[] = Array.from({ length: 2 * pairs }, (_, i) => ({ accid: String(i), token: "" }));
  const gens = Array.from({ length: generatorCount }, (_, i) => new Generator(i));
  try {
    const shares = splitPairs(ids, gens.length);
    await Promise.all(
      gens.map((g, i) => g.setup({ mode: "baseline", urls: [relay.url], appKey: "", accounts: shares[i]!, concurrency: 64 })),
    );
    return await climb("baseline", gens, ladder, [relay]);
  } finally {
    await Promise.all(gens.map((g) => g.close()));
    relay.stop();
  }
}

/**
 * `p2p`: P pairs of online users (devices in separate generator processes; lean clients or the SDK,
 * see BENCH_CLIENT) exchange text
 * messages at a fixed aggregate rate, both directions, stepped up until p99 send→deliver passes
 * 100 ms or anything is lost; beside a bare `ws` relay driven by the same harness.
 */
export async function runP2p(quick: boolean): Promise<BenchResult> {
  const pairs = Number(process.env.BENCH_PAIRS) || (quick ? 50 : 200);
  const ladder = p2pLadder(quick);

  const baselineSteps = await runBaselineLadder(pairs, ladder);
  const { steps } = await runNimbusLadder(pairs, ladder);
  return p2pResult("p2p", quick, pairs, ladder, steps, baselineSteps, "one node, SQLite");
}

/**
 * The p2p ladder against a fresh node (its own process, SQLite); `afterLadder` runs while the
 * node is still up (e.g. to wait for its data sync to drain).
 */
export async function runNimbusLadder(
  pairs: number,
  ladder: Ladder,
  options: NodeUnderTestOptions = {},
  afterLadder?: (node: NodeUnderTest) => Promise<void>,
  probeOf?: (node: NodeUnderTest) => StepProbe,
): Promise<{ steps: LadderStep[] }> {
  const node = await startNodeUnderTest(options);
  const gens = Array.from({ length: generatorCount }, (_, i) => new Generator(i));
  let steps: LadderStep[];
  try {
    const accounts = await createAccounts(
      node,
      Array.from({ length: 2 * pairs }, (_, i) => `p2p${i}`),
    );
    const shares = splitPairs(accounts, gens.length);
    const ready = await Promise.all(
      gens.map((g, i) =>
        g.setup({ mode: "nimbus", urls: [node.url], appKey: node.appKey, accounts: shares[i]!, concurrency: 32, waitForSync: true }),
      ),
    );
    const failed = ready.reduce((a, r) => a + r.errors, 0);
    if (failed > 0) throw new Error(`${failed} logins failed: ${ready.find((r) => r.firstError)?.firstError}`);
    steps = await climb(options.dataSync ? "nimbus (data sync on)" : "nimbus", gens, ladder, [node], probeOf?.(node));
    if (afterLadder) await afterLadder(node);
  } finally {
    await Promise.all(gens.map((g) => g.close()));
    await node.stop();
  }
  return { steps };
}

export function p2pResult(
  scenario: string,
  quick: boolean,
  pairs: number,
  ladder: Ladder,
  steps: LadderStep[],
  baselineSteps: LadderStep[],
  setup: string,
): BenchResult {
  const best = highestHeld(steps);
  const baseBest = highestHeld(baselineSteps);
  const baseAtBest = best && baselineSteps.find((s) => s.rate === best.rate);
  const ladderTop = ladder.rates.at(-1)!;
  return {
    scenario,
    note:
      `${quick ? "Quick run. " : ""}${pairs} pairs (${clientsDescription(2 * pairs)}) in ${generatorCount} load-generator process(es), ${setup}; ` +
      `open loop, aggregate rate split evenly over both directions of every pair, ${ladder.durationMs / 1000} s per step after a warm-up, ` +
      `latency from each message's intended send time; cpu columns are cores used (generator: while sending; server: the whole step, all threads, and its main thread alone). A step holds when p99 send→deliver ≤ 100 ms and nothing is lost, refused, duplicated or reordered; ` +
      `the ladder (${ladder.rates.join(", ")}) stops at the first step that does not. The baseline is a bare \`ws\` relay (JSON frames, no auth or storage) ` +
      `driven by the same generators in the same run${baseBest?.rate === ladderTop ? `; it held the whole ladder, so its ceiling (and the ratio) is a bound, not a measurement` : ""}. ` +
      `× baseline: highest rate held ÷ the baseline's; the p99 ratio is at the same offered rate.`,
    rows: [
      ...baselineSteps.map((s) => stepRow("baseline ws relay", s)),
      ...steps.map((s) => stepRow(`nimbus ${scenario}`, s)),
      {
        label: "summary",
        "msgs/s offered": best?.rate ?? 0,
        "deliver p99 ms": best?.deliver.p99Ms ?? "",
        held: best ? "highest held" : "none held",
        "× baseline": best
          ? `rate ${baseBest ? (best.rate / baseBest.rate).toFixed(2) : "n/a"}; p99 ${baseAtBest ? (best.deliver.p99Ms / Math.max(0.001, baseAtBest.deliver.p99Ms)).toFixed(1) : "n/a"}`
          : "",
      },
    ],
    summary: {
      ...heldSummary(best),
      // Then over every step, the failing one included.
      lostAllSteps: steps.reduce((a, s) => a + s.lost, 0),
      duplicatedAllSteps: steps.reduce((a, s) => a + s.duplicated, 0),
      outOfOrderAllSteps: steps.reduce((a, s) => a + s.outOfOrder, 0),
      seqOutOfOrderAllSteps: steps.reduce((a, s) => a + s.seqOutOfOrder, 0),
      baselineMessagesPerSecond: baseBest?.rate ?? 0,
      baselineRatio: best && baseBest ? Math.round((best.rate / baseBest.rate) * 1000) / 1000 : null,
      baselineP99RatioAtSameRate:
        best && baseAtBest ? Math.round((best.deliver.p99Ms / Math.max(0.001, baseAtBest.deliver.p99Ms)) * 10) / 10 : null,
    },
  };
}
