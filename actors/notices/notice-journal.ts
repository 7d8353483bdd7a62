import { randomUUID } from "node:crypto";
import type { ActorContext } from "../../src/runtime/mod.ts";
import { DAY_MS } from "../../src/conversation/entry.ts";

/**
 * The stored side of a notices actor (one recipient's, or one team's): its own journal
 * conversation — the actor's address — with gap-free seqs. The next seq comes from the journal on
 * activation, and a seq clash fences a stale activation, as for a session.
 */
export class NoticeJournal {
  private lastSeq = 0;

  constructor(private readonly ctx: ActorContext) {}

  async activate(): Promise<void> {
    const [last] = await this.ctx.journal.rangeBySeq({ conversation: this.ctx.address, order: "desc", limit: 1 });
    this.lastSeq = last?.seq ?? 0;
  }

  /** Appends one notice; durable when it resolves. Answers its seq and time. */
  async append(n: { from: string; type: number; payload: object; retainDays: number }): Promise<{ seq: number; time: number }> {
    const time = Date.now();
    const seq = this.lastSeq + 1;
    await this.ctx.journal.append([
      {
        conversation: this.ctx.address,
        seq,
        msgid: await this.ctx.nextId("msgid"),
        // Notifications are not deduplicated; a random id keeps the journal's unique key happy.
        clientMsgId: randomUUID(),
        from: n.from,
        time,
        type: n.type,
        flags: 0,
        expireAt: time + n.retainDays * DAY_MS,
        payload: n.payload as Record<string, unknown>,
      },
    ]);
    this.lastSeq = seq;
    return { seq, time };
  }
}
