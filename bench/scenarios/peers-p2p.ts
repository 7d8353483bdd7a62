import { Generator, clientsDescription, splitPairs } from "../lib/generators.ts";
import { createAccounts, readRss, startNodeUnderTest, type Account } from "../lib/node-under-test.ts";
import type { BenchResult, BenchRow } from "../lib/report.ts";
import type { MergedStep } from "../lib/open-loop.ts";
import { ejabberdDb, startEjabberd } from "../peers/ejabberd.ts";
import { climb, generatorCount, p2pLadder, stepRow, type LadderStep } from "./p2p.ts";

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What one server did in the run: its ladder, its logins, its memory per logged-in device. */
interface ServerRun {
  label: string;
  steps: LadderStep[];
  loggedIn: number;
  loginsPerSecond: number;
  /** RSS growth across the timed logins, per device (KB). */
  rssKBPerDevice: number;
}

/** The highest rate at which p99 send→deliver stayed within `p99Ms` with nothing lost, refused, duplicated or reordered. */
function heldAt(steps: MergedStep[], p99Ms: number): number {
  let best = 0;
  for (const s of steps) {
    const clean = s.lost === 0 && s.errors === 0 && s.duplicated === 0 && s.outOfOrder === 0 && s.delivered === s.scheduled;
    if (clean && s.deliver.p99Ms <= p99Ms) best = Math.max(best, s.rate);
  }
  return best;
}

async function loginAndClimb(
  label: string,
  gens: Generator[],
  pid: number,
  setup: (g: Generator, share: Account[]) => ReturnType<Generator["setup"]>,
  accounts: Account[],
  quick: boolean,
): Promise<ServerRun> {
  const shares = splitPairs(accounts, gens.length);
  await settle(500);
  const before = readRss(pid);
  const ready = await Promise.all(gens.map((g, i) => setup(g, shares[i]!)));
  const failed = ready.reduce((a, r) => a + r.errors, 0);
  if (failed > 0) throw new Error(`${label}: ${failed} logins failed: ${ready.find((r) => r.firstError)?.firstError}`);
  await settle(1000);
  const after = readRss(pid);
  const loggedIn = ready.reduce((a, r) => a + r.loggedIn, 0);
  const loginMs = Math.max(...ready.map((r) => r.loginMs));
  const steps = await climb(label, gens, p2pLadder(quick), [{ pid }]);
  return {
    label,
    steps,
    loggedIn,
    loginsPerSecond: Math.round(loggedIn / (loginMs / 1000)),
    rssKBPerDevice: (after - before) / loggedIn / 1024,
  };
}

async function runNimbus(accids: string[], quick: boolean): Promise<ServerRun> {
  const node = await startNodeUnderTest();
  const gens = Array.from({ length: generatorCount }, (_, i) => new Generator(i));
  try {
    const accounts = await createAccounts(node, accids);
    return await loginAndClimb(
      "nimbus p2p",
      gens,
      node.pid,
      (g, share) => g.setup({ mode: "nimbus", urls: [node.url], appKey: node.appKey, accounts: share, concurrency: 32, waitForSync: true }),
      accounts,
      quick,
    );
  } finally {
    await Promise.all(gens.map((g) => g.close()));
    await node.stop();
  }
}

async function runEjabberd(accids: string[], quick: boolean): Promise<ServerRun & { version: string }> {
  const server = await startEjabberd();
  const gens = Array.from({ length: generatorCount }, (_, i) => new Generator(i));
  try {
    const accounts: Account[] = accids.map((accid) => ({ accid, token: `pw-${accid}` }));
    const shares = splitPairs(accounts, gens.length);
    await Promise.all(
      gens.map((g, i) => g.setup({ mode: "xmpp-register", urls: [server.url], appKey: "", accounts: shares[i]!, concurrency: 32 })),
    );
    const run = await loginAndClimb(
      "ejabberd",
      gens,
      server.pid,
      (g, share) => g.setup({ mode: "xmpp", urls: [server.url], appKey: "", accounts: share, concurrency: 32 }),
      accounts,
      quick,
    );
    return { ...run, version: server.version };
  } finally {
    await Promise.all(gens.map((g) => g.close()));
    await server.stop();
  }
}

const ratio = (a: number, b: number) => (b > 0 ? (a / b).toFixed(2) : "n/a");

/**
 * `peers-p2p`: Nimbus and ejabberd, one after the other in one run, each with the same pairs of
 * online users exchanging one-to-one text messages on the same open-loop ladder, every message
 * persisted (Nimbus's journal; ejabberd's MAM archive) on SQLite. Figures: the highest rate held
 * at p99 send→deliver ≤ 50 ms and ≤ 100 ms, logins/s of the pairs' devices, RSS per logged-in
 * device; each as Nimbus ÷ ejabberd.
 */
export async function runPeersP2p(quick: boolean): Promise<BenchResult> {
  const pairs = Number(process.env.BENCH_PAIRS) || (quick ? 50 : 200);
  const accids = Array.from({ length: 2 * pairs }, (_, i) => `peer${i}`);
  const nimbus = await runNimbus(accids, quick);
  const ejabberd = await runEjabberd(accids, quick);
  const ladder = p2pLadder(quick);

  const figures = (r: ServerRun): BenchRow => ({
    label: `${r.label} — figures`,
    "held msgs/s at p99 ≤ 50 ms": heldAt(r.steps, 50),
    "held msgs/s at p99 ≤ 100 ms": heldAt(r.steps, 100),
    "logins/s": r.loginsPerSecond,
    "RSS KB/device": r.rssKBPerDevice.toFixed(1),
  });
  const n50 = heldAt(nimbus.steps, 50);
  const e50 = heldAt(ejabberd.steps, 50);
  const n100 = heldAt(nimbus.steps, 100);
  const e100 = heldAt(ejabberd.steps, 100);
  return {
    scenario: "peers-p2p",
    note:
      `${quick ? "Quick run. " : ""}Nimbus (one node, SQLite) and ejabberd ${ejabberd.version} (Debian; ${ejabberdDb === "mnesia" ? "Mnesia on disk" : "SQLite"}, mod_mam archiving every message, mod_offline, ` +
      `no TLS, shaper none, listener backlog 1024, plain password storage), one after the other in one run. ${pairs} pairs: ` +
      `${clientsDescription(2 * pairs)} for Nimbus, lean XMPP clients (bench/lib/xmpp-device.ts: stream, SASL PLAIN, bind, presence, chat messages) ` +
      `for ejabberd, in ${generatorCount} load-generator process(es); open loop, the p2p scenario's ladder (${ladder.rates.join(", ")}), ` +
      `${ladder.durationMs / 1000} s per step, each server's climb stopping at its first step past p99 100 ms or with anything lost. ` +
      `Latency from each message's intended send time to its delivery; ejabberd's "ack" columns are only the socket write ` +
      `(XMPP answers a message with nothing), Nimbus's are the stored ack. Logins/s: the pairs' devices logging in, 32 in flight per generator ` +
      `(ejabberd's accounts registered in-band before, untimed). RSS per device: the server's growth across those logins. ` +
      `Nimbus ÷ ejabberd in the last row; higher is better except for RSS.`,
    rows: [
      ...nimbus.steps.map((s) => stepRow("nimbus p2p", s)),
      ...ejabberd.steps.map((s) => stepRow("ejabberd", s)),
      figures(nimbus),
      figures(ejabberd),
      {
        label: "nimbus ÷ ejabberd",
        "held msgs/s at p99 ≤ 50 ms": ratio(n50, e50),
        "held msgs/s at p99 ≤ 100 ms": ratio(n100, e100),
        "logins/s": ratio(nimbus.loginsPerSecond, ejabberd.loginsPerSecond),
        "RSS KB/device": ratio(nimbus.rssKBPerDevice, ejabberd.rssKBPerDevice),
      },
    ],
    summary: {
      nimbusHeldP99_50: n50,
      ejabberdHeldP99_50: e50,
      nimbusHeldP99_100: n100,
      ejabberdHeldP99_100: e100,
      nimbusLoginsPerSecond: nimbus.loginsPerSecond,
      ejabberdLoginsPerSecond: ejabberd.loginsPerSecond,
      nimbusRssKBPerDevice: Math.round(nimbus.rssKBPerDevice * 10) / 10,
      ejabberdRssKBPerDevice: Math.round(ejabberd.rssKBPerDevice * 10) / 10,
      heldRatioP99_50: e50 > 0 ? Math.round((n50 / e50) * 100) / 100 : null,
      loginsRatio: ejabberd.loginsPerSecond > 0 ? Math.round((nimbus.loginsPerSecond / ejabberd.loginsPerSecond) * 100) / 100 : null,
      rssRatio: ejabberd.rssKBPerDevice > 0 ? Math.round((nimbus.rssKBPerDevice / ejabberd.rssKBPerDevice) * 100) / 100 : null,
    },
  };
}
