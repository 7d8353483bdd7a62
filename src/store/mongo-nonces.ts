import type { Collection } from "mongodb";
import { isDuplicateKey, type NonceDoc } from "./mongo-schema.ts";
import type { NonceStore } from "./port.ts";

type Guard = <T>(what: string, op: () => Promise<T>) => Promise<T>;

/**
 * Nonces as documents with the key as `_id`: a claim is an insert, and of two inserts of one `_id`
 * exactly one succeeds — on FerretDB too, where findAndModify and filtered updates are a read then
 * a write (FerretDB issue #3040) and could let two nodes both take a key. For the same reason
 * nothing here deletes and re-inserts a key: expired ones only go by the purge.
 */
export class MongoNonces implements NonceStore {
  constructor(
    private readonly col: Collection<NonceDoc>,
    private readonly guard: Guard,
  ) {}

  claim(key: string, expireAt: number): Promise<boolean> {
    return this.guard("nonce claim", async () => {
      try {
        await this.col.insertOne({ _id: key, expireAt: new Date(expireAt) });
        return true;
      } catch (err) {
        if (isDuplicateKey(err)) return false;
        throw err;
      }
    });
  }

  purgeExpired(now: number): Promise<number> {
    return this.guard("nonce purge", async () => (await this.col.deleteMany({ expireAt: { $lte: new Date(now) } })).deletedCount);
  }
}
