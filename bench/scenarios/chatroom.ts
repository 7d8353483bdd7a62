import { WebSocket } from "ws";
import { startRelay } from "./p2p.ts";
import { enterChatroom, type ChatroomHandle } from "../../src/client/mod.ts";
import { createAccounts, startNodeUnderTest } from "../lib/node-under-test.ts";
import type { BenchResult, BenchRow } from "../lib/report.ts";

if (typeof (globalThis as { WebSocket?: unknown }).WebSocket === "undefined") (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface RelayStep {
  rate: number;
  deliveries: number;
  elapsed: number;
  latencies: number[];
}

/** The same steps against the bare relay: `members` raw ws clients, one sender fanning out to all. */
export async function relaySteps(members: number, rates: number[], stepSeconds: number): Promise<RelayStep[]> {
  const relay = await startRelay();
  const sockets: WebSocket[] = [];
  try {
    const open = (id: number) =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`${relay.url}/?id=${id}`);
        ws.once("open", () => resolve(ws));
        ws.once("error", reject);
      });
    const sender = await open(0);
    sockets.push(sender);
    let received = 0;
    const latencies: number[] = [];
    for (let i = 1; i <= members; i++) {
      const ws = await open(i);
      ws.on("message", (data) => {
        received++;
        latencies.push(Date.now() - Number((JSON.parse(data.toString()) as { t: string }).t));
      });
      sockets.push(ws);
    }
    const steps: RelayStep[] = [];
    for (const rate of rates) {
      received = 0;
      latencies.length = 0;
      const total = rate * stepSeconds;
      const started = performance.now();
      for (let k = 0; k < total; k++) {
        const wait = started + (k * 1000) / rate - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        sender.send(JSON.stringify({ all: 1, r: k, t: String(Date.now()) }));
      }
      await new Promise((r) => setTimeout(r, 1500));
      steps.push({
        rate,
        deliveries: received,
        elapsed: (performance.now() - started) / 1000,
        latencies: [...latencies].sort((a, b) => a - b),
      });
    }
    return steps;
  } finally {
    for (const ws of sockets) ws.close();
    relay.stop();
  }
}

/**
 * `chatroom`: one room on one node (SQLite), M members entered through the SDK (in the harness
 * process), an anchor sending normal messages at a stepped rate for a few seconds each. Per step:
 * deliveries/s, publish→deliver latency (the anchor stamps each message), and what members did not
 * get: below the receive budget (NIM's 20 a second per member) anything missing is a loss; above
 * it, the budget drops the excess for every member, reported apart. Server RSS per member from
 * the node's RSS before and after the members entered. Then the same steps against the bare `ws`
 * relay fanning each frame out to as many raw clients, for the same-run ratio.
 */
export async function runChatroom(quick: boolean): Promise<BenchResult> {
  const members = Number(process.env.BENCH_MEMBERS ?? (quick ? 100 : 1000));
  const rates = (process.env.BENCH_RATES ?? (quick ? "10,40" : "5,10,15,40")).split(",").map(Number);
  const stepSeconds = quick ? 3 : 10;
  const node = await startNodeUnderTest();
  const handles: ChatroomHandle[] = [];
  try {
    const accounts = await createAccounts(node, ["anchor", ...Array.from({ length: members }, (_, i) => `fan${i}`)]);
    const created = await node.call("chatroom/create", { creator: "anchor", name: "bench" });
    const roomid = (created.chatroom as { roomid: number }).roomid;
    const enter = (a: { accid: string; token: string }) =>
      enterChatroom(roomid, { url: node.url, appKey: node.appKey, accid: a.accid, token: a.token });

    const before = await node.memoryAfterGc();
    const anchor = await enter(accounts[0]!);
    const latencies: number[] = [];
    let received = 0;
    const fans = accounts.slice(1);
    for (let i = 0; i < fans.length; i += 25) {
      const batch = await Promise.all(fans.slice(i, i + 25).map(enter));
      for (const h of batch) {
        h.on("message", (m) => {
          received++;
          latencies.push(Date.now() - Number(m.attach));
        });
        handles.push(h);
      }
    }
    const after = await node.memoryAfterGc();
    const rssPerMember = (after.rss - before.rss) / members;
    // RSS moves in pages and with the allocator's whims; the heap after a full GC is steadier.
    const heapPerMember = (after.heapUsed + after.external - before.heapUsed - before.external) / members;

    const rows: BenchRow[] = [];
    let lost = 0;
    let throttled = 0;
    for (const rate of rates) {
      received = 0;
      latencies.length = 0;
      const total = rate * stepSeconds;
      const started = performance.now();
      const sends: Promise<unknown>[] = [];
      for (let k = 0; k < total; k++) {
        const due = started + (k * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        sends.push(anchor.sendText(String(Date.now())).catch(() => undefined));
      }
      await Promise.all(sends);
      await new Promise((r) => setTimeout(r, 1500));
      const elapsed = (performance.now() - started) / 1000;
      const expected = total * members;
      const missing = expected - received;
      const underBudget = rate <= 15;
      if (underBudget) lost += missing;
      else throttled += missing;
      latencies.sort((a, b) => a - b);
      rows.push({
        label: `${rate} msgs/s to ${members} members`,
        "deliveries/s": Math.round(received / elapsed),
        "p50 ms": percentile(latencies, 50),
        "p99 ms": percentile(latencies, 99),
        "max ms": latencies.at(-1) ?? NaN,
        delivered: received,
        [underBudget ? "lost" : "dropped by budget"]: missing,
      });
    }
    await anchor.leave();
    await Promise.all(handles.map((h) => h.leave().catch(() => undefined)));
    handles.length = 0;
    const relay = await relaySteps(members, rates, stepSeconds);
    for (const [i, step] of relay.entries()) {
      const ours = rows[i]!;
      const relayRate = step.deliveries / step.elapsed;
      rows.push({
        label: `relay: ${step.rate} msgs/s to ${members} clients`,
        "deliveries/s": Math.round(relayRate),
        "p50 ms": percentile(step.latencies, 50),
        "p99 ms": percentile(step.latencies, 99),
        "max ms": step.latencies.at(-1) ?? NaN,
        delivered: step.deliveries,
      });
      ours["ratio to relay"] = (Number(ours["deliveries/s"]) / relayRate).toFixed(2);
    }
    return {
      scenario: "chatroom",
      note:
        `${quick ? "Quick run. " : ""}One node, SQLite; one room, ${members} members entered with the SDK in the harness process (the generator shares the machine), ` +
        `an anchor sending normal text messages at each rate for ${stepSeconds} s; latency from the anchor's send to a member's message event. ` +
        `Up to 15/s every member must get every message (anything missing is counted as lost); above NIM's receive budget of 20 a second per member the excess is dropped for each member by design, counted apart. ` +
        `Server memory per member: RSS ${(rssPerMember / 1024).toFixed(1)} KB, heap + external after a full GC ${(heapPerMember / 1024).toFixed(1)} KB` +
        `${members < 1000 ? " (too few members for a steady RSS figure)" : ""}. The relay rows: the bare ws relay fanning each frame out to as many raw clients (no budget), ` +
        `so above the budget its deliveries are not comparable; "ratio to relay" is Nimbus's deliveries/s over the relay's at the same offered rate.`,
      rows,
      summary: {
        members,
        lost,
        throttled,
        rssPerMemberKB: Math.round(rssPerMember / 102.4) / 10,
        heapPerMemberKB: Math.round(heapPerMember / 102.4) / 10,
      },
    };
  } finally {
    await Promise.all(handles.map((h) => h.leave().catch(() => undefined)));
    await node.stop();
  }
}
