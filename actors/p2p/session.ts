import { parseP2pId } from "../../src/conversation/ref.ts";
import { Actor } from "../../src/runtime/mod.ts";
import type { JournalEntry } from "../../src/store/mod.ts";
import { chainInputOf, JournalChain, type ChainAnswer } from "../conversation/journal-chain.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { encodeUserEvent, encodeUserEventOf, userSubject } from "../../src/protocol/user-events.ts";
import { countsAsUnread, messageOf } from "../../src/conversation/entry.ts";
import { DELETED, hiddenFlagFor, isDeleted, isRecalled, RECALLED } from "../../src/conversation/flags.ts";
import {
  MessagingEvents,
  type ConversationId,
  type DeleteEvent,
  type Message,
  type ReadReceipt,
  type RecallEvent,
} from "../../src/protocol/messages.ts";
import { inboxAddress, type InboxMessage } from "../../src/contracts/inbox.ts";
import type { MessageRef, P2pSessionInfo, SessionMessage } from "../../src/contracts/session.ts";

/**
 * Saved state: only what the journal cannot tell — how far each side has read, by side of the
 * sorted pair (a list, not a map keyed by accid: an accid may be `__proto__`).
 */
export interface SessionState {
  read: [first: number, second: number];
}

/**
 * One p2p conversation (`session/<appKey>/<a>|<b>`, accids sorted): it numbers the messages
 * 1, 2, 3… and is the only writer of its journal conversation (its own address).
 *
 * The journal is kept by a JournalChain (../conversation/journal-chain.ts): gap-free seqs, acks
 * only once stored, dedup by clientMsgId, fencing of a stale activation. Messages are delivered
 * only once stored, in seq order.
 */
export class SessionActor extends Actor<SessionState> {
  private readonly chain = new JournalChain(this.ctx, this.ctx.id);
  private parties: readonly [string, string] | null = null;

  initialState(): SessionState {
    return { read: [0, 0] };
  }

  override async onActivate(): Promise<void> {
    // A malformed id makes every message a 414 rather than a crash on activation.
    this.parties = parseP2pId(this.ctx.id)?.parties ?? null;
    await this.chain.activate();
  }

  receive(message: unknown): unknown {
    const m = message as SessionMessage;
    switch (m.t) {
      case "send":
        return this.send(m);
      case "recall":
        return this.recall(m);
      case "delete":
        return this.deleteBoth(m.from, m.msgid);
      case "deleteOneWay":
        return this.deleteOneWay(m.accid, m.msgid);
      case "markRead":
        return this.markRead(m.reader, m.seq);
      case "lookup":
        return this.lookup(m.clientMsgId);
      case "info":
        return { parties: [...this.pair()], lastSeq: this.chain.storedSeq, read: [...this.state.read] } satisfies P2pSessionInfo;
      default:
        throw new NimbusError("PARAM_ERROR", `unknown session message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  private get conv(): ConversationId {
    return this.ctx.id;
  }

  /** The two accids; throws 414 when this actor's id is not a sorted pair. */
  private pair(): readonly [string, string] {
    if (!this.parties) throw new NimbusError("PARAM_ERROR", `${this.ctx.id} is not a p2p conversation id (two sorted accids joined by |)`);
    return this.parties;
  }

  private requireParty(accid: string, field: string): string {
    const [a, b] = this.pair();
    if (accid !== a && accid !== b) throw new NimbusError("PARAM_ERROR", `${field}: ${accid} is not in conversation ${this.conv}`);
    return accid === a ? b : a;
  }

  /** Synchronous unless the node is waiting for msgids: the actor then holds its turn for them. */
  private send(m: Extract<SessionMessage, { t: "send" }>): ChainAnswer {
    const { input, retainDays, sync } = m;
    const to = this.requireParty(input.from, "from");
    return this.chain.send(chainInputOf(input, { to }, retainDays, sync), (entry) => this.deliver(messageOf(entry)));
  }

  /** After the append: the devices of both sides, and both conversation lists. */
  private deliver(message: Message): void {
    const origin = message.fromDeviceId === undefined ? undefined : { accid: message.from, deviceId: message.fromDeviceId };
    const event = encodeUserEventOf(MessagingEvents.MESSAGE, message, origin);
    this.ctx.publish(userSubject(this.ctx.appKey, message.to), event);
    // The sender's other devices, unless the sender asked not to (NIM option.sendersync).
    if (message.option?.sendersync !== false) this.ctx.publish(userSubject(this.ctx.appKey, message.from), event);
    for (const accid of [message.from, message.to]) {
      this.tellInbox(accid, { t: "bump", conv: this.conv, message });
    }
  }

  private async recall(m: Extract<SessionMessage, { t: "recall" }>): Promise<RecallEvent> {
    const entry = await this.find(m.msgid);
    if (m.by !== null && entry.from !== m.by) throw new NimbusError("FORBIDDEN", "only the sender may recall a message");
    if (m.by === null && m.from !== undefined && entry.from !== m.from) {
      throw new NimbusError("PARAM_ERROR", `from: message ${m.msgid} was not sent by ${m.from}`);
    }
    const now = Date.now();
    const event: RecallEvent = { conv: this.conv, msgid: entry.msgid, seq: entry.seq, by: m.by ?? "", time: now };
    // Recalling twice is not an error (an app server may retry), and is not announced twice.
    if (isRecalled(entry.flags)) return event;
    if (now - entry.time > m.maxAgeMs) {
      throw new NimbusError("RECALL_EXPIRED", `message ${m.msgid} is older than the recall window (${Math.floor(m.maxAgeMs / 1000)} s)`);
    }
    const after = await this.ctx.journal.updateFlags(this.ctx.address, entry.seq, RECALLED);
    if (!after) throw new NimbusError("NOT_FOUND", `msgid: message ${m.msgid} no longer exists`);
    const payload = encodeUserEvent({ ev: MessagingEvents.RECALL, ...event });
    const shown = messageOf(after);
    for (const accid of this.pair()) {
      this.ctx.publish(userSubject(this.ctx.appKey, accid), payload);
      this.tellInbox(accid, {
        t: "changed",
        conv: this.conv,
        message: shown,
        uncount: countsAsUnread(entry, accid) && !countsAsUnread(after, accid),
      });
    }
    return event;
  }

  /**
   * NIM's two-way delete (msg/delMsg): the message is gone for both sides. Both sides' devices are
   * told (they drop it), and both conversation lists stop counting it.
   */
  private async deleteBoth(from: string, msgid: number): Promise<DeleteEvent> {
    const entry = await this.find(msgid);
    if (entry.from !== from) throw new NimbusError("PARAM_ERROR", `from: message ${msgid} was not sent by ${from}`);
    const event: DeleteEvent = { conv: this.conv, msgid: entry.msgid, seq: entry.seq, time: Date.now() };
    // An app server may retry: a second delete is answered alike and announced once.
    if (isDeleted(entry.flags)) return event;
    const after = await this.ctx.journal.updateFlags(this.ctx.address, entry.seq, DELETED);
    if (!after) throw new NimbusError("NOT_FOUND", `msgid: message ${msgid} no longer exists`);
    const payload = encodeUserEvent({ ev: MessagingEvents.DELETE, ...event });
    const shown = messageOf(after);
    for (const accid of this.pair()) {
      this.ctx.publish(userSubject(this.ctx.appKey, accid), payload);
      this.tellInbox(accid, { t: "changed", conv: this.conv, message: shown, uncount: countsAsUnread(entry, accid) });
    }
    return event;
  }

  /**
   * NIM's one-way delete: the message stays for the other side. Nothing is published — the other
   * side must not learn of it, and this side's devices see it gone on their next history query.
   */
  private async deleteOneWay(accid: string, msgid: number): Promise<null> {
    this.requireParty(accid, "accid");
    const entry = await this.find(msgid);
    const bit = hiddenFlagFor(this.conv, accid);
    if ((entry.flags & bit) !== 0) return null;
    const after = await this.ctx.journal.updateFlags(this.ctx.address, entry.seq, bit);
    if (!after) throw new NimbusError("NOT_FOUND", `msgid: message ${msgid} no longer exists`);
    this.tellInbox(accid, {
      t: "changed",
      conv: this.conv,
      message: messageOf(after),
      uncount: countsAsUnread(entry, accid) && !countsAsUnread(after, accid),
    });
    return null;
  }

  /**
   * Read positions only move forward and never past the newest message. The reader's inbox
   * records it (and saves) before this actor does, so a receipt is only ever sent for a position
   * the reader's unread count already reflects; a failure between the two is repaired by the next
   * markRead, since both sides keep the maximum.
   */
  private async markRead(reader: string, seq: number): Promise<ReadReceipt> {
    const peer = this.requireParty(reader, "reader");
    if (!Number.isSafeInteger(seq) || seq < 0) throw new NimbusError("PARAM_ERROR", "seq: must be a non-negative integer");
    const side = reader === this.pair()[0] ? 0 : 1;
    const previous = this.state.read[side];
    const target = Math.min(seq, this.chain.storedSeq);
    const now = Date.now();
    if (target <= previous) return { conv: this.conv, reader, seq: previous, time: now };

    await this.ctx.ask(inboxAddress(this.ctx.appKey, reader), { t: "read", conv: this.conv, seq: target } satisfies InboxMessage);
    const before = this.state;
    const read: SessionState["read"] = [...before.read];
    read[side] = target;
    this.state = { read };
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = before;
      throw err;
    }
    const receipt: ReadReceipt = { conv: this.conv, reader, seq: target, time: now };
    const event = encodeUserEvent({ ev: MessagingEvents.RECEIPT, ...receipt });
    this.ctx.publish(userSubject(this.ctx.appKey, peer), event);
    this.ctx.publish(userSubject(this.ctx.appKey, reader), event);
    this.tellInbox(peer, { t: "peerRead", conv: this.conv, seq: target });
    return receipt;
  }

  private async lookup(clientMsgId: string): Promise<MessageRef | null> {
    this.pair();
    if (typeof clientMsgId !== "string") throw new NimbusError("PARAM_ERROR", "clientMsgId: required");
    const e = await this.ctx.journal.getByClientMsgId(this.ctx.address, clientMsgId);
    return e ? { seq: e.seq, msgid: e.msgid, from: e.from, time: e.time } : null;
  }

  /** A message of this conversation by msgid; 404 for any other (another conversation's msgid included). */
  private async find(msgid: number): Promise<JournalEntry> {
    this.pair();
    if (!Number.isSafeInteger(msgid) || msgid <= 0) throw new NimbusError("PARAM_ERROR", "msgid: must be a positive integer");
    const entry = await this.ctx.journal.getByMsgid(msgid);
    if (!entry || entry.conversation !== this.ctx.address)
      throw new NimbusError("NOT_FOUND", `msgid: no message ${msgid} in conversation ${this.conv}`);
    // Stored but unreadable (JournalEntry.unreadable): no read shows it, so nothing may act on it either.
    if (entry.unreadable) throw new NimbusError("NOT_FOUND", `msgid: message ${msgid} of ${this.conv} cannot be read`);
    return entry;
  }

  private tellInbox(accid: string, message: InboxMessage): void {
    this.ctx.tell(inboxAddress(this.ctx.appKey, accid), message);
  }
}
