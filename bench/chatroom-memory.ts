/**
 * Where a chat room member's server memory goes: `node --import tsx bench/chatroom-memory.ts [members] [snapDir]`.
 * One node, one room; RSS and heap + external after a full GC before and after `members` lean
 * members enter (accounts, the real login path), and with a directory, a heap snapshot of each
 * (compare them in Chrome DevTools' Comparison view, or with bench/heap-diff.ts).
 */
import { Agent } from "node:http";
import { join } from "node:path";
import { createAccounts, startNodeUnderTest } from "./lib/node-under-test.ts";
import { LeanMember } from "./lib/lean-chatroom.ts";
import { WebSocket } from "ws";
import { enterChatroom } from "../src/client/mod.ts";

if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === "undefined") (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

const members = Number(process.argv[2] ?? 2000);
const snapDir = process.argv[3] || undefined;
// BENCH_ANON=1: anonymous viewers (no accounts to create first, so the heap before entry is not full of their garbage).
const anonymous = process.env.BENCH_ANON === "1";
const node = await startNodeUnderTest();
const agent = new Agent({ keepAlive: true, maxSockets: 32 });
try {
  const accounts = await createAccounts(
    node,
    Array.from({ length: anonymous ? 1 : members }, (_, i) => `m${i}`),
  );
  const who = (i: number) => (anonymous && i > 0 ? {} : accounts[i]!);
  const created = await node.call("chatroom/create", { creator: "m0", name: "mem" });
  const roomid = (created.chatroom as { roomid: number }).roomid;
  // One member first, so the room's edge and subscription are not counted per member.
  const first = await LeanMember.enter({ url: node.url, agent, appKey: node.appKey, roomid, ...accounts[0]! });
  await new Promise((r) => setTimeout(r, 500));
  const before = await node.memoryAfterGc();
  if (snapDir) await node.heapSnapshot(join(snapDir, "before.heapsnapshot"));
  // BENCH_CLIENT=sdk: members through the SDK (its matchmake goes through fetch's own connection pool).
  const enter = async (a: { accid?: string; token?: string }): Promise<{ close(): void }> => {
    if (process.env.BENCH_CLIENT !== "sdk") return LeanMember.enter({ url: node.url, agent, appKey: node.appKey, roomid, ...a });
    const h = await enterChatroom(roomid, { url: node.url, appKey: node.appKey, ...a });
    return { close: () => void h.leave().catch(() => undefined) };
  };
  const all: { close(): void }[] = [first];
  // RSS only grows into pages freed earlier (the accounts' REST garbage) until they are used up: the
  // figure is the second half's, entered on top of the first.
  const half = Math.floor(members / 2);
  let mid = before;
  for (let i = 1; i < members; i += 50) {
    if (i > half && mid === before) {
      await new Promise((r) => setTimeout(r, 1000));
      mid = await node.memoryAfterGc();
    }
    all.push(...(await Promise.all(Array.from({ length: Math.min(50, members - i) }, (_, k) => enter(who(i + k))))));
  }
  await new Promise((r) => setTimeout(r, 1000));
  const after = await node.memoryAfterGc();
  if (snapDir) await node.heapSnapshot(join(snapDir, "after.heapsnapshot"));
  const n = all.length - 1 - (mid === before ? 0 : half);
  const from = mid;
  console.log(
    JSON.stringify({
      members: n,
      rssPerMemberKB: +((after.rss - from.rss) / n / 1024).toFixed(1),
      heapPerMemberKB: +((after.heapUsed - from.heapUsed) / n / 1024).toFixed(1),
      externalPerMemberKB: +((after.external - from.external) / n / 1024).toFixed(1),
    }),
  );
  for (const m of all) m.close();
} finally {
  await node.stop();
  agent.destroy();
}
