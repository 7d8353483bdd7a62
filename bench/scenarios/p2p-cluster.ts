import { ferretHandlerFrom, findBinary, processTree, startFerretDb, startNatsServer } from "../../test/support/processes.ts";
import { clusterProbe, type ProcessGroup } from "../lib/cluster-probe.ts";
import { createAccounts, startNodeUnderTest, type NodeUnderTest } from "../lib/node-under-test.ts";
import { Generator, splitPairs } from "../lib/generators.ts";
import type { BenchResult } from "../lib/report.ts";
import {
  climb,
  generatorCount,
  highestHeld,
  type LadderStep,
  p2pLadder,
  p2pResult,
  runBaselineLadder,
  runNimbusLadder,
  stepRow,
} from "./p2p.ts";

/**
 * `p2p-cluster`: `p2p` with the two sides of every pair on different nodes — two node processes on
 * a real nats-server and one FerretDB, all on loopback — beside the bare relay.
 * BENCH_FERRETDB_HANDLER=postgresql runs FerretDB over a PostgreSQL cluster of its own (default:
 * its SQLite handler). Each step also reports every process's CPU and, per delivered message, the
 * store round trips and bus messages (bench/lib/cluster-probe.ts). The single node (`p2p`: one node
 * on SQLite, the same pairs and ladder) runs in the same run too, for issue 23's target: the
 * cluster's highest held rate ÷ the single node's (BENCH_SINGLE=0 leaves it out).
 */
export async function runP2pCluster(quick: boolean): Promise<BenchResult> {
  const natsBin = findBinary("nats-server");
  const ferretBin = findBinary("ferretdb");
  if (!natsBin || !ferretBin) throw new Error("p2p-cluster needs nats-server and ferretdb (on PATH or in Go's bin)");
  const pairs = Number(process.env.BENCH_PAIRS) || (quick ? 50 : 200);
  const ladder = p2pLadder(quick);
  const baselineSteps = await runBaselineLadder(pairs, ladder);
  const singleSteps = process.env.BENCH_SINGLE === "0" ? [] : (await runNimbusLadder(pairs, ladder)).steps;

  const handler = ferretHandlerFrom(process.env.BENCH_FERRETDB_HANDLER);
  const nats = await startNatsServer(natsBin, { monitor: true });
  const ferret = await startFerretDb(ferretBin, handler);
  const nodes: NodeUnderTest[] = [];
  const gens = Array.from({ length: generatorCount }, (_, i) => new Generator(i));
  let steps: LadderStep[];
  try {
    const env = { NIMBUS_NATS_URL: nats.url, NIMBUS_MONGO_URL: ferret.url };
    nodes.push(await startNodeUnderTest({ nodeId: "bench-a", env }), await startNodeUnderTest({ nodeId: "bench-b", env }));
    const deadline = Date.now() + 15_000;
    for (;;) {
      const h = (await (await fetch(`${nodes[0]!.url}/healthz`)).json()) as { members?: string[] };
      if ((h.members?.length ?? 0) >= 2) break;
      if (Date.now() > deadline) throw new Error(`cluster did not form: ${JSON.stringify(h)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const accounts = await createAccounts(
      nodes[0]!,
      Array.from({ length: 2 * pairs }, (_, i) => `cl${i}`),
    );
    const shares = splitPairs(accounts, gens.length);
    const urls = nodes.map((n) => n.url);
    const ready = await Promise.all(
      gens.map((g, i) =>
        g.setup({ mode: "nimbus", urls, appKey: nodes[0]!.appKey, accounts: shares[i]!, concurrency: 32, waitForSync: true }),
      ),
    );
    const failed = ready.reduce((a, r) => a + r.errors, 0);
    if (failed > 0) throw new Error(`${failed} logins failed: ${ready.find((r) => r.firstError)?.firstError}`);
    const [ferretPid, ...backendPids] = ferret.pids?.() ?? [];
    const groups: ProcessGroup[] = [
      { name: "node a", pids: () => [nodes[0]!.pid] },
      { name: "node b", pids: () => [nodes[1]!.pid] },
      { name: "nats", pids: () => nats.pids?.() ?? [] },
      { name: "ferretdb", pids: () => (ferretPid ? [ferretPid] : []) },
      ...(handler === "postgresql" ? [{ name: "postgres", pids: () => (backendPids[0] ? processTree(backendPids[0]) : []) }] : []),
      { name: "generators", pids: () => gens.flatMap((g) => processTree(g.pid)) },
    ];
    const probe = clusterProbe({
      groups,
      metricsUrls: { a: `${nodes[0]!.url}/metrics`, b: `${nodes[1]!.url}/metrics` },
      ...(nats.monitorUrl ? { natsMonitorUrl: nats.monitorUrl } : {}),
    });
    steps = await climb(`nimbus-cluster-${handler}`, gens, ladder, nodes, probe);
  } finally {
    await Promise.all(gens.map((g) => g.close()));
    await Promise.all(nodes.map((n) => n.stop()));
    await nats.stop();
    await ferret.stop();
  }
  const result = p2pResult(
    handler === "postgresql" ? "p2p-cluster-postgresql" : "p2p-cluster",
    quick,
    pairs,
    ladder,
    steps,
    baselineSteps,
    `two nodes (sender on one, recipient on the other) on one nats-server and one FerretDB (${handler} handler); ` +
      "breakdown columns: cores per process (the PostgreSQL column sums the postmaster and its backends) and, per delivered message, " +
      "store commands (round trips) and bus messages sent by both nodes, and messages nats-server received from all clients",
  );
  if (singleSteps.length === 0) return result;
  const cluster = highestHeld(steps);
  const single = highestHeld(singleSteps);
  const ratio = cluster && single ? Math.round((cluster.rate / single.rate) * 1000) / 1000 : null;
  return {
    ...result,
    note:
      `${result.note} The single node (one node on SQLite, the same pairs and ladder) ran in the same run: ` +
      `highest held ${single ? `${single.rate}/s (p99 ${single.deliver.p99Ms} ms)` : "none"}; two nodes ÷ one node ${ratio ?? "n/a"}` +
      `${single?.rate === ladder.rates.at(-1) ? " (the single node held the whole ladder: a bound)" : ""}.`,
    rows: [...singleSteps.map((s) => stepRow("nimbus p2p, one node", s)), ...result.rows],
    summary: {
      ...result.summary,
      singleNodeMessagesPerSecond: single?.rate ?? 0,
      singleNodeP99Ms: single?.deliver.p99Ms ?? null,
      clusterToSingleRatio: ratio,
    },
  };
}
