import type Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import { decodeStored as decode, encodeStored as encode } from "./bytes.ts";
import type { Outbox, OutboxItem } from "./port.ts";
import { StatementsByLimit } from "./sqlite-limit.ts";

interface OutboxRow {
  id: string;
  topic: string;
  payload: Uint8Array;
  attempts: number;
  available_at: number;
  ord: number;
}

function toItem(row: OutboxRow): OutboxItem {
  return {
    id: row.id,
    topic: row.topic,
    payload: decode<Record<string, unknown>>(row.payload),
    attempts: row.attempts,
    availableAt: row.available_at,
  };
}

/**
 * The outbox as a table. An item is leased while `lease_until > now`; a lease that runs out
 * without ack or retry makes the item leasable again (attempts counts every lease).
 */
export class SqliteOutbox implements Outbox {
  private readonly insert: Database.Statement<[string, string, Uint8Array, number]>;
  private readonly insertAll: Database.Transaction<(rows: [string, string, Uint8Array, number][]) => void>;
  private readonly leaseSome: StatementsByLimit<[number, string, number, number], OutboxRow>;
  private readonly remove: Database.Statement<[string]>;
  private readonly removeAll: Database.Transaction<(ids: readonly string[]) => void>;
  private readonly reschedule: Database.Statement<[number, string]>;
  private readonly countTopic: Database.Statement<[string], number>;

  constructor(
    db: Database.Database,
    private readonly run: <T>(what: string, op: () => T) => Promise<T>,
  ) {
    this.insert = db.prepare("INSERT INTO outbox (id, topic, payload, available_at) VALUES (?, ?, ?, ?)");
    this.insertAll = db.transaction((rows: [string, string, Uint8Array, number][]) => {
      for (const row of rows) this.insert.run(...row);
    });
    // One statement picks and marks the items, so two leasers (even in two processes) never share one.
    this.leaseSome = new StatementsByLimit(
      db,
      (limit) => `UPDATE outbox SET attempts = attempts + 1, lease_until = ?
        WHERE rowid IN (SELECT rowid FROM outbox WHERE topic = ? AND available_at <= ? AND lease_until <= ?
                        ORDER BY available_at, rowid LIMIT ${limit})
        RETURNING id, topic, payload, attempts, available_at, rowid AS ord`,
    );
    this.remove = db.prepare("DELETE FROM outbox WHERE id = ?");
    this.removeAll = db.transaction((ids: readonly string[]) => {
      for (const id of ids) this.remove.run(id);
    });
    this.reschedule = db.prepare("UPDATE outbox SET available_at = ?, lease_until = 0 WHERE id = ?");
    this.countTopic = db.prepare<[string], number>("SELECT COUNT(*) FROM outbox WHERE topic = ?").pluck();
  }

  enqueue(topic: string, payloads: readonly Record<string, unknown>[], availableAt = Date.now()): Promise<string[]> {
    return this.run("outbox enqueue", () => {
      const rows = payloads.map((p): [string, string, Uint8Array, number] => [randomUUID(), topic, encode(p), availableAt]);
      this.insertAll.immediate(rows);
      return rows.map((r) => r[0]);
    });
  }

  lease(topic: string, max: number, leaseMs: number, now = Date.now()): Promise<OutboxItem[]> {
    return this.run("outbox lease", () => {
      if (max <= 0) return [];
      const rows = this.leaseSome.with(max).all(now + leaseMs, topic, now, now);
      // RETURNING does not promise an order: restore oldest-first.
      rows.sort((a, b) => a.available_at - b.available_at || a.ord - b.ord);
      return rows.map(toItem);
    });
  }

  ack(ids: readonly string[]): Promise<void> {
    return this.run("outbox ack", () => {
      if (ids.length > 0) this.removeAll.immediate(ids);
    });
  }

  retry(id: string, retryAt: number): Promise<void> {
    return this.run("outbox retry", () => {
      this.reschedule.run(retryAt, id);
    });
  }

  count(topic: string): Promise<number> {
    return this.run("outbox count", () => this.countTopic.get(topic) ?? 0);
  }
}
