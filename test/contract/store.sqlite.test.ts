import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openStore, SeqConflictError, VersionConflictError, type Store } from "../../src/store/mod.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { tempDir } from "../support/processes.ts";
import { storeContract } from "./store.contract.ts";

const dirs: string[] = [];
function freshPath(): string {
  const dir = tempDir("store");
  dirs.push(dir);
  return join(dir, "nimbus.db");
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

storeContract("sqlite", () => openStore({ kind: "sqlite", path: freshPath() }));

/** What only a file can show: durability across reopen, and fencing between two connections. */
describe("SqliteStore on one file from two connections", () => {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  const connect = (path: string): SqliteStore => {
    const s = new SqliteStore(path);
    open.push(s);
    return s;
  };

  it("keeps everything across close and reopen", async () => {
    const path = freshPath();
    const a = connect(path);
    await a.snapshots.save("user", "alice", { n: 1 }, 0);
    await a.journal.append([
      {
        conversation: "c",
        seq: 1,
        msgid: 1,
        clientMsgId: "x",
        from: "alice",
        time: 1,
        type: 0,
        flags: 0,
        expireAt: 9e12,
        payload: { b: "hi" },
      },
    ]);
    await a.outbox.enqueue("t", [{ n: 1 }]);
    expect(await a.sequences.reserve("m", 10)).toBe(1);
    await a.close();

    const b = connect(path);
    expect(await b.snapshots.load("user", "alice")).toEqual({ version: 1, state: { n: 1 } });
    expect((await b.journal.getByClientMsgId("c", "x"))?.payload).toEqual({ b: "hi" });
    expect(await b.outbox.count("t")).toBe(1);
    expect(await b.sequences.reserve("m", 1)).toBe(11);
  });

  it("fences a second connection on snapshots, seqs, leases and sequences", async () => {
    const path = freshPath();
    const a = connect(path);
    const b = connect(path);
    await a.snapshots.save("user", "bob", { who: "a" }, 0);
    await expect(b.snapshots.save("user", "bob", { who: "b" }, 0)).rejects.toBeInstanceOf(VersionConflictError);

    const e = {
      conversation: "c",
      seq: 1,
      msgid: 2,
      clientMsgId: "a",
      from: "bob",
      time: 1,
      type: 0,
      flags: 0,
      expireAt: 9e12,
      payload: {},
    };
    await a.journal.append([e]);
    await expect(b.journal.append([{ ...e, clientMsgId: "b", msgid: 3 }])).rejects.toBeInstanceOf(SeqConflictError);

    await a.outbox.enqueue("t", [{ n: 1 }], 0);
    expect(await a.outbox.lease("t", 1, 60_000)).toHaveLength(1);
    expect(await b.outbox.lease("t", 1, 60_000)).toEqual([]);

    expect(await a.sequences.reserve("m", 5)).toBe(1);
    expect(await b.sequences.reserve("m", 5)).toBe(6);
  });

  it("opens :memory: for unit use", async () => {
    const s = connect(":memory:");
    expect(await s.snapshots.save("user", "x", {}, 0)).toBe(1);
  });
});
