import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { entryOfOutboxRef, MessageFlags, SeqConflictError, VersionConflictError } from "../../src/store/mod.ts";
import type { JournalEntry, JournalOutboxRef, Store } from "../../src/store/mod.ts";
import { consoleLogger } from "../../src/store/logger.ts";

/**
 * The one behaviour both adapters must have. Each test gets a fresh store from `makeStore` and
 * closes it afterwards; names are unique per test, so adapters may share one database across tests.
 */
/**
 * `damagePayload` overwrites the stored payload bytes of one journal entry of the store `makeStore`
 * made last, from outside the store (another connection), as damage on disk would leave them.
 */
export function storeContract(
  name: string,
  makeStore: () => Promise<Store>,
  damagePayload: (conversation: string, seq: number, bytes: Uint8Array) => Promise<void>,
): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await makeStore();
    });
    afterEach(async () => {
      await store.close();
    });

    const unique = (prefix: string): string => `${prefix}-${randomUUID()}`;
    /** Far from any test's `now`, so purges and a server-side TTL never touch it. */
    const keepForever = Date.UTC(2100, 0, 1);
    let nextMsgid = Math.floor(Math.random() * 2 ** 40) * 1000;

    function entry(conversation: string, seq: number, over: Partial<JournalEntry> = {}): JournalEntry {
      return {
        conversation,
        seq,
        msgid: ++nextMsgid,
        clientMsgId: `cm-${seq}`,
        from: "alice",
        time: 1_700_000_000_000 + seq * 1000,
        type: 0,
        flags: 0,
        expireAt: keepForever,
        payload: { body: `hello ${seq}`, ext: { n: seq, tags: ["a", "b"] }, bin: new Uint8Array([seq & 255, 7]) },
        ...over,
      };
    }

    async function appendEach(entries: JournalEntry[]): Promise<void> {
      for (const e of entries) expect(await store.journal.append([e])).toEqual([{ status: "appended" }]);
    }

    const seqsOf = (entries: JournalEntry[]): number[] => entries.map((e) => e.seq);

    describe("snapshots", () => {
      it("loads null for an unknown key", async () => {
        expect(await store.snapshots.load("user", unique("nobody"))).toBeNull();
      });

      it("creates with version 0, then updates only from the current version", async () => {
        const key = unique("alice");
        const v1 = { name: "alice", friends: ["bob"], big: 2 ** 40 + 3, bytes: new Uint8Array([1, 2, 3]), none: null };
        expect(await store.snapshots.save("user", key, v1, 0)).toBe(1);
        expect(await store.snapshots.load("user", key)).toEqual({ version: 1, state: v1 });

        expect(await store.snapshots.save("user", key, { name: "alice", n: 2 }, 1)).toBe(2);
        expect(await store.snapshots.load("user", key)).toEqual({ version: 2, state: { name: "alice", n: 2 } });

        await expect(store.snapshots.save("user", key, { stale: true }, 1)).rejects.toBeInstanceOf(VersionConflictError);
        await expect(store.snapshots.save("user", key, { again: true }, 0)).rejects.toBeInstanceOf(VersionConflictError);
        await expect(store.snapshots.save("user", key, { ahead: true }, 5)).rejects.toBeInstanceOf(VersionConflictError);
        expect(await store.snapshots.load("user", key)).toEqual({ version: 2, state: { name: "alice", n: 2 } });
      });

      it("keeps kinds apart for the same key", async () => {
        const key = unique("k");
        await store.snapshots.save("user", key, { u: 1 }, 0);
        await store.snapshots.save("team", key, { t: 1 }, 0);
        expect((await store.snapshots.load("user", key))?.state).toEqual({ u: 1 });
        expect((await store.snapshots.load("team", key))?.state).toEqual({ t: 1 });
      });

      it("lets exactly one of two concurrent creators win", async () => {
        const key = unique("race");
        const results = await Promise.allSettled([
          store.snapshots.save("user", key, { who: "a" }, 0),
          store.snapshots.save("user", key, { who: "b" }, 0),
        ]);
        const won = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
        const lost = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]).toBeInstanceOf(VersionConflictError);
        expect(await store.snapshots.load("user", key)).toEqual({ version: 1, state: { who: won[0] === 0 ? "a" : "b" } });
      });

      it("lets exactly one of several concurrent updaters from one version win", async () => {
        const key = unique("race");
        await store.snapshots.save("user", key, { n: 0 }, 0);
        const results = await Promise.allSettled([1, 2, 3, 4].map((n) => store.snapshots.save("user", key, { n }, 1)));
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        for (const r of results) if (r.status === "rejected") expect(r.reason).toBeInstanceOf(VersionConflictError);
        expect((await store.snapshots.load("user", key))?.version).toBe(2);
      });

      it("deletes, after which the key can be created again", async () => {
        const key = unique("gone");
        await store.snapshots.save("user", key, { a: 1 }, 0);
        await store.snapshots.delete("user", key);
        expect(await store.snapshots.load("user", key)).toBeNull();
        await store.snapshots.delete("user", key); // deleting nothing is fine
        expect(await store.snapshots.save("user", key, { a: 2 }, 0)).toBe(1);
        expect(await store.snapshots.load("user", key)).toEqual({ version: 1, state: { a: 2 } });
      });
    });

    describe("journal", () => {
      it("appends and reads entries back unchanged", async () => {
        const conv = unique("p2p/app1");
        const entries = [1, 2, 3].map((s) => entry(conv, s, { type: s, flags: s === 2 ? MessageFlags.DELETED : 0 }));
        expect(await store.journal.append(entries)).toEqual(entries.map(() => ({ status: "appended" })));
        expect(await store.journal.rangeBySeq({ conversation: conv, order: "asc", limit: 10 })).toEqual(entries);
      });

      it("rejects a second writer of the same seq and keeps the first entry", async () => {
        const conv = unique("team/app1");
        const first = entry(conv, 1, { clientMsgId: "first" });
        await appendEach([first]);
        const err: unknown = await store.journal.append([entry(conv, 1, { clientMsgId: "second" })]).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(SeqConflictError);
        expect(err).toMatchObject({ conversation: conv, seq: 1 });
        expect(await store.journal.getByClientMsgId(conv, "second")).toBeNull();
        expect(await store.journal.rangeBySeq({ conversation: conv, order: "asc", limit: 10 })).toEqual([first]);
      });

      it("answers a resent clientMsgId with the first entry, unchanged", async () => {
        const conv = unique("p2p/app1");
        const first = entry(conv, 1, { clientMsgId: "same" });
        await appendEach([first]);
        // Same seq (a plain resend) and a new seq (resent after the actor moved on): both duplicates.
        const outcomes = await store.journal.append([
          entry(conv, 1, { clientMsgId: "same", payload: { body: "changed" } }),
          entry(conv, 2, { clientMsgId: "same", payload: { body: "changed" } }),
        ]);
        expect(outcomes).toEqual([
          { status: "duplicate", existing: first },
          { status: "duplicate", existing: first },
        ]);
        expect(await store.journal.rangeBySeq({ conversation: conv, order: "asc", limit: 10 })).toEqual([first]);
      });

      it("answers a clientMsgId repeated within one call with the earlier entry", async () => {
        const conv = unique("p2p/app1");
        const a = entry(conv, 1, { clientMsgId: "x" });
        const b = entry(conv, 2, { clientMsgId: "y" });
        const outcomes = await store.journal.append([a, b, entry(conv, 3, { clientMsgId: "x" })]);
        expect(outcomes).toEqual([{ status: "appended" }, { status: "appended" }, { status: "duplicate", existing: a }]);
        expect(seqsOf(await store.journal.rangeBySeq({ conversation: conv, order: "asc", limit: 10 }))).toEqual([1, 2]);
      });

      it("fails only the call with a seq conflict when calls are grouped", async () => {
        const conv = unique("team/app1");
        const other = unique("team/app1");
        const a = entry(conv, 1, { clientMsgId: "a" });
        const c = entry(other, 1, { clientMsgId: "c" });
        const [ra, rb, rc] = await Promise.allSettled([
          store.journal.append([a]),
          store.journal.append([entry(conv, 1, { clientMsgId: "b" })]),
          store.journal.append([c]),
        ]);
        expect(ra).toEqual({ status: "fulfilled", value: [{ status: "appended" }] });
        expect(rb?.status).toBe("rejected");
        expect(rb?.status === "rejected" && rb.reason).toBeInstanceOf(SeqConflictError);
        expect(rc).toEqual({ status: "fulfilled", value: [{ status: "appended" }] });
        expect(await store.journal.rangeBySeq({ conversation: conv, order: "asc", limit: 10 })).toEqual([a]);
        expect(await store.journal.rangeBySeq({ conversation: other, order: "asc", limit: 10 })).toEqual([c]);
      });

      it("writes a chain link only after its previous link, by msgid (prevMsgid)", async () => {
        const conv = unique("p2p/app1");
        const first = entry(conv, 1);
        const second = entry(conv, 2);
        await appendEach([first]);
        expect(await store.journal.append([{ ...second, prevMsgid: first.msgid }])).toEqual([{ status: "appended" }]);
        // A link naming a predecessor that is not stored with that msgid is refused, and not written.
        const wrong = entry(conv, 3, { clientMsgId: "wrong" });
        await expect(store.journal.append([{ ...wrong, prevMsgid: first.msgid }])).rejects.toBeInstanceOf(SeqConflictError);
        await expect(store.journal.append([{ ...entry(conv, 4), prevMsgid: second.msgid }])).rejects.toBeInstanceOf(SeqConflictError);
        expect(seqsOf(await store.journal.rangeBySeq({ conversation: conv, order: "asc", limit: 10 }))).toEqual([1, 2]);
        // A resend in a chain is still answered as the duplicate it is.
        expect(await store.journal.append([{ ...entry(conv, 3, { clientMsgId: second.clientMsgId }), prevMsgid: second.msgid }])).toEqual([
          { status: "duplicate", existing: second },
        ]);
      });

      it("fails every later link, grouped or not, once a link fails or is a duplicate: no gap", async () => {
        const conv = unique("p2p/app1");
        const stored = entry(conv, 1, { clientMsgId: "stored" });
        await appendEach([stored]);
        // seq 2 is a resend of "stored" (duplicate, never takes seq 2); 3 and 4 chain after it.
        const two = entry(conv, 2, { clientMsgId: "stored" });
        const three = entry(conv, 3);
        const four = entry(conv, 4);
        const other = unique("p2p/app1");
        const elsewhere = entry(other, 1);
        const settled = await Promise.allSettled([
          store.journal.append([{ ...two, prevMsgid: stored.msgid }]),
          store.journal.append([{ ...three, prevMsgid: two.msgid }]),
          store.journal.append([{ ...four, prevMsgid: three.msgid }]),
          store.journal.append([elsewhere]),
        ]);
        expect(settled[0]).toEqual({ status: "fulfilled", value: [{ status: "duplicate", existing: stored }] });
        for (const r of settled.slice(1, 3)) expect(r.status === "rejected" && r.reason).toBeInstanceOf(SeqConflictError);
        expect(settled[3]).toEqual({ status: "fulfilled", value: [{ status: "appended" }] });
        // One call holding the whole chain behaves the same: a clash on the first link stops the rest.
        const clash = entry(conv, 1, { clientMsgId: "clash" });
        const after = entry(conv, 2, { clientMsgId: "after" });
        await expect(store.journal.append([clash, { ...after, prevMsgid: clash.msgid }])).rejects.toBeInstanceOf(SeqConflictError);
        expect(await store.journal.rangeBySeq({ conversation: conv, order: "asc", limit: 10 })).toEqual([stored]);
        // And a chain in one call that holds goes in whole.
        const next = entry(conv, 2, { clientMsgId: "next" });
        const last = entry(conv, 3, { clientMsgId: "last" });
        expect(
          await store.journal.append([
            { ...next, prevMsgid: stored.msgid },
            { ...last, prevMsgid: next.msgid },
          ]),
        ).toEqual([{ status: "appended" }, { status: "appended" }]);
        expect(seqsOf(await store.journal.rangeBySeq({ conversation: conv, order: "asc", limit: 10 }))).toEqual([1, 2, 3]);
      });

      it("ranges by seq in both directions with bounds and limits", async () => {
        const conv = unique("p2p/app1");
        await store.journal.append([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((s) => entry(conv, s)));
        const range = async (q: { fromSeq?: number; toSeq?: number; order: "asc" | "desc"; limit: number }) =>
          seqsOf(await store.journal.rangeBySeq({ conversation: conv, ...q }));
        expect(await range({ order: "asc", limit: 3 })).toEqual([1, 2, 3]);
        expect(await range({ order: "desc", limit: 3 })).toEqual([10, 9, 8]);
        expect(await range({ fromSeq: 3, order: "asc", limit: 4 })).toEqual([3, 4, 5, 6]);
        expect(await range({ toSeq: 8, order: "desc", limit: 3 })).toEqual([8, 7, 6]);
        expect(await range({ fromSeq: 4, toSeq: 6, order: "asc", limit: 10 })).toEqual([4, 5, 6]);
        expect(await range({ fromSeq: 4, toSeq: 6, order: "desc", limit: 2 })).toEqual([6, 5]);
        expect(await range({ fromSeq: 9, order: "asc", limit: 10 })).toEqual([9, 10]);
        expect(await range({ fromSeq: 11, order: "asc", limit: 10 })).toEqual([]);
        expect(await range({ order: "asc", limit: 0 })).toEqual([]);
        expect(await store.journal.rangeBySeq({ conversation: unique("none"), order: "desc", limit: 5 })).toEqual([]);
      });

      it("ranges by time in both directions with bounds and limits, seq breaking ties", async () => {
        const conv = unique("p2p/app1");
        const times = [100, 200, 200, 300, 400, 500];
        await store.journal.append(times.map((t, i) => entry(conv, i + 1, { time: t })));
        const range = async (q: { fromTime?: number; toTime?: number; order: "asc" | "desc"; limit: number }) =>
          (await store.journal.rangeByTime({ conversation: conv, ...q })).map((e) => [e.time, e.seq]);
        expect(await range({ order: "asc", limit: 3 })).toEqual([
          [100, 1],
          [200, 2],
          [200, 3],
        ]);
        expect(await range({ order: "desc", limit: 4 })).toEqual([
          [500, 6],
          [400, 5],
          [300, 4],
          [200, 3],
        ]);
        expect(await range({ fromTime: 200, toTime: 400, order: "asc", limit: 10 })).toEqual([
          [200, 2],
          [200, 3],
          [300, 4],
          [400, 5],
        ]);
        expect(await range({ fromTime: 200, toTime: 400, order: "desc", limit: 2 })).toEqual([
          [400, 5],
          [300, 4],
        ]);
        expect(await range({ fromTime: 450, order: "asc", limit: 10 })).toEqual([[500, 6]]);
        expect(await range({ toTime: 150, order: "desc", limit: 10 })).toEqual([[100, 1]]);
        expect(await range({ fromTime: 201, toTime: 299, order: "asc", limit: 10 })).toEqual([]);
      });

      it("finds time bounds across many entries and across seqs that are not stored", async () => {
        const conv = unique("p2p/app1");
        // seq s at time 10·s, except that 41–59 are missing (purged, say) and 100–103 share a millisecond.
        const seqs = Array.from({ length: 150 }, (_, i) => i + 1).filter((s) => s <= 40 || s >= 60);
        const timeOf = (s: number) => (s >= 100 && s <= 103 ? 1000 : 10 * s);
        await store.journal.append(seqs.map((s) => entry(conv, s, { time: timeOf(s) })));
        const seqsIn = async (q: { fromTime?: number; toTime?: number; order: "asc" | "desc"; limit: number }) =>
          seqsOf(await store.journal.rangeByTime({ conversation: conv, ...q }));
        expect(await seqsIn({ fromTime: 405, order: "asc", limit: 3 })).toEqual([60, 61, 62]);
        expect(await seqsIn({ toTime: 595, order: "desc", limit: 3 })).toEqual([40, 39, 38]);
        expect(await seqsIn({ fromTime: 410, toTime: 590, order: "asc", limit: 10 })).toEqual([]);
        expect(await seqsIn({ fromTime: 1000, toTime: 1000, order: "asc", limit: 10 })).toEqual([100, 101, 102, 103]);
        expect(await seqsIn({ fromTime: 1000, toTime: 1000, order: "desc", limit: 2 })).toEqual([103, 102]);
        expect(await seqsIn({ fromTime: 1, toTime: 10, order: "asc", limit: 10 })).toEqual([1]);
        expect(await seqsIn({ fromTime: 1500, order: "asc", limit: 10 })).toEqual([150]);
        expect(await seqsIn({ fromTime: 1501, order: "asc", limit: 10 })).toEqual([]);
        expect(await seqsIn({ toTime: 9, order: "desc", limit: 10 })).toEqual([]);
      });

      it("gets entries by msgid and by clientMsgId", async () => {
        const conv = unique("p2p/app1");
        const a = entry(conv, 1, { clientMsgId: "ca" });
        const b = entry(conv, 2, { clientMsgId: "cb" });
        await store.journal.append([a, b]);
        expect(await store.journal.getByMsgid(b.msgid)).toEqual(b);
        expect(await store.journal.getByMsgid(-1)).toBeNull();
        expect(await store.journal.getByClientMsgId(conv, "ca")).toEqual(a);
        expect(await store.journal.getByClientMsgId(conv, "missing")).toBeNull();
        expect(await store.journal.getByClientMsgId(unique("other"), "ca")).toBeNull();
      });

      it("sets and clears flags on one entry", async () => {
        const conv = unique("p2p/app1");
        const e = entry(conv, 1);
        const neighbour = entry(conv, 2);
        await store.journal.append([e, neighbour]);
        const { RECALLED, DELETED } = MessageFlags;
        expect(await store.journal.updateFlags(conv, 1, RECALLED)).toEqual({ ...e, flags: RECALLED });
        expect((await store.journal.updateFlags(conv, 1, DELETED))?.flags).toBe(RECALLED | DELETED);
        expect((await store.journal.updateFlags(conv, 1, 0, RECALLED))?.flags).toBe(DELETED);
        expect((await store.journal.updateFlags(conv, 1, RECALLED, DELETED))?.flags).toBe(RECALLED);
        // "Sets then clears": a bit in both ends up clear.
        expect((await store.journal.updateFlags(conv, 1, DELETED, DELETED | RECALLED))?.flags).toBe(0);
        expect((await store.journal.updateFlags(conv, 1, 0))?.flags).toBe(0);
        expect(await store.journal.updateFlags(conv, 99, RECALLED)).toBeNull();
        expect(await store.journal.updateFlags(conv, 99, 0, RECALLED)).toBeNull();
        await store.journal.updateFlags(conv, 1, DELETED);
        expect(await store.journal.getByClientMsgId(conv, e.clientMsgId)).toEqual({ ...e, flags: DELETED });
        expect(await store.journal.getByClientMsgId(conv, neighbour.clientMsgId)).toEqual(neighbour);
      });

      it("hands back an entry whose payload cannot be decoded as unreadable, with its indexed fields, and reads past it", async () => {
        const conv = unique("p2p/app1");
        const [before, damaged, notAnObject, after] = [1, 2, 3, 4].map((seq) => entry(conv, seq, { clientMsgId: `cm-${seq}` }));
        await appendEach([before!, damaged!, notAnObject!, after!]);
        await damagePayload(conv, 2, new Uint8Array([0xc1, 0x00])); // 0xc1: a type byte msgpack never uses
        await damagePayload(conv, 3, new Uint8Array([0x05])); // the number 5
        const [bad, five] = [damaged!, notAnObject!].map((e) => ({ ...e, payload: {}, unreadable: true }));

        expect(await store.journal.rangeBySeq({ conversation: conv, order: "asc", limit: 10 })).toEqual([before, bad, five, after]);
        expect(await store.journal.rangeBySeq({ conversation: conv, order: "desc", toSeq: 2, limit: 1 })).toEqual([bad]);
        expect(await store.journal.rangeByTime({ conversation: conv, fromTime: damaged!.time, order: "asc", limit: 10 })).toEqual([
          bad,
          five,
          after,
        ]);
        expect(await store.journal.getByMsgid(damaged!.msgid)).toEqual(bad);
        expect(await store.journal.getByClientMsgId(conv, "cm-3")).toEqual(five);
        expect(await store.journal.updateFlags(conv, 2, MessageFlags.RECALLED)).toEqual({ ...bad, flags: MessageFlags.RECALLED });
        // A resend of it is still known by its clientMsgId, and the conversation goes on after it.
        expect(await store.journal.append([entry(conv, 5, { clientMsgId: "cm-2" })])).toEqual([
          { status: "duplicate", existing: { ...bad, flags: MessageFlags.RECALLED } },
        ]);
        expect(await store.journal.append([{ ...entry(conv, 5), prevMsgid: after!.msgid }])).toEqual([{ status: "appended" }]);
        expect((await store.journal.maxSeqs([conv])).get(conv)).toBe(5);
      });

      it("reads what an older version stored with a __proto__ key, that key renamed __proto_, in entries and snapshots", async () => {
        // msgpack encodes such a key; its decoder refuses to read one back (bodies are refused since: src/protocol/json-shape.ts).
        const conv = unique("p2p/app1");
        const poison = JSON.parse('{"body":{"msg":"x","__proto__":{"polluted":true},"n":[1,{"__proto__":2}]}}') as Record<string, unknown>;
        const e = entry(conv, 1, { payload: poison });
        await appendEach([e]);
        const renamed = { body: { msg: "x", __proto_: { polluted: true }, n: [1, { __proto_: 2 }] } };
        expect(await store.journal.getByMsgid(e.msgid)).toEqual({ ...e, payload: renamed });
        const key = unique("inbox");
        await store.snapshots.save("inbox", key, { convs: { c: { lastMessage: poison }, at: 1_700_000_000_000 } }, 0);
        expect(await store.snapshots.load("inbox", key)).toEqual({
          version: 1,
          state: { convs: { c: { lastMessage: renamed }, at: 1_700_000_000_000 } },
        });
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      });

      it("reports the max seq of many conversations, 0 for unknown ones", async () => {
        const a = unique("p2p/app1");
        const b = unique("team/app1");
        const none = unique("team/app1");
        await store.journal.append([1, 2, 3, 4, 5].map((s) => entry(a, s)));
        await store.journal.append([1, 2].map((s) => entry(b, s)));
        expect(await store.journal.maxSeqs([a, b, none])).toEqual(
          new Map([
            [a, 5],
            [b, 2],
            [none, 0],
          ]),
        );
        expect(await store.journal.maxSeqs([])).toEqual(new Map());
      });

      it("purges only entries expired at or before now, and counts them", async () => {
        const now = Date.now() + 3_600_000; // in the future: a server-side TTL must not race the test
        const a = unique("p2p/app1");
        const b = unique("p2p/app1");
        await store.journal.append([
          entry(a, 1, { expireAt: now - 1000 }),
          entry(a, 2, { expireAt: now }),
          entry(a, 3, { expireAt: now + 1000 }),
          entry(b, 1, { expireAt: now - 5 }),
          entry(b, 2, { expireAt: now + 1 }),
        ]);
        expect(await store.journal.purgeExpired(now)).toBe(3);
        expect(await store.journal.purgeExpired(now)).toBe(0);
        expect(seqsOf(await store.journal.rangeBySeq({ conversation: a, order: "asc", limit: 10 }))).toEqual([3]);
        expect(seqsOf(await store.journal.rangeBySeq({ conversation: b, order: "asc", limit: 10 }))).toEqual([2]);
      });

      it("stores 500 concurrent appends across 10 conversations, gap-free and in order", async () => {
        const convs = Array.from({ length: 10 }, () => unique("team/app1"));
        const entries = Array.from({ length: 500 }, (_, i) => entry(convs[i % 10]!, Math.floor(i / 10) + 1));
        const outcomes = await Promise.all(entries.map((e) => store.journal.append([e])));
        expect(outcomes.flat()).toEqual(entries.map(() => ({ status: "appended" })));
        for (const conv of convs) {
          const stored = await store.journal.rangeBySeq({ conversation: conv, order: "asc", limit: 100 });
          expect(seqsOf(stored)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
          expect(stored).toEqual(entries.filter((e) => e.conversation === conv));
        }
        expect([...(await store.journal.maxSeqs(convs)).values()]).toEqual(convs.map(() => 50));
      });

      it("settles appends still queued when the store closes", async () => {
        const conv = unique("p2p/app1");
        const pending = store.journal.append([entry(conv, 1)]);
        await store.close();
        await expect(pending).resolves.toEqual([{ status: "appended" }]);
      });
    });

    describe("outbox", () => {
      it("queues a journal entry's outbox item with it, and only when it is appended", async () => {
        const topic = unique("datasync");
        const conv = unique("p2p");
        const first = { ...entry(conv, 1), outbox: topic };
        const second = { ...entry(conv, 2), outbox: topic, outboxMembers: ["m1", "m2"], prevMsgid: first.msgid };
        expect(await store.journal.append([first, second])).toEqual([{ status: "appended" }, { status: "appended" }]);
        // A resend (duplicate) and a seq another message took queue nothing.
        expect((await store.journal.append([{ ...first, seq: 3, msgid: ++nextMsgid }]))[0]?.status).toBe("duplicate");
        await expect(store.journal.append([{ ...entry(conv, 2, { clientMsgId: "other" }), outbox: topic }])).rejects.toBeInstanceOf(
          SeqConflictError,
        );
        const leased = await store.outbox.lease(topic, 10, 30_000, first.time + 60_000);
        const refs = leased.map((i) => i.payload as unknown as JournalOutboxRef);
        expect(refs.map(({ j, c, m }) => ({ j, c, ...(m && { m }) }))).toEqual([
          { j: conv, c: "cm-1" },
          { j: conv, c: "cm-2", m: ["m1", "m2"] },
        ]);
        expect(leased.map((i) => i.availableAt)).toEqual([first.time, second.time]);
        // SQLite writes item and entry in one transaction, so its items carry the entry, exactly as
        // stored; MongoDB writes the item first, so its items carry none and readers look it up.
        expect(refs.map((r) => r.e !== undefined)).toEqual([store.kind === "sqlite", store.kind === "sqlite"]);
        for (const ref of refs) {
          const carried = entryOfOutboxRef(ref, consoleLogger);
          if (carried) expect(carried).toEqual(await store.journal.getByClientMsgId(conv, ref.c));
        }
        // The item is not part of the stored entry.
        expect(Object.keys((await store.journal.getByClientMsgId(conv, "cm-1"))!)).not.toContain("outbox");
        expect(Object.keys((await store.journal.getByClientMsgId(conv, "cm-2"))!)).not.toContain("outboxMembers");
      });

      it("enqueues, leases, acks and counts", async () => {
        const topic = unique("datasync");
        const t0 = Date.now();
        const ids = await store.outbox.enqueue(topic, [{ n: 1 }, { n: 2 }, { n: 3, nested: { ok: true } }], t0);
        expect(ids).toHaveLength(3);
        expect(new Set(ids).size).toBe(3);
        for (const id of ids) expect(typeof id).toBe("string");
        expect(await store.outbox.count(topic)).toBe(3);

        const leased = await store.outbox.lease(topic, 10, 30_000, t0);
        expect(leased).toEqual([
          { id: ids[0], topic, payload: { n: 1 }, attempts: 1, availableAt: t0 },
          { id: ids[1], topic, payload: { n: 2 }, attempts: 1, availableAt: t0 },
          { id: ids[2], topic, payload: { n: 3, nested: { ok: true } }, attempts: 1, availableAt: t0 },
        ]);
        expect(await store.outbox.count(topic)).toBe(3); // leased items still count

        await store.outbox.ack([ids[1]!]);
        expect(await store.outbox.count(topic)).toBe(2);
        await store.outbox.ack([ids[1]!]); // acking twice is harmless
        expect(await store.outbox.count(topic)).toBe(2);
        await store.outbox.ack([]);
        expect(await store.outbox.count(topic)).toBe(2);
        // Several at once, one of them already gone: the others go, nothing else does.
        const later = await store.outbox.enqueue(topic, [{ n: 4 }], t0);
        await store.outbox.ack([ids[0]!, ids[1]!, ids[2]!]);
        expect((await store.outbox.lease(topic, 10, 30_000, t0)).map((i) => i.id)).toEqual(later);
        expect(await store.outbox.count(topic)).toBe(1);
        expect(await store.outbox.count(unique("other"))).toBe(0);
        expect(await store.outbox.enqueue(topic, [])).toEqual([]);
      });

      it("does not hand out a leased item again while the lease holds", async () => {
        const topic = unique("callback");
        const t0 = Date.now();
        const ids = await store.outbox.enqueue(
          topic,
          [1, 2, 3, 4, 5].map((n) => ({ n })),
          t0,
        );
        const first = await store.outbox.lease(topic, 2, 10_000, t0);
        const second = await store.outbox.lease(topic, 10, 10_000, t0 + 1);
        const third = await store.outbox.lease(topic, 10, 10_000, t0 + 9_000);
        expect(first.map((i) => i.id)).toEqual(ids.slice(0, 2));
        expect(second.map((i) => i.id)).toEqual(ids.slice(2));
        expect(third).toEqual([]);
        expect(await store.outbox.lease(unique("other"), 10, 10_000, t0)).toEqual([]);
      });

      it("gives each item to one of several concurrent leasers", async () => {
        const topic = unique("datasync");
        const t0 = Date.now();
        const ids = await store.outbox.enqueue(
          topic,
          Array.from({ length: 20 }, (_, n) => ({ n })),
          t0,
        );
        const batches = await Promise.all([1, 2, 3, 4, 5].map(() => store.outbox.lease(topic, 10, 30_000, t0)));
        const leased = batches.flat().map((i) => i.id);
        expect(leased).toHaveLength(20);
        expect(new Set(leased)).toEqual(new Set(ids));
      });

      it("redelivers an item whose lease ran out, counting attempts", async () => {
        const topic = unique("callback");
        const t0 = Date.now();
        const [id] = await store.outbox.enqueue(topic, [{ n: 1 }], t0);
        expect((await store.outbox.lease(topic, 10, 1000, t0)).map((i) => [i.id, i.attempts])).toEqual([[id, 1]]);
        expect(await store.outbox.lease(topic, 10, 1000, t0 + 999)).toEqual([]);
        expect((await store.outbox.lease(topic, 10, 1000, t0 + 1001)).map((i) => [i.id, i.attempts])).toEqual([[id, 2]]);
        expect((await store.outbox.lease(topic, 10, 1000, t0 + 2002)).map((i) => [i.id, i.attempts])).toEqual([[id, 3]]);
      });

      it("redelivers after a short lease expires in real time", async () => {
        const topic = unique("callback");
        const [id] = await store.outbox.enqueue(topic, [{ n: 1 }]);
        expect((await store.outbox.lease(topic, 1, 150)).map((i) => i.attempts)).toEqual([1]);
        expect(await store.outbox.lease(topic, 1, 150)).toEqual([]);
        await new Promise((resolve) => setTimeout(resolve, 250));
        const again = await store.outbox.lease(topic, 1, 150);
        expect(again.map((i) => [i.id, i.attempts])).toEqual([[id, 2]]);
      });

      it("makes a retried item available again at the retry time", async () => {
        const topic = unique("datasync");
        const t0 = Date.now();
        const [id] = await store.outbox.enqueue(topic, [{ n: 1 }], t0);
        await store.outbox.lease(topic, 1, 60_000, t0);
        await store.outbox.retry(id!, t0 + 5000);
        expect(await store.outbox.lease(topic, 1, 60_000, t0 + 4999)).toEqual([]);
        const again = await store.outbox.lease(topic, 1, 60_000, t0 + 5000);
        expect(again).toEqual([{ id, topic, payload: { n: 1 }, attempts: 2, availableAt: t0 + 5000 }]);
        expect(await store.outbox.count(topic)).toBe(1);
        await store.outbox.ack([id!]);
        expect(await store.outbox.count(topic)).toBe(0);
      });

      it("does not lease an item before its availableAt", async () => {
        const topic = unique("datasync");
        const t0 = Date.now();
        const [later] = await store.outbox.enqueue(topic, [{ n: 1 }], t0 + 10_000);
        const [now] = await store.outbox.enqueue(topic, [{ n: 2 }], t0);
        expect((await store.outbox.lease(topic, 10, 60_000, t0)).map((i) => i.id)).toEqual([now]);
        expect((await store.outbox.lease(topic, 10, 60_000, t0 + 10_000)).map((i) => i.id)).toEqual([later]);
      });
    });

    describe("sequences", () => {
      it("hands out consecutive blocks starting at 1, per name", async () => {
        const name = unique("msgid");
        expect(await store.sequences.reserve(name, 10)).toBe(1);
        expect(await store.sequences.reserve(name, 5)).toBe(11);
        expect(await store.sequences.reserve(name, 1)).toBe(16);
        expect(await store.sequences.reserve(unique("teamid"), 3)).toBe(1);
        await expect(store.sequences.reserve(name, 0)).rejects.toBeInstanceOf(RangeError);
      });

      it("hands out disjoint blocks under concurrency", async () => {
        const name = unique("msgid");
        const sizes = Array.from({ length: 40 }, (_, i) => (i % 7) + 1);
        const starts = await Promise.all(sizes.map((n) => store.sequences.reserve(name, n)));
        const taken = starts.flatMap((s, i) => Array.from({ length: sizes[i]! }, (_, k) => s + k));
        const total = sizes.reduce((a, b) => a + b, 0);
        expect(taken.sort((x, y) => x - y)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      });
    });

    describe("nonces", () => {
      const now = 1_700_000_000_000;

      it("lets a key be claimed once", async () => {
        const key = unique("app/nonce");
        expect(await store.nonces.claim(key, keepForever)).toBe(true);
        expect(await store.nonces.claim(key, keepForever)).toBe(false);
        expect(await store.nonces.claim(unique("app/nonce"), keepForever)).toBe(true);
      });

      it("gives a key to exactly one of many concurrent claimers", async () => {
        const key = unique("app/race");
        const results = await Promise.all(Array.from({ length: 20 }, () => store.nonces.claim(key, keepForever)));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it("keeps an expired key claimed until it is purged, then forgets only expired keys", async () => {
        const expired = unique("app/expired");
        const kept = unique("app/kept");
        expect(await store.nonces.claim(expired, now - 5000)).toBe(true);
        expect(await store.nonces.claim(kept, keepForever)).toBe(true);
        expect(await store.nonces.claim(expired, now + 60_000)).toBe(false);
        expect(await store.nonces.purgeExpired(now)).toBeGreaterThanOrEqual(1);
        expect(await store.nonces.claim(expired, now + 60_000)).toBe(true);
        expect(await store.nonces.claim(kept, keepForever)).toBe(false);
      });
    });
  });
}
