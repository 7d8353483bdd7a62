import type { StepProbe } from "../lib/cluster-probe.ts";
import type { BenchResult } from "../lib/report.ts";
import { highestHeld, p2pLadder, runNimbusLadder, stepRow, type LadderStep } from "./p2p.ts";

/** Waits until the listener's count stops growing for `quietMs` (at most `maxMs`); answers the count and the time it took. */
async function drained(received: () => number, quietMs: number, maxMs: number): Promise<{ count: number; ms: number }> {
  const t0 = performance.now();
  let last = received();
  let since = performance.now();
  while (performance.now() - t0 < maxMs) {
    await new Promise((r) => setTimeout(r, 250));
    const now = received();
    if (now !== last) {
      last = now;
      since = performance.now();
    } else if (performance.now() - since >= quietMs) break;
  }
  return { count: last, ms: Math.round(since - t0) };
}

/**
 * Per step, what the app server got: events per second, and the backlog (events of messages sent
 * so far, the warm-up's and the logins' included, that it has not got yet) at the step's end.
 * Senders never wait for data sync, so a ladder can hold while its sync falls behind: this says so.
 */
function syncProbe(received: () => number, before: number): StepProbe {
  let at = 0;
  let expected = before;
  return {
    async begin() {
      at = received();
    },
    async end(elapsedMs, messages) {
      const now = received();
      expected += messages;
      return { "sync events/s": Math.round(((now - at) / elapsedMs) * 1000), "sync backlog at step end": Math.max(0, expected - now) };
    },
  };
}

/**
 * `p2p-datasync` (issue 20's bench): the p2p ladder twice in one run, each on a fresh node — data
 * sync off, then on to a local listener (bench/lib/datasync-sink.ts, answering 200 at once) —
 * and the highest held rate and its p99 of both, with the ratio (target ≥ 0.8). After the second
 * ladder it waits for the listener to stop receiving, and reports how many events it got (every
 * message, warm-up included, and each device's login) and how long the queue took to drain.
 */
export async function runP2pDataSync(quick: boolean): Promise<BenchResult> {
  const pairs = Number(process.env.BENCH_PAIRS) || (quick ? 50 : 200);
  const ladder = p2pLadder(quick);
  const off = await runNimbusLadder(pairs, ladder, { dataSync: false });
  let sync = { count: 0, ms: 0 };
  const warm = Math.round((ladder.rates[0]! / 2) * (Math.min(2000, ladder.durationMs) / 1000));
  const on = await runNimbusLadder(
    pairs,
    ladder,
    { dataSync: true },
    async (node) => {
      sync = await drained(() => node.dataSyncReceived?.() ?? 0, 3000, 120_000);
    },
    (node) => syncProbe(() => node.dataSyncReceived?.() ?? 0, warm + 2 * pairs),
  );
  const sent = (steps: LadderStep[]) => steps.reduce((a, s) => a + s.scheduled, 0);
  const expectedAtLeast = sent(on.steps) + warm + 2 * pairs;
  const bestOff = highestHeld(off.steps);
  const bestOn = highestHeld(on.steps);
  const ratio = bestOff && bestOn ? Math.round((bestOn.rate / bestOff.rate) * 1000) / 1000 : null;
  return {
    scenario: quick ? "p2p-datasync-quick" : "p2p-datasync",
    note:
      `${quick ? "Quick run. " : ""}${pairs} pairs, the p2p ladder (${ladder.rates.join(", ")}), ${ladder.durationMs / 1000} s per step, one node on SQLite, ` +
      `run twice in the same run on fresh nodes: data sync off, then on to a local listener in the bench process that answers 200 at once. ` +
      `Highest held: off ${bestOff ? `${bestOff.rate}/s (p99 ${bestOff.deliver.p99Ms} ms)` : "none"}, on ${bestOn ? `${bestOn.rate}/s (p99 ${bestOn.deliver.p99Ms} ms)` : "none"}; ` +
      `ratio on/off ${ratio ?? "n/a"}${bestOff?.rate === ladder.rates.at(-1) ? " (off held the whole ladder: the ratio is a bound)" : ""}. ` +
      `The listener received ${sync.count} events (at least ${expectedAtLeast} expected: every message of the run, the warm-up's included, and each device's login), ` +
      `the last of them ${sync.ms} ms after the ladder ended. ` +
      `Sync columns: events the listener got per second during the step, and how many it was still owed at the step's end (senders never wait for data sync, so a step can hold while its sync falls behind).`,
    rows: [...off.steps.map((s) => stepRow("nimbus, data sync off", s)), ...on.steps.map((s) => stepRow("nimbus, data sync on", s))],
    summary: {
      messagesPerSecondSyncOff: bestOff?.rate ?? 0,
      p99MsSyncOff: bestOff?.deliver.p99Ms ?? null,
      messagesPerSecondSyncOn: bestOn?.rate ?? 0,
      p99MsSyncOn: bestOn?.deliver.p99Ms ?? null,
      syncOnOffRatio: ratio,
      dataSyncEventsReceived: sync.count,
      dataSyncEventsExpectedAtLeast: expectedAtLeast,
      dataSyncDrainMsAfterLadder: sync.ms,
    },
  };
}
