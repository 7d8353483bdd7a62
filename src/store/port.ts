/**
 * The Store port: small and actor-shaped, so that two adapters (SQLite, MongoDB) stay cheap and
 * one contract suite (test/contract/store.contract.ts) holds both to the same behaviour.
 *
 * No operation needs a multi-document transaction: every write that must be fenced is a single
 * conditional write (snapshot compare-and-set, unique journal keys), because FerretDB and a
 * sharded MongoDB give us no more than that.
 */

/** A versioned actor snapshot. `version` starts at 1 on the first save and grows by one. */
export interface Snapshot {
  state: unknown;
  version: number;
}

export interface SnapshotStore {
  load(kind: string, key: string): Promise<Snapshot | null>;
  /**
   * Saves `state` if the stored version is still `expectedVersion` (0 = must not exist yet) and
   * returns the new version. Throws `VersionConflictError` when another writer got there first.
   */
  save(kind: string, key: string, state: unknown, expectedVersion: number): Promise<number>;
  delete(kind: string, key: string): Promise<void>;
}

/** Bits of `JournalEntry.flags`. */
export const MessageFlags = {
  RECALLED: 1,
  DELETED: 2,
} as const;

/** One message as the journal keeps it. The indexed fields are top-level; the rest rides in `payload`. */
export interface JournalEntry {
  /** The conversation address, e.g. `p2p/app1/alice|bob` or `team/app1/1001`. */
  conversation: string;
  /** 1, 2, 3… within the conversation, assigned by its actor. */
  seq: number;
  /** Server message id, unique across the cluster (see `SequenceStore`). */
  msgid: number;
  /** The sender's id for this message; unique within the conversation (a resend carries the same one). */
  clientMsgId: string;
  from: string;
  /** Server time in ms since the epoch. */
  time: number;
  /** NIM message type (0 text, 1 image, …). */
  type: number;
  flags: number;
  /** When retention lets it go, in ms since the epoch; the purge removes it after this. */
  expireAt: number;
  /** Everything else (body, ext, option flags); opaque to the store. */
  payload: Record<string, unknown>;
  /**
   * Set by the adapters when the stored payload cannot be decoded (damaged on disk, or not written
   * by Nimbus): `payload` is then `{}`, the indexed fields are as
   * stored. Adapters hand such an entry back rather than fail the read — one bad row must not stop
   * a conversation's actor from activating nor fail every read that passes it — and log and count
   * it; readers that show messages skip it. Never set on an entry handed to `append`.
   */
  unreadable?: true;
}

/**
 * An entry handed to `append`. With `prevMsgid` it is one link of a chain: it is written only if
 * its conversation holds seq `seq - 1` with that msgid at the moment it is written. So when an
 * earlier link failed, or turned out to be a duplicate and never took its seq, every later link
 * fails too (SeqConflictError) and the conversation keeps no gap. This lets a conversation's actor
 * send its next append before the previous one is answered.
 */
export interface AppendEntry extends JournalEntry {
  prevMsgid?: number;
  /**
   * An outbox topic: when set, the entry is also queued there, as `{j: conversation, c: clientMsgId}`
   * available at `time`, and only if the entry is appended (not for a duplicate or a conflict).
   * SQLite writes both in one transaction. MongoDB (no multi-document transactions) writes the
   * outbox item first and removes it when the entry is not appended, so a crash in between can
   * leave an item whose entry was never stored: a reader must look the entry up (it needs it
   * anyway) and drop an item whose entry is still missing once no append can be in flight.
   */
  outbox?: string;
  /**
   * Carried in the outbox item beside the ref (`m`), for a data sync body that needs what only the
   * sender knew when it wrote (a team message's member list, NIM's `tMembers`).
   */
  outboxMembers?: readonly string[];
}

/** The outbox payload of a journal entry queued with `AppendEntry.outbox`. */
export interface JournalOutboxRef {
  /** The entry's conversation. */
  j: string;
  /** Its clientMsgId. */
  c: string;
  /** AppendEntry.outboxMembers, when set. */
  m?: readonly string[];
  /**
   * The entry itself, carried by a store that writes the item in the same transaction as the
   * entry (SQLite): the item then proves the entry was stored, and a reader needs no lookup (see
   * entryOfOutboxRef). Absent where the item is written before its entry (MongoDB, see
   * AppendEntry.outbox): a reader must look the entry up.
   */
  e?: CarriedEntry;
}

/** A journal entry's fields but its conversation and clientMsgId (the ref has them), keys kept short: it is stored once per item. */
export interface CarriedEntry {
  s: number;
  i: number;
  f: string;
  t: number;
  y: number;
  g: number;
  x: number;
  /** The payload as stored in the journal (msgpack), so the append encodes it once. */
  p: Uint8Array;
}

/** What happened to one entry handed to `append`. */
export type AppendOutcome =
  | { status: "appended" }
  /** The `(conversation, clientMsgId)` is already stored: here is the first one, unchanged. */
  | { status: "duplicate"; existing: JournalEntry };

export interface RangeBySeq {
  conversation: string;
  /** Inclusive bounds; either may be omitted. */
  fromSeq?: number;
  toSeq?: number;
  /** `asc` walks up from `fromSeq`, `desc` walks down from `toSeq`. */
  order: "asc" | "desc";
  limit: number;
}

/**
 * A time window of one conversation. Within a conversation times never decrease as seqs grow (its
 * actor stamps them so), and adapters may rely on it: the window is the seq range between its ends.
 */
export interface RangeByTime {
  conversation: string;
  /** Inclusive bounds in ms; either may be omitted. */
  fromTime?: number;
  toTime?: number;
  order: "asc" | "desc";
  limit: number;
}

export interface Journal {
  /**
   * Appends entries (of one or many conversations). Each entry gets its own outcome, in order.
   * A `(conversation, clientMsgId)` already stored, or repeated earlier in the same call or batch,
   * is not written again: its outcome is `duplicate` with the stored entry, unchanged.
   * A clash on `(conversation, seq)` with a different message means another activation of the
   * conversation wrote first: that entry is not written and the call rejects with
   * `SeqConflictError` (for its first such entry). Every other entry, of this call too, is written
   * or deduplicated as if alone, and other callers are unaffected; a caller that gets the error has
   * been fenced and must reload the conversation before appending again.
   * Adapters group concurrent calls into one write, so a busy node is not one fsync per message;
   * entries of one conversation are written in the order they were appended. If the call fails
   * with `StoreUnavailableError`, some entries may be stored: appending the same entries again is
   * safe, those come back as `duplicate`. A link whose `prevMsgid` does not match (see AppendEntry)
   * is not written and rejects the call with SeqConflictError, as a seq clash does; a duplicate
   * is still answered as a duplicate.
   */
  append(entries: readonly AppendEntry[]): Promise<AppendOutcome[]>;
  rangeBySeq(query: RangeBySeq): Promise<JournalEntry[]>;
  rangeByTime(query: RangeByTime): Promise<JournalEntry[]>;
  getByMsgid(msgid: number): Promise<JournalEntry | null>;
  getByClientMsgId(conversation: string, clientMsgId: string): Promise<JournalEntry | null>;
  /** Sets then clears flag bits on one entry; returns the entry as it is afterwards, or null. */
  updateFlags(conversation: string, seq: number, set: number, clear?: number): Promise<JournalEntry | null>;
  /** The highest seq of each conversation (0 when it has none), in one round trip. */
  maxSeqs(conversations: readonly string[]): Promise<Map<string, number>>;
  /** Removes entries whose `expireAt` is at or before `now`; returns how many went. */
  purgeExpired(now: number): Promise<number>;
}

export interface OutboxItem {
  id: string;
  /** What the item is for, e.g. `datasync` or `callback`; workers lease by topic. */
  topic: string;
  payload: Record<string, unknown>;
  /** How many times it has been leased so far (1 on the first lease). */
  attempts: number;
  /** Not leasable before this time (ms). */
  availableAt: number;
}

export interface Outbox {
  /** Adds items, available at once (or at `availableAt`); returns their ids. */
  enqueue(topic: string, payloads: readonly Record<string, unknown>[], availableAt?: number): Promise<string[]>;
  /**
   * Takes up to `max` available items of a topic for `leaseMs`. A leased item is not handed out
   * again until the lease runs out; if it is neither acked nor retried by then, it comes back.
   */
  lease(topic: string, max: number, leaseMs: number, now?: number): Promise<OutboxItem[]>;
  /** Done: the items are removed (ids already gone are ignored), in one write where the store can. */
  ack(ids: readonly string[]): Promise<void>;
  /** Failed: available again at `retryAt` (the caller computes the backoff). */
  retry(id: string, retryAt: number): Promise<void>;
  /** Items of a topic still queued (leased or not). */
  count(topic: string): Promise<number>;
}

/** Cluster-wide counters, handed out in blocks: server message ids, team ids, … */
export interface SequenceStore {
  /** Reserves `count` consecutive values of the named sequence and returns the first. */
  reserve(name: string, count: number): Promise<number>;
}

/**
 * Single-use keys, remembered cluster-wide until they expire: the server API's signed requests, so
 * a replayed one is refused by every node and after a restart. A claim is one atomic write (a
 * unique key), which FerretDB and a sharded MongoDB give as well as SQLite. A key is never claimed
 * twice, expired or not: callers put in it what makes it unusable after `expireAt` (for a request,
 * its CurTime), so an expired entry only waits for the purge.
 */
export interface NonceStore {
  /** Records `key` until `expireAt` (ms). True when this call took it; of concurrent claims of one key, from any nodes, exactly one is. */
  claim(key: string, expireAt: number): Promise<boolean>;
  /** Removes entries that expired at or before `now`; returns how many went. */
  purgeExpired(now: number): Promise<number>;
}

export type StoreKind = "sqlite" | "mongo";

export interface Store {
  readonly kind: StoreKind;
  readonly snapshots: SnapshotStore;
  readonly journal: Journal;
  readonly outbox: Outbox;
  readonly sequences: SequenceStore;
  readonly nonces: NonceStore;
  /**
   * Why the store cannot take writes now, or null. For what a node cannot recover from by itself
   * (SQLite's writer thread ended); a database that is briefly unreachable is the driver's to retry.
   */
  unavailable(): string | null;
  close(): Promise<void>;
}
