import { type ChatroomInfoFields, type ChatroomProtocol, type ChatroomView } from "../../src/contracts/chatroom.ts";
import {
  ChatroomDelivery,
  ChatroomFrames,
  ChatroomNotificationKind as Kind,
  chatroomSubject,
  encodeChatroomEvent,
  type ChatroomControl,
  type ChatroomNotification,
  type ChatroomQueueChange,
} from "../../src/protocol/chatroom.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import type { RequestNamed } from "../../src/runtime/actor-ref.ts";
import { Actor } from "../../src/runtime/mod.ts";
import { delayInfoOf, type DelayClose } from "./delay-close.ts";
import { isWorthKeeping, type FixedMember } from "./members.ts";
import { emptyQueue, type QueueState } from "./queue.ts";

/** The room as saved: info, the members it remembers, the queue. Lists, not maps: an accid may be `__proto__`. */
export interface ChatroomState {
  room: RoomRecord | null;
  members: FixedMember[];
  queue: QueueState;
}

export interface RoomRecord extends ChatroomInfoFields {
  roomid: number;
  creator: string;
  valid: boolean;
  muted: boolean;
  ionotify: boolean;
  createdAt: number;
  delay?: DelayClose;
}

export type Req<T extends keyof ChatroomProtocol & string> = RequestNamed<ChatroomProtocol, T>;

/**
 * What every part of the chat room actor shares (see chatroom.ts): the saved state and the index of
 * its members, who is online, and how the room saves a change and tells the room about it.
 */
export abstract class RoomBase extends Actor<ChatroomState> {
  protected members = new Map<string, FixedMember>();
  protected readonly onlineByNode = new Map<string, { startedAt: number; count: number }>();
  protected readonly onlineFixed = new Set<string>();
  /**
   * Accounts in the room that are not fixed members (NIM's guests, membersByPage type 1), with what
   * they entered with, newest entry last. Not saved: like onlineFixed, what the edges told since
   * the actor woke (an anonymous viewer is never told here: it has no account).
   */
  protected readonly onlineGuests = new Map<string, { nick: string; avator: string; ext: string; enterTime: number }>();

  initialState(): ChatroomState {
    return { room: null, members: [], queue: emptyQueue() };
  }

  // ---- info -------------------------------------------------------------------------------

  protected get roomid(): number {
    return Number(this.ctx.id);
  }

  /** The room, or 404 when it was never created. */
  protected room(): RoomRecord {
    const room = this.state.room;
    if (!room) throw new NimbusError("NOT_FOUND", `roomid: chat room ${this.ctx.id} does not exist`);
    return room;
  }

  /** The room, open: a closed one answers 13002. */
  protected openRoom(): RoomRecord {
    const room = this.room();
    if (!room.valid) throw new NimbusError("CHATROOM_STATE", `roomid: chat room ${room.roomid} is closed`);
    return room;
  }

  protected view(withOnline: boolean): ChatroomView {
    const r = this.room();
    const v: ChatroomView = {
      roomid: r.roomid,
      creator: r.creator,
      name: r.name,
      announcement: r.announcement,
      broadcasturl: r.broadcasturl,
      ext: r.ext,
      queuelevel: r.queuelevel,
      valid: r.valid,
      muted: r.muted,
      ionotify: r.ionotify,
      delayInfo: delayInfoOf(r.delay, r.valid),
    };
    if (withOnline) v.onlineusercount = this.onlineCount();
    return v;
  }

  protected onlineCount(): number {
    let n = 0;
    for (const [nodeId, c] of this.onlineByNode) if (this.ctx.isNodeAlive(nodeId, c.startedAt)) n += c.count;
    return n;
  }

  // ---- saving and publishing --------------------------------------------------------------

  protected async saveMember(t: FixedMember, now: number): Promise<void> {
    const next = new Map(this.members);
    if (isWorthKeeping(t, now)) next.set(t.accid, t);
    else next.delete(t.accid);
    await this.commit({ ...this.state, members: [...next.values()] });
  }

  /** Saves `next` before anyone hears of it; on failure the state is as before. */
  protected async commit(next: ChatroomState): Promise<void> {
    const before = this.state;
    this.state = next;
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = before;
      throw err;
    }
    this.members = new Map(next.members.map((m) => [m.accid, m]));
  }

  protected get subject(): string {
    return chatroomSubject(this.ctx.appKey, this.ctx.id);
  }

  protected notify(
    id: ChatroomNotification["id"],
    operator: string | null,
    targets: string[],
    ext?: string,
    data?: Record<string, unknown>,
  ): void {
    const n: ChatroomNotification = { roomid: this.roomid, id, operator: operator ?? "", targets, time: Date.now() };
    if (ext) n.ext = ext;
    if (data) n.data = data;
    this.ctx.publish(this.subject, encodeChatroomEvent(ChatroomFrames.NOTIFICATION, n, ChatroomDelivery.HIGH));
  }

  /** A queue change reaches the room as NIM's notification 317 (or 320 for a batch), with the change as its data. */
  protected queueChanged(
    change: Omit<ChatroomQueueChange, "roomid" | "time">,
    kind: ChatroomNotification["id"] = Kind.QUEUE_CHANGE,
    ext?: string,
  ): void {
    const full: ChatroomQueueChange = { roomid: this.roomid, time: Date.now(), ...change };
    this.notify(kind, change.operator, [], ext, full as unknown as Record<string, unknown>);
  }

  protected control(c: ChatroomControl): void {
    this.ctx.publish(this.subject, encodeChatroomEvent("control", c, ChatroomDelivery.CONTROL));
  }
}
