import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { encodeStored as encode } from "./bytes.ts";
import { Batcher, type ItemResult } from "./batcher.ts";
import { SeqConflictError } from "./errors.ts";
import { readPayload } from "./journal-payload.ts";
import { consoleLogger, type StoreLogger } from "./logger.ts";
import { StatementsByLimit } from "./sqlite-limit.ts";
import type { AppendEntry, AppendOutcome, Journal, JournalEntry, JournalOutboxRef, RangeBySeq, RangeByTime } from "./port.ts";

interface JournalRow {
  conversation: string;
  seq: number;
  msgid: number;
  client_msg_id: string;
  sender: string;
  time: number;
  type: number;
  flags: number;
  expire_at: number;
  payload: Uint8Array;
}

type Bound = [conversation: string, from: number, to: number];

/** A row to insert, and the msgid its predecessor must have (see AppendEntry). */
interface RowToInsert {
  row: JournalRow;
  prevMsgid: number | undefined;
  /** Queue it in this outbox topic too, in the same transaction (AppendEntry.outbox). */
  outbox: string | undefined;
  /** AppendEntry.outboxMembers: carried in the outbox item. */
  outboxMembers: readonly string[] | undefined;
}

const columns = "conversation, seq, msgid, client_msg_id, sender, time, type, flags, expire_at, payload";
const lowest = Number.MIN_SAFE_INTEGER;
interface SeqTime {
  seq: number;
  time: number;
}
const highest = Number.MAX_SAFE_INTEGER;
/** Rows deleted per purge statement: a long purge must not hold the write lock against appends. */
const purgeChunk = 2000;

const appended: ItemResult<AppendOutcome> = { ok: true, value: { status: "appended" } };

function toEntry(row: JournalRow, logger: StoreLogger): JournalEntry {
  const entry: JournalEntry = {
    conversation: row.conversation,
    seq: row.seq,
    msgid: row.msgid,
    clientMsgId: row.client_msg_id,
    from: row.sender,
    time: row.time,
    type: row.type,
    flags: row.flags,
    expireAt: row.expire_at,
    payload: {},
  };
  return readPayload(entry, row.payload, logger);
}

function toRow(entry: JournalEntry): JournalRow {
  return {
    conversation: entry.conversation,
    seq: entry.seq,
    msgid: entry.msgid,
    client_msg_id: entry.clientMsgId,
    sender: entry.from,
    time: entry.time,
    type: entry.type,
    flags: entry.flags,
    expire_at: entry.expireAt,
    payload: encode(entry.payload),
  };
}

/** A constraint the entry itself broke (NOT NULL, type): its fault alone, the statement rolled back alone. */
function isEntryConstraintError(err: unknown): boolean {
  return err instanceof Database.SqliteError && err.code.startsWith("SQLITE_CONSTRAINT");
}

export class SqliteJournal implements Journal {
  private readonly insert: Database.Statement<[JournalRow]>;
  private readonly insertLink: Database.Statement<[JournalRow & { prev_msgid: number }]>;
  private readonly byClientMsgId: Database.Statement<[string, string], JournalRow>;
  private readonly byMsgid: Database.Statement<[number], JournalRow>;
  private readonly seqAsc: StatementsByLimit<Bound, JournalRow>;
  private readonly seqDesc: StatementsByLimit<Bound, JournalRow>;
  private readonly atOrAfter: Database.Statement<[string, number], SeqTime>;
  private readonly atOrBefore: Database.Statement<[string, number], SeqTime>;
  private readonly setFlags: Database.Statement<[number, number, string, number], JournalRow>;
  private readonly lastSeq: Database.Statement<[string], number>;
  private readonly purgeSome: Database.Statement<[number]>;
  private readonly insertOutbox: Database.Statement<[string, string, Uint8Array, number]>;
  private readonly writeAll: Database.Transaction<(rows: readonly ItemResult<RowToInsert>[]) => ItemResult<AppendOutcome>[]>;
  private readonly batcher: Batcher<AppendEntry, AppendOutcome>;

  constructor(
    db: Database.Database,
    private readonly run: <T>(what: string, op: () => T) => Promise<T>,
    private readonly logger: StoreLogger = consoleLogger,
  ) {
    // ON CONFLICT DO NOTHING covers both unique keys; which one clashed is settled by a lookup.
    this.insert = db.prepare(
      `INSERT INTO journal (${columns}) VALUES (@conversation, @seq, @msgid, @client_msg_id, @sender, @time,
        @type, @flags, @expire_at, @payload) ON CONFLICT DO NOTHING`,
    );
    // The same insert, only when the predecessor is stored with the expected msgid (one seek on
    // UNIQUE(conversation, seq)). INSERT … SELECT needs its WHERE so ON CONFLICT parses as the upsert clause.
    this.insertLink = db.prepare(
      `INSERT INTO journal (${columns}) SELECT @conversation, @seq, @msgid, @client_msg_id, @sender, @time,
        @type, @flags, @expire_at, @payload
        WHERE EXISTS (SELECT 1 FROM journal WHERE conversation = @conversation AND seq = @seq - 1 AND msgid = @prev_msgid)
        ON CONFLICT DO NOTHING`,
    );
    this.byClientMsgId = db.prepare(`SELECT ${columns} FROM journal WHERE conversation = ? AND client_msg_id = ?`);
    this.byMsgid = db.prepare(`SELECT ${columns} FROM journal WHERE msgid = ? LIMIT 1`);
    const range = (order: "ASC" | "DESC") =>
      new StatementsByLimit<Bound, JournalRow>(
        db,
        (limit) => `SELECT ${columns} FROM journal WHERE conversation = ? AND seq BETWEEN ? AND ? ORDER BY seq ${order} LIMIT ${limit}`,
      );
    this.seqAsc = range("ASC");
    this.seqDesc = range("DESC");
    // The nearest stored entry on one side of a seq: one seek on UNIQUE(conversation, seq).
    this.atOrAfter = db.prepare("SELECT seq, time FROM journal WHERE conversation = ? AND seq >= ? ORDER BY seq ASC LIMIT 1");
    this.atOrBefore = db.prepare("SELECT seq, time FROM journal WHERE conversation = ? AND seq <= ? ORDER BY seq DESC LIMIT 1");
    this.setFlags = db.prepare(`UPDATE journal SET flags = (flags | ?) & ~? WHERE conversation = ? AND seq = ? RETURNING ${columns}`);
    // ORDER BY ... LIMIT 1 is one index seek on UNIQUE(conversation, seq).
    this.lastSeq = db.prepare<[string], number>("SELECT seq FROM journal WHERE conversation = ? ORDER BY seq DESC LIMIT 1").pluck();
    this.purgeSome = db.prepare(`DELETE FROM journal WHERE rowid IN (SELECT rowid FROM journal WHERE expire_at <= ? LIMIT ${purgeChunk})`);
    this.insertOutbox = db.prepare("INSERT INTO outbox (id, topic, payload, available_at) VALUES (?, ?, ?, ?)");
    this.writeAll = db.transaction((rows: readonly ItemResult<RowToInsert>[]) => rows.map((r) => this.insertOne(r)));
    this.batcher = new Batcher((entries) => this.appendEach(entries));
  }

  append(entries: readonly AppendEntry[]): Promise<AppendOutcome[]> {
    return this.batcher.submit(entries);
  }

  /** Settles pending appends; called by the store before it closes the database. */
  drain(): Promise<void> {
    return this.batcher.drain();
  }

  /**
   * Writes entries as one transaction, now (no batching), with one result per entry: the batcher's
   * write, and what the writer thread runs for a batch sent from the main thread.
   */
  appendEach(entries: readonly AppendEntry[]): Promise<ItemResult<AppendOutcome>[]> {
    // Encoding happens before the transaction, so a payload that cannot be encoded fails its own entry only.
    const rows = entries.map((e): ItemResult<RowToInsert> => {
      try {
        return { ok: true, value: { row: toRow(e), prevMsgid: e.prevMsgid, outbox: e.outbox, outboxMembers: e.outboxMembers } };
      } catch (err) {
        return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
      }
    });
    // IMMEDIATE takes the write lock up front, so a concurrent writer (another process) makes us wait
    // busy_timeout instead of failing on a read-to-write lock upgrade.
    return this.run("journal append", () => this.writeAll.immediate(rows));
  }

  private insertOne(item: ItemResult<RowToInsert>): ItemResult<AppendOutcome> {
    if (!item.ok) return item;
    const { row, prevMsgid, outbox, outboxMembers } = item.value;
    const { conversation, seq, client_msg_id } = row;
    try {
      const changes =
        prevMsgid === undefined ? this.insert.run(row).changes : this.insertLink.run({ ...row, prev_msgid: prevMsgid }).changes;
      if (changes === 1) {
        // In the batch's transaction: the entry and its outbox item are stored together or not at all.
        if (outbox !== undefined) {
          const ref: JournalOutboxRef = { j: conversation, c: client_msg_id };
          if (outboxMembers !== undefined) ref.m = outboxMembers;
          // Same transaction: the item may carry the entry, and the deliverer need not read it back.
          ref.e = { s: seq, i: row.msgid, f: row.sender, t: row.time, y: row.type, g: row.flags, x: row.expire_at, p: row.payload };
          this.insertOutbox.run(randomUUID(), outbox, encode(ref), row.time);
        }
        return appended;
      }
    } catch (err) {
      // Anything else (I/O, full disk) propagates and rolls the whole batch back.
      if (isEntryConstraintError(err)) return { ok: false, error: err as Error };
      throw err;
    }
    // Inside the transaction, so this also finds an earlier entry of the same batch. Not stored:
    // the seq was taken, or the chain's previous link is not there.
    const existing = this.byClientMsgId.get(conversation, client_msg_id);
    if (existing) return { ok: true, value: { status: "duplicate", existing: toEntry(existing, this.logger) } };
    return { ok: false, error: new SeqConflictError(conversation, seq) };
  }

  rangeBySeq(q: RangeBySeq): Promise<JournalEntry[]> {
    return this.run("journal rangeBySeq", () => {
      if (q.limit <= 0) return [];
      const stmt = q.order === "asc" ? this.seqAsc : this.seqDesc;
      return stmt
        .with(q.limit)
        .all(q.conversation, q.fromSeq ?? lowest, q.toSeq ?? highest)
        .map((row) => toEntry(row, this.logger));
    });
  }

  rangeByTime(q: RangeByTime): Promise<JournalEntry[]> {
    return this.run("journal rangeByTime", () => {
      if (q.limit <= 0) return [];
      const first = this.atOrAfter.get(q.conversation, lowest);
      const last = this.atOrBefore.get(q.conversation, highest);
      if (!first || !last) return [];
      // Times never go back as seqs grow (the port's contract), so a time window is a seq range:
      // from the first seq at or after fromTime, up to just before the first seq after toTime.
      const { fromTime, toTime } = q;
      const fromSeq = fromTime === undefined ? first.seq : this.firstSeqWhere(q.conversation, first.seq, last.seq, (t) => t >= fromTime);
      const toSeq = toTime === undefined ? last.seq : this.firstSeqWhere(q.conversation, first.seq, last.seq, (t) => t > toTime) - 1;
      if (fromSeq > toSeq) return [];
      const stmt = q.order === "asc" ? this.seqAsc : this.seqDesc;
      return stmt
        .with(q.limit)
        .all(q.conversation, fromSeq, toSeq)
        .map((row) => toEntry(row, this.logger));
    });
  }

  /**
   * The lowest stored seq in `lo..hi` whose time passes `test` (false, then true, as seqs grow),
   * or `hi + 1`: a bisection over seqs, one seek a step. Seqs missing in between (purged) are
   * stepped over, not assumed.
   */
  private firstSeqWhere(conversation: string, lo: number, hi: number, test: (time: number) => boolean): number {
    let found = hi + 1;
    while (lo <= hi) {
      const mid = Math.floor((lo + hi) / 2);
      const e = this.atOrAfter.get(conversation, mid);
      if (!e || e.seq > hi) hi = mid - 1;
      else if (test(e.time)) {
        found = e.seq;
        hi = mid - 1;
      } else lo = e.seq + 1;
    }
    return found;
  }

  getByMsgid(msgid: number): Promise<JournalEntry | null> {
    return this.run("journal getByMsgid", () => {
      const row = this.byMsgid.get(msgid);
      return row ? toEntry(row, this.logger) : null;
    });
  }

  getByClientMsgId(conversation: string, clientMsgId: string): Promise<JournalEntry | null> {
    return this.run("journal getByClientMsgId", () => {
      const row = this.byClientMsgId.get(conversation, clientMsgId);
      return row ? toEntry(row, this.logger) : null;
    });
  }

  updateFlags(conversation: string, seq: number, set: number, clear = 0): Promise<JournalEntry | null> {
    return this.run("journal updateFlags", () => {
      const row = this.setFlags.get(set, clear, conversation, seq);
      return row ? toEntry(row, this.logger) : null;
    });
  }

  maxSeqs(conversations: readonly string[]): Promise<Map<string, number>> {
    // In-process: a loop of index seeks is as cheap as one statement, and simpler to read.
    return this.run("journal maxSeqs", () => new Map(conversations.map((c) => [c, this.lastSeq.get(c) ?? 0])));
  }

  async purgeExpired(now: number): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.run("journal purge", () => this.purgeSome.run(now).changes);
      total += n;
      if (n < purgeChunk) return total;
      // Let queued appends in between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}
