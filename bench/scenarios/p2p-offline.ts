import { WebSocket } from "ws";
import { connect, NimbusClient, type SyncState } from "../../src/client/mod.ts";
import { createAccounts, startNodeUnderTest, type NodeUnderTest } from "../lib/node-under-test.ts";
import type { BenchResult } from "../lib/report.ts";

if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === "undefined") (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

async function sendMsgs(node: NodeUnderTest, jobs: { from: string; to: string; text: string }[], concurrency = 16): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const j = jobs[next++];
      if (!j) return;
      const r = await node.call("msg/sendMsg", { from: j.from, ope: "0", to: j.to, type: "0", body: JSON.stringify({ msg: j.text }) });
      if (r.code !== 200) throw new Error(`msg/sendMsg: ${JSON.stringify(r)}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/**
 * `p2p-offline`: a user with N conversations, each holding one message it has seen, is offline
 * while M more arrive (sent by the app server over REST, spread evenly); then it logs in with its
 * saved sync state (an offline-mode sync, §9.5) and we time login → every one of the M messages
 * handed to the app by the SDK. Repeated from the same saved state; the device logs out between.
 */
export async function runP2pOffline(quick: boolean): Promise<BenchResult> {
  const conversations = quick ? 10 : 50;
  const perConversation = 100; // the default offlinePerConversation limit: all of them come
  const m = conversations * perConversation;
  const repeats = quick ? 3 : 10;
  const node = await startNodeUnderTest();
  try {
    const accids = ["reader", ...Array.from({ length: conversations }, (_, i) => `peer${i}`)];
    const [reader] = await createAccounts(node, accids);
    const base = {
      url: node.url,
      appKey: node.appKey,
      accid: reader!.accid,
      token: reader!.token,
      deviceId: "reader-d1",
      clientType: "WEB" as const,
    };

    // One seen message per conversation, so the device holds cursors (offline mode, not roaming).
    await sendMsgs(
      node,
      accids.slice(1).map((p) => ({ from: p, to: "reader", text: "seen" })),
    );
    const first = await connect(base);
    await first.synced();
    const saved: SyncState = first.syncState();
    await first.logout();

    const t0 = performance.now();
    await sendMsgs(
      node,
      Array.from({ length: m }, (_, k) => ({ from: accids[1 + (k % conversations)]!, to: "reader", text: `offline ${k}` })),
    );
    console.error(`stored ${m} offline messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const runs: { loginMs: number; syncedMs: number; got: number }[] = [];
    for (let r = 0; r < repeats; r++) {
      let got = 0;
      let doneAt = 0;
      const start = performance.now();
      let resolveAll!: () => void;
      const all = new Promise<void>((res) => (resolveAll = res));
      // Listen before opening: the login sync starts inside open().
      const client = new NimbusClient({ ...base, syncState: structuredClone(saved) });
      client.on("message", (msg) => {
        if ((msg.body as { msg?: string }).msg?.startsWith("offline ") && ++got === m) {
          doneAt = performance.now();
          resolveAll();
        }
      });
      await client.open();
      const loginMs = performance.now() - start;
      await Promise.race([all, new Promise((res) => setTimeout(res, 30_000))]);
      await client.synced();
      runs.push({ loginMs, syncedMs: doneAt ? doneAt - start : NaN, got });
      await client.logout();
    }
    const ok = runs.filter((x) => x.got === m);
    const sorted = ok.map((x) => x.syncedMs).sort((a, b) => a - b);
    const med = sorted[Math.floor(sorted.length / 2)] ?? NaN;
    const loginMed = ok.map((x) => x.loginMs).sort((a, b) => a - b)[Math.floor(ok.length / 2)] ?? NaN;
    return {
      scenario: "p2p-offline",
      note:
        `${quick ? "Quick run. " : ""}One node, SQLite. A user with ${conversations} conversations (each with one message it has seen) logs in with its saved sync state ` +
        `while ${m} messages (${perConversation} per conversation) wait; time from connect() to the SDK having handed over all ${m} (the offline sync), ` +
        `${repeats} logins from the same saved state. The SDK client runs in the harness process (one client; it is not the bottleneck), the node in its own. ` +
        `No baseline: a bare relay has nothing to sync.`,
      rows: [
        {
          label: "nimbus offline sync",
          conversations,
          messages: m,
          logins: repeats,
          complete: ok.length,
          "login ms (median)": loginMed.toFixed(1),
          "synced ms (median)": med.toFixed(1),
          "synced ms (min)": (sorted[0] ?? NaN).toFixed(1),
          "synced ms (max)": (sorted.at(-1) ?? NaN).toFixed(1),
          "msgs/s synced (median)": Math.round(m / (med / 1000)),
        },
      ],
      summary: {
        conversations,
        offlineMessages: m,
        logins: repeats,
        complete: ok.length,
        lost: runs.reduce((a, x) => a + (m - x.got), 0),
        loginMs: Math.round(loginMed * 10) / 10,
        syncedMsMedian: Math.round(med * 10) / 10,
        syncedMsMax: Math.round((sorted.at(-1) ?? NaN) * 10) / 10,
        messagesPerSecond: Math.round(m / (med / 1000)),
      },
    };
  } finally {
    await node.stop();
  }
}
