import { type ChatroomInfoFields, type ChatroomMemberView, type ChatroomRequest, type ChatroomView } from "../../src/contracts/chatroom.ts";
import { chatroomMessageOf, type ChatroomPayload } from "../../src/conversation/chatroom-entry.ts";
import { RECALLED, isRecalled } from "../../src/conversation/flags.ts";
import { formatConversation } from "../../src/conversation/ref.ts";
import type { ChatroomMessage } from "../../src/protocol/chatroom.ts";
import {
  ChatroomDelivery,
  ChatroomFrames,
  ChatroomKickReason,
  ChatroomNotificationKind as Kind,
  encodeChatroomEvent,
} from "../../src/protocol/chatroom.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { MessageFlags, type JournalEntry } from "../../src/store/mod.ts";
import { JournalChain, type ChainAnswer } from "../conversation/journal-chain.ts";
import { isDue, nextCheckMs } from "./delay-close.ts";
import { blankMember, isManagerOrCreator, isMutedMember, requireAuthority, type FixedMember } from "./members.ts";
import { QUEUE_SIZE_MAX, emptyQueue, listOf, offer, poll } from "./queue.ts";
import type { Req, RoomRecord } from "./room-base.ts";
import { RoomRoles } from "./room-roles.ts";

/** How many recent messages to some members a room remembers for resends. */
const RECENT_TO_SOME = 64;

/**
 * One chat room (`chatroom/<appKey>/<roomid>`): its info, the members it remembers (creator,
 * managers, fixed members, the blacklisted and muted, robots), the queue and the journal. It is
 * the only writer of its journal and of its snapshot.
 *
 * Who is online is not saved here (DESIGN "Chat rooms"): each node's room edge holds its own
 * members and reports how many (`online`); the actor sums the reports of live nodes, so a node
 * killed with -9 drops out of the count by itself. It keeps in memory which fixed members are in
 * the room, for membersByPage's "online fixed members".
 *
 * Everything the room hears (messages, notifications, queue changes, and the edges' kicks) is
 * published once on `chatroom.<app>.<roomid>`, in the order of this actor's turns.
 */
export class ChatroomActor extends RoomRoles {
  /** The room's journal: gap-free seqs, msgId dedup, appends pipelined (see journal-chain.ts). */
  private readonly chain = new JournalChain(this.ctx, formatConversation({ kind: "chatroom", id: this.ctx.id }));
  /** Since when no node reports a member (for the idle close); undefined while someone is in. */
  private emptySince: number | undefined;
  private cancelDelayCheck: (() => void) | undefined;
  /** Messages to some members lately, by msgId: a resend is answered, not sent again. */
  private readonly recentToSome = new Map<string, ChatroomMessage>();
  private highSecond = 0;
  private highCount = 0;

  override async onActivate(): Promise<void> {
    this.members = new Map(this.state.members.map((m) => [m.accid, m]));
    await this.chain.activate();
    this.emptySince = Date.now();
    this.scheduleDelayCheck();
  }

  receive(message: unknown): unknown {
    const m = message as ChatroomRequest;
    switch (m.t) {
      case "create":
        return this.create(m);
      case "get":
        return this.state.room ? this.view(m.needOnlineUserCount === true) : null;
      case "update":
        return this.update(m);
      case "toggleClose":
        return this.toggleClose(m);
      case "setInOutNotification":
        return this.setInOut(m.ionotify);
      case "setRole":
        return this.setRole(m);
      case "tempMute":
        return this.tempMute(m);
      case "muteRoom":
        return this.muteRoom(m);
      case "kick":
        return this.kick(m);
      case "enter":
        return this.enter(m);
      case "left":
        return this.left(m.accid);
      case "online":
        this.onlineByNode.set(m.nodeId, { startedAt: m.startedAt, count: m.count });
        this.onlineChanged();
        return null;
      case "setDelayClose":
        return this.setDelayClose(m.policy, m.seconds);
      case "delayCheck":
        return this.delayCheck();
      case "send":
        return this.send(m);
      case "recall":
        return this.recall(m);
      case "queueInit":
        return this.queueInit(m.sizeLimit);
      case "queueOffer":
        return this.queueOffer(m);
      case "queuePoll":
        return this.queuePoll(m);
      case "queueList":
        this.room();
        return listOf(this.state.queue);
      case "queueDrop":
        return this.queueDrop(m.operator);
      case "queueBatchUpdate":
        return this.queueBatchUpdate(m);
      case "queueBatchOffer":
        return this.queueBatchOffer(m);
      case "members":
        return this.membersOf(m.accids);
      case "membersByPage":
        return this.membersByPage(m);
      case "addRobots":
        return this.addRobots(m);
      case "removeRobots":
        return this.removeRobots(m.accids);
      case "cleanRobots":
        return this.removeRobots(
          [...this.members.values()].filter((x) => x.robot).map((x) => x.accid),
          m.notify,
        ).then((r) => ({ size: r.successAccids.length }));
      case "queueMultiGet": {
        this.room();
        const wanted = new Set(m.keys);
        return listOf(this.state.queue).filter((e) => wanted.has(e.key));
      }
      case "membersByRole":
        return this.membersByRole(m);
      case "updateMyRole":
        return this.updateMyRole(m);
      case "deleteHistory":
        return this.deleteHistory(m.from, m.time);
      case "sendToSome":
        return this.sendToSome(m);
      default:
        throw new NimbusError("PARAM_ERROR", `unknown chat room message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  private async create(m: Req<"create">): Promise<ChatroomView> {
    if (this.state.room) throw new NimbusError("DUPLICATE_OPERATION", `roomid: chat room ${this.ctx.id} already exists`);
    if (!/^[1-9]\d{0,15}$/.test(this.ctx.id)) throw new NimbusError("PARAM_ERROR", `roomid: ${this.ctx.id} is not a room id`);
    const now = Date.now();
    const creator: FixedMember = { ...blankMember(m.creator, now), role: "creator" };
    await this.commit({
      room: {
        ...m.info,
        roomid: this.roomid,
        creator: m.creator,
        valid: true,
        muted: false,
        ionotify: m.ionotify,
        createdAt: now,
        ...(m.delay && m.delay.policy !== 0 && { delay: { ...m.delay, startTime: now } }),
      },
      members: [creator],
      queue: emptyQueue(),
    });
    this.scheduleDelayCheck();
    return this.view(false);
  }

  private async update(m: Req<"update">): Promise<ChatroomView> {
    const room = this.room();
    if (m.operator !== null && !isManagerOrCreator(this.members.get(m.operator))) {
      throw new NimbusError("FORBIDDEN", `operator: ${m.operator} is neither the creator nor a manager of the room`);
    }
    const info: Partial<ChatroomInfoFields> = {};
    for (const [k, v] of Object.entries(m.info) as [keyof ChatroomInfoFields, unknown][])
      if (v !== undefined) Object.assign(info, { [k]: v });
    await this.commit({ ...this.state, room: { ...room, ...info } });
    if (m.needNotify !== false) this.notify(Kind.INFO_UPDATED, m.operator, [], m.notifyExt, { ...info });
    return this.view(false);
  }

  private async toggleClose(m: Req<"toggleClose">): Promise<ChatroomView> {
    const room = this.room();
    if (room.creator !== m.operator)
      throw new NimbusError("FORBIDDEN", `operator: only the creator ${room.creator} may open or close the room`);
    if (room.valid === m.valid) return this.view(false);
    if (!m.valid) await this.close(m.operator);
    else {
      // Reopened: a timed close counts from now.
      const delay = room.delay && { ...room.delay, startTime: Date.now() };
      await this.commit({ ...this.state, room: { ...room, valid: true, ...(delay && { delay }) } });
      this.scheduleDelayCheck();
    }
    return this.view(false);
  }

  private async setDelayClose(policy: 0 | 1 | 2, seconds: number): Promise<ChatroomView> {
    const room = this.room();
    const { delay: _old, ...rest } = room;
    const next: RoomRecord = policy === 0 ? rest : { ...rest, delay: { policy, seconds, startTime: Date.now() } };
    await this.commit({ ...this.state, room: next });
    this.scheduleDelayCheck();
    return this.view(false);
  }

  /** The edges' counts changed: the idle clock starts when the last member anywhere left. */
  private onlineChanged(): void {
    if (this.onlineCount() > 0) this.emptySince = undefined;
    else if (this.emptySince === undefined) {
      this.emptySince = Date.now();
      this.scheduleDelayCheck();
    }
  }

  private scheduleDelayCheck(): void {
    this.cancelDelayCheck?.();
    this.cancelDelayCheck = undefined;
    const room = this.state.room;
    if (!room?.valid) return;
    const wait = nextCheckMs(room.delay, Date.now(), this.emptySince);
    if (wait !== undefined) this.cancelDelayCheck = this.ctx.schedule(wait + 50, { t: "delayCheck", due: Date.now() + wait });
  }

  private async delayCheck(): Promise<null> {
    const room = this.state.room;
    if (!room?.valid) return null;
    // The counts of nodes that died meanwhile no longer count.
    if (this.onlineCount() === 0) this.emptySince ??= Date.now();
    if (isDue(room.delay, Date.now(), this.emptySince)) await this.close(room.creator);
    else this.scheduleDelayCheck();
    return null;
  }

  /** Closes the room: saved, then the room hears 311 and every edge puts its members out. */
  private async close(operator: string): Promise<void> {
    const room = this.room();
    await this.commit({ ...this.state, room: { ...room, valid: false } });
    this.notify(Kind.CLOSED, operator, []);
    this.control({ op: "close", reason: ChatroomKickReason.CLOSED });
    this.onlineFixed.clear();
    this.onlineGuests.clear();
    this.cancelDelayCheck?.();
    this.cancelDelayCheck = undefined;
  }

  private async setInOut(ionotify: boolean): Promise<ChatroomView> {
    const room = this.room();
    await this.commit({ ...this.state, room: { ...room, ionotify } });
    return this.view(false);
  }

  private async deleteHistory(from: string, time: number): Promise<null> {
    this.room();
    const around = await this.ctx.journal.rangeByTime({
      conversation: this.ctx.address,
      fromTime: time,
      toTime: time,
      order: "asc",
      limit: 100,
    });
    const hits = around.filter((e) => e.from === from && (e.flags & MessageFlags.DELETED) === 0);
    if (hits.length === 0 && !around.some((e) => e.from === from)) {
      throw new NimbusError("NOT_FOUND", `msgTimetag: no message of ${from} at ${time} in chat room ${this.ctx.id}`);
    }
    for (const e of hits) await this.ctx.journal.updateFlags(this.ctx.address, e.seq, MessageFlags.DELETED);
    return null;
  }

  /** A message for some members' clients only: published, never stored, no seq (0). */
  /**
   * A message for some members' clients only: published, never stored, no seq (0). A resend of a
   * recent one (same msgId, same sender) is answered with it and not sent again; past this
   * activation's memory it would be.
   */
  private async sendToSome(m: Req<"sendToSome">): Promise<ChatroomMessage> {
    const room = this.openRoom();
    const input = m.input;
    const member = this.members.get(input.from);
    if (member?.blacklisted) throw new NimbusError("CHATROOM_BLACKLISTED", `${input.from} is on the blacklist of chat room ${room.roomid}`);
    const known = this.recentToSome.get(input.clientMsgId);
    if (known) {
      if (known.from !== input.from)
        throw new NimbusError("PARAM_ERROR", `clientMsgId: ${input.clientMsgId} is already used in chat room ${room.roomid}`);
      return known;
    }
    const msgid = await this.ctx.nextId("msgid");
    const message: ChatroomMessage = {
      roomid: this.roomid,
      seq: 0,
      msgid,
      clientMsgId: input.clientMsgId,
      from: input.from,
      time: Date.now(),
      type: input.type,
      attach: input.attach,
    };
    if (input.ext) message.ext = input.ext;
    const delivery = input.highPriority ? ChatroomDelivery.HIGH : ChatroomDelivery.NORMAL;
    this.ctx.publish(this.subject, encodeChatroomEvent(ChatroomFrames.MESSAGE, message, delivery, input.from, null, m.to));
    this.recentToSome.set(input.clientMsgId, message);
    if (this.recentToSome.size > RECENT_TO_SOME) this.recentToSome.delete(this.recentToSome.keys().next().value!);
    return message;
  }

  // ---- messages ---------------------------------------------------------------------------

  /**
   * Admits the sender (blacklist 13003, mutes 13004, a closed room 13002) and numbers and stores
   * the message through the chain; it reaches the room once stored, in seq order. Answered once
   * stored; a resend (same msgId, same sender) answers the first ack, marked duplicate.
   */
  private send(m: Req<"send">): ChainAnswer {
    const room = this.openRoom();
    const input = m.input;
    const now = Date.now();
    const member = this.members.get(input.from);
    if (member?.blacklisted) throw new NimbusError("CHATROOM_BLACKLISTED", `${input.from} is on the blacklist of chat room ${room.roomid}`);
    if (isMutedMember(member, now)) throw new NimbusError("CHATROOM_MUTED", `${input.from} is muted in chat room ${room.roomid}`);
    if (room.muted && !isManagerOrCreator(member)) throw new NimbusError("CHATROOM_MUTED", `chat room ${room.roomid} is muted`);

    const payload: ChatroomPayload = { attach: input.attach };
    if (input.ext) payload.ext = input.ext;
    if (input.fromNick) payload.fromNick = input.fromNick;
    else if (member?.nick) payload.fromNick = member.nick;
    if (input.fromAvator) payload.fromAvator = input.fromAvator;
    else if (member?.avator) payload.fromAvator = member.avator;
    if (input.fromClientType) payload.fromClientType = input.fromClientType;
    if (input.skipHistory) payload.skipHistory = true;
    if (input.highPriority && this.takeHighPriority(now, m.highPriorityPerSecond)) payload.highPriority = true;
    const delivery = !payload.highPriority
      ? ChatroomDelivery.NORMAL
      : input.noHighPriorityResend
        ? ChatroomDelivery.HIGH
        : ChatroomDelivery.HIGH_RESEND;
    const fromSession = input.fromSession ?? null;
    return this.chain.send(
      {
        from: input.from,
        clientMsgId: input.clientMsgId,
        type: input.type,
        payload: payload as unknown as Record<string, unknown>,
        retainDays: m.retainDays,
        ...(m.sync !== undefined && { sync: m.sync }),
      },
      (entry) => {
        const message = chatroomMessageOf(this.roomid, entry);
        this.ctx.publish(this.subject, encodeChatroomEvent(ChatroomFrames.MESSAGE, message, delivery, input.from, fromSession));
      },
    );
  }

  /** A high-priority slot in this second, if the room has one left. */
  /** NIM: at most 10 high-priority messages a second per room (the app's config); more are sent as normal ones. */
  private takeHighPriority(now: number, perSecond: number): boolean {
    const second = Math.floor(now / 1000);
    if (second !== this.highSecond) {
      this.highSecond = second;
      this.highCount = 0;
    }
    if (this.highCount >= perSecond) return false;
    this.highCount++;
    return true;
  }

  private async recall(m: Req<"recall">): Promise<null> {
    this.room();
    let entry: JournalEntry | null = null;
    if (m.msgid !== undefined) {
      entry = await this.ctx.journal.getByMsgid(m.msgid);
      if (entry && entry.conversation !== this.ctx.address) entry = null;
    } else if (m.clientMsgId !== undefined) {
      entry = await this.ctx.journal.getByClientMsgId(this.ctx.address, m.clientMsgId);
    }
    if (!entry || entry.unreadable) throw new NimbusError("NOT_FOUND", `msgId: no such message in chat room ${this.ctx.id}`);
    if (entry.from !== m.from) throw new NimbusError("PARAM_ERROR", `fromAcc: the message was not sent by ${m.from}`);
    if (m.time !== undefined && m.time !== entry.time)
      throw new NimbusError("NOT_FOUND", `msgTimetag: the message was not sent at ${m.time}`);
    if (m.operator !== null && m.operator !== entry.from) {
      const op = this.members.get(m.operator);
      requireAuthority(m.operator, op, entry.from, this.members.get(entry.from));
    }
    if (isRecalled(entry.flags)) return null;
    const after = await this.ctx.journal.updateFlags(this.ctx.address, entry.seq, RECALLED);
    if (!after) throw new NimbusError("NOT_FOUND", `msgId: the message no longer exists`);
    this.notify(Kind.RECALL, m.operator ?? entry.from, [entry.from], m.notifyExt, {
      msgid: entry.msgid,
      clientMsgId: entry.clientMsgId,
      seq: entry.seq,
      time: entry.time,
    });
    return null;
  }

  // ---- the queue --------------------------------------------------------------------------

  private async queueInit(sizeLimit: number): Promise<null> {
    this.openRoom();
    if (sizeLimit < this.state.queue.elements.length) {
      throw new NimbusError("PARAM_ERROR", `sizeLimit: the queue holds ${this.state.queue.elements.length} elements already`);
    }
    await this.commit({ ...this.state, queue: { ...this.state.queue, sizeLimit: Math.min(sizeLimit, QUEUE_SIZE_MAX) } });
    return null;
  }

  /** A client changing the queue is held to queuelevel; the app server is not. */
  private requireQueueRight(room: RoomRecord, operator: string | null, member: boolean): void {
    if (!member || operator === null || room.queuelevel === 0) return;
    if (!isManagerOrCreator(this.members.get(operator)))
      throw new NimbusError("FORBIDDEN", "only managers may change this room's queue (queuelevel 1)");
  }

  private async queueOffer(m: Req<"queueOffer">): Promise<null> {
    const room = this.openRoom();
    this.requireQueueRight(room, m.operator, m.member);
    const operator = m.operator ?? room.creator;
    const queue = offer(this.state.queue, { key: m.key, value: m.value, operator, transient: m.transient });
    await this.commit({ ...this.state, queue });
    this.queueChanged({ op: "offer", key: m.key, value: m.value, operator });
    return null;
  }

  private async queuePoll(m: Req<"queuePoll">): Promise<{ key: string; value: string } | null> {
    const room = this.openRoom();
    this.requireQueueRight(room, m.operator, m.member);
    const { queue, taken } = poll(this.state.queue, m.key);
    if (!taken) {
      if (m.key === "") return null;
      throw new NimbusError("NOT_FOUND", `key: no element ${JSON.stringify(m.key)} in the queue`);
    }
    await this.commit({ ...this.state, queue });
    this.queueChanged({ op: "poll", key: taken.key, value: taken.value, operator: m.operator ?? room.creator });
    return { key: taken.key, value: taken.value };
  }

  private async queueDrop(operator: string | null): Promise<null> {
    const room = this.openRoom();
    if (this.state.queue.elements.length === 0) return null;
    await this.commit({ ...this.state, queue: { ...this.state.queue, elements: [] } });
    this.queueChanged({ op: "drop", operator: operator ?? room.creator });
    return null;
  }

  private async queueBatchOffer(m: Req<"queueBatchOffer">): Promise<{ failedKeys: string[]; offered: { key: string; value: string }[] }> {
    const room = this.openRoom();
    let queue = this.state.queue;
    const failedKeys: string[] = [];
    const offered: { key: string; value: string }[] = [];
    for (const el of m.elements) {
      try {
        queue = offer(queue, { key: el.key, value: el.value, operator: el.operator ?? room.creator, transient: el.transient });
        offered.push({ key: el.key, value: el.value });
      } catch (err) {
        // Only a full queue refuses an offer: that element is answered failed, the others stand.
        if (!(err instanceof NimbusError)) throw err;
        failedKeys.push(el.key);
      }
    }
    if (offered.length > 0) {
      await this.commit({ ...this.state, queue });
      if (m.needNotify !== false)
        for (const o of offered) {
          const operator = m.elements.find((e) => e.key === o.key)?.operator ?? room.creator;
          this.queueChanged({ op: "offer", key: o.key, value: o.value, operator });
        }
    }
    return { failedKeys, offered };
  }

  private async queueBatchUpdate(m: Req<"queueBatchUpdate">): Promise<{ noExistElementKey: string[] }> {
    const room = this.openRoom();
    let queue = this.state.queue;
    const noExistElementKey: string[] = [];
    const elements: Record<string, string> = {};
    const operator = m.operator ?? room.creator;
    for (const [key, value] of m.elements) {
      const old = queue.elements.find((e) => e.key === key);
      if (!old) {
        noExistElementKey.push(key);
        continue;
      }
      queue = offer(queue, { ...old, value });
      Object.defineProperty(elements, key, { value, enumerable: true, writable: true, configurable: true });
    }
    if (noExistElementKey.length < m.elements.length) {
      await this.commit({ ...this.state, queue });
      if (m.needNotify !== false) this.queueChanged({ op: "batch", elements, operator }, Kind.QUEUE_BATCH_CHANGE, m.notifyExt);
    }
    return { noExistElementKey };
  }
}

export type { ChatroomMemberView };
