import type Database from "better-sqlite3";
import type { SequenceStore } from "./port.ts";

/** Sequences as one row per name holding the highest value handed out; values start at 1. */
export class SqliteSequences implements SequenceStore {
  private readonly bump: Database.Statement<{ name: string; count: number }, number>;

  constructor(
    db: Database.Database,
    private readonly run: <T>(what: string, op: () => T) => Promise<T>,
  ) {
    // One upsert statement: atomic, whichever process gets the write lock first.
    this.bump = db
      .prepare<{ name: string; count: number }, number>(
        `INSERT INTO sequences (name, last) VALUES (@name, @count)
        ON CONFLICT (name) DO UPDATE SET last = last + @count RETURNING last`,
      )
      .pluck();
  }

  reserve(name: string, count: number): Promise<number> {
    return this.run("sequence reserve", () => {
      if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`cannot reserve ${count} values`);
      const last = this.bump.get({ name, count });
      if (last === undefined) throw new Error(`sequence ${name} returned nothing`);
      return last - count + 1;
    });
  }
}
