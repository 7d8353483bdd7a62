/**
 * The store layer's public entry: the port, its errors, and `openStore` to get an adapter.
 * Everything else under src/store is adapter internals.
 */
import type { Store } from "./port.ts";
import type { StoreLogger } from "./logger.ts";

export * from "./port.ts";
export * from "./errors.ts";
export type { StoreLogger } from "./logger.ts";

export type StoreOptions =
  | { kind: "sqlite"; path: string; logger?: StoreLogger }
  | {
      kind: "mongo";
      url: string;
      database: string;
      logger?: StoreLogger;
      /** Told the name of every command sent to the server (insert, find, …): one per round trip. */
      onCommand?: (command: string) => void;
    };

export { entryOfOutboxRef, unreadableJournalEntries } from "./journal-payload.ts";

/**
 * Opens the configured adapter, schema and indexes ready. Adapters are imported lazily so a node
 * running on SQLite never loads the MongoDB driver, and the other way round.
 */
export async function openStore(options: StoreOptions): Promise<Store> {
  switch (options.kind) {
    case "sqlite": {
      // A file gets the writer thread; `:memory:` lives in one connection, so it stays inline.
      if (options.path === ":memory:") {
        const { SqliteStore } = await import("./sqlite.ts");
        return new SqliteStore(options.path);
      }
      const { ThreadedSqliteStore } = await import("./sqlite-threaded.ts");
      return ThreadedSqliteStore.open(options.path, options.logger ? { logger: options.logger } : {});
    }
    case "mongo": {
      const { MongoStore } = await import("./mongo.ts");
      return await MongoStore.connect(options.url, options.database, options.logger, options.onCommand);
    }
  }
}
