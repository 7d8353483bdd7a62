import { Agent } from "node:http";
import { createAccounts, startNodeUnderTest, type Account } from "../lib/node-under-test.ts";
import { LeanDevice } from "../lib/lean-client.ts";
import type { BenchResult, BenchRow } from "../lib/report.ts";
import type { Message } from "../../src/protocol/messages.ts";
import { held, TeamTracker, type TeamFleet, type TeamStep } from "../lib/team-ladder.ts";
import { relayTeamFleet } from "../lib/team-relay-fleet.ts";
import { startRelay } from "./p2p.ts";

/**
 * `superteam`: one super team of 10,000 members made over REST, 2,000 of them online on one node
 * (lean clients in this process), online members sending text at a stepped aggregate rate: the
 * team scenario's ladder (bench/lib/team-ladder.ts: open loop, message i due at start + i/rate,
 * latency from then to each delivery) with one team of the online members. Each message goes to
 * every online device but the sender's: deliveries/s is messages/s × 1,999. A step holds when
 * p99 ≤ 200 ms and nothing is lost, duplicated or out of order. Also: the node's heap growth while
 * the super team is made and every member bucket is loaded (its state), and the same steps against
 * the bare relay with as many raw clients in one group (bench/lib/team-relay-fleet.ts), for the
 * same-run ratio.
 */

const MEMBERS = Number(process.env.BENCH_SUPERTEAM_MEMBERS) || 10_000;
const ONLINE = Number(process.env.BENCH_SUPERTEAM_ONLINE) || 2_000;
const P99_MS = 200;

async function call(node: Awaited<ReturnType<typeof startNodeUnderTest>>, path: string, params: Record<string, string>) {
  const res = await node.call(path, params);
  if (res.code !== 200) throw new Error(`${path}: ${JSON.stringify(res)}`);
  return res;
}

function row(label: string, s: TeamStep): BenchRow {
  return {
    label,
    "deliveries/s": s.deliveriesPerSecond,
    "ack p99 ms": s.ackP99Ms,
    "p50 ms": s.p50Ms,
    "p99 ms": s.p99Ms,
    "max ms": s.maxMs,
    delivered: `${s.delivered}/${s.expected}`,
    errors: s.errors,
    dup: s.duplicated,
    "out of order": s.outOfOrder,
    "server cpu": s.serverCpu,
    held: held(s, P99_MS) ? "yes" : "no",
  };
}

export async function runSuperTeam(quick: boolean): Promise<BenchResult> {
  const rates = process.env.BENCH_RATES?.split(",").map(Number) ?? (quick ? [5, 10] : [10, 20, 40, 60, 80, 100, 150]);
  const stepSeconds = quick ? 3 : 10;
  const drainMs = quick ? 2000 : 4000;
  const node = await startNodeUnderTest();
  const devices: LeanDevice[] = [];
  let steps: TeamStep[] = [];
  let tracker: TeamTracker | undefined;
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
    tracker = new TeamTracker(online.length);
    const track = tracker;
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
              onMessage: (m: Message) => {
                if (m.conv === conv) track.delivered(a.accid, m.conv, m.seq, String((m.body as { msg?: string }).msg ?? ""));
              },
              waitForSync: true,
            }),
          ),
        )),
      );
    }
    const fleet: TeamFleet = {
      teams: 1,
      members: devices.length,
      serverPid: node.pid,
      send: (_team, member, text, clientId) => devices[member]!.sendText(conv, text, clientId),
    };
    // Warm-up, not recorded.
    for (let i = 0; i < 20; i++) await fleet.send(0, (i * 97) % devices.length, "warm", `w-${i}`);
    await new Promise((r) => setTimeout(r, drainMs));
    steps = await tracker.climb("superteam", fleet, rates, stepSeconds * 1000, drainMs, P99_MS);
    agent.destroy();
  } finally {
    for (const d of devices) d.close();
    await node.stop();
  }

  // The bare relay, same run, same rates, same tracker (its steps are numbered on from Nimbus's).
  const relay = await startRelay();
  let relaySteps: TeamStep[] = [];
  try {
    const fleet = await relayTeamFleet(relay.url, relay.pid, 1, Math.min(ONLINE, MEMBERS), tracker!);
    try {
      relaySteps = await tracker!.climb(
        "relay",
        fleet,
        steps.map((s) => s.rate),
        stepSeconds * 1000,
        drainMs,
        P99_MS,
      );
    } finally {
      fleet.close();
    }
  } finally {
    relay.stop();
  }

  const rows: BenchRow[] = steps.map((s) => row(`nimbus: ${s.rate} msgs/s to ${ONLINE} online of ${MEMBERS}`, s));
  for (const [i, r] of relaySteps.entries()) {
    rows.push(row(`relay: ${r.rate} msgs/s to ${ONLINE} clients`, r));
    rows[i]!["ratio to relay"] = (steps[i]!.deliveriesPerSecond / r.deliveriesPerSecond).toFixed(2);
  }
  const best = steps.filter((s) => held(s, P99_MS)).at(-1);
  const bestIndex = best ? steps.indexOf(best) : -1;
  const relayAtBest = relaySteps[bestIndex];
  const ratio = best && relayAtBest ? best.deliveriesPerSecond / relayAtBest.deliveriesPerSecond : null;
  return {
    scenario: quick ? "superteam-quick" : "superteam",
    note:
      `One super team (tid ${tid}) of ${MEMBERS} members made over REST, ${ONLINE} online on one node (SQLite) as lean clients in the bench process; ` +
      `open loop, ${stepSeconds} s per step, a step holds at p99 ≤ ${P99_MS} ms with nothing lost, duplicated or out of order. ` +
      `Highest held: ${best ? `${best.rate} msgs/s = ${best.deliveriesPerSecond} deliveries/s` : "none"}. ` +
      `Super team state: the node's heap + external after a full GC grew ${(stateBytes / 1048576).toFixed(2)} MB while it was made and every member bucket loaded ` +
      `(each account's super team index was read before the baseline). Relay rows: the bare ws relay, the same ladder and rates with as many raw clients in one group (one encode per frame).`,
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
