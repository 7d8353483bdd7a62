import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { chatroomAddress, type ChatroomOwnerProtocol, type ChatroomSendInput, type ChatroomView } from "../../src/contracts/chatroom.ts";
import {
  ChatroomDelivery,
  ChatroomFrames,
  chatroomBroadcastSubject,
  encodeChatroomEvent,
  type ChatroomMessage,
} from "../../src/protocol/chatroom.ts";
import type { RequestNamed, RequestOf } from "../../src/runtime/actor-ref.ts";

/** The rooms this account created, oldest first. */
export interface ChatroomOwnerState {
  rooms: number[];
}

/**
 * The rooms one account created (`chatroomOwner/<appKey>/<accid>`). Creating goes through here so
 * NIM's limit of rooms per creator holds under concurrent creates (one turn at a time), and so
 * `queryUserRoomIds` has the list. The room id is the next value of the cluster-wide `chatroomid`
 * sequence. The room is created first and recorded after: a failure between the two leaves a room
 * that does not count against the limit, never a counted room that does not exist.
 */
export class ChatroomOwnerActor extends Actor<ChatroomOwnerState> {
  initialState(): ChatroomOwnerState {
    return { rooms: [] };
  }

  receive(message: unknown): unknown {
    const m = message as RequestOf<ChatroomOwnerProtocol>;
    switch (m.t) {
      case "create":
        return this.create(m);
      case "list":
        return [...this.state.rooms];
      case "broadcast":
        return this.broadcast(m.input);
      default:
        throw new NimbusError("PARAM_ERROR", `unknown chat room owner message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  /** Recent broadcasts by msgId, so a resend is answered with the first and sent once. */
  private readonly recent = new Map<string, ChatroomMessage>();

  private async broadcast(input: ChatroomSendInput): Promise<ChatroomMessage> {
    const known = this.recent.get(input.clientMsgId);
    if (known) return known;
    const msgid = await this.ctx.nextId("msgid");
    const message: ChatroomMessage = {
      roomid: 0,
      seq: 0,
      msgid,
      clientMsgId: input.clientMsgId,
      from: this.ctx.id,
      time: Date.now(),
      type: input.type,
      attach: input.attach,
    };
    if (input.ext) message.ext = input.ext;
    this.ctx.publish(
      chatroomBroadcastSubject(this.ctx.appKey),
      encodeChatroomEvent(
        ChatroomFrames.MESSAGE,
        message,
        input.highPriority ? ChatroomDelivery.HIGH : ChatroomDelivery.NORMAL,
        this.ctx.id,
      ),
    );
    this.recent.set(input.clientMsgId, message);
    if (this.recent.size > 64) this.recent.delete(this.recent.keys().next().value!);
    return message;
  }

  private async create(m: RequestNamed<ChatroomOwnerProtocol, "create">): Promise<ChatroomView> {
    if (this.state.rooms.length >= m.maxRooms) {
      throw new NimbusError(
        "QUANTITY_LIMIT",
        `creator: ${this.ctx.id} has created ${this.state.rooms.length} chat rooms, the most allowed`,
      );
    }
    const roomid = await this.ctx.nextId("chatroomid");
    const view = await this.ctx.ask(chatroomAddress(this.ctx.appKey, roomid), {
      t: "create",
      creator: this.ctx.id,
      info: m.info,
      ionotify: m.ionotify,
      ...(m.delay && { delay: m.delay }),
    });
    const before = this.state;
    this.state = { rooms: [...before.rooms, roomid] };
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = before;
      throw err;
    }
    return view;
  }
}
