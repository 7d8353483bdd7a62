/**
 * What a logged-in device costs the node (issue 24): `node --import tsx bench/login-memory.ts [devices] [snapDir]`.
 * One node, SQLite; `devices` accounts created, then logged in from one load-generator process as
 * peers-p2p logs them in (32 in flight, the login sync awaited). RSS and V8 heap after a full GC
 * before and after, over the devices; with a directory, a heap snapshot of each (compare them with
 * bench/heap-diff.ts, or in Chrome DevTools' Comparison view).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createAccounts, startNodeUnderTest } from "./lib/node-under-test.ts";
import { Generator } from "./lib/generators.ts";

const devices = Number(process.argv[2] ?? 2000);
const snapDir = process.argv[3] || undefined;
/** CPU ms of each of the node's threads so far, by thread name (the main thread, V8's helpers, the SQLite writer, ...). */
function threadCpuMs(pid: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = tid === String(pid) ? "main" : `${stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"))}-${tid}`;
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      out.set(name, (out.get(name) ?? 0) + (Number(f[11]) + Number(f[12])) * 10);
    } catch {
      // a thread that ended meanwhile
    }
  }
  return out;
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
const node = await startNodeUnderTest();
const gen = new Generator(0);
try {
  const accounts = await createAccounts(
    node,
    Array.from({ length: devices }, (_, i) => `dev${i}`),
    32,
  );
  // The accounts' actors go idle and their REST garbage is collected before the first sample.
  await settle(1000);
  const before = await node.memoryAfterGc(500);
  if (snapDir) await node.heapSnapshot(join(snapDir, "before.heapsnapshot"));
  await node.profileStart(); // BENCH_CPU_PROF=<dir>: the logins' CPU profile, as login-memory-logins.cpuprofile
  const cpu0 = threadCpuMs(node.pid);
  const t0 = performance.now();
  const ready = await gen.setup({ mode: "nimbus", urls: [node.url], appKey: node.appKey, accounts, concurrency: 32, waitForSync: true });
  const loginMs = performance.now() - t0;
  await node.profileStop("login-memory-logins.cpuprofile");
  const cpu1 = threadCpuMs(node.pid);
  await settle(2000);
  const after = await node.memoryAfterGc(500);
  if (snapDir) await node.heapSnapshot(join(snapDir, "after.heapsnapshot"));
  const n = ready.loggedIn;
  console.log(
    JSON.stringify({
      devices: n,
      errors: ready.errors,
      loginsPerSecond: Math.round(n / (loginMs / 1000)),
      rssKBPerDevice: Math.round(((after.rss - before.rss) / n / 1024) * 10) / 10,
      heapKBPerDevice: Math.round(((after.heapUsed - before.heapUsed) / n / 1024) * 10) / 10,
      rssMB: [before.rss, after.rss].map((b) => Math.round(b / 1048576)),
      heapTotalMB: [before.heapTotal, after.heapTotal].map((b) => Math.round(b / 1048576)),
      heapUsedMB: [before.heapUsed, after.heapUsed].map((b) => Math.round(b / 1048576)),
      cpuUsPerLoginByThread: Object.fromEntries(
        [...cpu1].map(([k, v]) => [k, Math.round(((v - (cpu0.get(k) ?? 0)) * 1000) / n)] as const).filter(([, v]) => v > 0),
      ),
      externalKBPerDevice: Math.round(((after.external - before.external) / n / 1024) * 10) / 10,
    }),
  );
} finally {
  await gen.close();
  await node.stop();
}
