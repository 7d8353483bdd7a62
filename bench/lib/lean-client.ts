/**
 * A lean device for the load generators: the same frames the `nimbus/client` SDK sends, without
 * the SDK. The SDK's costs per login (undici `fetch`, web streams, abort signals) and per message
 * (outbox, sequencer, emitter) are a client's to pay, but on a 2-core machine they are paid out of
 * the server's cores, so the bench measures the server with this one by default
 * (`BENCH_CLIENT=sdk` switches back). test/bench/lean-client.test.ts holds it to the SDK's wire.
 *
 * A login is the SDK's: `POST /matchmake/joinOrCreate/im` (JSON, on a keep-alive agent), then the
 * WebSocket to the reserved seat, the JOIN_ROOM acknowledgement, the server's `welcome`, and the
 * login `sync` request a new device sends (awaited with `waitForSync`). Frames are Colyseus 0.18's (`Protocol.ts` in
 * @colyseus/shared-types): a code byte, then msgpack.
 */
import { Agent, request } from "node:http";
import { decode, encode } from "@msgpack/msgpack";
import { WebSocket } from "ws";
import { Frames, ROOM_NAME, type JoinOptions, type MatchmakeErrorBody } from "../../src/protocol/link.ts";
import { MessageType, MessagingEvents, type Message } from "../../src/protocol/messages.ts";
import { MessagingRequests, type SendRequest } from "../../src/protocol/messaging.ts";

const JOIN_ROOM = 10;
const ERROR = 11;
const ROOM_DATA = 13;
const ROOM_REQUEST = 21;
const ROOM_RESPONSE = 22;
const RESPONSE_OK = 0;
/** The code byte's high bits are Colyseus modifier flags. */
const CODE_MASK = 0x1f;

/** A refused login or request: the NIM code the server answered. */
export class LeanClientError extends Error {
  override readonly name = "LeanClientError";
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

interface Seat {
  roomId: string;
  sessionId: string;
  processId: string;
}

export interface LeanLogin extends JoinOptions {
  /** The node's HTTP address, e.g. `http://127.0.0.1:2567`. */
  url: string;
  /** Shared by the devices of one generator, so matchmake requests reuse connections. */
  agent: Agent;
  /** Called for every `msg` push addressed to this account, and every team message pushed to it. */
  onMessage(m: Message): void;
  /** Called for every other push after the welcome, with its body still encoded (msgpack). */
  onPush?(type: string, body: Uint8Array): void;
  /** Resolve only once the login sync is answered (the device is then fully online), not at `welcome`. */
  waitForSync?: boolean;
}

/**
 * The request half of a lean connection, shared by devices and chat room members: a request is a
 * Colyseus room message with an id, answered by a ROOM_RESPONSE frame carrying the id, a status and
 * the body (PROTOCOL.md §4).
 */
export class LeanLink {
  private nextRequest = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

  protected constructor(protected readonly ws: WebSocket) {}

  request(type: string, body: unknown): Promise<unknown> {
    const id = this.nextRequest;
    this.nextRequest = (id + 1) >>> 0 || 1;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(Buffer.concat([requestHeader(id, type), encode(body)]));
    });
  }

  close(): void {
    this.ws.close(4000);
  }

  protected settle(data: Buffer): void {
    const at = { offset: 1 };
    const id = readHeaderValue(data, at);
    const status = data[at.offset++];
    const waiter = typeof id === "number" ? this.pending.get(id) : undefined;
    if (!waiter) return;
    this.pending.delete(id as number);
    const body = at.offset < data.length ? decode(data.subarray(at.offset)) : undefined;
    if (status === RESPONSE_OK) waiter.resolve(body);
    else {
      const e = body as { code?: unknown; message?: unknown } | undefined;
      waiter.reject(new LeanClientError(typeof e?.code === "number" ? e.code : 500, String(e?.message ?? "request failed")));
    }
  }

  protected failAll(err: Error): void {
    for (const w of this.pending.values()) w.reject(err);
    this.pending.clear();
  }
}

/** One logged-in device. */
export class LeanDevice extends LeanLink {
  /** Logs in; resolves once the server's `welcome` has arrived (the login sync is then sent, as the SDK does). */
  static async login(o: LeanLogin): Promise<LeanDevice> {
    const joinOptions: JoinOptions = { appKey: o.appKey, accid: o.accid, token: o.token, deviceId: o.deviceId, clientType: o.clientType };
    const seat = await postJson<Seat>(o.agent, `${o.url}/matchmake/joinOrCreate/${ROOM_NAME}`, joinOptions);
    const wsUrl = `${o.url.replace(/^http/, "ws")}/${seat.processId}/${seat.roomId}?sessionId=${encodeURIComponent(seat.sessionId)}`;
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    const device = new LeanDevice(ws);
    const me = o.accid.toLowerCase();
    await new Promise<void>((resolve, reject) => {
      ws.once("error", reject);
      ws.once("close", (code, reason) => reject(new LeanClientError(code, `closed before welcome: ${reason.toString()}`)));
      ws.on("message", (data: Buffer) => {
        const kind = data[0]! & CODE_MASK;
        if (kind === JOIN_ROOM) ws.send(ACK_JOIN);
        else if (kind === ROOM_DATA) {
          const at = { offset: 1 };
          const type = readHeaderValue(data, at);
          if (type === MessagingEvents.MESSAGE) {
            const m = decode(data.subarray(at.offset)) as Message;
            // A p2p message to this account, or a team's or super team's (its `to` is the tid).
            if (m.to === me || m.conv.startsWith("team:") || m.conv.startsWith("superteam:")) o.onMessage(m);
          } else if (type !== Frames.WELCOME) {
            if (o.onPush && typeof type === "string") o.onPush(type, data.subarray(at.offset));
          } else {
            ws.removeAllListeners("close");
            ws.removeAllListeners("error");
            ws.on("error", () => undefined);
            ws.on("close", () => device.failAll(new LeanClientError(415, "connection closed")));
            resolve();
          }
        } else if (kind === ROOM_RESPONSE) device.settle(data);
        else if (kind === ERROR) {
          const at = { offset: 1 };
          const code = readHeaderValue(data, at);
          reject(new LeanClientError(typeof code === "number" ? code : 500, String(readHeaderValue(data, at))));
        }
      });
    });
    // What a new device's SDK asks right after its welcome (the SDK does not hold `connect` for it).
    const synced = device.request(MessagingRequests.SYNC, { cursors: {}, notificationCursor: 0 });
    if (o.waitForSync) await synced;
    else synced.catch(() => undefined);
    return device;
  }

  /** A text message to `to`; resolves with the server's ack. */
  sendText(to: string, text: string, clientMsgId: string): Promise<unknown> {
    const req: SendRequest = { to, type: MessageType.TEXT, body: { msg: text }, clientMsgId };
    return this.request(MessagingRequests.SEND, req);
  }
}

const ACK_JOIN = Uint8Array.of(JOIN_ROOM);

/**
 * Header values in Colyseus's own encoding (PROTOCOL.md §7): msgpack-style type bytes, but
 * multi-byte numbers and lengths little-endian. Only the forms request ids and message types take.
 */
export function readHeaderValue(b: Buffer, at: { offset: number }): string | number {
  const t = b[at.offset++]!;
  if (t < 0x80) return t;
  if (t >= 0xa0 && t <= 0xbf) return str(b, at, t & 0x1f);
  switch (t) {
    case 0xcc:
      return b[at.offset++]!;
    case 0xcd:
      return ((at.offset += 2), b.readUInt16LE(at.offset - 2));
    case 0xce:
      return ((at.offset += 4), b.readUInt32LE(at.offset - 4));
    case 0xd9:
      return str(b, at, b[at.offset++]!);
    default:
      throw new Error(`unexpected header byte 0x${t.toString(16)}`);
  }
}

function str(b: Buffer, at: { offset: number }, len: number): string {
  const s = b.toString("utf8", at.offset, at.offset + len);
  at.offset += len;
  return s;
}

/** `[code][number id][string type]` of a ROOM_REQUEST; ids are below 2^32, types short ASCII. */
export function requestHeader(id: number, type: string): Buffer {
  const head = Buffer.allocUnsafe(1 + 5 + 1 + type.length);
  let at = 0;
  head[at++] = ROOM_REQUEST;
  if (id < 0x80) head[at++] = id;
  else if (id < 0x100) ((head[at++] = 0xcc), (head[at++] = id));
  else if (id < 0x10000) ((head[at++] = 0xcd), (at = head.writeUInt16LE(id, at)));
  else ((head[at++] = 0xce), (at = head.writeUInt32LE(id, at)));
  head[at++] = 0xa0 | type.length;
  at += head.write(type, at, "latin1");
  return head.subarray(0, at);
}

export function postJson<T>(agent: Agent, url: string, body: unknown): Promise<T> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          try {
            const parsed = JSON.parse(text) as unknown;
            if (res.statusCode === 200) resolve(parsed as T);
            else {
              const e = parsed as Partial<MatchmakeErrorBody>;
              reject(new LeanClientError(e.code ?? res.statusCode ?? 500, e.error ?? text));
            }
          } catch {
            reject(new LeanClientError(res.statusCode ?? 500, text));
          }
        });
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}
