import { Agent } from "node:http";
import { createAccounts, readCpuMs, startNodeUnderTest, type Account } from "../lib/node-under-test.ts";
import { LeanDevice } from "../lib/lean-client.ts";
import type { BenchResult, BenchRow } from "../lib/report.ts";
import type { Message } from "../../src/protocol/messages.ts";
import { relaySteps } from "../lib/relay-steps.ts";
import { percentile } from "../lib/room-fanout.ts";

/**
 * `superteam`: one super team of 10,000 members made over REST, 2,000 of them online on one node
 * (lean clients in this process), online members sending text at a stepped aggregate rate (open
 * loop: message i is due at start + i/rate; latency from then to each delivery). Each message goes
 * to every online device but the sender's: deliveries/s is messages/s × 1,999. A step holds when
 * p99 ≤ 200 ms and nothing is lost, duplicated or out of order. Also: the node's heap growth while
 * the super team is made and every member bucket is loaded (its state), and the same steps against
 * the bare relay fanning out to as many raw clients, for the same-run ratio.
 */

const MEMBERS = Number(process.env.BENCH_SUPERTEAM_MEMBERS) || 10_000;
const ONLINE = Number(process.env.BENCH_SUPERTEAM_ONLINE) || 2_000;
const P99_MS = 200;

interface Step {
  rate: number;
  expected: number;
  delivered: number;
  duplicated: number;
  outOfOrder: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  deliveriesPerSecond: number;
  serverCpu: number;
}

function held(s: Step): boolean {
  return s.p99Ms <= P99_MS && s.errors === 0 && s.duplicated === 0 && s.outOfOrder === 0 && s.delivered === s.expected;
}

async function call(node: Awaited<ReturnType<typeof startNodeUnderTest>>, path: string, params: Record<string, string>) {
  const res = await node.call(path, params);
  if (res.code !== 200) throw new Error(`${path}: ${JSON.stringify(res)}`);
  return res;
}

export async function runSuperTeam(quick: boolean): Promise<BenchResult> {
  const rates = process.env.BENCH_RATES?.split(",").map(Number) ?? (quick ? [5, 10] : [10, 20, 40, 60, 80, 100, 150]);
  const stepSeconds = quick ? 3 : 10;
  const drainMs = quick ? 2000 : 4000;
  const node = await startNodeUnderTest();
  const devices: LeanDevice[] = [];
  const steps: Step[] = [];
  let stateBytes = 0;
  let tid = "";
  try {
    const accounts = await createAccounts(
      node,
      Array.from({ length: MEMBERS }, (_, i) => `su${i}`),
      32,
    );
    // Every account's super team index is read once before the baseline: what grows after is the super team.
    for (let i = 0; i < accounts.length; i += 64) {
      await Promise.all(accounts.slice(i, i + 64).map((a) => call(node, "superteam/joinTeams", { accid: a.accid })));
    }
    const before = await node.memoryAfterGc();
    const ids = accounts.map((a) => a.accid);
    tid = String(
      (
        await call(node, "superteam/create", {
          owner: ids[0]!,
          inviteAccids: JSON.stringify(ids.slice(1, 200)),
          tname: "bench",
          msg: "m",
          joinmode: "0",
          tlevel: String(Math.max(2, MEMBERS)),
        })
      ).tid,
    );
    for (let i = 200; i < ids.length; i += 200) {
      await call(node, "superteam/invite", { tid, owner: ids[0]!, inviteAccids: JSON.stringify(ids.slice(i, i + 200)), msg: "m" });
    }
    // A full page walk loads every member bucket into the super team actor.
    await call(node, "superteam/getTlists", { tid, limit: "2000" });
    const after = await node.memoryAfterGc();
    stateBytes = after.heapUsed + after.external - before.heapUsed - before.external;

    const step = Math.max(1, Math.floor(MEMBERS / ONLINE));
    const online: Account[] = Array.from({ length: Math.min(ONLINE, MEMBERS) }, (_, i) => accounts[i * step]!);
    const conv = `superteam:${tid}`;
    let stepNo = 0;
    let current: { sentAt: Map<number, number>; got: Map<number, number>; lat: number[]; dup: number; ooo: number } | undefined;
    const lastSeq = new Map<string, number>();
    const onMessage = (accid: string) => (m: Message) => {
      if (m.conv !== conv) return;
      if ((lastSeq.get(accid) ?? 0) >= m.seq) {
        if (current) current.ooo++;
      } else lastSeq.set(accid, m.seq);
      const [s, i] = String((m.body as { msg?: string }).msg ?? "")
        .split(":")
        .map(Number);
      if (!current || s !== stepNo || i === undefined) return;
      const sentAt = current.sentAt.get(i);
      if (sentAt === undefined) return;
      const n = (current.got.get(i) ?? 0) + 1;
      current.got.set(i, n);
      if (n > online.length - 1) current.dup++;
      current.lat.push(performance.now() - sentAt);
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    for (let i = 0; i < online.length; i += 32) {
      devices.push(
        ...(await Promise.all(
          online.slice(i, i + 32).map((a) =>
            LeanDevice.login({
              url: node.url,
              agent,
              appKey: node.appKey,
              accid: a.accid,
              token: a.token,
              deviceId: "bench",
              clientType: "WEB",
              onMessage: onMessage(a.accid),
              waitForSync: true,
            }),
          ),
        )),
      );
    }
    // Warm-up, not recorded.
    for (let i = 0; i < 20; i++) await devices[(i * 97) % devices.length]!.sendText(conv, "warm", `w-${i}`);
    await new Promise((r) => setTimeout(r, drainMs));

    for (const rate of rates) {
      stepNo++;
      const sentAt = new Map<number, number>();
      current = { sentAt, got: new Map(), lat: [], dup: 0, ooo: 0 };
      const total = Math.round(rate * stepSeconds);
      let errors = 0;
      const cpu0 = readCpuMs(node.pid);
      const t0 = performance.now();
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        sentAt.set(i, due);
        sends.push(devices[(i * 7919) % devices.length]!.sendText(conv, `${stepNo}:${i}`, `b${stepNo}-${i}`).catch(() => errors++));
      }
      await Promise.all(sends);
      await new Promise((r) => setTimeout(r, drainMs));
      const elapsed = performance.now() - t0;
      const lat = current.lat.sort((a, b) => a - b);
      const delivered = [...current.got.values()].reduce((a, n) => a + Math.min(n, online.length - 1), 0);
      const s: Step = {
        rate,
        expected: total * (online.length - 1),
        delivered,
        duplicated: current.dup,
        outOfOrder: current.ooo,
        errors,
        p50Ms: Math.round(percentile(lat, 50) * 10) / 10,
        p99Ms: Math.round(percentile(lat, 99) * 10) / 10,
        maxMs: Math.round((lat.at(-1) ?? NaN) * 10) / 10,
        deliveriesPerSecond: Math.round(delivered / stepSeconds),
        serverCpu: Math.round(((readCpuMs(node.pid) - cpu0) / elapsed) * 100) / 100,
      };
      steps.push(s);
      console.error(
        `superteam ${rate} msgs/s: ${s.deliveriesPerSecond} deliveries/s, p50 ${s.p50Ms} p99 ${s.p99Ms} max ${s.maxMs} ms, delivered ${s.delivered}/${s.expected}, errors ${s.errors}, dup ${s.duplicated}, ooo ${s.outOfOrder}, server cpu ${s.serverCpu}`,
      );
      if (!held(s)) break;
    }
    agent.destroy();
  } finally {
    for (const d of devices) d.close();
    await node.stop();
  }

  const rows: BenchRow[] = steps.map((s) => ({
    label: `nimbus: ${s.rate} msgs/s to ${ONLINE} online of ${MEMBERS}`,
    "deliveries/s": s.deliveriesPerSecond,
    "p50 ms": s.p50Ms,
    "p99 ms": s.p99Ms,
    "max ms": s.maxMs,
    delivered: `${s.delivered}/${s.expected}`,
    errors: s.errors,
    dup: s.duplicated,
    "out of order": s.outOfOrder,
    "server cpu": s.serverCpu,
    held: held(s) ? "yes" : "no",
  }));
  const relay = await relaySteps(
    ONLINE - 1,
    steps.map((s) => s.rate),
    stepSeconds,
  );
  for (const [i, r] of relay.entries()) {
    // Per step second, as Nimbus's rows count them (both wait out the same drain after the step).
    const relayRate = r.deliveries / stepSeconds;
    rows.push({
      label: `relay: ${r.rate} msgs/s to ${ONLINE - 1} clients`,
      "deliveries/s": Math.round(relayRate),
      "p50 ms": percentile(r.latencies, 50),
      "p99 ms": percentile(r.latencies, 99),
      "max ms": r.latencies.at(-1) ?? NaN,
      delivered: r.deliveries,
    });
    rows[i]!["ratio to relay"] = (steps[i]!.deliveriesPerSecond / relayRate).toFixed(2);
  }
  const best = steps.filter(held).at(-1);
  const bestIndex = best ? steps.indexOf(best) : -1;
  const ratio =
    bestIndex >= 0 && relay[bestIndex] ? best!.deliveriesPerSecond / (relay[bestIndex]!.deliveries / relay[bestIndex]!.elapsed) : null;
  return {
    scenario: quick ? "superteam-quick" : "superteam",
    note:
      `One super team (tid ${tid}) of ${MEMBERS} members made over REST, ${ONLINE} online on one node (SQLite) as lean clients in the bench process; ` +
      `open loop, ${stepSeconds} s per step, a step holds at p99 ≤ ${P99_MS} ms with nothing lost, duplicated or out of order. ` +
      `Highest held: ${best ? `${best.rate} msgs/s = ${best.deliveriesPerSecond} deliveries/s` : "none"}. ` +
      `Super team state: the node's heap + external after a full GC grew ${(stateBytes / 1048576).toFixed(2)} MB while it was made and every member bucket loaded ` +
      `(each account's super team index was read before the baseline). Relay rows: the bare ws relay fanning each frame to as many raw clients at the same rates.`,
    rows,
    summary: {
      messagesPerSecond: best?.rate ?? 0,
      deliveriesPerSecond: best?.deliveriesPerSecond ?? 0,
      p99Ms: best?.p99Ms ?? null,
      baselineRatio: ratio === null ? null : Math.round(ratio * 100) / 100,
      stateMB: Math.round((stateBytes / 1048576) * 100) / 100,
    },
  };
}
