import type { ConversationId, Message } from "../protocol/messages.ts";

/** What the sequencer needs from the client. */
export interface SequencerIO {
  /** Hands one message to the app, in seq order per conversation, never twice. */
  emit(message: Message): void;
  /** The stored messages of `conv` with `fromSeq..toSeq` (inclusive), the newest first if they are many. */
  fill(conv: ConversationId, fromSeq: number, toSeq: number): Promise<Message[]>;
}

/**
 * How long a gap in the pushes stays open before it is filled from history. Acks and pushes travel
 * different paths (in a cluster, a push crosses NATS while the ack does not), so a device's own
 * message can run ahead of the peer's push of the seq before it; that push is usually a few
 * milliseconds behind, and a history request per gap would cost the server far more than waiting.
 */
export const GAP_GRACE_MS = 500;

/** After this many failed fills of one gap it is accepted as it is, so a conversation never stalls. */
const MAX_FILL_FAILURES = 3;
/** Wait before asking again after a failed fill (times the failures so far). */
const RETRY_FILL_MS = 1000;

/**
 * Puts the messages a device receives into order, per conversation, without duplicates.
 *
 * Messages reach a device three ways that overlap by design (DESIGN: subscribe first, then sync):
 * pushes, the login sync, and fills of gaps in the pushes. The sequencer keeps, per conversation,
 * the newest seq it has emitted (the cursor) and:
 *
 * - drops anything at or below the cursor (already emitted);
 * - emits `cursor + 1` at once;
 * - holds anything further ahead and, if the missing seqs have not come by push within a short grace
 *   (GAP_GRACE_MS), asks for them (`fill`), emitting when they arrive.
 *   A gap the server cannot fill (deleted one-way, `history: false`, beyond the fill's 100) is
 *   accepted once asked about: the cursor then jumps over it;
 * - while paused (between a drop and the end of the next sync), holds every push: the sync decides
 *   where each conversation resumes, and held pushes then go through the rules above.
 *
 * A conversation the device has never seen starts at whatever seq first reaches it: older messages
 * are beyond the sync's limits and come from history queries, as NIM's offline/roaming rules have it.
 *
 * The device's own messages come from its acks (the server does not push them back to it). While
 * it has sends in flight to a conversation, a gap there is not filled and a new conversation does
 * not start: the acks arrive shortly and fill them (see `sending`).
 */
export class Sequencer {
  private readonly cursors = new Map<ConversationId, number>();
  /** Server time of the newest message emitted per conversation (0 for cursors given at start). */
  private readonly active = new Map<ConversationId, number>();
  private readonly held = new Map<ConversationId, Map<number, Message>>();
  /** Seqs up to which a gap was asked about and is accepted as final. */
  private readonly settled = new Map<ConversationId, number>();
  private readonly filling = new Set<ConversationId>();
  private readonly failures = new Map<ConversationId, number>();
  /** This device's sends in flight per conversation: their seqs are known only from their acks. */
  private readonly inFlight = new Map<ConversationId, number>();
  /** Gaps waiting out their grace, and those whose grace has passed (filled at the next drain). */
  private readonly gapTimers = new Map<ConversationId, ReturnType<typeof setTimeout>>();
  private readonly gapsDue = new Set<ConversationId>();
  private paused = true;

  constructor(
    private readonly io: SequencerIO,
    initial: Record<ConversationId, number> = {},
    private readonly gapGraceMs = GAP_GRACE_MS,
  ) {
    for (const [conv, seq] of Object.entries(initial)) {
      if (Number.isSafeInteger(seq) && seq > 0) this.cursors.set(conv, seq);
    }
  }

  /** The newest seq emitted per conversation: what a sync asks from. */
  snapshot(): Record<ConversationId, number> {
    return Object.fromEntries(this.cursors);
  }

  /** The cursors of the `max` conversations with the most recent messages. */
  recent(max: number): Record<ConversationId, number> {
    if (this.cursors.size <= max) return this.snapshot();
    const byActivity = [...this.cursors.keys()].sort((a, b) => (this.active.get(b) ?? 0) - (this.active.get(a) ?? 0));
    return Object.fromEntries(byActivity.slice(0, max).map((conv) => [conv, this.cursors.get(conv)!]));
  }

  cursor(conv: ConversationId): number | undefined {
    return this.cursors.get(conv);
  }

  /** Hold every push until `resume` (the link dropped; a sync may come first). */
  pause(): void {
    this.paused = true;
  }

  /** A pushed message. */
  offer(message: Message): void {
    let held = this.held.get(message.conv);
    if (!held) this.held.set(message.conv, (held = new Map()));
    held.set(message.seq, message);
    this.drain(message.conv);
  }

  /**
   * A sync's messages (per conversation, any order): whatever is newer than the cursor is emitted in
   * seq order, including across a gap — the sync is the server's word on what the device gets.
   */
  applySync(messages: Record<ConversationId, Message[]>): void {
    for (const [conv, list] of Object.entries(messages)) {
      for (const m of [...list].sort((a, b) => a.seq - b.seq)) this.accept(conv, m);
    }
  }

  /**
   * This device sent a message to `conv`. The server does not push it back to this device, and a
   * push of a later seq may arrive before its ack: until `sent`, a gap in `conv` may be this
   * message, so pushes past a gap wait instead of being filled from history.
   */
  sending(conv: ConversationId): void {
    this.inFlight.set(conv, (this.inFlight.get(conv) ?? 0) + 1);
  }

  /** A send to `conv` was answered: acked (its message offered first) or refused. */
  sent(conv: ConversationId): void {
    const n = (this.inFlight.get(conv) ?? 0) - 1;
    if (n > 0) {
      this.inFlight.set(conv, n);
      return;
    }
    this.inFlight.delete(conv);
    this.drain(conv);
  }

  /** Lets held pushes through again. */
  resume(): void {
    this.paused = false;
    for (const conv of [...this.held.keys()]) this.drain(conv);
  }

  private accept(conv: ConversationId, m: Message): void {
    const cursor = this.cursors.get(conv);
    if (cursor !== undefined && m.seq <= cursor) return;
    this.cursors.set(conv, m.seq);
    this.active.set(conv, m.time);
    this.io.emit(m);
  }

  private drain(conv: ConversationId): void {
    if (this.paused || this.filling.has(conv)) return;
    const held = this.held.get(conv);
    while (held && held.size > 0) {
      const cursor = this.cursors.get(conv);
      const next = Math.min(...held.keys());
      const m = held.get(next)!;
      held.delete(next);
      if (cursor !== undefined && next <= cursor) continue;
      const waiting = this.inFlight.has(conv);
      if (cursor === undefined ? !waiting : next === cursor + 1 || next - 1 <= (this.settled.get(conv) ?? 0)) {
        this.accept(conv, m);
        continue;
      }
      held.set(next, m);
      // The gap may be one of this device's own sends: its ack fills it, and `sent` drains again.
      if (!waiting && cursor !== undefined) this.gap(conv, cursor + 1, next - 1);
      return;
    }
    this.held.delete(conv);
    this.gapClosed(conv);
  }

  /** A gap in the pushes: filled from history once its grace has passed without the push arriving. */
  private gap(conv: ConversationId, fromSeq: number, toSeq: number): void {
    if (this.gapGraceMs <= 0 || this.gapsDue.has(conv)) {
      this.gapClosed(conv);
      this.startFill(conv, fromSeq, toSeq);
      return;
    }
    if (this.gapTimers.has(conv)) return;
    const timer = setTimeout(() => {
      this.gapTimers.delete(conv);
      this.gapsDue.add(conv);
      this.drain(conv);
    }, this.gapGraceMs);
    this.gapTimers.set(conv, timer);
  }

  private gapClosed(conv: ConversationId): void {
    const timer = this.gapTimers.get(conv);
    if (timer !== undefined) clearTimeout(timer);
    this.gapTimers.delete(conv);
    this.gapsDue.delete(conv);
  }

  private startFill(conv: ConversationId, fromSeq: number, toSeq: number): void {
    this.filling.add(conv);
    this.io.fill(conv, fromSeq, toSeq).then(
      (found) => {
        this.filling.delete(conv);
        this.failures.delete(conv);
        let held = this.held.get(conv);
        if (!held) this.held.set(conv, (held = new Map()));
        for (const m of found) if (m.conv === conv && m.seq >= fromSeq && m.seq <= toSeq) held.set(m.seq, m);
        this.settled.set(conv, Math.max(toSeq, this.settled.get(conv) ?? 0));
        this.drain(conv);
      },
      () => {
        this.filling.delete(conv);
        const failures = (this.failures.get(conv) ?? 0) + 1;
        this.failures.set(conv, failures);
        // Usually the link dropped: the resume after it tries again (a paused drain does nothing).
        // A server that keeps refusing must not stall the conversation forever.
        if (failures >= MAX_FILL_FAILURES) {
          this.failures.delete(conv);
          this.settled.set(conv, Math.max(toSeq, this.settled.get(conv) ?? 0));
          this.drain(conv);
        } else {
          setTimeout(() => this.drain(conv), RETRY_FILL_MS * failures);
        }
      },
    );
  }
}
