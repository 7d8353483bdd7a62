import { AnswerLater, type ActorContext } from "../../src/runtime/mod.ts";
import type { AppendEntry, JournalEntry } from "../../src/store/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { encodeUserEvent, encodeUserEventOf, userSubject } from "../../src/protocol/user-events.ts";
import { messageOf, type P2pPayload } from "../../src/conversation/entry.ts";
import { DELETED, HIDDEN_FOR_OTHERS, isDeleted, isRecalled, RECALLED } from "../../src/conversation/flags.ts";
import {
  MessagingEvents,
  NOTIFICATION_TYPE,
  type DeleteEvent,
  type Message,
  type ReadReceipt,
  type RecallEvent,
  type SessionRemovedEvent,
} from "../../src/protocol/messages.ts";
import type { MessageRef } from "../../src/contracts/conversation.ts";
import { uuidV7 } from "../../src/util/uuid-v7.ts";
import type { JournalChain } from "./journal-chain.ts";

/** Where a group conversation's messages go and what it is called in refusals. */
export interface GroupWhere {
  /** The bus subject every node with a member online holds (one publish per message). */
  subject: string;
  /** The conversation id (`team:<tid>`, `superteam:<tid>`). */
  conv: string;
  /** "team 12", "super team 12": for refusals. */
  label: string;
}

/** A member's read position as a group actor keeps it. */
export interface ReadPosition {
  readSeq: number;
  /** The group's last seq before they joined (absent in old team members: 0). */
  joinSeq?: number;
  /** The group's last seq when they removed it from their conversation list (delRoamSession). */
  hiddenAtSeq?: number;
}

/** What a group's `position` answers: the member's unread count is lastSeq − readSeq. */
export interface PositionAnswer {
  lastSeq: number;
  readSeq: number;
  joinedAfterSeq: number;
  hiddenAtSeq?: number;
}

/**
 * The journal side of a group conversation (advanced team, super team), shared by their actors:
 * delivery (one publish on the group's subject), notifications written as type 5 messages in
 * order with the messages, recall, two-way and one-way delete, lookups. Membership and permissions
 * stay with each actor, which calls these once it has checked who acts.
 */
export class GroupJournal {
  constructor(
    private readonly ctx: ActorContext,
    private readonly chain: JournalChain,
    private readonly where: () => GroupWhere,
  ) {}

  position(member: ReadPosition): PositionAnswer {
    const last = this.chain.storedSeq;
    return {
      lastSeq: last,
      readSeq: Math.min(member.readSeq, last),
      joinedAfterSeq: member.joinSeq ?? 0,
      ...(member.hiddenAtSeq !== undefined && { hiddenAtSeq: member.hiddenAtSeq }),
    };
  }

  /**
   * NIM delRoamSession: the group leaves `accid`'s conversation list until its next message, read
   * up to here; `save` stores the member's new position (skipped when it is already so), then the
   * member's devices are told.
   */
  async hide(accid: string, member: ReadPosition, save: (next: Required<Pick<ReadPosition, "readSeq" | "hiddenAtSeq">>) => Promise<void>) {
    const at = this.chain.storedSeq;
    if (member.hiddenAtSeq !== at || member.readSeq < at) await save({ hiddenAtSeq: at, readSeq: Math.max(member.readSeq, at) });
    const event: SessionRemovedEvent = { conv: this.where().conv, time: Date.now() };
    this.ctx.publish(userSubject(this.ctx.appKey, accid), encodeUserEvent({ ev: MessagingEvents.SESSION_REMOVED, ...event }));
    return true;
  }

  /** A member's read position: only forward, never past the newest message; `save` stores it, then their other devices hear of it. */
  async markRead(reader: string, member: ReadPosition, seq: number, save: (readSeq: number) => Promise<void>): Promise<ReadReceipt> {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new NimbusError("PARAM_ERROR", "seq: must be a non-negative integer");
    const target = Math.min(seq, this.chain.storedSeq);
    const conv = this.where().conv;
    const now = Date.now();
    if (target <= member.readSeq) return { conv, reader, seq: member.readSeq, time: now };
    await save(target);
    const receipt: ReadReceipt = { conv, reader, seq: target, time: now };
    this.ctx.publish(userSubject(this.ctx.appKey, reader), encodeUserEvent({ ev: MessagingEvents.RECEIPT, ...receipt }));
    return receipt;
  }

  /** One publish on the group's subject (and, for new members not yet subscribed, on theirs). */
  deliver(message: Message, alsoTo: readonly string[]): void {
    const origin = message.fromDeviceId === undefined ? undefined : { accid: message.from, deviceId: message.fromDeviceId };
    const event = encodeUserEventOf(MessagingEvents.MESSAGE, message, origin);
    this.ctx.publish(this.where().subject, event);
    for (const accid of alsoTo) this.ctx.publish(userSubject(this.ctx.appKey, accid), event);
  }

  /** Writes a notification (type 5, body `{id, data}`) and resolves once it is stored and published. */
  async notify(body: { id: number; data: object }, by: string, retainDays: number, alsoTo: readonly string[] = []): Promise<void> {
    const { conv, subject: _s, label: _l } = this.where();
    const to = conv.slice(conv.indexOf(":") + 1);
    const payload: P2pPayload = { to, conv, body: body as unknown as Record<string, unknown> };
    const answer = this.chain.send(
      { from: by, clientMsgId: uuidV7(), type: NOTIFICATION_TYPE, payload: payload as unknown as Record<string, unknown>, retainDays },
      (entry: AppendEntry) => this.deliver(messageOf(entry), alsoTo),
    );
    const settled = answer instanceof Promise ? await answer : answer;
    if (settled instanceof AnswerLater) await settled.promise;
  }

  /** A message of this conversation by msgid; 404 when it is not one. */
  async find(msgid: number): Promise<JournalEntry> {
    const { label } = this.where();
    if (!Number.isSafeInteger(msgid) || msgid <= 0) throw new NimbusError("PARAM_ERROR", "msgid: must be a positive integer");
    const entry = await this.ctx.journal.getByMsgid(msgid);
    if (!entry || entry.conversation !== this.ctx.address) throw new NimbusError("NOT_FOUND", `msgid: no message ${msgid} in ${label}`);
    if (entry.unreadable) throw new NimbusError("NOT_FOUND", `msgid: message ${msgid} of ${label} cannot be read`);
    return entry;
  }

  async lookup(clientMsgId: string): Promise<MessageRef | null> {
    if (typeof clientMsgId !== "string") throw new NimbusError("PARAM_ERROR", "clientMsgId: required");
    const e = await this.ctx.journal.getByClientMsgId(this.ctx.address, clientMsgId);
    return e ? { seq: e.seq, msgid: e.msgid, from: e.from, time: e.time } : null;
  }

  /** Recall by its sender (`by`) or by the app server (`by` null, `from` the sender it names). */
  async recall(m: { by: string | null; from?: string; msgid: number; maxAgeMs: number }): Promise<RecallEvent> {
    const entry = await this.find(m.msgid);
    if (m.by !== null && entry.from !== m.by) throw new NimbusError("FORBIDDEN", "only the sender may recall a message");
    if (m.by === null && m.from !== undefined && entry.from !== m.from)
      throw new NimbusError("PARAM_ERROR", `from: message ${m.msgid} was not sent by ${m.from}`);
    const now = Date.now();
    const event: RecallEvent = { conv: this.where().conv, msgid: entry.msgid, seq: entry.seq, by: m.by ?? "", time: now };
    if (isRecalled(entry.flags)) return event;
    if (now - entry.time > m.maxAgeMs) {
      throw new NimbusError("RECALL_EXPIRED", `message ${m.msgid} is older than the recall window (${Math.floor(m.maxAgeMs / 1000)} s)`);
    }
    const after = await this.ctx.journal.updateFlags(this.ctx.address, entry.seq, RECALLED);
    if (!after) throw new NimbusError("NOT_FOUND", `msgid: message ${m.msgid} no longer exists`);
    this.ctx.publish(this.where().subject, encodeUserEvent({ ev: MessagingEvents.RECALL, ...event }));
    return event;
  }

  /**
   * NIM's two-way delete (msg/delMsg type 8): gone for every member (history, sync); every
   * member's devices are told with one publish on the group's subject, as a recall is.
   */
  async deleteForAll(from: string, msgid: number): Promise<DeleteEvent> {
    const entry = await this.find(msgid);
    if (entry.from !== from) throw new NimbusError("PARAM_ERROR", `from: message ${msgid} was not sent by ${from}`);
    const event: DeleteEvent = { conv: this.where().conv, msgid: entry.msgid, seq: entry.seq, time: Date.now() };
    // An app server may retry: a second delete is answered alike and announced once.
    if (isDeleted(entry.flags)) return event;
    const after = await this.ctx.journal.updateFlags(this.ctx.address, entry.seq, DELETED);
    if (!after) throw new NimbusError("NOT_FOUND", `msgid: message ${msgid} no longer exists`);
    this.ctx.publish(this.where().subject, encodeUserEvent({ ev: MessagingEvents.DELETE, ...event }));
    return event;
  }

  /** NIM's one-way recall (delMsgOneWay): its sender still sees it, nobody else does; nothing is published. */
  async deleteOneWay(accid: string, msgid: number): Promise<null> {
    const entry = await this.find(msgid);
    if (entry.from !== accid) throw new NimbusError("PARAM_ERROR", `from: message ${msgid} was not sent by ${accid}`);
    if ((entry.flags & HIDDEN_FOR_OTHERS) !== 0) return null;
    const after = await this.ctx.journal.updateFlags(this.ctx.address, entry.seq, HIDDEN_FOR_OTHERS);
    if (!after) throw new NimbusError("NOT_FOUND", `msgid: message ${msgid} no longer exists`);
    return null;
  }
}
