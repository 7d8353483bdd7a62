import { p2pConversation } from "../../src/conversation/ref.ts";
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { join } from "node:path";
import { openStore } from "../../src/store/mod.ts";
import type { JournalEntry, Store } from "../../src/store/port.ts";
import { scanJournal } from "../../src/messaging/scan.ts";
import { readHistory } from "../../src/messaging/history.ts";
import { P2pPolicy } from "../../src/messaging/p2p-policy.ts";
import type { ActorSystem } from "../../src/runtime/system.ts";

/** History reads the journal through the p2p policy's keys and flags; its actor system is never asked. */
const p2p = new P2pPolicy(undefined as unknown as ActorSystem);
import { DAY_MS } from "../../src/conversation/entry.ts";
import { HIDDEN_FOR_SECOND } from "../../src/conversation/flags.ts";
import type { App } from "../../src/apps/registry.ts";
import { tempDir } from "../support/processes.ts";

const CONV = "session/app1/a|b";
const T0 = 1_700_000_000_000;

/** 60 messages; times advance by 10 ms but every two share one (ties across page boundaries). */
function entries(): JournalEntry[] {
  return Array.from({ length: 60 }, (_, i) => {
    const seq = i + 1;
    return {
      conversation: CONV,
      seq,
      msgid: 1000 + seq,
      clientMsgId: `c${seq}`,
      from: seq % 2 ? "a" : "b",
      time: T0 + Math.floor(i / 2) * 10,
      type: seq % 5 === 0 ? 100 : 0,
      flags: seq % 7 === 0 ? HIDDEN_FOR_SECOND : 0,
      expireAt: T0 + 30 * DAY_MS,
      payload: { to: seq % 2 ? "b" : "a", body: { n: seq }, ...(seq === 11 && { option: { history: false } }) },
    };
  });
}

describe("scanJournal and readHistory", () => {
  let store: Store;
  beforeAll(async () => {
    store = await openStore({ kind: "sqlite", path: join(tempDir("scan"), "nimbus.db") });
    await store.journal.append(entries());
  });
  afterAll(async () => store.close());

  const seqsOf = (es: { seq: number }[]) => es.map((e) => e.seq);

  it("pages past filtered entries until the limit is met, either way", async () => {
    const custom = (e: JournalEntry) => e.type === 100;
    expect(seqsOf(await scanJournal(store.journal, CONV, { order: "asc" }, custom, 3))).toEqual([5, 10, 15]);
    expect(seqsOf(await scanJournal(store.journal, CONV, { order: "desc" }, custom, 3))).toEqual([60, 55, 50]);
    expect(seqsOf(await scanJournal(store.journal, CONV, { order: "asc", fromSeq: 41 }, custom, 100))).toEqual([45, 50, 55, 60]);
  });

  it("keeps to a time window whose edges fall between two messages of one millisecond", async () => {
    const all = () => true;
    const window = { fromTime: T0 + 100, toTime: T0 + 200 };
    const asc = await scanJournal(store.journal, CONV, { order: "asc", ...window }, all, 100);
    expect(seqsOf(asc)).toEqual(Array.from({ length: 22 }, (_, i) => 21 + i));
    const desc = await scanJournal(store.journal, CONV, { order: "desc", ...window }, all, 5);
    expect(seqsOf(desc)).toEqual([42, 41, 40, 39, 38]);
    expect(await scanJournal(store.journal, CONV, { order: "asc", fromTime: T0 + 10_000 }, all, 5)).toEqual([]);
  });

  it("history: leaves out what the asker deleted one-way and option.history=false, keeps the window of historyDays", async () => {
    const app = { appKey: "app1", limits: { historyDays: 7 } } as App;
    const now = T0 + DAY_MS;
    const forB = await readHistory(
      store.journal,
      app,
      { accid: "b", conv: p2pConversation("b", "a"), fromSeq: 1, toSeq: 15, limit: 100, order: "asc" },
      p2p,
      now,
    );
    expect(seqsOf(forB)).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 13, 15]);
    const forA = await readHistory(
      store.journal,
      app,
      { accid: "a", conv: p2pConversation("a", "b"), fromSeq: 1, toSeq: 8, limit: 100, order: "asc" },
      p2p,
      now,
    );
    expect(seqsOf(forA)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // Eight days later everything is older than the 7 days of history, though not yet purged.
    expect(
      await readHistory(
        store.journal,
        app,
        { accid: "a", conv: p2pConversation("a", "b"), limit: 100, order: "desc" },
        p2p,
        T0 + 8 * DAY_MS,
      ),
    ).toEqual([]);
    // Past expireAt it is gone even within the window (as if the sweep had run).
    const longHistory = { appKey: "app1", limits: { historyDays: 365 } } as App;
    expect(
      await readHistory(
        store.journal,
        longHistory,
        { accid: "a", conv: p2pConversation("a", "b"), limit: 100, order: "desc" },
        p2p,
        T0 + 31 * DAY_MS,
      ),
    ).toEqual([]);
  });
});
