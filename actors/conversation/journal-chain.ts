import { AnswerLater, type ActorContext } from "../../src/runtime/mod.ts";
import { SeqConflictError, type AppendEntry, type JournalEntry } from "../../src/store/mod.ts";
import { NimbusError } from "../../src/protocol/errors.ts";
import { DAY_MS, type P2pPayload } from "../../src/conversation/entry.ts";
import type { ConversationId, MessageInput, SendAck } from "../../src/protocol/messages.ts";

/** Acks of the last sends, by clientMsgId, kept so that a resend is answered without the store. */
const RECENT_ACKS = 16;

/** A send of this activation and its ack; `from` tells a resend from another member's reuse of an id. */
interface SentAck {
  from: string;
  ack: SendAck;
}

/** One message to number and store: what its conversation actor built, minus what the chain assigns. */
export interface ChainInput {
  from: string;
  clientMsgId: string;
  type: number;
  /** The kind's own payload (p2p: P2pPayload); stored as given. */
  payload: Record<string, unknown>;
  /** How long the journal keeps it. */
  retainDays: number;
  /** An outbox topic the same write queues the message in (data sync), when set. */
  sync?: string;
  /** Carried in that outbox item: the team's members for NIM's `tMembers` (teams of ≤ 200). */
  syncMembers?: readonly string[];
}

/**
 * A message as its conversation's actor hands it to the chain: the sender's input in the payload
 * kinds share (P2pPayload: `to`, `conv` for kinds other than p2p, body, ext, option, client), and
 * the data sync topic the same write queues it under, when set. Assigned, not spread in: this runs
 * for every message.
 */
export function chainInputOf(
  input: MessageInput & { clientMsgId: string },
  address: { to: string; conv?: ConversationId },
  retainDays: number,
  sync: string | undefined,
): ChainInput {
  const payload: P2pPayload = { to: address.to, body: input.body };
  if (address.conv !== undefined) payload.conv = address.conv;
  if (input.ext != null) payload.ext = input.ext;
  if (input.option != null) payload.option = input.option;
  if (input.fromClientType != null) payload.fromClientType = input.fromClientType;
  if (input.fromDeviceId != null) payload.fromDeviceId = input.fromDeviceId;
  const chained: ChainInput = {
    from: input.from,
    clientMsgId: input.clientMsgId,
    type: input.type,
    payload: payload as unknown as Record<string, unknown>,
    retainDays,
  };
  if (sync !== undefined) chained.sync = sync;
  return chained;
}

/** What a send answers: at once (a resend known here), later (once stored), or after msgids came. */
export type ChainAnswer = SendAck | AnswerLater<SendAck> | Promise<AnswerLater<SendAck>>;

/**
 * The journal of one conversation as its actor — the only writer — keeps it: messages numbered
 * 1, 2, 3… with no gap, each acked only once stored, deduplicated by clientMsgId. Shared by every
 * conversation actor (p2p session, team, chat room); see the README design note "P2P messages".
 *
 * The next seq is not saved: the journal is the truth, read once on activation. A send takes the
 * next seq and starts its append in its turn, and is answered once the append is stored
 * (AnswerLater): the next send does not wait for the store. The appends form a chain — each is
 * written only after the one before it (AppendEntry.prevMsgid) — so seqs stay gap-free and in
 * order even when an append fails or turns out to be a resend: every later link then fails fenced
 * and is handled again, in order, by a fresh activation that read the journal anew. The same
 * happens if another activation of this conversation wrote that seq first (membership changing).
 * `onStored` runs once the append is stored, in seq order: delivery goes there.
 */
export class JournalChain {
  /** The last seq handed out, stored or still being stored; its msgid is the next link's prevMsgid. */
  private lastSeq = 0;
  private lastMsgid = 0;
  /** The last seq known to be stored: what reads and receipts may name. */
  private stored = 0;
  /** Time of the newest message: times never go backwards within a conversation (see append). */
  private lastTime = 0;
  /** A link failed or was not taken: the later ones fail, and new sends go to a fresh activation. */
  private chainBroken = false;
  private readonly sending = new Map<string, { from: string; ack: Promise<SendAck> }>();
  private readonly recent = new Map<string, SentAck>();

  constructor(
    private readonly ctx: ActorContext,
    /** The conversation's id as acks name it. */
    private readonly conv: ConversationId,
  ) {}

  /** The last seq known to be stored. */
  get storedSeq(): number {
    return this.stored;
  }

  /** Reads where the journal ends; call from the actor's onActivate. */
  async activate(): Promise<void> {
    const [last] = await this.ctx.journal.rangeBySeq({ conversation: this.ctx.address, order: "desc", limit: 1 });
    this.lastSeq = this.stored = last?.seq ?? 0;
    this.lastMsgid = last?.msgid ?? 0;
    this.lastTime = last?.time ?? 0;
  }

  /**
   * Numbers and stores one message; synchronous unless the node is waiting for msgids (the actor
   * then holds its turn for them). `onStored` runs with the stored entry before the ack is given.
   */
  send(input: ChainInput, onStored: (entry: AppendEntry) => void): ChainAnswer {
    // Fenced: the runtime hands this send, in order, to a fresh activation.
    if (this.chainBroken) throw new SeqConflictError(this.ctx.address, this.lastSeq + 1);
    const cmid = input.clientMsgId;
    const known = this.recent.get(cmid);
    if (known) return this.resent(known, input.from);
    const flying = this.sending.get(cmid);
    if (flying) return new AnswerLater(flying.ack.then((ack) => this.resent({ from: flying.from, ack }, input.from)));

    const msgid = this.ctx.nextId("msgid");
    return typeof msgid === "number" ? this.append(input, msgid, onStored) : msgid.then((id) => this.append(input, id, onStored));
  }

  /** Takes the next seq and starts the chained append; the ack is owed until it is stored. */
  private append(input: ChainInput, msgid: number, onStored: (entry: AppendEntry) => void): AnswerLater<SendAck> {
    const cmid = input.clientMsgId;
    // Never before the previous message: history by time then walks in seq order, even when the
    // actor moved to a node whose clock is a little behind.
    const time = Math.max(Date.now(), this.lastTime);
    const entry: AppendEntry = {
      conversation: this.ctx.address,
      seq: this.lastSeq + 1,
      msgid,
      clientMsgId: cmid,
      from: input.from,
      time,
      type: input.type,
      flags: 0,
      expireAt: time + input.retainDays * DAY_MS,
      payload: input.payload,
    };
    // The chain's link: stored only if the previous message is stored under this msgid.
    if (this.lastSeq > 0) entry.prevMsgid = this.lastMsgid;
    if (input.sync !== undefined) {
      entry.outbox = input.sync;
      if (input.syncMembers !== undefined) entry.outboxMembers = input.syncMembers;
    }
    const stored = this.ctx.journal.append([entry]);
    this.lastSeq = entry.seq;
    this.lastMsgid = entry.msgid;
    this.lastTime = time;

    const ack = stored.then(
      ([outcome]): SendAck => {
        if (outcome?.status !== "appended") {
          // Already stored under this clientMsgId, before this activation knew of it: the seq was not taken.
          this.chainBroken = true;
          if (outcome?.status === "duplicate")
            return this.resent({ from: outcome.existing.from, ack: this.ackOf(outcome.existing, true) }, input.from);
          throw new Error(`journal append of ${this.conv} seq ${entry.seq} answered nothing`);
        }
        this.stored = entry.seq;
        onStored(entry);
        return this.ackOf(entry, false);
      },
      (err: unknown) => {
        this.chainBroken = true;
        throw err;
      },
    );
    this.sending.set(cmid, { from: input.from, ack });
    ack.then(
      (a) => {
        this.sending.delete(cmid);
        if (!a.duplicate) this.remember(cmid, { from: input.from, ack: a });
      },
      () => this.sending.delete(cmid),
    );
    return new AnswerLater(ack);
  }

  private ackOf(e: JournalEntry, duplicate: boolean): SendAck {
    return { conv: this.conv, msgid: e.msgid, seq: e.seq, time: e.time, clientMsgId: e.clientMsgId, duplicate };
  }

  /** The answer to a resend: the first ack, marked duplicate — unless the id is someone else's. */
  private resent(first: SentAck, from: string): SendAck {
    // The same clientMsgId from another sender is not a resend: it must not answer with their message.
    if (first.from !== from) throw new NimbusError("PARAM_ERROR", `clientMsgId: ${first.ack.clientMsgId} is already used in ${this.conv}`);
    return { ...first.ack, duplicate: true };
  }

  private remember(cmid: string, sent: SentAck): void {
    this.recent.set(cmid, sent);
    if (this.recent.size > RECENT_ACKS) this.recent.delete(this.recent.keys().next().value!);
  }
}
