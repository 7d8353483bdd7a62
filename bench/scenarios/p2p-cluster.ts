import { findBinary, startFerretDb, startNatsServer } from "../../test/support/processes.ts";
import { createAccounts, startNodeUnderTest, type NodeUnderTest } from "../lib/node-under-test.ts";
import { Generator, splitPairs } from "../lib/generators.ts";
import type { BenchResult } from "../lib/report.ts";
import { climb, generatorCount, type LadderStep, p2pLadder, p2pResult, runBaselineLadder } from "./p2p.ts";

/**
 * `p2p-cluster`: `p2p` with the two sides of every pair on different nodes — two node processes on
 * a real nats-server and one FerretDB (SQLite handler), all on loopback — beside the bare relay.
 */
export async function runP2pCluster(quick: boolean): Promise<BenchResult> {
  const natsBin = findBinary("nats-server");
  const ferretBin = findBinary("ferretdb");
  if (!natsBin || !ferretBin) throw new Error("p2p-cluster needs nats-server and ferretdb (on PATH or in Go's bin)");
  const pairs = Number(process.env.BENCH_PAIRS) || (quick ? 50 : 200);
  const ladder = p2pLadder(quick);
  const baselineSteps = await runBaselineLadder(pairs, ladder);

  const nats = await startNatsServer(natsBin);
  const ferret = await startFerretDb(ferretBin);
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
    steps = await climb("nimbus-cluster", gens, ladder, nodes);
  } finally {
    await Promise.all(gens.map((g) => g.close()));
    await Promise.all(nodes.map((n) => n.stop()));
    await nats.stop();
    await ferret.stop();
  }
  return p2pResult(
    "p2p-cluster",
    quick,
    pairs,
    ladder,
    steps,
    baselineSteps,
    "two nodes (sender on one, recipient on the other) on one nats-server and one FerretDB",
  );
}
