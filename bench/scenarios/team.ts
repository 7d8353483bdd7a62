import { Agent } from "node:http";
import { createAccounts, startNodeUnderTest, type Account } from "../lib/node-under-test.ts";
import { LeanDevice } from "../lib/lean-client.ts";
import type { BenchResult, BenchRow } from "../lib/report.ts";
import type { Message } from "../../src/protocol/messages.ts";
import { held, TeamTracker, type TeamFleet, type TeamStep } from "../lib/team-ladder.ts";
import { relayTeamFleet } from "../lib/team-relay-fleet.ts";
import { startRelay } from "./p2p.ts";

/**
 * `team`: teams of 200 members, every member online (lean clients in this process, the node in its
 * own), members sending text messages into their teams at a fixed aggregate rate (open loop:
 * message i is due at start + i/rate, latency measured from then), stepped up until p99
 * send→deliver passes 100 ms or a delivery is lost, duplicated or out of order. Each message is
 * delivered to every member's device but the sender's (which has its ack): deliveries/s is
 * messages/s × 199. Then, in the same run, the same ladder against the bare `ws` relay doing the
 * same fan-out (raw clients in groups of 200, each frame encoded once and written to the group):
 * the ratio is Nimbus's highest held deliveries/s over the relay's.
 */

const MEMBERS = Number(process.env.BENCH_TEAM_MEMBERS) || 200;

/** Nimbus: teams made over REST, one lean client per member. */
async function nimbusFleet(teams: number, tracker: TeamTracker) {
  const node = await startNodeUnderTest();
  const devices: LeanDevice[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  const close = async () => {
    for (const d of devices) d.close();
    agent.destroy();
    await node.stop();
  };
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
              onMessage: (m: Message) => tracker.delivered(a.accid, m.conv, m.seq, String((m.body as { msg?: string }).msg ?? "")),
              waitForSync: true,
            }),
          ),
        )),
      );
    }
    const fleet: TeamFleet = {
      teams,
      members: MEMBERS,
      serverPid: node.pid,
      send: (team, member, text, clientId) => devices[team * MEMBERS + member]!.sendText(`team:${byTeam[team]!.tid}`, text, clientId),
    };
    return { fleet, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Warm-up, not recorded: JIT and first-message paths (every member sends once). */
async function warm(fleet: TeamFleet, drainMs: number): Promise<void> {
  const sends: Promise<unknown>[] = [];
  for (let t = 0; t < fleet.teams; t++) for (let m = 0; m < fleet.members; m++) sends.push(fleet.send(t, m, "warm", `w-${t}-${m}`));
  await Promise.all(sends);
  await new Promise((r) => setTimeout(r, drainMs));
}

function row(label: string, s: TeamStep): BenchRow {
  return {
    label,
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
  };
}

export async function runTeam(quick: boolean): Promise<BenchResult> {
  const teams = Number(process.env.BENCH_TEAMS) || (quick ? 1 : 2);
  const rates = process.env.BENCH_RATES?.split(",").map(Number) ?? (quick ? [25, 50, 100] : [50, 100, 200, 300, 400, 500, 600, 800]);
  const durationMs = Number(process.env.BENCH_STEP_MS) || (quick ? 2000 : 10_000);
  const drainMs = quick ? 2000 : 5000;

  const tracker = new TeamTracker(MEMBERS);
  const nimbus = await nimbusFleet(teams, tracker);
  let steps: TeamStep[];
  try {
    await warm(nimbus.fleet, drainMs);
    steps = await tracker.climb("team", nimbus.fleet, rates, durationMs, drainMs);
  } finally {
    await nimbus.close();
  }

  // The bare relay, same run, same ladder, same tracker (its steps are numbered on from Nimbus's).
  const relay = await startRelay();
  let relaySteps: TeamStep[];
  try {
    const fleet = await relayTeamFleet(relay.url, relay.pid, teams, MEMBERS, tracker);
    try {
      await warm(fleet, 500);
      // Further up than Nimbus's ladder, so the relay's own ceiling is found rather than bounded.
      const top = rates.at(-1)!;
      const relayRates = process.env.BENCH_RELAY_RATES?.split(",").map(Number) ?? [...rates, top * 2, top * 4, top * 8];
      relaySteps = await tracker.climb("relay", fleet, relayRates, durationMs, drainMs);
    } finally {
      fleet.close();
    }
  } finally {
    relay.stop();
  }

  const best = steps.filter((s) => held(s)).at(-1);
  const relayBest = relaySteps.filter((s) => held(s)).at(-1);
  const relayHeldAll = relayBest !== undefined && relayBest === relaySteps.at(-1);
  const ratio = best && relayBest ? Math.round((best.deliveriesPerSecond / relayBest.deliveriesPerSecond) * 1000) / 1000 : null;
  return {
    scenario: quick ? "team-quick" : "team",
    note:
      `${teams} team(s) of ${MEMBERS} members, every member online (${teams * MEMBERS} lean clients in the bench process), one node on SQLite; ` +
      `open loop, ${durationMs / 1000} s per step. Highest held: ${best ? `${best.rate} msgs/s = ${best.deliveriesPerSecond} deliveries/s` : "none"}. ` +
      `Relay rows: the bare ws relay in the same run doing the same fan-out (raw clients in groups of ${MEMBERS}, one encode per frame), ` +
      `highest held ${relayBest ? `${relayBest.rate} msgs/s = ${relayBest.deliveriesPerSecond} deliveries/s` : "none"}` +
      `${relayHeldAll ? "; it held the whole ladder, so the ratio is a bound (at most this), not a measurement" : ""}. ` +
      "Ratio: Nimbus's highest held deliveries/s over the relay's.",
    rows: [...steps.map((s) => row("nimbus", s)), ...relaySteps.map((s) => row("bare relay", s))],
    summary: {
      messagesPerSecond: best?.rate ?? 0,
      deliveriesPerSecond: best?.deliveriesPerSecond ?? 0,
      p99Ms: best?.p99Ms ?? null,
      relayDeliveriesPerSecond: relayBest?.deliveriesPerSecond ?? 0,
      relayP99Ms: relayBest?.p99Ms ?? null,
      baselineRatio: ratio,
      relayHeldWholeLadder: relayHeldAll ? "yes" : "no",
    },
  };
}
