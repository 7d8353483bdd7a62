import { Binary, MongoBulkWriteError, ObjectId, type Collection, type Filter, type WriteError } from "mongodb";
import { encodeStored as encode } from "./bytes.ts";
import { Batcher, type ItemResult } from "./batcher.ts";
import { SeqConflictError } from "./errors.ts";
import { readPayload } from "./journal-payload.ts";
import type { KeyedLock } from "./keyed-lock.ts";
import type { StoreLogger } from "./logger.ts";
import { isNotImplemented, type JournalDoc, type OutboxDoc } from "./mongo-schema.ts";
import type { AppendEntry, AppendOutcome, Journal, JournalEntry, JournalOutboxRef, RangeBySeq, RangeByTime } from "./port.ts";

type Guard = <T>(what: string, op: () => Promise<T>) => Promise<T>;

const appended: ItemResult<AppendOutcome> = { ok: true, value: { status: "appended" } };

function toEntry(doc: JournalDoc, logger: StoreLogger): JournalEntry {
  const entry: JournalEntry = {
    conversation: doc.conversation,
    seq: doc.seq,
    msgid: doc.msgid,
    clientMsgId: doc.clientMsgId,
    from: doc.from,
    time: doc.time,
    type: doc.type,
    flags: doc.flags,
    expireAt: doc.expireAt.getTime(),
    payload: {},
  };
  // A document damaged by hand or by another tool may hold no Binary here: unreadable, not a crash.
  return readPayload(entry, doc.payload instanceof Binary ? doc.payload.value() : undefined, logger);
}

function toDoc(e: JournalEntry): JournalDoc {
  return {
    conversation: e.conversation,
    seq: e.seq,
    msgid: e.msgid,
    clientMsgId: e.clientMsgId,
    from: e.from,
    time: e.time,
    type: e.type,
    flags: e.flags,
    expireAt: new Date(e.expireAt),
    payload: new Binary(encode(e.payload)),
  };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

const pairKey = (conversation: string, clientMsgId: string): string => `${conversation}\u0000${clientMsgId}`;
/** Conversations whose last append is remembered (see tails): a few MB at most. */
const MAX_TAILS = 50_000;
const seqKey = (conversation: string, seq: number): string => `${conversation}\u0000${seq}`;

function range(field: "seq" | "time", from: number | undefined, to: number | undefined): Filter<JournalDoc> {
  if (from === undefined && to === undefined) return {};
  return { [field]: { ...(from !== undefined && { $gte: from }), ...(to !== undefined && { $lte: to }) } };
}

export class MongoJournal implements Journal {
  private readonly batcher: Batcher<AppendEntry, AppendOutcome>;
  /** Set once the server refuses `$group`/`$first` (FerretDB 1.x), see maxSeqs. */
  private groupUnsupported = false;
  /**
   * The last entry this journal appended, per conversation: a chain link's previous link is almost
   * always one of ours from an earlier batch, so it is checked here rather than with a query.
   */
  private readonly tails = new Map<string, { seq: number; msgid: number }>();

  constructor(
    private readonly col: Collection<JournalDoc>,
    private readonly lock: KeyedLock,
    private readonly guard: Guard,
    private readonly logger: StoreLogger,
    private readonly outbox: Collection<OutboxDoc>,
  ) {
    this.batcher = new Batcher((entries) => this.guard("journal append", () => this.writeBatch(entries)));
  }

  append(entries: readonly AppendEntry[]): Promise<AppendOutcome[]> {
    return this.batcher.submit(entries);
  }

  /** Settles pending appends; called by the store before it closes the client. */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  /**
   * Links of a chain (AppendEntry.prevMsgid) whose previous link is in the same batch wait for it:
   * the batch goes in waves, one insertMany each, and a link goes only if its previous link was
   * appended (one from an earlier batch is checked against `tails`, else looked up). Nothing else
   * orders the writes, and FerretDB has no transactions: this is what keeps a failed or duplicate
   * link from leaving a gap. A batch without chains is one wave.
   */
  private async writeBatch(entries: readonly AppendEntry[]): Promise<ItemResult<AppendOutcome>[]> {
    // Outbox items first (AppendEntry.outbox): with no transaction, an item without its entry is
    // what a crash may leave (readers drop it), never an entry without its item.
    const queued = await this.queueOutbox(entries);
    const results = await this.writeEntries(entries);
    const unused = queued.filter(([i]) => !(results[i]!.ok && results[i]!.value.status === "appended")).map(([, id]) => id);
    if (unused.length > 0) await this.outbox.deleteMany({ _id: { $in: unused } });
    return results;
  }

  /** Inserts the outbox items of the entries that ask for one; answers [entry index, item id]. */
  private async queueOutbox(entries: readonly AppendEntry[]): Promise<[number, string][]> {
    const queued: [number, string][] = [];
    const docs: OutboxDoc[] = [];
    entries.forEach((e, i) => {
      if (e.outbox === undefined) return;
      const ref: JournalOutboxRef = { j: e.conversation, c: e.clientMsgId };
      if (e.outboxMembers !== undefined) ref.m = e.outboxMembers;
      const _id = new ObjectId().toHexString();
      docs.push({ _id, topic: e.outbox, payload: new Binary(encode(ref)), attempts: 0, availableAt: e.time, leaseUntil: 0 });
      queued.push([i, _id]);
    });
    if (docs.length > 0) await this.outbox.insertMany(docs);
    return queued;
  }

  private async writeEntries(entries: readonly AppendEntry[]): Promise<ItemResult<AppendOutcome>[]> {
    const results: ItemResult<AppendOutcome>[] = entries.map(() => appended);
    const slotOf = new Map<string, number>();
    const previous: (number | undefined)[] = [];
    const wave: number[] = [];
    entries.forEach((e, i) => {
      const p = e.prevMsgid === undefined ? undefined : slotOf.get(seqKey(e.conversation, e.seq - 1));
      previous.push(p);
      wave.push(p === undefined ? 0 : wave[p]! + 1);
      slotOf.set(seqKey(e.conversation, e.seq), i);
    });
    const waves = Math.max(...wave) + 1;
    for (let w = 0; w < waves; w++) {
      const now = entries.flatMap((_, i) => (wave[i] === w ? [i] : []));
      const unlinked = await this.brokenLinks(entries, now, previous, results);
      for (const i of unlinked) results[i] = { ok: false, error: new SeqConflictError(entries[i]!.conversation, entries[i]!.seq) };
      await this.insertSome(
        entries,
        now.filter((i) => !unlinked.has(i)),
        results,
      );
    }
    return results;
  }

  /** Of `indices`, the links whose previous link is not stored (or not appended in this batch) with their prevMsgid. */
  private async brokenLinks(
    entries: readonly AppendEntry[],
    indices: number[],
    previous: readonly (number | undefined)[],
    results: readonly ItemResult<AppendOutcome>[],
  ): Promise<Set<number>> {
    const broken = new Set<number>();
    const lookUp: number[] = [];
    for (const i of indices) {
      const e = entries[i]!;
      if (e.prevMsgid === undefined) continue;
      const p = previous[i];
      if (p === undefined) lookUp.push(i);
      else if (!(results[p]!.ok && results[p]!.value.status === "appended" && entries[p]!.msgid === e.prevMsgid)) broken.add(i);
    }
    // A previous link from an earlier batch: usually the tail this journal appended last; else (the
    // first link after an activation read the journal) one equality lookup each. A single $or over
    // all of them was measured far slower on FerretDB: p2p-cluster fell to seconds of latency.
    await Promise.all(
      lookUp.map(async (i) => {
        const e = entries[i]!;
        const tail = this.tails.get(e.conversation);
        if (tail?.seq === e.seq - 1 && tail.msgid === e.prevMsgid) return;
        const prev = await this.col.findOne({ conversation: e.conversation, seq: e.seq - 1 }, { projection: { msgid: 1 } });
        if (prev?.msgid !== e.prevMsgid) broken.add(i);
      }),
    );
    return broken;
  }

  /**
   * One unordered insertMany for `indices` of the batch, in call order; the unique indexes do the
   * fencing. Every duplicate-key failure is then classified with one query: if the
   * (conversation, clientMsgId) is stored, it is a resend (or a repeat within the batch) and we
   * answer with the stored entry; otherwise the seq was taken by a different message. We look
   * rather than parse which index the error names because FerretDB reports neither keyPattern
   * nor the index name.
   *
   * If the write fails as a whole (connection lost), some entries may be stored: the callers get
   * StoreUnavailableError and a retry of the same entries comes back as "duplicate", unchanged.
   */
  private async insertSome(entries: readonly AppendEntry[], indices: number[], results: ItemResult<AppendOutcome>[]): Promise<void> {
    const docs: JournalDoc[] = [];
    const entryOfDoc: number[] = [];
    for (const i of indices) {
      try {
        docs.push(toDoc(entries[i]!));
        entryOfDoc.push(i);
      } catch (err) {
        results[i] = { ok: false, error: asError(err) }; // cannot encode: this entry's fault alone
      }
    }
    if (docs.length === 0) return;

    const clashes: number[] = [];
    try {
      await this.col.insertMany(docs, { ordered: false });
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError) || err.err !== undefined) throw err; // whole batch in doubt
      const writeErrors: WriteError[] = Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
      for (const we of writeErrors) {
        const i = entryOfDoc[we.index];
        if (i === undefined) throw err;
        if (we.code === 11000) clashes.push(i);
        else results[i] = { ok: false, error: new Error(`journal append: ${we.errmsg ?? `code ${we.code}`}`) };
      }
    }
    for (const i of indices) if (results[i]!.ok && !clashes.includes(i)) this.rememberTail(entries[i]!);
    if (clashes.length === 0) return;

    const stored = await this.col
      .find({ $or: clashes.map((i) => ({ conversation: entries[i]!.conversation, clientMsgId: entries[i]!.clientMsgId })) })
      .toArray();
    const byPair = new Map(stored.map((d) => [pairKey(d.conversation, d.clientMsgId), d]));
    for (const i of clashes) {
      const e = entries[i]!;
      const existing = byPair.get(pairKey(e.conversation, e.clientMsgId));
      results[i] = existing
        ? { ok: true, value: { status: "duplicate", existing: toEntry(existing, this.logger) } }
        : { ok: false, error: new SeqConflictError(e.conversation, e.seq) };
    }
  }

  private rememberTail(e: JournalEntry): void {
    const tail = this.tails.get(e.conversation);
    if (tail && tail.seq >= e.seq) return;
    this.tails.delete(e.conversation); // re-inserted last: the Map's order is then least recently appended first
    this.tails.set(e.conversation, { seq: e.seq, msgid: e.msgid });
    if (this.tails.size > MAX_TAILS) this.tails.delete(this.tails.keys().next().value!);
  }

  rangeBySeq(q: RangeBySeq): Promise<JournalEntry[]> {
    return this.guard("journal rangeBySeq", async () => {
      if (q.limit <= 0) return [];
      const dir = q.order === "asc" ? 1 : -1;
      const docs = await this.col
        .find({ conversation: q.conversation, ...range("seq", q.fromSeq, q.toSeq) })
        .sort({ seq: dir })
        .limit(q.limit)
        .toArray();
      return docs.map((d) => toEntry(d, this.logger));
    });
  }

  rangeByTime(q: RangeByTime): Promise<JournalEntry[]> {
    return this.guard("journal rangeByTime", async () => {
      if (q.limit <= 0) return [];
      const dir = q.order === "asc" ? 1 : -1;
      const docs = await this.col
        .find({ conversation: q.conversation, ...range("time", q.fromTime, q.toTime) })
        .sort({ time: dir, seq: dir })
        .limit(q.limit)
        .toArray();
      return docs.map((d) => toEntry(d, this.logger));
    });
  }

  getByMsgid(msgid: number): Promise<JournalEntry | null> {
    return this.guard("journal getByMsgid", async () => {
      const doc = await this.col.findOne({ msgid });
      return doc ? toEntry(doc, this.logger) : null;
    });
  }

  getByClientMsgId(conversation: string, clientMsgId: string): Promise<JournalEntry | null> {
    return this.guard("journal getByClientMsgId", async () => {
      const doc = await this.col.findOne({ conversation, clientMsgId });
      return doc ? toEntry(doc, this.logger) : null;
    });
  }

  /**
   * Two single-op `$bit` updates rather than one `{and, or}`: FerretDB 1.x applies only the last
   * operation of a multi-op `$bit`. Clearing first and setting only bits not cleared gives the
   * port's "set, then clear" result, (flags | set) & ~clear, in either order.
   */
  updateFlags(conversation: string, seq: number, set: number, clear = 0): Promise<JournalEntry | null> {
    const toSet = set & ~clear;
    const filter = { conversation, seq };
    // The lock: see keyed-lock.ts (FerretDB 1.x applies $bit as read, then write).
    return this.lock.run(`flags ${conversation}\u0000${seq}`, () =>
      this.guard("journal updateFlags", async () => {
        let doc: JournalDoc | null = null;
        if (clear !== 0) {
          doc = await this.col.findOneAndUpdate(filter, { $bit: { flags: { and: ~clear } } }, { returnDocument: "after" });
          if (!doc) return null;
        }
        if (toSet !== 0) {
          doc = await this.col.findOneAndUpdate(filter, { $bit: { flags: { or: toSet } } }, { returnDocument: "after" });
        }
        if (clear === 0 && toSet === 0) doc = await this.col.findOne(filter);
        return doc ? toEntry(doc, this.logger) : null;
      }),
    );
  }

  /**
   * One aggregation ($sort + $group/$first, which MongoDB answers from the unique index). FerretDB
   * 1.x implements neither $max nor $first in $group; there we fall back, once and for good, to
   * one sorted `limit 1` query per conversation, sent concurrently.
   */
  maxSeqs(conversations: readonly string[]): Promise<Map<string, number>> {
    return this.guard("journal maxSeqs", async () => {
      const result = new Map(conversations.map((c) => [c, 0]));
      if (result.size === 0) return result;
      if (!this.groupUnsupported) {
        try {
          const rows = await this.col
            .aggregate<{ _id: string; seq: number }>([
              { $match: { conversation: { $in: [...result.keys()] } } },
              // The unique index walked backwards: $first per group is then one index seek (DISTINCT_SCAN).
              { $sort: { conversation: -1, seq: -1 } },
              { $group: { _id: "$conversation", seq: { $first: "$seq" } } },
            ])
            .toArray();
          for (const row of rows) result.set(row._id, row.seq);
          return result;
        } catch (err) {
          if (!isNotImplemented(err)) throw err;
          this.groupUnsupported = true;
          this.logger.warn({ err: String(err) }, "$group/$first not supported by this server; maxSeqs sends one query per conversation");
        }
      }
      await Promise.all(
        [...result.keys()].map(async (conversation) => {
          const last = await this.col.find({ conversation }).sort({ seq: -1 }).limit(1).project<{ seq: number }>({ seq: 1 }).next();
          if (last) result.set(conversation, last.seq);
        }),
      );
      return result;
    });
  }

  purgeExpired(now: number): Promise<number> {
    return this.guard("journal purge", async () => {
      const res = await this.col.deleteMany({ expireAt: { $lte: new Date(now) } });
      return res.deletedCount;
    });
  }
}
