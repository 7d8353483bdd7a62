import type Database from "better-sqlite3";
import type { NonceStore } from "./port.ts";

/** Nonces as rows keyed by the nonce: a claim is an insert that does nothing when the key is there. */
export class SqliteNonces implements NonceStore {
  private readonly take: Database.Statement<{ key: string; expireAt: number }>;
  private readonly purge: Database.Statement<{ now: number }>;

  constructor(
    db: Database.Database,
    private readonly run: <T>(what: string, op: () => T) => Promise<T>,
  ) {
    this.take = db.prepare("INSERT INTO nonces (key, expire_at) VALUES (@key, @expireAt) ON CONFLICT (key) DO NOTHING");
    this.purge = db.prepare("DELETE FROM nonces WHERE expire_at <= @now");
  }

  claim(key: string, expireAt: number): Promise<boolean> {
    return this.run("nonce claim", () => this.take.run({ key, expireAt }).changes === 1);
  }

  purgeExpired(now: number): Promise<number> {
    return this.run("nonce purge", () => this.purge.run({ now }).changes);
  }
}
