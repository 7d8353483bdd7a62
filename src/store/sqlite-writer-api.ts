import type { ItemResult } from "./batcher.ts";
import type { AppendEntry, AppendOutcome, JournalEntry, OutboxItem } from "./port.ts";
import type { WireError } from "./wire-errors.ts";

/** One journal entry's result as it comes back from the writer thread. */
export type WireItemResult<O> = { ok: true; value: O } | { ok: false; error: WireError };

/**
 * Every write the SQLite writer thread performs, by name: the store's write methods, each run
 * there against the writer's own connection (see sqlite-threaded.ts for why).
 */
export interface WriterApi {
  "journal.appendEach"(entries: readonly AppendEntry[]): WireItemResult<AppendOutcome>[];
  "journal.updateFlags"(conversation: string, seq: number, set: number, clear: number): JournalEntry | null;
  "journal.purgeExpired"(now: number): number;
  "snapshots.save"(kind: string, key: string, state: unknown, expectedVersion: number): number;
  "snapshots.delete"(kind: string, key: string): void;
  "outbox.enqueue"(topic: string, payloads: readonly Record<string, unknown>[], availableAt: number): string[];
  "outbox.lease"(topic: string, max: number, leaseMs: number, now: number): OutboxItem[];
  "outbox.ack"(ids: readonly string[]): void;
  "outbox.retry"(id: string, retryAt: number): void;
  "sequences.reserve"(name: string, count: number): number;
  "nonces.claim"(key: string, expireAt: number): boolean;
  "nonces.purgeExpired"(now: number): number;
}

export type WriterOp = keyof WriterApi;

/**
 * Main thread → writer, always as a list: the calls of one turn of the main thread's event loop
 * (see TickQueue). `close` drains pending writes and closes the connection.
 */
export type ToWriter = { id: number; op: WriterOp; args: unknown[] } | { id: number; op: "close" };

/**
 * Writer → main thread, as a list too: the answers ready in one turn of the writer's loop.
 * `id` 0 is the writer announcing it is open (or could not open).
 */
export type FromWriter = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

export interface WriterData {
  path: string;
  busyTimeoutMs: number;
}

export type { ItemResult };
