/**
 * Runs async work one at a time per key, within this process.
 *
 * The Mongo adapter uses it around its read-modify-write operations (outbox lease, flag
 * updates; snapshots and sequences fence by unique inserts instead). MongoDB makes each of those atomic on the server, so
 * there the lock only costs a little concurrency on one key. FerretDB 1.x on SQLite does not: it
 * applies update/findAndModify as a read followed by a separate write by _id (FerretDB issue
 * #3040), so concurrent conditional writes to one document can all "win". Serialising them here
 * makes a single node correct on FerretDB.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(work); // `before` never rejects: tails swallow errors
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    // Forget the key once nothing else queued behind this call, so the map stays small.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
