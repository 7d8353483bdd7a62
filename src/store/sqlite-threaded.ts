import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { guard } from "./guard.ts";
import { consoleLogger, type StoreLogger } from "./logger.ts";
import type {
  AppendEntry,
  AppendOutcome,
  Journal,
  JournalEntry,
  NonceStore,
  Outbox,
  OutboxItem,
  RangeBySeq,
  RangeByTime,
  SequenceStore,
  Snapshot,
  SnapshotStore,
  Store,
} from "./port.ts";
import { SqliteJournal } from "./sqlite-journal.ts";
import { SqliteOutbox } from "./sqlite-outbox.ts";
import { SqliteSnapshots } from "./sqlite-snapshots.ts";
import { SupervisedWriter, type WriterCalls, type WriterRestartPolicy } from "./sqlite-writer-supervisor.ts";
import { fromWireError } from "./wire-errors.ts";

/**
 * The SQLite store for a node: one file, written by a writer thread, read on the main thread.
 *
 * better-sqlite3 is synchronous. Inline (sqlite.ts), every commit and every WAL checkpoint ran on
 * the event loop — a third of a busy node's time went there (BENCHMARKS.md) while the sockets
 * waited. Here the writer thread owns the only writing connection: every write (journal appends,
 * snapshot compare-and-sets, sequences, nonces, the outbox) is sent to it and resolves once committed.
 * Reads stay on the main thread on a read-only connection: they are short indexed lookups that
 * WAL lets run beside the writer, and they see every write already answered.
 *
 * The calls of one turn of the event loop go to the writer as one message, and the writer commits
 * all the journal appends of a message as one transaction: batches grow with the load by themselves.
 */
export class ThreadedSqliteStore implements Store {
  readonly kind = "sqlite" as const;
  readonly journal: Journal;
  readonly snapshots: SnapshotStore;
  readonly outbox: Outbox;
  readonly sequences: SequenceStore;
  readonly nonces: NonceStore;
  private closed = false;

  private constructor(
    private readonly writer: SupervisedWriter,
    private readonly readDb: Database.Database,
    logger: StoreLogger,
  ) {
    const run = <T>(what: string, op: () => T): Promise<T> => guard(what, (err) => err instanceof Database.SqliteError, op);
    this.journal = new ThreadedJournal(new SqliteJournal(readDb, run, logger), writer);
    this.snapshots = new ThreadedSnapshots(new SqliteSnapshots(readDb, run), writer);
    this.outbox = new ThreadedOutbox(new SqliteOutbox(readDb, run), writer);
    this.sequences = { reserve: (name, count) => writer.call("sequences.reserve", name, count) };
    this.nonces = {
      claim: (key, expireAt) => writer.call("nonces.claim", key, expireAt),
      purgeExpired: (now) => writer.call("nonces.purgeExpired", now),
    };
  }

  /**
   * Opens (creating if needed) the file at `path`: the writer thread applies the schema first. A
   * writer thread that dies is started again (SupervisedWriter). `writerEntry` replaces the writer
   * thread's module (tests use stand-ins that fail); `writerRestart` how soon it is started again.
   */
  static async open(
    path: string,
    options: { busyTimeoutMs?: number; writerEntry?: URL; writerRestart?: WriterRestartPolicy; logger?: StoreLogger } = {},
  ): Promise<ThreadedSqliteStore> {
    if (path === ":memory:") throw new RangeError("a threaded SQLite store needs a file: use SqliteStore for :memory:");
    if (!path.startsWith("file:")) mkdirSync(dirname(path), { recursive: true });
    const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
    const writer = await SupervisedWriter.start({ path, busyTimeoutMs }, options.writerEntry, options.writerRestart);
    try {
      const readDb = new Database(path, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
      return new ThreadedSqliteStore(writer, readDb, options.logger ?? consoleLogger);
    } catch (err) {
      await writer.close();
      throw err;
    }
  }

  /**
   * Set while the writer thread is down (failed or exited, not yet started again): every write
   * then fails with StoreUnavailableError.
   */
  unavailable(): string | null {
    return this.closed ? null : (this.writer.failed?.message ?? null);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.close();
    this.readDb.close();
  }
}

class ThreadedJournal implements Journal {
  constructor(
    private readonly reads: SqliteJournal,
    private readonly writer: WriterCalls,
  ) {}

  /**
   * Straight to the writer: the appends of one turn travel in one message and are committed there
   * as one transaction. There is no "one batch in flight" here (as the Batcher has): the channel
   * keeps order by itself, and waiting for the previous batch's answer would cost every append a
   * full turn of both event loops — which, since a conversation appends one message at a time,
   * caps what one conversation can send.
   */
  async append(entries: readonly AppendEntry[]): Promise<AppendOutcome[]> {
    if (entries.length === 0) return [];
    const results = await this.writer.call("journal.appendEach", entries);
    const failed = results.find((r) => !r.ok);
    if (failed && !failed.ok) throw fromWireError(failed.error);
    return results.map((r) => (r as { ok: true; value: AppendOutcome }).value);
  }

  rangeBySeq(query: RangeBySeq): Promise<JournalEntry[]> {
    return this.reads.rangeBySeq(query);
  }

  rangeByTime(query: RangeByTime): Promise<JournalEntry[]> {
    return this.reads.rangeByTime(query);
  }

  getByMsgid(msgid: number): Promise<JournalEntry | null> {
    return this.reads.getByMsgid(msgid);
  }

  getByClientMsgId(conversation: string, clientMsgId: string): Promise<JournalEntry | null> {
    return this.reads.getByClientMsgId(conversation, clientMsgId);
  }

  updateFlags(conversation: string, seq: number, set: number, clear = 0): Promise<JournalEntry | null> {
    return this.writer.call("journal.updateFlags", conversation, seq, set, clear);
  }

  maxSeqs(conversations: readonly string[]): Promise<Map<string, number>> {
    return this.reads.maxSeqs(conversations);
  }

  purgeExpired(now: number): Promise<number> {
    return this.writer.call("journal.purgeExpired", now);
  }
}

class ThreadedSnapshots implements SnapshotStore {
  constructor(
    private readonly reads: SqliteSnapshots,
    private readonly writer: WriterCalls,
  ) {}

  load(kind: string, key: string): Promise<Snapshot | null> {
    return this.reads.load(kind, key);
  }

  save(kind: string, key: string, state: unknown, expectedVersion: number): Promise<number> {
    return this.writer.call("snapshots.save", kind, key, state, expectedVersion);
  }

  delete(kind: string, key: string): Promise<void> {
    return this.writer.call("snapshots.delete", kind, key);
  }
}

class ThreadedOutbox implements Outbox {
  constructor(
    private readonly reads: SqliteOutbox,
    private readonly writer: WriterCalls,
  ) {}

  enqueue(topic: string, payloads: readonly Record<string, unknown>[], availableAt = Date.now()): Promise<string[]> {
    return this.writer.call("outbox.enqueue", topic, payloads, availableAt);
  }

  lease(topic: string, max: number, leaseMs: number, now = Date.now()): Promise<OutboxItem[]> {
    return this.writer.call("outbox.lease", topic, max, leaseMs, now);
  }

  ack(ids: readonly string[]): Promise<void> {
    return this.writer.call("outbox.ack", ids);
  }

  retry(id: string, retryAt: number): Promise<void> {
    return this.writer.call("outbox.retry", id, retryAt);
  }

  count(topic: string): Promise<number> {
    return this.reads.count(topic);
  }
}
