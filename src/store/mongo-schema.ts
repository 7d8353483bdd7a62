import { MongoServerError, type Binary, type Collection, type Db, type ObjectId } from "mongodb";
import type { StoreLogger } from "./logger.ts";
import type { JournalEntry } from "./port.ts";

/** One document per saved version; `_id` is `${actor}@${version}` (see mongo-snapshots.ts). */
export interface SnapshotDoc {
  _id: string;
  /** `${kind}/${key}`. */
  actor: string;
  version: number;
  savedAt: number;
  /** msgpack bytes. */
  state: Binary;
}

/** A journal entry as stored: the indexed fields as they are, two fields in storable form. */
export interface JournalDoc extends Omit<JournalEntry, "expireAt" | "payload"> {
  _id?: ObjectId;
  /** A Date, not ms, so that a TTL index can use it. */
  expireAt: Date;
  /** msgpack bytes. */
  payload: Binary;
}

export interface OutboxDoc {
  /** ObjectId hex: unique without a round trip, and roughly in enqueue order. */
  _id: string;
  topic: string;
  payload: Binary;
  attempts: number;
  availableAt: number;
  /** 0 when not leased; a lease holds while leaseUntil > now. */
  leaseUntil: number;
  /** The lease call that took it last (a random token): how that call finds what it took. */
  leaseBy?: string;
}

/** One claimed block of a sequence; `_id` is `${name}#${first}` (see mongo-sequences.ts). */
export interface SequenceDoc {
  _id: string;
  name: string;
  first: number;
  last: number;
  claimedAt: number;
}

/** One claimed nonce; `_id` is the key (see mongo-nonces.ts). A Date, so a TTL index can expire it. */
export interface NonceDoc {
  _id: string;
  expireAt: Date;
}

export interface Collections {
  snapshots: Collection<SnapshotDoc>;
  journal: Collection<JournalDoc>;
  outbox: Collection<OutboxDoc>;
  sequences: Collection<SequenceDoc>;
  nonces: Collection<NonceDoc>;
}

export function collections(db: Db): Collections {
  return {
    snapshots: db.collection<SnapshotDoc>("snapshots"),
    journal: db.collection<JournalDoc>("journal"),
    outbox: db.collection<OutboxDoc>("outbox"),
    sequences: db.collection<SequenceDoc>("sequences"),
    nonces: db.collection<NonceDoc>("nonces"),
  };
}

/** MongoDB's "NotImplemented": what FerretDB answers for features it lacks. */
export function isNotImplemented(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 238;
}

/** IndexOptionsConflict / IndexKeySpecsConflict: the named index exists, defined differently. */
function isIndexConflict(err: unknown): boolean {
  return err instanceof MongoServerError && (err.code === 85 || err.code === 86);
}

export function isDuplicateKey(err: unknown): boolean {
  return err instanceof MongoServerError && err.code === 11000;
}

/**
 * An index on `expireAt`: a TTL index where the server has them, so it deletes expired documents on
 * its own, else a plain one for the periodic purge (the retention sweeper) to use.
 */
async function ensureExpiryIndex(col: Collection<JournalDoc> | Collection<NonceDoc>, name: string, logger: StoreLogger): Promise<void> {
  try {
    await col.createIndex({ expireAt: 1 }, { name, expireAfterSeconds: 0 });
  } catch (err) {
    if (isIndexConflict(err)) {
      // An index of that name with other options exists (made by an older version or by hand): keep it.
      logger.warn({ err: String(err) }, `${name} exists with other options; leaving it as it is`);
    } else if (isNotImplemented(err)) {
      // FerretDB 1.x answers NotImplemented for expireAfterSeconds. A plain index still serves
      // purgeExpired, which the node then has to run periodically.
      logger.warn({ err: String(err) }, `TTL indexes are not supported by this server; ${name} relies on purgeExpired`);
      await col.createIndex({ expireAt: 1 }, { name });
    } else {
      throw err;
    }
  }
}

/** Creates the indexes; idempotent, so every node runs it at start. */
export async function ensureIndexes(c: Collections, logger: StoreLogger): Promise<void> {
  // One createIndex per index: FerretDB 1.24 drops the connection when a createIndexes listing
  // several indexes finds them all existing, which is every start after the first.
  await c.journal.createIndex({ conversation: 1, seq: 1 }, { name: "journal_seq", unique: true });
  await c.journal.createIndex({ conversation: 1, clientMsgId: 1 }, { name: "journal_client_msg_id", unique: true });
  await c.journal.createIndex({ msgid: 1 }, { name: "journal_msgid" });
  // seq breaks ties between messages of the same millisecond, so time ranges sort on the index.
  await c.journal.createIndex({ conversation: 1, time: 1, seq: 1 }, { name: "journal_time" });
  // Retention by TTL: the server deletes expired messages on its own; purgeExpired stays as a backstop.
  await ensureExpiryIndex(c.journal, "journal_expire", logger);
  await ensureExpiryIndex(c.nonces, "nonces_expire", logger);
  await c.outbox.createIndex({ topic: 1, availableAt: 1 }, { name: "outbox_ready" });
  await c.snapshots.createIndex({ actor: 1, version: -1 }, { name: "snapshot_latest" });
  await c.sequences.createIndex({ name: 1, last: -1 }, { name: "sequence_latest" });
}
