/**
 * A lean chat room member for the load generators: the frames `enterChatroom` (src/client/chatroom.ts)
 * sends and reads, without the SDK (its reconnect machinery, history catch-up and emitter cost the
 * generator's share of a 2-core machine, thousands of times over). An entry is the SDK's:
 * `POST /matchmake/joinOrCreate/chatroom`, the WebSocket to the seat, the JOIN_ROOM acknowledgement,
 * then the server's `crWelcome`. Pushes are read for their type only unless the caller asks for
 * the message body, so a 20,000-member room costs the generator one decode per message it times.
 */
import type { Agent } from "node:http";
import { decode } from "@msgpack/msgpack";
import { WebSocket } from "ws";
import {
  CHATROOM_ROOM_NAME,
  ChatroomFrames,
  ChatroomRequests,
  type ChatroomEnterOptions,
  type ChatroomMessage,
  type ChatroomSendAck,
  type ChatroomSendRequest,
} from "../../src/protocol/chatroom.ts";
import { LeanClientError, LeanLink, postJson, readHeaderValue } from "./lean-client.ts";

const JOIN_ROOM = 10;
const ERROR = 11;
const ROOM_DATA = 13;
const ROOM_RESPONSE = 22;
const CODE_MASK = 0x1f;
const ACK_JOIN = Uint8Array.of(JOIN_ROOM);

export interface LeanEntry extends ChatroomEnterOptions {
  url: string;
  agent: Agent;
  /** Each `crMessage` push, decoded. */
  onMessage?(m: ChatroomMessage): void;
  /** Each other push after the welcome (notifications, kicks), still encoded. */
  onPush?(type: string, body: Uint8Array): void;
  onClose?(code: number): void;
  /** Sees every frame first; true when it handled it (the generators count pushes without decoding them). */
  onRaw?(data: Buffer): boolean;
}

interface Seat {
  roomId: string;
  sessionId: string;
  processId: string;
}

export class LeanMember extends LeanLink {
  static async enter(o: LeanEntry): Promise<LeanMember> {
    const options: ChatroomEnterOptions = { appKey: o.appKey, roomid: o.roomid };
    if (o.accid !== undefined) options.accid = o.accid;
    if (o.token !== undefined) options.token = o.token;
    if (o.nick !== undefined) options.nick = o.nick;
    const seat = await postJson<Seat>(o.agent, `${o.url}/matchmake/joinOrCreate/${CHATROOM_ROOM_NAME}`, options);
    const wsUrl = `${o.url.replace(/^http/, "ws")}/${seat.processId}/${seat.roomId}?sessionId=${encodeURIComponent(seat.sessionId)}`;
    const ws = new WebSocket(wsUrl, { perMessageDeflate: false });
    const member = new LeanMember(ws);
    let welcomed = false;
    await new Promise<void>((resolve, reject) => {
      ws.once("error", reject);
      ws.on("close", (code, reason) => {
        if (!welcomed) reject(new LeanClientError(code, `closed before welcome: ${reason.toString()}`));
        member.failAll(new LeanClientError(415, "connection closed"));
        o.onClose?.(code);
      });
      ws.on("message", (data: Buffer) => {
        if (welcomed && o.onRaw?.(data)) return;
        const kind = data[0]! & CODE_MASK;
        if (kind === ROOM_DATA) {
          const at = { offset: 1 };
          const type = readHeaderValue(data, at);
          if (type === ChatroomFrames.MESSAGE) o.onMessage?.(decode(data.subarray(at.offset)) as ChatroomMessage);
          else if (type === ChatroomFrames.WELCOME) {
            welcomed = true;
            ws.removeAllListeners("error");
            ws.on("error", () => undefined);
            resolve();
          } else if (typeof type === "string") o.onPush?.(type, data.subarray(at.offset));
        } else if (kind === JOIN_ROOM) ws.send(ACK_JOIN);
        else if (kind === ROOM_RESPONSE) member.settle(data);
        else if (kind === ERROR) {
          const at = { offset: 1 };
          const code = readHeaderValue(data, at);
          reject(new LeanClientError(typeof code === "number" ? code : 500, String(readHeaderValue(data, at))));
        }
      });
    });
    return member;
  }

  /** A normal text message (type 0); resolves with the stored message. */
  sendText(attach: string, clientMsgId: string, highPriority = false): Promise<ChatroomSendAck> {
    const req: ChatroomSendRequest = { clientMsgId, type: 0, attach };
    if (highPriority) req.highPriority = true;
    return this.request(ChatroomRequests.SEND, req) as Promise<ChatroomSendAck>;
  }
}
