import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { StoreUnavailableError } from "../../src/store/errors.ts";
import { ThreadedSqliteStore } from "../../src/store/sqlite-threaded.ts";
import { RestartBackoff, type WriterRestartPolicy } from "../../src/store/sqlite-writer-supervisor.ts";
import { waitUntil } from "../support/actor-system.ts";
import { tempDir } from "../support/processes.ts";

const failingWriter = new URL("../fixtures/failing-sqlite-writer.ts", import.meta.url);
const diesOnceWriter = new URL("../fixtures/dies-once-sqlite-writer.ts", import.meta.url);

describe("a SQLite store whose writer thread dies", () => {
  const open: ThreadedSqliteStore[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  /** A store on a new file whose schema the real writer made, then written by the stand-in `writerEntry`. */
  async function openWithStandIn(writerEntry: URL, writerRestart: WriterRestartPolicy): Promise<ThreadedSqliteStore> {
    const path = join(tempDir("writer-stand-in"), "n.db");
    await (await ThreadedSqliteStore.open(path)).close();
    const store = await ThreadedSqliteStore.open(path, { writerEntry, writerRestart });
    open.push(store);
    return store;
  }

  it("fails the write in flight and every later one with StoreUnavailableError, and says why", async () => {
    // Not started again within the test: what a node sees while its writer is down.
    const store = await openWithStandIn(failingWriter, { firstDelayMs: 60_000, maxDelayMs: 60_000 });
    expect(store.unavailable()).toBeNull();

    await expect(store.sequences.reserve("msgid", 10)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(store.unavailable()).toMatch(/writer thread exited \(1\)/);
    await expect(store.snapshots.save("user", "a", { n: 1 }, 0)).rejects.toBeInstanceOf(StoreUnavailableError);
    // Reads go on: they never needed the writer.
    expect(await store.snapshots.load("user", "a")).toBeNull();
  });

  it("starts a new writer thread once one dies: writes fail while it is down, then go on", async () => {
    const store = await openWithStandIn(diesOnceWriter, { firstDelayMs: 50, maxDelayMs: 200 });

    await expect(store.sequences.reserve("msgid", 10)).rejects.toBeInstanceOf(StoreUnavailableError);
    expect(store.unavailable()).toMatch(/writer thread exited \(1\)/);
    await waitUntil(() => store.unavailable() === null, 5000, "the writer thread's restart");

    expect(await store.snapshots.save("user", "a", { n: 1 }, 0)).toBe(1);
    expect(await store.snapshots.load("user", "a")).toMatchObject({ state: { n: 1 }, version: 1 });
    expect(await store.sequences.reserve("msgid", 10)).toBeGreaterThan(0);
  });
});

describe("the writer thread's restart delays", () => {
  it("double with each restart up to the last, and start over once a thread has run for a minute", () => {
    const t0 = 1_000_000;
    const backoff = new RestartBackoff({ firstDelayMs: 40, maxDelayMs: 160 }, t0);
    expect([backoff.next(t0 + 10), backoff.next(t0 + 100), backoff.next(t0 + 300), backoff.next(t0 + 600)]).toEqual([40, 80, 160, 160]);
    backoff.started(t0 + 1000);
    expect(backoff.next(t0 + 2000)).toBe(160);
    backoff.started(t0 + 3000);
    expect(backoff.next(t0 + 3000 + 60_000)).toBe(40);
    expect(backoff.next(t0 + 3000 + 60_100)).toBe(80);
  });
});
