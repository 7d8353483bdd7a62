import { Agent } from "node:http";
import hdr from "hdr-histogram-js";
import { createAccounts, readCpuMs, startNodeUnderTest, type Account } from "../lib/node-under-test.ts";
import { LeanDevice } from "../lib/lean-client.ts";
import type { BenchResult, BenchRow } from "../lib/report.ts";
import type { Message } from "../../src/protocol/messages.ts";

/**
 * `team`: teams of 200 members, every member online (lean clients in this process, the node in its
 * own), members sending text messages into their teams at a fixed aggregate rate (open loop:
 * message i is due at start + i/rate, latency measured from then), stepped up until p99
 * send→deliver passes 100 ms or a delivery is lost, duplicated or out of order. Each message is
 * delivered to every member's device but the sender's (which has its ack): deliveries/s is
 * messages/s × 199. Not measured here: the ratio to a bare relay doing the same fan-out (the
 * baseline relay of the p2p scenarios relays one recipient per message).
 */

const MEMBERS = Number(process.env.BENCH_TEAM_MEMBERS) || 200;

interface Step {
  rate: number;
  scheduled: number;
  errors: number;
  expected: number;
  delivered: number;
  duplicated: number;
  outOfOrder: number;
  ackP99Ms: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  deliveriesPerSecond: number;
  serverCpu: number;
  /** CPU of this process (the 200·teams lean clients and the sender), in cores. */
  clientsCpu: number;
}

function held(s: Step): boolean {
  return s.p99Ms <= 100 && s.errors === 0 && s.duplicated === 0 && s.outOfOrder === 0 && s.delivered === s.expected;
}

export async function runTeam(quick: boolean): Promise<BenchResult> {
  const teams = Number(process.env.BENCH_TEAMS) || (quick ? 1 : 2);
  const rates = process.env.BENCH_RATES?.split(",").map(Number) ?? (quick ? [25, 50, 100] : [50, 100, 150, 200, 250, 300, 400]);
  const durationMs = quick ? 2000 : 10_000;
  const drainMs = quick ? 2000 : 5000;
  const node = await startNodeUnderTest();
  const devices: LeanDevice[] = [];
  const steps: Step[] = [];
  try {
    const accounts = await createAccounts(
      node,
      Array.from({ length: teams * MEMBERS }, (_, i) => `tm${i}`),
    );
    const byTeam: { tid: string; members: Account[] }[] = [];
    for (let t = 0; t < teams; t++) {
      const members = accounts.slice(t * MEMBERS, (t + 1) * MEMBERS);
      const res = await node.call("team/create", {
        tname: `bench ${t}`,
        owner: members[0]!.accid,
        members: JSON.stringify(members.slice(1).map((a) => a.accid)),
        msg: "bench",
        magree: "0",
        joinmode: "0",
      });
      if (res.code !== 200) throw new Error(`team/create: ${JSON.stringify(res)}`);
      byTeam.push({ tid: res.tid as string, members });
    }

    // Per receiving account: the last seq seen per team, and what each step delivered.
    let step = 0;
    let current:
      { sentAt: Map<number, number>; got: Map<number, number>; hist: ReturnType<typeof hdr.build>; dup: number; ooo: number } | undefined;
    const lastSeq = new Map<string, number>();
    const onMessage = (accid: string) => (m: Message) => {
      const key = `${accid}\u0000${m.conv}`;
      if ((lastSeq.get(key) ?? 0) >= m.seq) {
        if (current) current.ooo++;
      } else lastSeq.set(key, m.seq);
      const [s, i] = String((m.body as { msg?: string }).msg ?? "")
        .split(":")
        .map(Number);
      if (!current || s !== step || i === undefined) return;
      const sentAt = current.sentAt.get(i);
      if (sentAt === undefined) return;
      const n = (current.got.get(i) ?? 0) + 1;
      current.got.set(i, n);
      if (n > MEMBERS - 1) current.dup++;
      current.hist.recordValue(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 32 });
    for (let i = 0; i < accounts.length; i += 32) {
      devices.push(
        ...(await Promise.all(
          accounts.slice(i, i + 32).map((a) =>
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
    const deviceOf = new Map(accounts.map((a, i) => [a.accid, devices[i]!]));

    // Warm-up, not recorded: JIT and first-message paths (every member sends once).
    await Promise.all(
      byTeam.flatMap((team) =>
        team.members.map((a, i) => deviceOf.get(a.accid)!.sendText(`team:${team.tid}`, "warm", `w-${team.tid}-${i}`)),
      ),
    );
    await new Promise((r) => setTimeout(r, drainMs));

    for (const rate of rates) {
      step++;
      const sentAt = new Map<number, number>();
      current = {
        sentAt,
        got: new Map(),
        hist: hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 }),
        dup: 0,
        ooo: 0,
      };
      const total = Math.round((rate * durationMs) / 1000);
      const ackHist = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
      let errors = 0;
      const cpu0 = readCpuMs(node.pid);
      const own0 = process.cpuUsage();
      const t0 = performance.now();
      const sends: Promise<unknown>[] = [];
      for (let i = 0; i < total; i++) {
        const due = t0 + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        const team = byTeam[i % teams]!;
        const sender = team.members[(i * 7919) % MEMBERS]!;
        sentAt.set(i, due);
        sends.push(
          deviceOf
            .get(sender.accid)!
            .sendText(`team:${team.tid}`, `${step}:${i}`, `b${step}-${i}`)
            .then(() => ackHist.recordValue(Math.max(1, Math.round((performance.now() - due) * 1000))))
            .catch(() => errors++),
        );
      }
      await Promise.all(sends);
      await new Promise((r) => setTimeout(r, drainMs));
      const elapsed = performance.now() - t0;
      const delivered = [...current.got.values()].reduce((a, n) => a + Math.min(n, MEMBERS - 1), 0);
      const h = current.hist;
      const s: Step = {
        rate,
        scheduled: total,
        errors,
        expected: total * (MEMBERS - 1),
        delivered,
        duplicated: current.dup,
        outOfOrder: current.ooo,
        ackP99Ms: Math.round(ackHist.getValueAtPercentile(99) / 100) / 10,
        p50Ms: Math.round(h.getValueAtPercentile(50) / 100) / 10,
        p99Ms: Math.round(h.getValueAtPercentile(99) / 100) / 10,
        maxMs: Math.round(h.maxValue / 100) / 10,
        deliveriesPerSecond: Math.round(delivered / (durationMs / 1000)),
        serverCpu: Math.round(((readCpuMs(node.pid) - cpu0) / elapsed) * 100) / 100,
        clientsCpu: Math.round(((process.cpuUsage(own0).user + process.cpuUsage(own0).system) / 1000 / elapsed) * 100) / 100,
      };
      steps.push(s);
      console.error(
        `team ${rate} msgs/s: ${s.deliveriesPerSecond} deliveries/s, ack p99 ${s.ackP99Ms} ms, deliver p50 ${s.p50Ms} p99 ${s.p99Ms} max ${s.maxMs} ms, delivered ${s.delivered}/${s.expected}, errors ${s.errors}, dup ${s.duplicated}, ooo ${s.outOfOrder}, server cpu ${s.serverCpu}, clients cpu ${s.clientsCpu}`,
      );
      if (!held(s)) break;
    }
    agent.destroy();
  } finally {
    for (const d of devices) d.close();
    await node.stop();
  }
  const best = steps.filter(held).at(-1);
  const rows: BenchRow[] = steps.map((s) => ({
    label: "nimbus",
    "team msgs/s offered": s.rate,
    "deliveries/s": s.deliveriesPerSecond,
    "ack p99 ms": s.ackP99Ms,
    "deliver p50 ms": s.p50Ms,
    "deliver p99 ms": s.p99Ms,
    "deliver max ms": s.maxMs,
    delivered: `${s.delivered}/${s.expected}`,
    errors: s.errors,
    dup: s.duplicated,
    "out of order": s.outOfOrder,
    "server cpu": s.serverCpu,
    "clients cpu": s.clientsCpu,
    held: held(s) ? "yes" : "no",
  }));
  return {
    scenario: quick ? "team-quick" : "team",
    note:
      `${teams} team(s) of ${MEMBERS} members, every member online (${teams * MEMBERS} lean clients in the bench process), one node on SQLite; ` +
      `open loop, ${durationMs / 1000} s per step. Highest held: ${best ? `${best.rate} msgs/s = ${best.deliveriesPerSecond} deliveries/s` : "none"}. ` +
      "The same-run ratio to a bare relay's fan-out is not measured yet.",
    rows,
    summary: {
      messagesPerSecond: best?.rate ?? 0,
      deliveriesPerSecond: best?.deliveriesPerSecond ?? 0,
      p99Ms: best?.p99Ms ?? null,
      baselineRatio: null,
    },
  };
}
