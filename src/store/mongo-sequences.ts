import type { Collection } from "mongodb";
import { isDuplicateKey, type SequenceDoc } from "./mongo-schema.ts";
import type { SequenceStore } from "./port.ts";

type Guard = <T>(what: string, op: () => Promise<T>) => Promise<T>;

/** Claims older than this (and not the newest) are swept; a reader is never that far behind. */
const KEEP_CLAIMS_MS = 60_000;
const MAX_ATTEMPTS = 50;

/**
 * A sequence as a chain of claimed blocks: a reservation reads the highest `last` and inserts the
 * block starting right after it, with `_id` `${name}#${first}`. Two reservers that read the same
 * tail race for the same _id and one insert fails, so blocks never overlap — on FerretDB too,
 * where a concurrent `$inc` is not atomic (FerretDB issue #3040) but a unique insert is.
 */
export class MongoSequences implements SequenceStore {
  constructor(
    private readonly col: Collection<SequenceDoc>,
    private readonly guard: Guard,
  ) {}

  reserve(name: string, count: number): Promise<number> {
    if (!Number.isSafeInteger(count) || count < 1) return Promise.reject(new RangeError(`cannot reserve ${count} values`));
    return this.guard("sequence reserve", async () => {
      for (let attempt = 1; ; attempt++) {
        const tail = await this.col.find({ name }).sort({ last: -1 }).limit(1).next();
        const first = (tail?.last ?? 0) + 1;
        try {
          await this.col.insertOne({ _id: `${name}#${first}`, name, first, last: first + count - 1, claimedAt: Date.now() });
        } catch (err) {
          if (isDuplicateKey(err) && attempt < MAX_ATTEMPTS) continue; // another node took that block; read the tail again
          throw err;
        }
        if (tail)
          void this.col.deleteMany({ name, last: { $lt: first }, claimedAt: { $lt: Date.now() - KEEP_CLAIMS_MS } }).catch(() => undefined);
        return first;
      }
    });
  }
}
