import type Database from "better-sqlite3";
import { decodeStored as decode, encodeStored as encode } from "./bytes.ts";
import { VersionConflictError } from "./errors.ts";
import type { Snapshot, SnapshotStore } from "./port.ts";

interface SnapshotRow {
  version: number;
  state: Uint8Array;
}

/**
 * Snapshots as rows keyed by (kind, key). `save` is one conditional statement, so it is a
 * compare-and-set even with several processes on the same file.
 */
export class SqliteSnapshots implements SnapshotStore {
  private readonly selectOne: Database.Statement<[string, string], SnapshotRow>;
  private readonly insertNew: Database.Statement<[string, string, Uint8Array]>;
  private readonly updateAt: Database.Statement<[Uint8Array, string, string, number]>;
  private readonly deleteOne: Database.Statement<[string, string]>;

  constructor(
    db: Database.Database,
    private readonly run: <T>(what: string, op: () => T) => Promise<T>,
  ) {
    this.selectOne = db.prepare("SELECT version, state FROM snapshots WHERE kind = ? AND key = ?");
    // ON CONFLICT DO NOTHING: a second creator sees zero changes instead of an exception.
    this.insertNew = db.prepare("INSERT INTO snapshots (kind, key, version, state) VALUES (?, ?, 1, ?) ON CONFLICT DO NOTHING");
    this.updateAt = db.prepare("UPDATE snapshots SET state = ?, version = version + 1 WHERE kind = ? AND key = ? AND version = ?");
    this.deleteOne = db.prepare("DELETE FROM snapshots WHERE kind = ? AND key = ?");
  }

  load(kind: string, key: string): Promise<Snapshot | null> {
    return this.run("snapshot load", () => {
      const row = this.selectOne.get(kind, key);
      return row ? { version: row.version, state: decode(row.state) } : null;
    });
  }

  save(kind: string, key: string, state: unknown, expectedVersion: number): Promise<number> {
    return this.run("snapshot save", () => {
      const bytes = encode(state);
      const changes =
        expectedVersion === 0 ? this.insertNew.run(kind, key, bytes).changes : this.updateAt.run(bytes, kind, key, expectedVersion).changes;
      if (changes === 0) throw new VersionConflictError(kind, key, expectedVersion);
      return expectedVersion + 1;
    });
  }

  delete(kind: string, key: string): Promise<void> {
    return this.run("snapshot delete", () => {
      this.deleteOne.run(kind, key);
    });
  }
}
