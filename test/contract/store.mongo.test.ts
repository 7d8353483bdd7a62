import { Binary, MongoClient } from "mongodb";
import { randomUUID } from "node:crypto";
import { afterAll, expect, it } from "vitest";
import { openStore, VersionConflictError, type StoreLogger } from "../../src/store/mod.ts";
import { describeWith, serviceUrl, uniqueName } from "../support/services.ts";
import { storeContract } from "./store.contract.ts";

describeWith(["mongo"], "MongoStore", () => {
  const url = serviceUrl("mongo");
  const database = uniqueName("nimbus_store");
  // FerretDB makes the adapter warn (no TTL index, no $group/$first) once per store: keep the output quiet.
  const warnings: string[] = [];
  const logger: StoreLogger = { warn: (_details, message) => warnings.push(message) };

  afterAll(async () => {
    const client = new MongoClient(url);
    try {
      await client.db(database).dropDatabase();
    } finally {
      await client.close();
    }
  });

  storeContract(
    "mongo",
    () => openStore({ kind: "mongo", url, database, logger }),
    async (conversation, seq, bytes) => {
      const client = new MongoClient(url);
      try {
        await client
          .db(database)
          .collection("journal")
          .updateOne({ conversation, seq }, { $set: { payload: new Binary(bytes) } });
      } finally {
        await client.close();
      }
    },
  );

  // Two nodes share one server: the fences must hold between separate connections, on FerretDB
  // too, whose conditional updates are not atomic (see mongo-snapshots.ts).
  it("fences snapshot writers and sequence reservers across separate connections", async () => {
    const [a, b] = await Promise.all([1, 2].map(() => openStore({ kind: "mongo", url, database, logger })));
    try {
      const key = `race-${randomUUID()}`;
      expect(await a!.snapshots.save("counter", key, { n: 1 }, 0)).toBe(1);
      const writers = Array.from({ length: 20 }, (_, i) => (i % 2 ? a! : b!).snapshots.save("counter", key, { n: 100 + i }, 1));
      const results = await Promise.allSettled(writers);
      const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(VersionConflictError);
      expect(await b!.snapshots.load("counter", key)).toEqual({ version: 2, state: { n: 100 + winners[0]! } });

      const name = `ids-${randomUUID()}`;
      const firsts = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? a! : b!).sequences.reserve(name, 10)));
      const values = firsts.flatMap((f) => Array.from({ length: 10 }, (_, k) => f + k));
      expect(new Set(values).size).toBe(300);
      expect(Math.min(...values)).toBe(1);
      expect(Math.max(...values)).toBe(300);
    } finally {
      await Promise.all([a!.close(), b!.close()]);
    }
  });
});
