import Database from "better-sqlite3";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { openStore, SeqConflictError, StoreUnavailableError, VersionConflictError, type Store } from "../../src/store/mod.ts";
import { SqliteStore } from "../../src/store/sqlite.ts";
import { ThreadedSqliteStore } from "../../src/store/sqlite-threaded.ts";
import { tempDir } from "../support/processes.ts";
import { storeContract } from "./store.contract.ts";

const dirs: string[] = [];
/** The file of the store made last: what damagePayload writes to. */
let lastPath = "";
function freshPath(): string {
  const dir = tempDir("store");
  dirs.push(dir);
  lastPath = join(dir, "nimbus.db");
  return lastPath;
}
async function damagePayload(conversation: string, seq: number, bytes: Uint8Array): Promise<void> {
  const db = new Database(lastPath, { timeout: 5000 });
  try {
    db.prepare("UPDATE journal SET payload = ? WHERE conversation = ? AND seq = ?").run(Buffer.from(bytes), conversation, seq);
  } finally {
    db.close();
  }
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

// What a node runs: writes on the writer thread, reads on the main thread.
storeContract("sqlite", () => openStore({ kind: "sqlite", path: freshPath() }), damagePayload);
// The inline store: the writer thread runs it, and `:memory:` uses it directly.
storeContract("sqlite inline", async () => new SqliteStore(freshPath()), damagePayload);

describe("ThreadedSqliteStore", () => {
  it("answers reads with every write already acknowledged, from the other connection", async () => {
    const s = await ThreadedSqliteStore.open(freshPath());
    try {
      const base = { from: "a", time: 1, type: 0, flags: 0, expireAt: 9e12, payload: { n: 0 } };
      // Appends of one turn go as one batch to the writer; each is readable once its promise settles.
      const acks = Array.from({ length: 50 }, (_, i) =>
        s.journal
          .append([{ ...base, conversation: "c", seq: i + 1, msgid: i + 1, clientMsgId: `m${i}`, payload: { n: i } }])
          .then(async () => (await s.journal.getByClientMsgId("c", `m${i}`))?.payload),
      );
      expect(await Promise.all(acks)).toEqual(Array.from({ length: 50 }, (_, i) => ({ n: i })));
      expect((await s.journal.maxSeqs(["c"])).get("c")).toBe(50);
    } finally {
      await s.close();
    }
  });

  it("commits the appends of one turn together, and still answers each call alone", async () => {
    const s = await ThreadedSqliteStore.open(freshPath());
    try {
      const e = {
        conversation: "c",
        seq: 1,
        msgid: 1,
        clientMsgId: "a",
        from: "x",
        time: 1,
        type: 0,
        flags: 0,
        expireAt: 9e12,
        payload: {},
      };
      const [first, resend, clash, other] = await Promise.allSettled([
        s.journal.append([e]),
        s.journal.append([{ ...e, seq: 2, msgid: 2 }]), // the same clientMsgId: a resend
        s.journal.append([{ ...e, msgid: 3, clientMsgId: "b" }]), // seq 1 again: another writer's
        s.journal.append([{ ...e, conversation: "d", msgid: 4 }]),
      ]);
      expect(first).toEqual({ status: "fulfilled", value: [{ status: "appended" }] });
      expect(resend).toEqual({ status: "fulfilled", value: [{ status: "duplicate", existing: e }] });
      expect(clash.status === "rejected" && clash.reason).toBeInstanceOf(SeqConflictError);
      expect(other).toEqual({ status: "fulfilled", value: [{ status: "appended" }] });
      expect((await s.journal.maxSeqs(["c", "d"])).get("c")).toBe(1);
    } finally {
      await s.close();
    }
  });

  it("answers each call alone when messages that queued behind a long commit are committed together", async () => {
    const s = await ThreadedSqliteStore.open(freshPath());
    try {
      const base = { from: "x", time: 1, type: 0, flags: 0, expireAt: 9e12 };
      const entry = (conversation: string, seq: number, clientMsgId: string) => ({
        ...base,
        conversation,
        seq,
        msgid: seq,
        clientMsgId,
        payload: { n: seq },
      });
      // A long first commit, so the calls of the following turns reach the writer as separate
      // messages while it runs and are taken up together after it.
      const busy = s.journal.append(
        Array.from({ length: 4000 }, (_, i) => ({ ...entry("bulk", i + 1, `b${i}`), payload: { pad: "x".repeat(500) } })),
      );
      const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
      const calls: Promise<unknown>[] = [];
      for (let turn = 1; turn <= 6; turn++) {
        await nextTurn();
        calls.push(s.journal.append([entry("q", turn, `q${turn}`), entry(`solo${turn}`, 1, "s")]));
      }
      await nextTurn();
      calls.push(s.journal.append([entry("q", 7, "q2")])); // a resend of turn 2's message
      await nextTurn();
      calls.push(s.journal.append([entry("q", 3, "other")])); // seq 3 is taken
      const results = await Promise.allSettled([busy, ...calls]);
      expect(results[0]).toEqual({ status: "fulfilled", value: Array(4000).fill({ status: "appended" }) });
      for (let turn = 1; turn <= 6; turn++) {
        expect(results[turn]).toEqual({ status: "fulfilled", value: [{ status: "appended" }, { status: "appended" }] });
      }
      expect(results[7]).toEqual({ status: "fulfilled", value: [{ status: "duplicate", existing: entry("q", 2, "q2") }] });
      expect(results[8]!.status === "rejected" && results[8]!.reason).toBeInstanceOf(SeqConflictError);
      const stored = await s.journal.rangeBySeq({ conversation: "q", order: "asc", limit: 10 });
      expect(stored.map((e) => [e.seq, e.clientMsgId])).toEqual([1, 2, 3, 4, 5, 6].map((n) => [n, `q${n}`]));
    } finally {
      await s.close();
    }
  });

  it("fails writes with StoreUnavailableError once closed, and closes twice quietly", async () => {
    const s = await ThreadedSqliteStore.open(freshPath());
    await s.snapshots.save("user", "x", { n: 1 }, 0);
    await s.close();
    await s.close();
    await expect(s.snapshots.save("user", "x", { n: 2 }, 1)).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it("refuses :memory:, which a second connection cannot see", async () => {
    await expect(ThreadedSqliteStore.open(":memory:")).rejects.toBeInstanceOf(RangeError);
  });
});

/** What only a file can show: durability across reopen, and fencing between two connections. */
describe("SqliteStore on one file from two connections", () => {
  const open: Store[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });
  // One inline connection and one writer thread: the fence must hold between any two writers.
  let opened = 0;
  const connect = async (path: string): Promise<Store> => {
    const s = opened++ % 2 === 0 || path === ":memory:" ? new SqliteStore(path) : await ThreadedSqliteStore.open(path);
    open.push(s);
    return s;
  };

  it("keeps everything across close and reopen", async () => {
    const path = freshPath();
    const a = await connect(path);
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

    const b = await connect(path);
    expect(await b.snapshots.load("user", "alice")).toEqual({ version: 1, state: { n: 1 } });
    expect((await b.journal.getByClientMsgId("c", "x"))?.payload).toEqual({ b: "hi" });
    expect(await b.outbox.count("t")).toBe(1);
    expect(await b.sequences.reserve("m", 1)).toBe(11);
  });

  it("fences a second connection on snapshots, seqs, leases and sequences", async () => {
    const path = freshPath();
    const a = await connect(path);
    const b = await connect(path);
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
    const s = await connect(":memory:");
    expect(await s.snapshots.save("user", "x", {}, 0)).toBe(1);
  });
});
