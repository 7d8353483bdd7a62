/**
 * A room-member generator process (chat room fan-out benches). The parent drives it over IPC:
 *   {t:"enter", ...EnterCommand} → {t:"entered", ms, ok, errors, firstError?}
 *   {t:"reset"}                  → {t:"ok"}            counters start afresh (a load step begins)
 *   {t:"collect"}                → {t:"counts", received, latencies}
 *   {t:"close"}                  → exits
 * Members are Nimbus chat room members (bench/lib/lean-chatroom.ts), raw clients of the bare `ws`
 * relay, or Centrifugo subscribers (bench/lib/centrifugo-client.ts). Every member counts the room
 * messages it gets from the frame's first bytes; one in `sampleEvery` also decodes them and reads
 * the sender's timestamp (the payload starts `<ms>.`), so 20,000 members cost one decode per
 * sampled delivery, not one per delivery.
 */
import { Agent } from "node:http";
import { decode } from "@msgpack/msgpack";
import { WebSocket } from "ws";
import { CentrifugoSubscriber } from "./lib/centrifugo-client.ts";
import { LeanMember } from "./lib/lean-chatroom.ts";

export type RoomKind = "nimbus" | "relay" | "centrifugo";

export interface EnterCommand {
  kind: RoomKind;
  /** Node http URL, the relay's ws:// URL, or Centrifugo's ws:// client URL. */
  url: string;
  appKey: string;
  /** Rooms (Nimbus room ids or Centrifugo channels); member i enters rooms[i % rooms.length]. */
  rooms: (number | string)[];
  /** Accounts, or `{}` for anonymous viewers; the relay's ids are `firstId + i`. */
  members: { accid?: string; token?: string }[];
  firstId: number;
  concurrency: number;
  sampleEvery: number;
  /** Centrifugo connection tokens (JWT) per member, when the server wants them. */
  tokens?: string[];
}

export type FromGenerator =
  | { t: "entered"; ms: number; ok: number; errors: number; firstError?: string }
  | { t: "ok" }
  | { t: "counts"; received: number; latencies: number[] }
  | { t: "fatal"; error: string };

let received = 0;
let latencies: number[] = [];
const closers: (() => void)[] = [];

function stamp(payload: string): void {
  latencies.push(Date.now() - Number(payload.slice(0, payload.indexOf("."))));
}

/** `[13][0xa9 "crMessage"]…`: a chat room message push (Colyseus ROOM_DATA, the type as a fixstr). */
const CR_MESSAGE = Buffer.from("\x0d\xa9crMessage", "latin1");

function isRoomMessage(data: Buffer): boolean {
  return (data[0]! & 0x1f) === 13 && data.compare(CR_MESSAGE, 1, CR_MESSAGE.length, 1, CR_MESSAGE.length) === 0;
}

async function enterNimbus(c: EnterCommand, i: number, agent: Agent): Promise<() => void> {
  const sampled = i % c.sampleEvery === 0;
  const m = await LeanMember.enter({
    url: c.url,
    agent,
    appKey: c.appKey,
    roomid: Number(c.rooms[i % c.rooms.length]),
    ...c.members[i],
    onRaw: (data) => {
      if (!isRoomMessage(data)) return false;
      received++;
      if (sampled) {
        const body = decode(data.subarray(CR_MESSAGE.length)) as { attach: string };
        stamp(body.attach);
      }
      return true;
    },
  });
  return () => m.close();
}

async function enterRelay(c: EnterCommand, i: number): Promise<() => void> {
  const sampled = i % c.sampleEvery === 0;
  const ws = new WebSocket(`${c.url}/?id=${c.firstId + i}`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  ws.on("error", () => undefined);
  ws.on("message", (data: Buffer) => {
    received++;
    if (sampled) stamp((JSON.parse(data.toString()) as { t: string }).t);
  });
  return () => ws.close();
}

async function enterCentrifugo(c: EnterCommand, i: number): Promise<() => void> {
  const sampled = i % c.sampleEvery === 0;
  const sub = await CentrifugoSubscriber.connect({
    url: c.url,
    channel: String(c.rooms[i % c.rooms.length]),
    ...(c.tokens?.[i] !== undefined && { token: c.tokens[i] }),
    onPublication: (data) => {
      received++;
      if (sampled) stamp(data);
    },
    sampled,
  });
  return () => sub.close();
}

async function enter(c: EnterCommand): Promise<FromGenerator> {
  const agent = new Agent({ keepAlive: true, maxSockets: c.concurrency });
  let next = 0;
  let ok = 0;
  let errors = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= c.members.length) return;
      try {
        const close =
          c.kind === "nimbus" ? await enterNimbus(c, i, agent) : c.kind === "relay" ? await enterRelay(c, i) : await enterCentrifugo(c, i);
        closers.push(close);
        ok++;
      } catch (err) {
        errors++;
        firstError ??= String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: c.concurrency }, worker));
  agent.destroy();
  return { t: "entered", ms: performance.now() - t0, ok, errors, ...(firstError !== undefined && { firstError }) };
}

function reply(m: FromGenerator): void {
  process.send?.(m);
}

process.on("message", (m: { t: string } & Partial<EnterCommand>) => {
  if (m.t === "enter") {
    enter(m as EnterCommand).then(reply, (err: unknown) => reply({ t: "fatal", error: String(err) }));
  } else if (m.t === "reset") {
    received = 0;
    latencies = [];
    reply({ t: "ok" });
  } else if (m.t === "collect") {
    reply({ t: "counts", received, latencies });
  } else if (m.t === "close") {
    for (const close of closers) close();
    setTimeout(() => process.exit(0), 500);
  }
});
process.on("disconnect", () => process.exit(0));
