import { MongoClient, MongoError } from "mongodb";
import { guard } from "./guard.ts";
import { KeyedLock } from "./keyed-lock.ts";
import { consoleLogger, type StoreLogger } from "./logger.ts";
import { collections, ensureIndexes, type Collections } from "./mongo-schema.ts";
import { MongoJournal } from "./mongo-journal.ts";
import { MongoNonces } from "./mongo-nonces.ts";
import { MongoOutbox } from "./mongo-outbox.ts";
import { MongoSequences } from "./mongo-sequences.ts";
import { MongoSnapshots } from "./mongo-snapshots.ts";
import type { Store } from "./port.ts";

function isMongoError(err: unknown): boolean {
  return err instanceof MongoError;
}

/**
 * The clustered store: MongoDB (or a wire-compatible server) through the official driver.
 *
 * Every write that fences is a single-document conditional write or a unique index; there are no
 * multi-document transactions, so a standalone server, a replica set and FerretDB all work.
 * Payloads and states are msgpack bytes in BSON Binary fields.
 *
 * FerretDB 1.x (SQLite backend, what the tests run against) differs in ways handled here:
 * - no TTL indexes: retention falls back to purgeExpired (mongo-schema.ts);
 * - no $max/$first in $group: maxSeqs falls back to one query per conversation (mongo-journal.ts);
 * - multi-op $bit applies only the last op: flags use two single-op updates (mongo-journal.ts);
 * - update/findAndModify are not atomic (FerretDB issue #3040). So the fences are inserts, which
 *   are: snapshots are insert-only versions, sequences insert-only blocks and nonces unique
 *   inserts, safe across nodes.
 *   Outbox leases and flag updates are serialised per key in-process (keyed-lock.ts); across
 *   nodes on FerretDB an outbox item may be leased twice (delivery is at-least-once anyway), and
 *   flags are only ever written by the conversation's one actor;
 * - duplicate-key errors carry no keyPattern: the journal looks the clientMsgId up instead.
 */
export class MongoStore implements Store {
  readonly kind = "mongo" as const;
  readonly snapshots: MongoSnapshots;
  readonly journal: MongoJournal;
  readonly outbox: MongoOutbox;
  readonly sequences: MongoSequences;
  readonly nonces: MongoNonces;
  private closed = false;

  private constructor(
    private readonly client: MongoClient,
    c: Collections,
    logger: StoreLogger,
  ) {
    const run = <T>(what: string, op: () => Promise<T>): Promise<T> => guard(what, isMongoError, op);
    const lock = new KeyedLock();
    this.snapshots = new MongoSnapshots(c.snapshots, run);
    this.journal = new MongoJournal(c.journal, lock, run, logger, c.outbox);
    this.outbox = new MongoOutbox(c.outbox, lock, run);
    this.sequences = new MongoSequences(c.sequences, run);
    this.nonces = new MongoNonces(c.nonces, run);
  }

  /** Connects, creates the indexes, and returns a ready store. */
  static async connect(
    url: string,
    database: string,
    logger: StoreLogger = consoleLogger,
    onCommand?: (command: string) => void,
  ): Promise<MongoStore> {
    // Command monitoring only when someone counts: the driver builds an event per command.
    const client = new MongoClient(url, { appName: "nimbus", monitorCommands: onCommand !== undefined });
    if (onCommand) client.on("commandStarted", (e) => onCommand(e.commandName));
    try {
      await guard("connect", isMongoError, async () => {
        await client.connect();
        await ensureIndexes(collections(client.db(database)), logger);
      });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    return new MongoStore(client, collections(client.db(database)), logger);
  }

  unavailable(): string | null {
    return null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.journal.drain();
    await this.client.close();
  }
}
