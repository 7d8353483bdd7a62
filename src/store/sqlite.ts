import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { guard } from "./guard.ts";
import type { Store } from "./port.ts";
import { applySchema } from "./sqlite-schema.ts";
import { SqliteJournal } from "./sqlite-journal.ts";
import { SqliteNonces } from "./sqlite-nonces.ts";
import { SqliteOutbox } from "./sqlite-outbox.ts";
import { SqliteSequences } from "./sqlite-sequences.ts";
import { SqliteSnapshots } from "./sqlite-snapshots.ts";

export interface SqliteStoreOptions {
  /** How long a statement waits for another process's write lock before failing (ms). */
  busyTimeoutMs?: number;
}

function isSqliteError(err: unknown): boolean {
  return err instanceof Database.SqliteError;
}

/**
 * The embedded store: one SQLite file (or `:memory:`) through better-sqlite3.
 *
 * better-sqlite3 is synchronous; every call runs to completion on the event loop, which is fine
 * for the short indexed statements used here and is why appends are batched (one transaction, one
 * WAL commit per batch).
 *
 * Pragmas:
 * - WAL: readers never block the writer and a commit is one sequential WAL append.
 * - synchronous=NORMAL: in WAL mode a commit no longer fsyncs, only checkpoints do. The file can
 *   never be corrupted by a crash, and a process crash loses nothing; only an OS crash or power
 *   loss can drop the last few commits. That is the usual trade for an embedded single-node
 *   deployment; a cluster that needs more durability runs the mongo adapter.
 * - busy_timeout: several processes on one file (tools, a restart overlapping the old process)
 *   wait for the lock instead of failing at once.
 */
export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  readonly snapshots: SqliteSnapshots;
  readonly journal: SqliteJournal;
  readonly outbox: SqliteOutbox;
  readonly sequences: SqliteSequences;
  readonly nonces: SqliteNonces;
  private readonly db: Database.Database;
  private closed = false;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (path !== ":memory:" && !path.startsWith("file:")) mkdirSync(dirname(path), { recursive: true });
    // better-sqlite3's `timeout` is SQLite's busy_timeout.
    this.db = new Database(path, { timeout: options.busyTimeoutMs ?? 5000 });
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    applySchema(this.db);
    const run = <T>(what: string, op: () => T): Promise<T> => guard(what, isSqliteError, op);
    this.snapshots = new SqliteSnapshots(this.db, run);
    this.journal = new SqliteJournal(this.db, run);
    this.outbox = new SqliteOutbox(this.db, run);
    this.sequences = new SqliteSequences(this.db, run);
    this.nonces = new SqliteNonces(this.db, run);
  }

  /** SQLite's automatic checkpoint threshold, in WAL pages; 0 turns it off (another connection checkpoints). */
  autoCheckpoint(pages: number): void {
    if (!Number.isSafeInteger(pages) || pages < 0) throw new RangeError(`wal_autocheckpoint: ${pages}`);
    this.db.pragma(`wal_autocheckpoint = ${pages}`);
  }

  unavailable(): string | null {
    return null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.journal.drain();
    this.db.close();
  }
}
