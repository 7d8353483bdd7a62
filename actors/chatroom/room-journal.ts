import type { ActorContext } from "../../src/runtime/mod.ts";
import type { AppendEntry, JournalEntry } from "../../src/store/mod.ts";

/**
 * The room's journal, as its one writer sees it: the next seq is read from the journal on
 * activation (never saved), and each append takes the next one. Appends are made one at a time,
 * in the actor's turn: a duplicate `clientMsgId` (a resend stored before this activation knew of
 * it) never burns a seq, and a clash on `(conversation, seq)` (another activation of the room got
 * there first) throws SeqConflictError out of the turn, so the runtime hands the send to a fresh
 * activation that reads the journal again. Times never go backwards as seqs grow, so history by
 * time is one seq range.
 */
export class RoomJournal {
  private lastSeq = 0;
  private lastTime = 0;

  constructor(private readonly ctx: ActorContext) {}

  async open(): Promise<void> {
    const [last] = await this.ctx.journal.rangeBySeq({ conversation: this.ctx.address, order: "desc", limit: 1 });
    this.lastSeq = last?.seq ?? 0;
    this.lastTime = last?.time ?? 0;
  }

  /** The time the next message will carry. */
  nextTime(): number {
    return Math.max(Date.now(), this.lastTime);
  }

  /**
   * Stores one message; answers it as stored, or the message already stored under its
   * clientMsgId (`duplicate`), which took no seq.
   */
  async append(entry: Omit<AppendEntry, "conversation" | "seq">): Promise<{ entry: JournalEntry; duplicate: boolean }> {
    const full: AppendEntry = { ...entry, conversation: this.ctx.address, seq: this.lastSeq + 1 };
    const [outcome] = await this.ctx.journal.append([full]);
    if (outcome?.status === "duplicate") return { entry: outcome.existing, duplicate: true };
    if (outcome?.status !== "appended") throw new Error(`journal append of ${this.ctx.address} seq ${full.seq} answered nothing`);
    this.lastSeq = full.seq;
    this.lastTime = Math.max(this.lastTime, full.time);
    return { entry: full, duplicate: false };
  }

  /** The stored message with this client id, if any (what a resend finds). */
  byClientMsgId(clientMsgId: string): Promise<JournalEntry | null> {
    return this.ctx.journal.getByClientMsgId(this.ctx.address, clientMsgId);
  }
}
