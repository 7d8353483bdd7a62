/**
 * What a logged-in device costs the node (issue 24): `node --import tsx bench/login-memory.ts [devices] [snapDir]`.
 * One node, SQLite; `devices` accounts created, then logged in from one load-generator process as
 * peers-p2p logs them in (32 in flight, the login sync awaited). RSS and V8 heap after a full GC
 * before and after, over the devices; with a directory, a heap snapshot of each (compare them with
 * bench/heap-diff.ts, or in Chrome DevTools' Comparison view).
 */
import { join } from "node:path";
import { createAccounts, startNodeUnderTest } from "./lib/node-under-test.ts";
import { Generator } from "./lib/generators.ts";

const devices = Number(process.argv[2] ?? 2000);
const snapDir = process.argv[3] || undefined;
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
  const t0 = performance.now();
  const ready = await gen.setup({ mode: "nimbus", urls: [node.url], appKey: node.appKey, accounts, concurrency: 32, waitForSync: true });
  const loginMs = performance.now() - t0;
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
      externalKBPerDevice: Math.round(((after.external - before.external) / n / 1024) * 10) / 10,
    }),
  );
} finally {
  await gen.close();
  await node.stop();
}
