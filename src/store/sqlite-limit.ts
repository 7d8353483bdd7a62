import type Database from "better-sqlite3";

/** Distinct limits kept prepared per statement; callers use a handful (1, a page size, a batch size). */
const KEPT = 32;

/**
 * One prepared statement per LIMIT value, the value written into the SQL instead of bound.
 *
 * better-sqlite3 builds SQLite with STAT4, and under STAT4 a bound LIMIT counts as a value the plan
 * may depend on: binding it marks the statement expired, so every run prepared the statement again.
 * On this machine that made an indexed read of an empty table 3.6 µs instead of 0.36, and the login
 * sync's read of a user's notifications 37 µs instead of 5.6 (medians, 10,000 logins, bench `connect`).
 *
 * The least recently used limit is dropped once KEPT are held, so an odd caller cannot grow this.
 */
export class StatementsByLimit<Args extends unknown[], Row> {
  private readonly kept = new Map<number, Database.Statement<Args, Row>>();

  constructor(
    private readonly db: Database.Database,
    private readonly sqlWithLimit: (limit: number) => string,
  ) {}

  /** The statement for `limit`, a positive safe integer (it is written into SQL, so nothing else passes). */
  with(limit: number): Database.Statement<Args, Row> {
    let stmt = this.kept.get(limit);
    if (stmt) {
      // Refresh its place: Map order is the recency order the eviction reads.
      this.kept.delete(limit);
      this.kept.set(limit, stmt);
      return stmt;
    }
    if (!Number.isSafeInteger(limit) || limit <= 0) throw new RangeError(`LIMIT must be a positive integer, got ${limit}`);
    stmt = this.db.prepare<Args, Row>(this.sqlWithLimit(limit));
    if (this.kept.size >= KEPT) this.kept.delete(this.kept.keys().next().value!);
    this.kept.set(limit, stmt);
    return stmt;
  }
}
