import { Binary, MongoBulkWriteError, type Collection, type Filter, type WriteError } from "mongodb";
import { decodeStored as decode, encodeStored as encode } from "./bytes.ts";
import { Batcher, type ItemResult } from "./batcher.ts";
import { SeqConflictError } from "./errors.ts";
import type { KeyedLock } from "./keyed-lock.ts";
import type { StoreLogger } from "./logger.ts";
import { isNotImplemented, type JournalDoc } from "./mongo-schema.ts";
import type { AppendOutcome, Journal, JournalEntry, RangeBySeq, RangeByTime } from "./port.ts";

type Guard = <T>(what: string, op: () => Promise<T>) => Promise<T>;

const appended: ItemResult<AppendOutcome> = { ok: true, value: { status: "appended" } };

function toEntry(doc: JournalDoc): JournalEntry {
  return {
    conversation: doc.conversation,
    seq: doc.seq,
    msgid: doc.msgid,
    clientMsgId: doc.clientMsgId,
    from: doc.from,
    time: doc.time,
    type: doc.type,
    flags: doc.flags,
    expireAt: doc.expireAt.getTime(),
    payload: decode<Record<string, unknown>>(doc.payload.value()),
  };
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

function range(field: "seq" | "time", from: number | undefined, to: number | undefined): Filter<JournalDoc> {
  if (from === undefined && to === undefined) return {};
  return { [field]: { ...(from !== undefined && { $gte: from }), ...(to !== undefined && { $lte: to }) } };
}

export class MongoJournal implements Journal {
  private readonly batcher: Batcher<JournalEntry, AppendOutcome>;
  /** Set once the server refuses `$group`/`$first` (FerretDB 1.x), see maxSeqs. */
  private groupUnsupported = false;

  constructor(
    private readonly col: Collection<JournalDoc>,
    private readonly lock: KeyedLock,
    private readonly guard: Guard,
    private readonly logger: StoreLogger,
  ) {
    this.batcher = new Batcher((entries) => this.guard("journal append", () => this.writeBatch(entries)));
  }

  append(entries: readonly JournalEntry[]): Promise<AppendOutcome[]> {
    return this.batcher.submit(entries);
  }

  /** Settles pending appends; called by the store before it closes the client. */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  /**
   * One unordered insertMany for the whole batch, entries in call order; the unique indexes do
   * the fencing. Every duplicate-key failure is then classified with one query: if the
   * (conversation, clientMsgId) is stored, it is a resend (or a repeat within the batch) and we
   * answer with the stored entry; otherwise the seq was taken by a different message. We look
   * rather than parse which index the error names because FerretDB reports neither keyPattern
   * nor the index name.
   *
   * If the write fails as a whole (connection lost), some entries may be stored: the callers get
   * StoreUnavailableError and a retry of the same entries comes back as "duplicate", unchanged.
   */
  private async writeBatch(entries: readonly JournalEntry[]): Promise<ItemResult<AppendOutcome>[]> {
    const results: ItemResult<AppendOutcome>[] = entries.map(() => appended);
    const docs: JournalDoc[] = [];
    const entryOfDoc: number[] = [];
    entries.forEach((e, i) => {
      try {
        docs.push(toDoc(e));
        entryOfDoc.push(i);
      } catch (err) {
        results[i] = { ok: false, error: asError(err) }; // cannot encode: this entry's fault alone
      }
    });
    if (docs.length === 0) return results;

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
    if (clashes.length === 0) return results;

    const stored = await this.col
      .find({ $or: clashes.map((i) => ({ conversation: entries[i]!.conversation, clientMsgId: entries[i]!.clientMsgId })) })
      .toArray();
    const byPair = new Map(stored.map((d) => [pairKey(d.conversation, d.clientMsgId), d]));
    for (const i of clashes) {
      const e = entries[i]!;
      const existing = byPair.get(pairKey(e.conversation, e.clientMsgId));
      results[i] = existing
        ? { ok: true, value: { status: "duplicate", existing: toEntry(existing) } }
        : { ok: false, error: new SeqConflictError(e.conversation, e.seq) };
    }
    return results;
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
      return docs.map(toEntry);
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
      return docs.map(toEntry);
    });
  }

  getByMsgid(msgid: number): Promise<JournalEntry | null> {
    return this.guard("journal getByMsgid", async () => {
      const doc = await this.col.findOne({ msgid });
      return doc ? toEntry(doc) : null;
    });
  }

  getByClientMsgId(conversation: string, clientMsgId: string): Promise<JournalEntry | null> {
    return this.guard("journal getByClientMsgId", async () => {
      const doc = await this.col.findOne({ conversation, clientMsgId });
      return doc ? toEntry(doc) : null;
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
        return doc ? toEntry(doc) : null;
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
