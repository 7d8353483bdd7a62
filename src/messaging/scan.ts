import type { Journal, JournalEntry } from "../store/port.ts";

export interface ScanBounds {
  /** Inclusive; either may be absent. */
  fromSeq?: number;
  toSeq?: number;
  /** Inclusive, ms. */
  fromTime?: number;
  toTime?: number;
  order: "asc" | "desc";
}

/** Entries fetched per store round trip: enough that a filter rarely needs a second one. */
const PAGE_MIN = 20;
const PAGE_MAX = 500;

/**
 * Walks one journal conversation within seq and time bounds, keeping entries that pass `keep`,
 * until `limit` are kept: what history and sync share. Entries the store could not read are
 * stepped over. Filters run before the limit, so "the
 * newest 100 I may see" is 100 when there are 100, whatever was hidden in between.
 *
 * It pages by seq and uses time only to find where to start, because a conversation's times never
 * go backwards as its seqs grow (the session actor makes sure of it): the time window is then one
 * seq range, and paging by seq never skips or repeats entries that share a millisecond.
 */
export async function scanJournal(
  journal: Journal,
  conversation: string,
  bounds: ScanBounds,
  keep: (e: JournalEntry) => boolean,
  limit: number,
): Promise<JournalEntry[]> {
  const { order, fromTime, toTime } = bounds;
  let fromSeq = bounds.fromSeq ?? 1;
  let toSeq = bounds.toSeq ?? Number.MAX_SAFE_INTEGER;
  if (limit <= 0 || fromSeq > toSeq || (fromTime !== undefined && toTime !== undefined && fromTime > toTime)) return [];

  // Where the time window starts, on the side the walk starts from.
  if (order === "asc" && fromTime !== undefined) {
    const [first] = await journal.rangeByTime({ conversation, fromTime, toTime, order: "asc", limit: 1 });
    if (!first) return [];
    fromSeq = Math.max(fromSeq, first.seq);
  }
  if (order === "desc" && toTime !== undefined) {
    const [last] = await journal.rangeByTime({ conversation, fromTime, toTime, order: "desc", limit: 1 });
    if (!last) return [];
    toSeq = Math.min(toSeq, last.seq);
  }

  const out: JournalEntry[] = [];
  const page = Math.min(Math.max(limit * 2, PAGE_MIN), PAGE_MAX);
  for (;;) {
    if (fromSeq > toSeq) return out;
    const entries = await journal.rangeBySeq({ conversation, fromSeq, toSeq, order, limit: page });
    for (const e of entries) {
      // Past the far end of the time window: nothing further can be in it.
      if (order === "asc" && toTime !== undefined && e.time > toTime) return out;
      if (order === "desc" && fromTime !== undefined && e.time < fromTime) return out;
      // An entry whose payload cannot be read is never shown (JournalEntry.unreadable); the store has logged it.
      if (!e.unreadable && (fromTime === undefined || e.time >= fromTime) && (toTime === undefined || e.time <= toTime) && keep(e)) {
        out.push(e);
        if (out.length >= limit) return out;
      }
    }
    if (entries.length < page) return out;
    const last = entries[entries.length - 1]!;
    if (order === "asc") fromSeq = last.seq + 1;
    else toSeq = last.seq - 1;
  }
}
