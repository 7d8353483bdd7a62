import { Agent, request } from "node:http";
import { CENTRIFUGO_API_KEY, startCentrifugo, type RunningCentrifugo } from "../peers/centrifugo.ts";
import { readRss } from "../lib/node-under-test.ts";
import { MEMBERS_PER_GENERATOR, RoomGenerator, enterAll, fanoutStep, payload, requireOpenFiles } from "../lib/room-fanout.ts";
import type { BenchResult, BenchRow } from "../lib/report.ts";
import {
  HELD_P99_MS,
  deliveriesPerSecond,
  held,
  roomOptions,
  round1,
  runNimbusRooms,
  stepRow,
  type RoomRun,
  type RoomRunOptions,
  type RoomStepFigures,
} from "./chatroom.ts";

/** RSS is read this long after the second half entered: Go's heap settles (it scavenges freed memory in the background). */
const RSS_SETTLE_MS = 4000;

/** One publish through Centrifugo's server HTTP API (`POST /api/publish`, `X-API-Key`). */
function publish(c: RunningCentrifugo, agent: Agent, channel: string, data: string): Promise<void> {
  const body = JSON.stringify({ channel, data });
  return new Promise((resolve, reject) => {
    const req = request(
      `${c.apiUrl}/publish`,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "x-api-key": CENTRIFUGO_API_KEY, "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d.toString()));
        res.on("end", () =>
          res.statusCode === 200 && !text.includes('"error"') ? resolve() : reject(new Error(`publish ${res.statusCode}: ${text}`)),
        );
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Centrifugo with the same members, channels, payload and steps as the Nimbus run. */
async function runCentrifugoRooms(o: RoomRunOptions, history: boolean): Promise<RoomRun & { version: string }> {
  requireOpenFiles(o.members);
  const server = await startCentrifugo({ history });
  const gens = Array.from(
    { length: Math.max(o.members >= 1000 ? 2 : 1, Math.ceil(o.members / MEMBERS_PER_GENERATOR)) },
    (_, i) => new RoomGenerator(i),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const channels = Array.from({ length: o.rooms }, (_, r) => `room${r}`);
    const base = {
      kind: "centrifugo" as const,
      url: server.wsUrl,
      appKey: "",
      rooms: channels,
      concurrency: 32,
      sampleEvery: o.sampleEvery,
    };
    const members = Array.from({ length: o.members }, () => ({}));
    const half = Math.floor(o.members / 2);
    const first = await enterAll(gens, base, members.slice(0, half));
    await new Promise((r) => setTimeout(r, RSS_SETTLE_MS));
    const mid = readRss(server.pid);
    const second = await enterAll(gens, base, members.slice(half));
    await new Promise((r) => setTimeout(r, RSS_SETTLE_MS));
    const after = readRss(server.pid);
    const entered = first.ok + second.ok;
    const steps: RoomStepFigures[] = [];
    for (const rate of o.rates) {
      const step = await fanoutStep(gens, rate, o.stepSeconds, 1500, (k) =>
        publish(server, agent, channels[k % channels.length]!, payload(k, o.payloadBytes)),
      );
      const expected = Math.round(step.published * (entered / o.rooms));
      steps.push({ ...step, expected, droppedByBudget: 0, lost: Math.max(0, expected - step.delivered) });
    }
    const firstError = first.firstError ?? second.firstError;
    return {
      version: server.version,
      steps,
      entered,
      enterErrors: first.errors + second.errors,
      ...(firstError !== undefined && { firstError }),
      connectsPerSecond: Math.round(entered / ((first.ms + second.ms) / 1000)),
      rssPerMemberKB: round1((after - mid) / second.ok / 1024),
    };
  } finally {
    await Promise.all(gens.map((g) => g.close()));
    agent.destroy();
    await server.stop();
  }
}

const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? (a / b).toFixed(2) : "n/a");

function figures(label: string, r: RoomRun): BenchRow {
  const h = held(r);
  return {
    label,
    [`held deliveries/s at p99 ≤ ${HELD_P99_MS} ms`]: h ? deliveriesPerSecond(h) : 0,
    "RSS KB/connection": r.rssPerMemberKB,
    "connects/s": r.connectsPerSecond,
    "entries failed": r.enterErrors ? `${r.enterErrors}: ${r.firstError}` : 0,
  };
}

function ratioRow(label: string, n: RoomRun, p: RoomRun): BenchRow {
  const hn = held(n);
  const hp = held(p);
  return {
    label,
    [`held deliveries/s at p99 ≤ ${HELD_P99_MS} ms`]: ratio(hn ? deliveriesPerSecond(hn) : 0, hp ? deliveriesPerSecond(hp) : 0),
    "RSS KB/connection": ratio(n.rssPerMemberKB, p.rssPerMemberKB),
    "connects/s": ratio(n.connectsPerSecond, p.connectsPerSecond),
  };
}

/**
 * `peers-chatroom`: Centrifugo v6 (history off, then on with a 10-day TTL) and the Nimbus chat room
 * (every message journalled: the room's history), one after the other in one run, with the same
 * members, channels (rooms), payload and stepped publish rates. For each shape (BENCH_SHAPES: how
 * many channels the members are spread over; default one channel, then ten), per server: the
 * deliveries/s held at p99 publish→deliver ≤ 200 ms, RSS per connection, connects/s; then Nimbus ÷
 * Centrifugo per figure. Rates per channel stay within NIM's receive budget (20/s per member), so
 * every message is owed to every member on both servers.
 */
export async function runPeersChatroom(quick: boolean): Promise<BenchResult> {
  const members = Number(process.env.BENCH_MEMBERS ?? (quick ? 1000 : 5000));
  const shapes = (process.env.BENCH_SHAPES ?? (quick ? "1" : "1,10")).split(",").map(Number);
  const perRoomRates = (process.env.BENCH_RATES ?? (quick ? "5,15" : "2,5,10,15,20")).split(",").map(Number);
  const rows: BenchRow[] = [];
  const figureRows: BenchRow[] = [];
  const summary: Record<string, number | string | null> = {};
  let version = "";
  let o: RoomRunOptions = roomOptions(quick, members);
  for (const rooms of shapes) {
    o = { ...roomOptions(quick, members), rooms, rates: perRoomRates.map((r) => r * rooms) };
    const off = await runCentrifugoRooms(o, false);
    const on = await runCentrifugoRooms(o, true);
    const nimbus = await runNimbusRooms(o);
    version = on.version;
    const shape = `${members} members, ${rooms} channel${rooms > 1 ? "s" : ""}`;
    for (const [name, r] of [
      ["centrifugo, history off", off],
      ["centrifugo, history on (10 days)", on],
      ["nimbus (journalled)", nimbus],
    ] as const)
      for (const s of r.steps) rows.push(stepRow(`${name}: ${shape}, ${s.rate} msgs/s`, s));
    figureRows.push(
      figures(`${shape}: centrifugo, history off`, off),
      figures(`${shape}: centrifugo, history on`, on),
      figures(`${shape}: nimbus`, nimbus),
      ratioRow(`${shape}: nimbus ÷ centrifugo (history on)`, nimbus, on),
      ratioRow(`${shape}: nimbus ÷ centrifugo (history off)`, nimbus, off),
    );
    const hn = held(nimbus);
    const hon = held(on);
    const hoff = held(off);
    summary[`nimbusHeld_${rooms}`] = hn ? deliveriesPerSecond(hn) : 0;
    summary[`centrifugoHistoryHeld_${rooms}`] = hon ? deliveriesPerSecond(hon) : 0;
    summary[`centrifugoNoHistoryHeld_${rooms}`] = hoff ? deliveriesPerSecond(hoff) : 0;
    summary[`nimbusRssKB_${rooms}`] = nimbus.rssPerMemberKB;
    summary[`centrifugoRssKB_${rooms}`] = on.rssPerMemberKB;
    summary[`nimbusConnectsPerSecond_${rooms}`] = nimbus.connectsPerSecond;
    summary[`centrifugoConnectsPerSecond_${rooms}`] = on.connectsPerSecond;
  }
  return {
    scenario: "peers-chatroom",
    note:
      `${quick ? "Quick run. " : ""}Centrifugo ${version} (memory engine, history off then on with history_ttl 240h and history_size 100000, ` +
      `client.insecure: subscribers connect without a token, publishes through the server HTTP API with an API key, log level error) and Nimbus ` +
      `(one node, SQLite, every chat room message journalled: the room's 10-day history; members with accounts and tokens), one after the other in one run. ` +
      `${members} members held by generator processes on this machine (lean clients: bench/lib/centrifugo-client.ts speaks Centrifugo's JSON protocol, ` +
      `bench/lib/lean-chatroom.ts the Nimbus SDK's frames), spread over 1 or more channels/rooms; ${o.payloadBytes}-byte payloads published round-robin over the channels ` +
      `at each rate (per channel: ${perRoomRates.join(", ")} msgs/s, within NIM's 20/s receive budget) for ${o.stepSeconds} s each; Nimbus's anchor sends through its member connection, ` +
      `Centrifugo's publishes go through POST /api/publish on a keep-alive agent. Latency from publish to a sampled member's delivery. Held: p99 ≤ ${HELD_P99_MS} ms and nothing lost. ` +
      `RSS per connection: the server's growth over the second half of the members. Connects/s: entries (Nimbus: matchmake, token check, WebSocket; Centrifugo: WebSocket, connect, subscribe), 32 in flight per generator. ` +
      `The figure rows come last; Nimbus ÷ Centrifugo is higher-is-better except RSS.`,
    rows: [...rows, ...figureRows],
    summary,
  };
}
