import { decodeStored } from "./bytes.ts";
import type { StoreLogger } from "./logger.ts";
import type { JournalEntry, JournalOutboxRef } from "./port.ts";

/**
 * Journal entries read whose payload could not be decoded, by this thread since it started: the
 * count behind `nimbus_store_unreadable_journal_entries_total`. Reads run on the main thread (the
 * SQLite writer thread decodes only what an append or a flag change hands back, and the same rows
 * are read again on the main thread before anyone shows them).
 */
export const unreadableJournalEntries = { count: 0 };

/** Entries already logged, so a damaged row read by every history page is logged once, not each time. */
const logged = new Set<string>();
const LOGGED_MAX = 1000;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * An entry's payload, decoded; or, when the stored bytes cannot be decoded into an object (damaged
 * on disk, or written by something other than Nimbus; a `__proto__` key an older version let
 * through is read with it renamed, see bytes.ts), an empty payload
 * with `unreadable` set: the indexed fields are still true, so a conversation's actor activates on
 * its seq and msgid and readers skip the entry (JournalEntry.unreadable). One bad row must never
 * make a whole conversation unreadable. It is logged (once per entry) and counted.
 */
export function readPayload(entry: JournalEntry, bytes: Uint8Array | undefined, logger: StoreLogger): JournalEntry {
  let problem = "no payload bytes";
  if (bytes !== undefined)
    try {
      const payload = decodeStored<unknown>(bytes);
      if (isRecord(payload)) {
        entry.payload = payload;
        return entry;
      }
      problem = `not an object but ${payload === null ? "null" : typeof payload}`;
    } catch (err) {
      problem = err instanceof Error ? err.message : String(err);
    }
  entry.payload = {};
  entry.unreadable = true;
  unreadableJournalEntries.count++;
  const key = `${entry.conversation}\u0000${entry.seq}`;
  if (!logged.has(key)) {
    if (logged.size >= LOGGED_MAX) logged.clear();
    logged.add(key);
    logger.warn(
      { conversation: entry.conversation, seq: entry.seq, msgid: entry.msgid, problem },
      "journal entry's payload cannot be decoded; it is skipped by every read",
    );
  }
  return entry;
}

/**
 * The journal entry an outbox item carries (JournalOutboxRef.e), read as defensively as a journal
 * row; undefined when the item carries none (the reader must then look the entry up).
 */
export function entryOfOutboxRef(ref: JournalOutboxRef, logger: StoreLogger): JournalEntry | undefined {
  const e = ref.e;
  if (e === undefined) return undefined;
  const entry: JournalEntry = {
    conversation: ref.j,
    seq: e.s,
    msgid: e.i,
    clientMsgId: ref.c,
    from: e.f,
    time: e.t,
    type: e.y,
    flags: e.g,
    expireAt: e.x,
    payload: {},
  };
  return readPayload(entry, e.p instanceof Uint8Array ? e.p : undefined, logger);
}
