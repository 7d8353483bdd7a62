import { Binary, type Collection } from "mongodb";
import { decodeStored as decode, encodeStored as encode } from "./bytes.ts";
import { VersionConflictError } from "./errors.ts";
import { isDuplicateKey, type SnapshotDoc } from "./mongo-schema.ts";
import type { Snapshot, SnapshotStore } from "./port.ts";

type Guard = <T>(what: string, op: () => Promise<T>) => Promise<T>;

/**
 * How long a superseded version is kept. A writer holding an old version is fenced either by the
 * _id of the version it tries to insert or, once its own version is swept, by the existence check
 * in save(); the only gap is between that check and the insert (milliseconds), and sweeping
 * nothing younger than a minute closes it.
 */
const KEEP_SUPERSEDED_MS = 60_000;
const SWEEP_EVERY = 16;

function versionId(actor: string, version: number): string {
  return `${actor}@${version}`;
}

/**
 * Snapshots as insert-only versions: saving version v+1 inserts `<kind>/<key>@<v+1>`, so of two
 * writers holding version v exactly one insert succeeds — a unique-key insert is atomic on
 * MongoDB and on FerretDB alike, where a version-filtered update is not (FerretDB 1.x applies an
 * update as a read followed by a write; FerretDB issue #3040). That makes the fence hold across
 * nodes on both. Load reads the highest version.
 */
export class MongoSnapshots implements SnapshotStore {
  constructor(
    private readonly col: Collection<SnapshotDoc>,
    private readonly guard: Guard,
  ) {}

  load(kind: string, key: string): Promise<Snapshot | null> {
    return this.guard("snapshot load", async () => {
      const doc = await this.col
        .find({ actor: `${kind}/${key}` })
        .sort({ version: -1 })
        .limit(1)
        .next();
      if (!doc) return null;
      return { version: doc.version, state: decode(doc.state.value()) };
    });
  }

  /** Removes every version: for actors that are gone for good (a delete is not fenced). */
  delete(kind: string, key: string): Promise<void> {
    return this.guard("snapshot delete", async () => {
      await this.col.deleteMany({ actor: `${kind}/${key}` });
    });
  }

  save(kind: string, key: string, state: unknown, expectedVersion: number): Promise<number> {
    const actor = `${kind}/${key}`;
    const version = expectedVersion + 1;
    return this.guard("snapshot save", async () => {
      // The chain must stay gap-free, or a writer holding a version below the gap could slip in.
      if (expectedVersion > 0 && !(await this.col.findOne({ _id: versionId(actor, expectedVersion) }, { projection: { _id: 1 } }))) {
        throw new VersionConflictError(kind, key, expectedVersion);
      }
      try {
        await this.col.insertOne({ _id: versionId(actor, version), actor, version, savedAt: Date.now(), state: new Binary(encode(state)) });
      } catch (err) {
        if (isDuplicateKey(err)) throw new VersionConflictError(kind, key, expectedVersion, { cause: err });
        throw err;
      }
      if (version % SWEEP_EVERY === 0) void this.sweep(actor, version);
      return version;
    });
  }

  private async sweep(actor: string, newest: number): Promise<void> {
    await this.col
      .deleteMany({ actor, version: { $lt: newest }, savedAt: { $lt: Date.now() - KEEP_SUPERSEDED_MS } })
      .catch(() => undefined); // best effort: the next sweep catches up
  }
}
