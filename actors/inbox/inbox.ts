import { Actor } from "../../src/runtime/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { countsAsUnread, messageCountsAsUnread, messageOf, updatesSession } from "../../src/conversation/entry.ts";
import { peerOf } from "../../src/conversation/ref.ts";
import {
  MessagingEvents,
  type ConversationId,
  type ConversationSummary,
  type Message,
  type SessionRemovedEvent,
} from "../../src/protocol/messages.ts";
import { encodeUserEvent, userSubject } from "../../src/protocol/user-events.ts";
import type { InboxMessage } from "../../src/contracts/inbox.ts";
import { sessionAddress } from "../../src/contracts/session.ts";

/** One conversation as this user's list keeps it. */
export interface InboxEntry {
  peer: string;
  lastSeq: number;
  readSeq: number;
  peerReadSeq: number;
  unread: number;
  /** The newest message that updates the session (NIM sessionUpdate); absent until there is one. */
  lastMessage?: Message;
  /** Time of `lastMessage`; 0 while there is none. */
  updatedAt: number;
}

export interface InboxState {
  convs: Record<ConversationId, InboxEntry>;
}

/**
 * Catching up reads at most this many journal entries per conversation: an unread count beyond
 * it is a lower bound (a user who has not opened a conversation for 10,000 messages is not misled).
 */
const CATCH_UP_MAX = 10_000;

/**
 * One user's conversation list (`inbox/<appKey>/<accid>`): per conversation the peer, the newest
 * seq, how far this user (and the peer) has read, the unread count and the last message.
 *
 * Session actors `tell` it about every stored message; a bump only marks the state dirty (saved on
 * passivation), except the first of a conversation, saved at once. The journal is the truth: on
 * activation, and whenever a bump skips seqs (a tell lost or overtaken), the missing messages are
 * read back from it. Read positions are saved before markRead is answered.
 */
export class InboxActor extends Actor<InboxState> {
  initialState(): InboxState {
    return { convs: {} };
  }

  private get me(): string {
    return this.ctx.id;
  }

  override async onActivate(): Promise<void> {
    this.state.convs ??= {};
    const convs = Object.keys(this.state.convs);
    if (convs.length === 0) return;
    const latest = await this.ctx.journal.maxSeqs(convs.map((c) => sessionAddress(this.ctx.appKey, c)));
    let changed = false;
    for (const conv of convs) {
      const entry = this.state.convs[conv]!;
      const max = latest.get(sessionAddress(this.ctx.appKey, conv)) ?? 0;
      if (max > entry.lastSeq) {
        await this.catchUp(conv, entry, max);
        changed = true;
      }
    }
    if (changed) this.ctx.markDirty();
  }

  receive(message: unknown): unknown {
    const m = message as InboxMessage;
    switch (m.t) {
      case "bump":
        return this.bump(m.conv, m.message);
      case "changed":
        return this.changed(m.conv, m.message, m.uncount);
      case "read":
        return this.read(m.conv, m.seq);
      case "peerRead": {
        const e = this.state.convs[m.conv];
        if (e && m.seq > e.peerReadSeq) {
          e.peerReadSeq = m.seq;
          this.ctx.markDirty();
        }
        return null;
      }
      case "remove":
        return this.remove(m.conv);
      case "list":
        return this.list(m.limit, m.updatedSince, m.all === true);
      default:
        throw new NimbusError("PARAM_ERROR", `unknown inbox message ${JSON.stringify((m as { t?: unknown }).t)}`);
    }
  }

  /** Two tells per message: the next seq of a known conversation is applied at once, without a promise. */
  private bump(conv: ConversationId, message: Message): null | Promise<null> {
    const existing = this.state.convs[conv];
    if (existing && message.seq === existing.lastSeq + 1) {
      this.apply(existing, message);
      this.ctx.markDirty();
      return null;
    }
    return this.bumpSlowly(conv, message);
  }

  private async bumpSlowly(conv: ConversationId, message: Message): Promise<null> {
    const existing = this.state.convs[conv];
    const e = existing ?? this.newEntry(conv);
    if (message.seq <= e.lastSeq) return null; // seen already (or covered by a catch-up)
    // Skipped seqs are in the journal: their appends finished before their tells were sent.
    if (message.seq > e.lastSeq + 1) await this.catchUp(conv, e, message.seq - 1);
    this.apply(e, message);
    if (existing) {
      this.ctx.markDirty();
    } else {
      this.state.convs[conv] = e;
      await this.ctx.persist();
    }
    return null;
  }

  private apply(e: InboxEntry, message: Message): void {
    if (message.seq > e.readSeq && messageCountsAsUnread(message, this.me)) e.unread++;
    if (message.option?.sessionUpdate !== false) {
      e.lastMessage = message;
      e.updatedAt = message.time;
    }
    e.lastSeq = message.seq;
  }

  private changed(conv: ConversationId, message: Message, uncount: boolean): null {
    const e = this.state.convs[conv];
    // Not seen yet: its bump (or a catch-up) will read it as it is now.
    if (!e || message.seq > e.lastSeq) return null;
    if (uncount && message.seq > e.readSeq && e.unread > 0) e.unread--;
    if (e.lastMessage?.seq === message.seq) e.lastMessage = message;
    this.ctx.markDirty();
    return null;
  }

  private async read(conv: ConversationId, seq: number): Promise<ConversationSummary> {
    let e = this.state.convs[conv];
    if (!e) {
      // A conversation this inbox never heard of (a lost tell): rebuild it from the journal first.
      e = this.newEntry(conv);
      const latest = await this.ctx.journal.maxSeqs([sessionAddress(this.ctx.appKey, conv)]);
      await this.catchUp(conv, e, latest.get(sessionAddress(this.ctx.appKey, conv)) ?? 0);
    }
    if (seq <= e.readSeq && this.state.convs[conv]) return this.summary(conv, e);
    const next: InboxEntry = { ...e, readSeq: Math.max(seq, e.readSeq) };
    next.unread = next.readSeq >= next.lastSeq ? 0 : await this.countUnread(conv, next.readSeq + 1, next.lastSeq);
    const previous = this.state;
    this.state = { convs: { ...previous.convs, [conv]: next } };
    try {
      await this.ctx.persist();
    } catch (err) {
      this.state = previous;
      throw err;
    }
    return this.summary(conv, next);
  }

  /**
   * Keeps the entry (its lastSeq) but without a last message, so it is neither listed nor roamed
   * and a later message counts only itself as unread, not the history before it.
   */
  private async remove(conv: ConversationId): Promise<boolean> {
    const e = this.state.convs[conv];
    const listed = e?.lastMessage !== undefined;
    if (e && listed) {
      const previous = this.state;
      const { lastMessage: _gone, ...rest } = e;
      const next: InboxEntry = { ...rest, readSeq: Math.max(e.readSeq, e.lastSeq), unread: 0, updatedAt: 0 };
      this.state = { convs: { ...previous.convs, [conv]: next } };
      try {
        await this.ctx.persist();
      } catch (err) {
        this.state = previous;
        throw err;
      }
    }
    const event: SessionRemovedEvent = { conv, time: Date.now() };
    this.ctx.publish(userSubject(this.ctx.appKey, this.me), encodeUserEvent({ ev: MessagingEvents.SESSION_REMOVED, ...event }));
    return listed;
  }

  private list(limit: number | undefined, updatedSince: number | undefined, all: boolean): ConversationSummary[] {
    const since = updatedSince ?? 0;
    const rows = Object.entries(this.state.convs)
      .filter(([, e]) => (all || e.lastMessage !== undefined) && e.updatedAt >= since)
      .sort(([ca, a], [cb, b]) => b.updatedAt - a.updatedAt || (ca < cb ? -1 : 1));
    return rows.slice(0, limit ?? rows.length).map(([conv, e]) => this.summary(conv, e));
  }

  private summary(conv: ConversationId, e: InboxEntry): ConversationSummary {
    return {
      conv,
      peer: e.peer,
      lastSeq: e.lastSeq,
      readSeq: e.readSeq,
      unread: e.unread,
      ...(e.lastMessage && { lastMessage: e.lastMessage }),
      updatedAt: e.updatedAt,
      peerReadSeq: e.peerReadSeq,
    };
  }

  private newEntry(conv: ConversationId): InboxEntry {
    const peer = peerOf(conv, this.me);
    if (peer === undefined) throw new NimbusError("PARAM_ERROR", `conv: ${conv} is not a conversation of ${this.me}`);
    return { peer, lastSeq: 0, readSeq: 0, peerReadSeq: 0, unread: 0, updatedAt: 0 };
  }

  /** Reads messages `e.lastSeq+1 .. toSeq` back from the journal into `e` (the newest CATCH_UP_MAX of them). */
  private async catchUp(conv: ConversationId, e: InboxEntry, toSeq: number): Promise<void> {
    if (toSeq <= e.lastSeq) return;
    const entries = await this.ctx.journal.rangeBySeq({
      conversation: sessionAddress(this.ctx.appKey, conv),
      fromSeq: e.lastSeq + 1,
      toSeq,
      order: "desc",
      limit: CATCH_UP_MAX,
    });
    for (const entry of entries.reverse()) {
      if (entry.seq > e.readSeq && countsAsUnread(entry, this.me)) e.unread++;
      if (updatesSession(entry)) {
        e.lastMessage = messageOf(entry);
        e.updatedAt = entry.time;
      }
    }
    e.lastSeq = toSeq;
  }

  private async countUnread(conv: ConversationId, fromSeq: number, toSeq: number): Promise<number> {
    const entries = await this.ctx.journal.rangeBySeq({
      conversation: sessionAddress(this.ctx.appKey, conv),
      fromSeq,
      toSeq,
      order: "desc",
      limit: CATCH_UP_MAX,
    });
    return entries.filter((entry) => countsAsUnread(entry, this.me)).length;
  }
}
