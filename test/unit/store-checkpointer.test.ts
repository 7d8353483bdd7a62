import Database from "better-sqlite3";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WalCheckpointer } from "../../src/store/sqlite-checkpointer.ts";
import { tempDir } from "../support/processes.ts";

interface Row {
  busy: number;
  log: number;
  checkpointed: number;
}

describe("WAL checkpointer", () => {
  const open: { close(): void }[] = [];
  afterEach(() => open.splice(0).forEach((c) => c.close()));

  /** A writer connection that never checkpoints by itself, as the writer thread's is. */
  function writer(path: string): Database.Database {
    const db = new Database(path);
    open.push(db);
    db.pragma("journal_mode = WAL");
    db.pragma("wal_autocheckpoint = 0");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)");
    return db;
  }

  const fill = (db: Database.Database, rows: number) => {
    const insert = db.prepare("INSERT INTO t (v) VALUES (randomblob(3000))");
    for (let i = 0; i < rows; i++) insert.run();
  };
  /** Rows as a fresh reader of the file sees them. */
  const rowsIn = (path: string) => {
    const peek = new Database(path, { readonly: true });
    try {
      return (peek.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n;
    } finally {
      peek.close();
    }
  };

  /** A file whose writer committed 200 rows, and one checkpoint round on it under `restartFrames`. */
  function checkpointedOnce(restartFrames: number) {
    const path = join(tempDir("ckpt"), "w.db");
    const db = writer(path);
    fill(db, 200);
    const checkpointer = new WalCheckpointer(path, { intervalMs: 100, restartFrames });
    open.push(checkpointer);
    return { path, db, round: checkpointer.round() };
  }

  it("copies the whole log back on another connection while the writer keeps its own checkpoints off", () => {
    const { path, round } = checkpointedOnce(1_000_000);
    expect(round.frames).toBeGreaterThan(200);
    expect(round.copied).toBe(round.frames);
    expect(round.restarted).toBe(false);
    expect(rowsIn(path)).toBe(200);
  });

  it("rewinds a long log, so the next commits start it over instead of growing it", () => {
    const { path, db, round } = checkpointedOnce(50);
    expect(round.frames).toBeGreaterThan(200);
    expect(round.restarted).toBe(true);
    fill(db, 1);
    // The log holds only the last commit's frames now.
    const [after] = db.pragma("wal_checkpoint(PASSIVE)") as Row[];
    expect(after!.log).toBeLessThan(10);
    expect(rowsIn(path)).toBe(201);
  });
});
