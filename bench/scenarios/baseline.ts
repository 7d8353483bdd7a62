import type { BenchResult } from "../lib/report.ts";
import { generatorCount, heldSummary, highestHeld, p2pLadder, runBaselineLadder, stepRow } from "./p2p.ts";
import { measureRelayConnects } from "./connect.ts";

/**
 * `baseline`: the bare `ws` relay alone, as every other scenario runs it beside Nimbus — the same
 * generators, the p2p ladder (taken further up, to find where the relay itself stops holding) and
 * the connect count. What the harness and this machine can do with no IM server in the way: the
 * ceiling every Nimbus figure is a ratio to.
 */
export async function runBaseline(quick: boolean): Promise<BenchResult> {
  const pairs = Number(process.env.BENCH_PAIRS) || (quick ? 50 : 200);
  const devices = Number(process.env.BENCH_DEVICES ?? (quick ? 1000 : 10_000));
  const ladder = p2pLadder(quick);
  if (!process.env.BENCH_RATES) ladder.rates.push(...(quick ? [16_000, 32_000] : [48_000, 64_000, 96_000]));

  const connects = await measureRelayConnects(devices, 64);
  const steps = await runBaselineLadder(pairs, ladder);
  const best = highestHeld(steps);
  const ladderTop = ladder.rates.at(-1)!;
  return {
    scenario: "baseline",
    note:
      `${quick ? "Quick run. " : ""}A bare \`ws\` relay (JSON frames, no auth, no storage) driven by ${generatorCount} load-generator process(es): ` +
      `${devices} plain WebSocket connects (64 in flight per generator; RSS growth per connection, no GC probe), then ${pairs} pairs ` +
      `on the p2p ladder (${ladder.rates.join(", ")}), ${ladder.durationMs / 1000} s per step, open loop, the same rule for a step that holds` +
      `${best?.rate === ladderTop ? "; it held the whole ladder, so its ceiling is a bound (the generators', perhaps), not a measurement" : ""}.`,
    rows: [
      {
        label: "relay connects",
        devices,
        connected: connects.connected,
        "connects/s": connects.connectsPerSecond,
        "RSS KB/connection": connects.rssKB.toFixed(1),
        "RSS after MB": (connects.rssAfter / 1048576).toFixed(0),
      },
      ...steps.map((s) => stepRow("baseline ws relay", s)),
      {
        label: "summary",
        "msgs/s offered": best?.rate ?? 0,
        "deliver p99 ms": best?.deliver.p99Ms ?? "",
        held: best ? "highest held" : "none held",
      },
    ],
    summary: {
      ...heldSummary(best),
      heldWholeLadder: best?.rate === ladderTop ? "yes" : "no",
      loginsPerSecond: connects.connectsPerSecond,
      rssPerConnectionKB: Math.round(connects.rssKB * 10) / 10,
    },
  };
}
