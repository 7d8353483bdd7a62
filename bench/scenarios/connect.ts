import { createAccounts, readCpuMs, readRss, startNodeUnderTest, type Account } from "../lib/node-under-test.ts";
import { clientsDescription, Generator } from "../lib/generators.ts";
import type { BenchResult } from "../lib/report.ts";
import { generatorCount, startRelay } from "./p2p.ts";

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function split<T>(items: T[], parts: number): T[][] {
  const out: T[][] = Array.from({ length: parts }, () => []);
  items.forEach((it, i) => out[i % parts]!.push(it));
  return out;
}

export interface RelayConnects {
  connected: number;
  connectsPerSecond: number;
  /** The relay's RSS growth per connection (/proc VmRSS, no GC probe there). */
  rssKB: number;
  rssAfter: number;
}

/** N plain WebSockets to the bare `ws` relay from the load generators, `concurrency` in flight per generator. */
export async function measureRelayConnects(n: number, concurrency: number): Promise<RelayConnects> {
  const relay = await startRelay();
  const gens = Array.from({ length: generatorCount }, (_, i) => new Generator(i));
  try {
    await settle(500);
    const before = readRss(relay.pid);
    const ids: Account[] = Array.from({ length: n }, (_, i) => ({ accid: String(i), token: "" }));
    const shares = split(ids, gens.length);
    const ready = await Promise.all(
      gens.map((g, i) => g.setup({ mode: "baseline", urls: [relay.url], appKey: "", accounts: shares[i]!, concurrency })),
    );
    await settle(1000);
    const after = readRss(relay.pid);
    return {
      connected: ready.reduce((a, r) => a + r.loggedIn, 0),
      connectsPerSecond: Math.round(n / (Math.max(...ready.map((r) => r.loginMs)) / 1000)),
      rssKB: (after - before) / n / 1024,
      rssAfter: after,
    };
  } finally {
    await Promise.all(gens.map((g) => g.close()));
    relay.stop();
  }
}

/**
 * `connect`: N devices log in, as lean clients or through the SDK (BENCH_CLIENT) (HTTP matchmake, then the WebSocket, then the login
 * sync) from load-generator processes, 64 logins in flight per generator. Logins/s, and the node's
 * RSS and V8 heap per connected device (after a full GC, after minus before, over N). Baseline: N
 * plain WebSockets to the bare `ws` relay, its RSS per connection the same way (no GC probe there).
 */
export async function runConnect(quick: boolean): Promise<BenchResult> {
  const n = Number(process.env.BENCH_DEVICES ?? (quick ? 1000 : 10_000));
  const concurrency = 64;

  const base = await measureRelayConnects(n, concurrency);
  const baseConnectsPerSecond = base.connectsPerSecond;
  const baseRssKB = base.rssKB;

  // Nimbus.
  const node = await startNodeUnderTest();
  const gens = Array.from({ length: generatorCount }, (_, i) => new Generator(i));
  try {
    const t0 = performance.now();
    const accounts = await createAccounts(
      node,
      Array.from({ length: n }, (_, i) => `dev${i}`),
      32,
    );
    console.error(`created ${n} accounts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    await settle(1000);
    const before = await node.memoryAfterGc();
    const shares = split(accounts, gens.length);
    const cpu0 = { server: readCpuMs(node.pid), main: readCpuMs(node.pid, true), gens: gens.reduce((a, g) => a + readCpuMs(g.pid), 0) };
    await node.profileStart();
    const tLogin = performance.now();
    // Pairing is irrelevant here; setup only logs the devices in.
    const ready = await Promise.all(
      gens.map((g, i) => g.setup({ mode: "nimbus", urls: [node.url], appKey: node.appKey, accounts: shares[i]!, concurrency })),
    );
    const loginElapsed = performance.now() - tLogin;
    await node.profileStop("connect-logins.cpuprofile");
    const cores = (ms: number) => Math.round((ms / loginElapsed) * 100) / 100;
    const loginCpu = {
      server: cores(readCpuMs(node.pid) - cpu0.server),
      main: cores(readCpuMs(node.pid, true) - cpu0.main),
      generators: cores(gens.reduce((a, g) => a + readCpuMs(g.pid), 0) - cpu0.gens),
    };
    const loginMs = Math.max(...ready.map((r) => r.loginMs));
    const loggedIn = ready.reduce((a, r) => a + r.loggedIn, 0);
    const errors = ready.reduce((a, r) => a + r.errors, 0);
    const firstError = ready.find((r) => r.firstError)?.firstError;
    if (firstError) console.error(`login errors: ${errors}, first: ${firstError}`);
    await settle(3000); // login syncs and their writes settle
    const after = await node.memoryAfterGc();
    const health = (await (await fetch(`${node.url}/healthz`)).json()) as { actors?: { active?: number } };
    const loginsPerSecond = Math.round(loggedIn / (loginMs / 1000));
    const rssKB = (after.rss - before.rss) / loggedIn / 1024;
    const heapKB = (after.heapUsed - before.heapUsed) / loggedIn / 1024;
    const ratio = baseRssKB > 0 ? rssKB / baseRssKB : null;
    return {
      scenario: "connect",
      note:
        `${quick ? "Quick run. " : ""}${n} devices (one per account, clientType WEB; ${clientsDescription(n)}) logged in from ${gens.length} load-generator process(es), ` +
        `${concurrency} logins in flight per generator; one node, SQLite. A login is matchmake + WebSocket + welcome (the login sync runs after). ` +
        `Memory: after minus before, over the devices connected, the node's RSS (/proc VmRSS) and V8 heap after a forced full GC, ` +
        `before = accounts created, no device connected. cpu columns: cores used while logging in (server: all threads, and its main thread alone). Baseline: the same number of plain WebSockets to a bare \`ws\` relay (RSS only).`,
      rows: [
        {
          label: "baseline ws relay",
          devices: n,
          connected: base.connected,
          errors: 0,
          "logins/s": baseConnectsPerSecond,
          "RSS KB/device": baseRssKB.toFixed(1),
          "heap KB/device": "",
          "RSS after MB": (base.rssAfter / 1048576).toFixed(0),
        },
        {
          label: "nimbus connect",
          devices: n,
          connected: loggedIn,
          errors,
          "logins/s": loginsPerSecond,
          "RSS KB/device": rssKB.toFixed(1),
          "heap KB/device": heapKB.toFixed(1),
          "RSS after MB": (after.rss / 1048576).toFixed(0),
          "× baseline RSS": ratio === null ? "" : ratio.toFixed(1),
          "server cpu": loginCpu.server,
          "server main thread cpu": loginCpu.main,
          "generator cpu": loginCpu.generators,
        },
      ],
      summary: {
        devices: n,
        connected: loggedIn,
        loginErrors: errors,
        loginsPerSecond,
        rssPerConnectionKB: Math.round(rssKB * 10) / 10,
        heapPerConnectionKB: Math.round(heapKB * 10) / 10,
        rssBeforeMB: Math.round(before.rss / 1048576),
        rssAfterMB: Math.round(after.rss / 1048576),
        activeActors: health.actors?.active ?? null,
        loginServerCpu: loginCpu.server,
        loginServerMainThreadCpu: loginCpu.main,
        loginGeneratorCpu: loginCpu.generators,
        baselineConnectsPerSecond: baseConnectsPerSecond,
        baselineRssPerConnectionKB: Math.round(baseRssKB * 10) / 10,
        baselineRatio: ratio === null ? null : Math.round(ratio * 10) / 10,
      },
    };
  } finally {
    await Promise.all(gens.map((g) => g.close()));
    await node.stop();
  }
}
